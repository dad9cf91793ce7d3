package rmq.compat;

import java.io.BufferedReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Across restarts of rmq-server (the driver restarts it between phases, or
 * during live_restart_reconnect), and the binary-headers phase.
 */
final class RestartScenarios extends ScenarioBase {
  RestartScenarios(String namesrv, DefaultMQProducer producer) {
    super(namesrv, producer);
  }

  /** Sends RESTART_BATCH messages prefix0.. with round-robin queue selection. */
  private void sendRestartBatch(String prefix) throws Exception {
    for (int i = 0; i < RESTART_BATCH; i++) {
      SendResult r = producer.send(message(RESTART_TOPIC, "R", prefix + i, prefix + " body " + i));
      Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send " + prefix + i);
    }
  }

  void restartConsumePart() throws Exception {
    sendRestartBatch("r1-");
    awaitRoute(RESTART_TOPIC);
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = pushConsumer(RESTART_GROUP, RESTART_TOPIC, "*", received);
    consumer.start();
    try {
      Check.await(() -> received.size() >= RESTART_BATCH, WAIT, RESTART_BATCH + " messages r1-*",
          () -> "received " + keys(new ArrayList<>(received)));
    } finally {
      // Shutdown persists the group's offsets at the broker.
      consumer.shutdown();
    }
    Check.equal(keyRange("r1-", RESTART_BATCH), sorted(keys(new ArrayList<>(received))), "first consumption");
    // The part left for after the restart.
    sendRestartBatch("r2-");
    // The offsets must be at the broker before it restarts (they travel
    // oneway, hence the wait).
    try (TopicReader reader = reader(RESTART_GROUP)) {
      Map<Integer, Long> expected = new HashMap<>();
      for (Map.Entry<Integer, List<MessageExt>> e : reader.readTopic(RESTART_TOPIC).entrySet()) {
        expected.put(e.getKey(), e.getValue().stream().filter(m -> m.getKeys().startsWith("r1-")).count());
      }
      Map<Integer, Long> atBroker = new HashMap<>();
      Check.await(() -> {
        try {
          for (MessageQueue mq : reader.queues(RESTART_TOPIC)) {
            atBroker.put(mq.getQueueId(), reader.consumer().fetchConsumeOffset(mq, true));
          }
          return atBroker.equals(expected);
        } catch (Exception e) {
          return false;
        }
      }, WAIT, "the group's offsets at the broker after consumer shutdown",
          () -> "expected (r1 messages per queue) " + expected + ", broker has " + atBroker);
    }
  }

  // ---- binary-headers ---------------------------------------------------

  /**
   * Run in a JVM with -Drocketmq.serialize.type=ROCKETMQ and
   * -Dorg.apache.rocketmq.client.sendSmartMsg=false: every request carries a
   * ROCKETMQ (binary) header, single sends are SEND_MESSAGE (code 10) with
   * the long field names, batches SEND_BATCH_MESSAGE.
   */
  void binaryHeaders() throws Exception {
    final String topic = "CompatBinary";
    List<SendResult> results = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Message m = message(topic, i % 2 == 0 ? "TagA" : "TagC", "bin-" + i, "binary header body " + i);
      m.putUserProperty("idx", Integer.toString(i));
      m.putUserProperty("text", "ünïcödé " + i);
      results.add(producer.send(m));
    }
    checkSendResults(topic, results);
    List<Message> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) batch.add(message(topic, "TagA", "bin-batch-" + i, "batch " + i));
    SendResult batchResult = producer.send(batch);
    Check.equal(SendStatus.SEND_OK, batchResult.getSendStatus(), "batch send status");
    try (TopicReader reader = reader("CompatBinaryReader")) {
      List<MessageExt> stored = flatten(reader.readTopic(topic));
      List<String> want = new ArrayList<>(keyRange("bin-", 6));
      want.addAll(keyRange("bin-batch-", 3));
      Check.equal(sorted(want), sorted(keys(stored)), "keys stored in " + topic);
      for (MessageExt m : stored) {
        if (m.getKeys().startsWith("bin-batch-")) continue;
        String idx = m.getUserProperty("idx");
        Check.equal("binary header body " + idx, TopicReader.body(m), "body of " + m.getKeys());
        Check.equal("ünïcödé " + idx, m.getUserProperty("text"), "property text of " + m.getKeys());
        Check.equal(Integer.parseInt(idx) % 2 == 0 ? "TagA" : "TagC", m.getTags(), "tags of " + m.getKeys());
      }
      MessageExt viewed = producer.viewMessage(results.get(2).getOffsetMsgId());
      Check.equal("bin-2", viewed.getKeys(), "message viewed by offset id");
    }
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = pushConsumer("CompatBinaryGroup", topic, "TagA", received);
    consumer.start();
    try {
      List<String> expected = new ArrayList<>(List.of("bin-0", "bin-2", "bin-4"));
      expected.addAll(keyRange("bin-batch-", 3));
      Check.await(() -> keys(new ArrayList<>(received)).containsAll(expected), WAIT, "the TagA messages",
          () -> "received " + keys(new ArrayList<>(received)));
      Check.equal(sorted(expected), sorted(keys(new ArrayList<>(received))), "keys received for TagA");
    } finally {
      consumer.shutdown();
    }
  }

  // ---- live-restart -----------------------------------------------------

  static final String LIVE_TOPIC = "CompatLive";
  static final String LIVE_GROUP = "CompatLiveGroup";

  /**
   * Clients stay connected while the driver restarts rmq-server on the same
   * ports: prints "LIVE READY" once its consumer is idle with its offset at
   * the broker, reads one line ("restarted") from in, then expects the
   * producer and the consumer to carry on over new connections.
   */
  void liveRestart(BufferedReader in) throws Exception {
    Check.equal(SendStatus.SEND_OK, producer.send(message(LIVE_TOPIC, "L", "live-0", "before")).getSendStatus(),
        "send creating " + LIVE_TOPIC);
    awaitRoute(LIVE_TOPIC);
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = pushConsumer(LIVE_GROUP, LIVE_TOPIC, "*", received);
    // Heartbeats re-introduce the consumer to the restarted broker; the
    // defaults (30 s) would only make the test slow.
    consumer.setHeartbeatBrokerInterval(1000);
    consumer.setPersistConsumerOffsetInterval(500);
    consumer.start();
    try {
      Check.await(() -> keys(new ArrayList<>(received)).contains("live-0"), WAIT, "live-0",
          () -> "received " + keys(new ArrayList<>(received)));
      // live-0's offset must be at the broker before it stops, or
      // redelivering it after the restart would be RocketMQ's at-least-once.
      try (TopicReader reader = reader(LIVE_GROUP)) {
        Map<Integer, Long> atBroker = new HashMap<>();
        Check.await(() -> {
          try {
            for (MessageQueue mq : reader.queues(LIVE_TOPIC)) {
              atBroker.put(mq.getQueueId(), reader.consumer().fetchConsumeOffset(mq, true));
            }
            return atBroker.values().stream().mapToLong(Long::longValue).filter(v -> v > 0).sum() == 1;
          } catch (Exception e) {
            return false;
          }
        }, WAIT, "live-0's offset at the broker", () -> "broker has " + atBroker);
      }
      System.out.println("LIVE READY");
      System.out.flush();
      String line = in.readLine();
      Check.equal("restarted", line, "line from the test driver");
      List<String> sent = new ArrayList<>();
      List<String> sendErrors = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        String key = "live-" + i;
        // A send may meet a connection the restart closed; the client
        // reconnects, so retry until the deadline.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
          try {
            SendResult r = producer.send(message(LIVE_TOPIC, "L", key, "after"));
            Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send " + key + " after the restart");
            break;
          } catch (Exception e) {
            sendErrors.add(key + ": " + e.getMessage().split("\n")[0]);
            Check.isTrue(System.nanoTime() < deadline, "send " + key + " kept failing after the restart: " + sendErrors);
            Thread.sleep(100);
          }
        }
        sent.add(key);
      }
      Check.await(() -> keys(new ArrayList<>(received)).containsAll(sent), WAIT, "live-1..10 after the restart",
          () -> "received " + keys(new ArrayList<>(received)) + "; send errors " + sendErrors);
      List<String> want = new ArrayList<>(sent);
      want.add("live-0");
      Check.equal(sorted(want), sorted(keys(new ArrayList<>(received))),
          "messages consumed across the restart (live-0 once: its offset was at the broker)");
    } finally {
      consumer.shutdown();
    }
  }

  // ---- after-restart ----------------------------------------------------

  void restartStoreRecovered() throws Exception {
    try (TopicReader reader = reader("CompatRecoveredReader")) {
      List<MessageExt> sync = flatten(reader.readTopic(SYNC_TOPIC));
      Check.equal(keyRange("sync-", SYNC_COUNT), sorted(keys(sync)), "keys in " + SYNC_TOPIC + " after restart");
      for (MessageExt m : sync) {
        Check.equal("sync body " + m.getUserProperty("idx"), TopicReader.body(m), "body of " + m.getKeys());
      }
      Check.equal(keyRange("batch-", BATCH_COUNT), keys(flatten(reader.readTopic(BATCH_TOPIC))),
          "keys in " + BATCH_TOPIC + " after restart");
    }
  }

  void restartResumeOffsets() throws Exception {
    // One more message per queue after the restart, last in each queue: with
    // one consume thread, once all of them are consumed every older message
    // that was going to be (re)delivered has been.
    List<String> tail = new ArrayList<>();
    int queueCount;
    try (TopicReader reader = reader("CompatRestartReader")) {
      queueCount = reader.queues(RESTART_TOPIC).size();
    }
    for (int q = 0; q < queueCount; q++) {
      final int queue = q;
      SendResult r = producer.send(message(RESTART_TOPIC, "R", "r3-" + q, "r3 body " + q),
          (mqs, msg, arg) -> mqs.stream().filter(mq -> mq.getQueueId() == queue).findFirst().orElseThrow(), null);
      Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send r3-" + q + " after restart");
      tail.add("r3-" + q);
    }
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = pushConsumer(RESTART_GROUP, RESTART_TOPIC, "*", received);
    consumer.start();
    try {
      Check.await(() -> keys(new ArrayList<>(received)).containsAll(tail), WAIT, "the r3-* messages",
          () -> "received " + keys(new ArrayList<>(received)));
    } finally {
      consumer.shutdown();
    }
    List<String> got = keys(new ArrayList<>(received));
    List<String> redelivered = got.stream().filter(k -> k.startsWith("r1-")).collect(Collectors.toList());
    // Offsets were persisted by the consumer's shutdown and by the broker's:
    // after a clean restart RocketMQ's at-least-once allows no duplicates here.
    Check.isTrue(redelivered.isEmpty(), "already consumed messages delivered again after restart: " + redelivered);
    List<String> want = new ArrayList<>(keyRange("r2-", RESTART_BATCH));
    want.addAll(tail);
    Check.equal(sorted(want), sorted(got), "messages consumed after restart");
  }
}
