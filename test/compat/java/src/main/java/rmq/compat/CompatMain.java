package rmq.compat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;

/**
 * Apache RocketMQ's Java client (rocketmq-client 4.9.8) against rmq-server.
 *
 *   java -Dnamesrv=127.0.0.1:PORT rmq.compat.CompatMain PHASE [scenario...]
 *
 * run_java_compat.sh runs phase "before-restart", restarts rmq-server on
 * the same store, runs "after-restart" and "binary-headers" (in a JVM set to
 * ROCKETMQ binary headers and SEND_MESSAGE v1), then "live-restart", during
 * which it restarts rmq-server on the same ports while the clients stay up.
 * Each scenario prints one line, PASS or FAIL with the reason (XFAIL, XPASS
 * for KNOWN_FAILURES); the exit status is 1 if any failed. Scenario names
 * after the phase run only those.
 */
public final class CompatMain {
  /** A scenario gets this long before it counts as hung. */
  private static final Duration SCENARIO_TIMEOUT = Duration.ofSeconds(90);

  /**
   * Scenarios that fail because of a known rmq bug not fixed yet (see
   * docs/compatibility.md). Their failure prints XFAIL and does not fail the
   * run; their passing prints XPASS and does, so that they leave this list
   * when the bug is fixed.
   */
  private static final Map<String, String> KNOWN_FAILURES = Map.of();

  interface Scenario {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    String namesrv = System.getProperty("namesrv");
    if (namesrv == null || args.length < 1) {
      System.err.println("usage: java -Dnamesrv=HOST:PORT rmq.compat.CompatMain "
          + "before-restart|after-restart|binary-headers|live-restart [scenario...]");
      System.exit(2);
    }
    String phase = args[0];
    List<String> only = List.of(args).subList(1, args.length);

    DefaultMQProducer producer = new DefaultMQProducer("CompatProducerGroup");
    producer.setNamesrvAddr(namesrv);
    producer.setInstanceName("CompatProducer-" + phase);
    // rmq serves no VIP port (the broker port minus 2); 4.9.8 defaults to off too.
    producer.setVipChannelEnabled(false);
    producer.setSendMsgTimeout(5000);
    producer.start();
    Scenarios s = new Scenarios(namesrv, producer);
    MessageScenarios m = new MessageScenarios(namesrv, producer, s.syncResults);
    RestartScenarios r = new RestartScenarios(namesrv, producer);
    AdminScenarios admin = new AdminScenarios(namesrv, producer);

    Map<String, Scenario> scenarios = new LinkedHashMap<>();
    switch (phase) {
      case "before-restart":
        scenarios.put("sync_send", s::syncSend);
        scenarios.put("async_send", s::asyncSend);
        scenarios.put("oneway_send", s::onewaySend);
        scenarios.put("batch_send", s::batchSend);
        scenarios.put("ordered_send", s::orderedSend);
        scenarios.put("push_consumer_tag_filter", s::pushConsumerTagFilter);
        scenarios.put("delayed_send", s::delayedSend);
        scenarios.put("retry_reconsume_later", s::retryReconsumeLater);
        scenarios.put("transactional_send", s::transactionalSend);
        scenarios.put("orderly_consumer", s::orderlyConsumer);
        scenarios.put("pull_consumer", s::pullConsumer);
        scenarios.put("pull_edge_cases", s::pullEdgeCases);
        scenarios.put("pull_offset_overflow_badly", s::pullOffsetOverflowBadly);
        scenarios.put("send_to_bad_queue", s::sendToBadQueue);
        scenarios.put("lite_pull_subscribe", s::litePullSubscribe);
        scenarios.put("view_message_by_id", m::viewMessageById);
        scenarios.put("query_message_by_key", m::queryMessageByKey);
        scenarios.put("search_offset_by_timestamp", m::searchOffsetByTimestamp);
        scenarios.put("compressed_body", m::compressedBody);
        scenarios.put("push_consumers_share_queues", s::pushConsumersShareQueues);
        scenarios.put("large_message", m::largeMessage);
        scenarios.put("long_polling_pull", m::longPollingPull);
        scenarios.put("unicode_and_properties", m::unicodeAndProperties);
        scenarios.put("push_consumer_sql_filter", m::pushConsumerSqlFilter);
        scenarios.put("sql_filter_bad_expression", m::sqlFilterBadExpression);
        scenarios.put("namespace_send_consume", s::namespaceSendConsume);
        scenarios.put("lite_pull_commit_offset", s::litePullCommitOffset);
        scenarios.put("admin_cluster_info", admin::clusterInfo);
        scenarios.put("admin_topic_list", admin::topicList);
        scenarios.put("admin_topic_stats", admin::topicStats);
        scenarios.put("admin_consumer_connection_and_stats", admin::consumerAdmin);
        scenarios.put("admin_subscription_group", admin::subscriptionGroup);
        scenarios.put("admin_broker_runtime_info", admin::brokerRuntimeInfo);
        scenarios.put("admin_delete_topic", admin::deleteTopic);
        scenarios.put("admin_reset_offset", admin::resetOffset);
        scenarios.put("admin_consumer_running_info", admin::consumerRunningInfo);
        scenarios.put("admin_delete_subscription_group", admin::deleteSubscriptionGroup);
        scenarios.put("restart_consume_part", r::restartConsumePart);
        break;
      case "after-restart":
        scenarios.put("restart_store_recovered", r::restartStoreRecovered);
        scenarios.put("restart_resume_offsets", r::restartResumeOffsets);
        break;
      case "binary-headers":
        scenarios.put("binary_headers_v1_send", r::binaryHeaders);
        break;
      case "live-restart": {
        java.io.BufferedReader in = new java.io.BufferedReader(
            new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        scenarios.put("live_restart_reconnect", () -> r.liveRestart(in));
        break;
      }
      default:
        System.err.println("unknown phase " + phase);
        System.exit(2);
    }

    List<String> failed = new ArrayList<>();
    int ran = 0;
    ExecutorService runner = Executors.newCachedThreadPool(task -> {
      Thread t = new Thread(task, "scenario");
      t.setDaemon(true);
      return t;
    });
    for (Map.Entry<String, Scenario> e : scenarios.entrySet()) {
      String name = e.getKey();
      if (!only.isEmpty() && !only.contains(name)) continue;
      ran++;
      long start = System.nanoTime();
      String error = runOne(runner, e.getValue());
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      String known = KNOWN_FAILURES.get(name);
      if (error == null && known == null) {
        System.out.printf("PASS java/%s (%d ms)%n", name, ms);
      } else if (error == null) {
        System.out.printf("XPASS java/%s (%d ms): passes, but is listed as a known failure (%s): "
            + "remove it from CompatMain.KNOWN_FAILURES and docs/compatibility.md%n", name, ms, known);
        failed.add(name);
      } else if (known != null) {
        System.out.printf("XFAIL java/%s (%d ms): known: %s. %s%n", name, ms, known, error);
      } else {
        System.out.printf("FAIL java/%s (%d ms): %s%n", name, ms, error);
        failed.add(name);
      }
      System.out.flush();
    }
    producer.shutdown();
    System.out.printf("%s: %d scenarios, %d failed%s%n", phase, ran,
        failed.size(), failed.isEmpty() ? "" : " " + failed);
    System.out.flush();
    // The client leaves non-daemon threads behind after a failed scenario.
    System.exit(failed.isEmpty() ? 0 : 1);
  }

  /** Runs one scenario with SCENARIO_TIMEOUT; null when it passed, else why not. */
  private static String runOne(ExecutorService runner, Scenario scenario) {
    Future<?> f = runner.submit(() -> {
      scenario.run();
      return null;
    });
    try {
      f.get(SCENARIO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (TimeoutException te) {
      f.cancel(true);
      return "hung: no result after " + SCENARIO_TIMEOUT.toSeconds() + " s";
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (ExecutionException ee) {
      Throwable cause = ee.getCause();
      if (cause instanceof Check.CheckFailed) return cause.getMessage();
      StringWriter trace = new StringWriter();
      cause.printStackTrace(new PrintWriter(trace));
      return cause + "\n" + trace;
    }
  }
}
