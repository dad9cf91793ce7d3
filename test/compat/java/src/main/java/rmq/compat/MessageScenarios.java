package rmq.compat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.MessageQueueSelector;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Finding messages (by id, key, unique key, time) and what a message can
 * hold: compressed and large bodies, non-ASCII text; long polling; and
 * consuming by message properties (SQL92).
 */
final class MessageScenarios extends ScenarioBase {
  private final List<SendResult> syncResults;

  /** syncResults: sync_send's, filled when it has run. */
  MessageScenarios(String namesrv, DefaultMQProducer producer, List<SendResult> syncResults) {
    super(namesrv, producer);
    this.syncResults = syncResults;
  }

  private List<SendResult> needSyncResults() {
    Check.isTrue(syncResults.size() == SYNC_COUNT, "needs sync_send to have passed");
    return new ArrayList<>(syncResults);
  }

  void viewMessageById() throws Exception {
    // VIEW_MESSAGE_BY_ID at the address the offset message id names (the
    // broker's store host).
    List<SendResult> results = needSyncResults();
    for (int i = 0; i < results.size(); i++) {
      SendResult r = results.get(i);
      MessageExt m = producer.viewMessage(r.getOffsetMsgId());
      Check.equal("sync-" + i, m.getKeys(), "keys of the message viewed by offset id " + r.getOffsetMsgId());
      Check.equal("sync body " + i, TopicReader.body(m), "body of the message viewed by " + r.getOffsetMsgId());
      Check.equal(r.getQueueOffset(), m.getQueueOffset(), "queue offset of the message viewed by " + r.getOffsetMsgId());
      Check.equal(r.getMsgId(), m.getMsgId(), "unique id of the message viewed by " + r.getOffsetMsgId());
    }
  }

  void queryMessageByKey() throws Exception {
    // QUERY_MESSAGE by key (the index is built in the background: poll).
    List<SendResult> results = needSyncResults();
    List<String> found = new ArrayList<>();
    Check.await(() -> {
      try {
        found.clear();
        for (MessageExt m : producer.queryMessage(SYNC_TOPIC, "sync-3", 32, 0, Long.MAX_VALUE).getMessageList()) {
          found.add(m.getKeys() + "/" + TopicReader.body(m));
        }
        return !found.isEmpty();
      } catch (Exception e) {
        found.add(e.getMessage());
        return false;
      }
    }, WAIT, "QUERY_MESSAGE to find key sync-3", () -> "found " + found);
    Check.equal(List.of("sync-3/sync body 3"), found, "messages found by key sync-3");
    // By unique key (UNIQ_KEY, the SendResult's msgId): viewMessage(topic,
    // msgId) falls back to QUERY_MESSAGE with the unique-key flag.
    SendResult r = results.get(5);
    MessageExt m = producer.viewMessage(SYNC_TOPIC, r.getMsgId());
    Check.isTrue(m != null, "no message found by unique key " + r.getMsgId());
    Check.equal("sync-5", m.getKeys(), "keys of the message found by unique key " + r.getMsgId());
  }

  void searchOffsetByTimestamp() throws Exception {
    // SEARCH_OFFSET_BY_TIMESTAMP and GET_EARLIEST_MSG_STORETIME.
    List<SendResult> results = needSyncResults();
    try (TopicReader reader = reader("CompatSearchReader")) {
      var consumer = reader.consumer();
      for (MessageQueue mq : reader.queues(SYNC_TOPIC)) {
        List<MessageExt> stored = reader.readQueue(mq);
        if (stored.isEmpty()) continue;
        long earliest = consumer.earliestMsgStoreTime(mq);
        Check.equal(stored.get(0).getStoreTimestamp(), earliest, "earliestMsgStoreTime of " + mq);
        // RocketMQ 4.x's answer: the offset of a message stored at exactly
        // that time if there is one (any of them if several share it), else
        // the nearest; before the first message 0, after the last the last
        // message's offset (not the max offset).
        Check.equal(0L, consumer.searchOffset(mq, 0), "searchOffset(" + mq + ", 0)");
        for (MessageExt m : stored) {
          long found = consumer.searchOffset(mq, m.getStoreTimestamp());
          Check.isTrue(found >= 0 && found < stored.size(),
              "searchOffset(" + mq + ", " + m.getStoreTimestamp() + ") = " + found + " is not a message's offset");
          Check.equal(m.getStoreTimestamp(), stored.get((int) found).getStoreTimestamp(),
              "store time of the message at searchOffset(" + mq + ", store time of offset " + m.getQueueOffset() + ")");
        }
        MessageExt last = stored.get(stored.size() - 1);
        Check.equal(last.getQueueOffset(), consumer.searchOffset(mq, last.getStoreTimestamp() + 60_000),
            "searchOffset(" + mq + ", a minute after its last message)");
      }
    }
    Check.isTrue(!results.isEmpty(), "no sync results");
  }

  void compressedBody() throws Exception {
    // Bodies over compressMsgBodyOverHowmuch (4 KiB) travel compressed
    // (sysFlag COMPRESSED); readers get them back uncompressed.
    String big = "compressible text for rmq's store; ".repeat(3000);
    SendResult r = producer.send(message("CompatCompressed", "Z", "big", big));
    Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send of a " + big.length() + "-byte body");
    try (TopicReader reader = reader("CompatCompressedReader")) {
      PullResult pulled = reader.pull(r.getMessageQueue(), "*", r.getQueueOffset(), 1);
      Check.equal(PullStatus.FOUND, pulled.getPullStatus(), "pull of the compressed message");
      MessageExt m = pulled.getMsgFoundList().get(0);
      Check.equal(big.length(), m.getBody().length, "body length after the pull");
      Check.isTrue(big.equals(TopicReader.body(m)), "body pulled differs from the body sent");
      Check.isTrue(m.getStoreSize() < big.length(), "stored size " + m.getStoreSize() + " shows no compression");
    }
  }

  void largeMessage() throws Exception {
    // A 3 MiB body that does not compress (the client still sends it
    // zlib-deflated with the COMPRESSED flag): one frame of that size each
    // way, and a pull that returns one message bigger than a pull's usual
    // transfer limit.
    byte[] body = new byte[3 << 20];
    new java.util.Random(42).nextBytes(body);
    Message m = new Message("CompatLarge", "L", "large", body);
    SendResult r = producer.send(m);
    Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send of a 3 MiB body");
    try (TopicReader reader = reader("CompatLargeReader")) {
      PullResult pulled = reader.pull(r.getMessageQueue(), "*", r.getQueueOffset(), 32);
      Check.equal(PullStatus.FOUND, pulled.getPullStatus(), "pull of the 3 MiB message");
      Check.equal(1, pulled.getMsgFoundList().size(), "messages in the pull");
      Check.isTrue(java.util.Arrays.equals(body, pulled.getMsgFoundList().get(0).getBody()),
          "the 3 MiB body pulled differs from the one sent");
    }
  }

  void longPollingPull() throws Exception {
    // A pull at the max offset with suspend (pullBlockIfNotFound): the broker
    // holds it and answers when a message arrives.
    final String topic = "CompatLongPoll";
    SendResult first = producer.send(message(topic, "W", "lp-0", "first"));
    Check.equal(SendStatus.SEND_OK, first.getSendStatus(), "send creating " + topic);
    MessageQueue mq = first.getMessageQueue();
    try (TopicReader reader = reader("CompatLongPollReader")) {
      reader.queues(topic);  // routable before pulling by queue
      var consumer = reader.consumer();
      long next = first.getQueueOffset() + 1;
      // Nothing arrives: the held pull ends after the suspend time with
      // NO_NEW_MSG (not a timeout, not an error).
      consumer.setBrokerSuspendMaxTimeMillis(1000);
      PullResult empty = consumer.pullBlockIfNotFound(mq, "*", next, 32);
      Check.equal(PullStatus.NO_NEW_MSG, empty.getPullStatus(), "held pull with nothing arriving");
      Check.equal(next, empty.getNextBeginOffset(), "nextBeginOffset of the empty held pull");
      consumer.setBrokerSuspendMaxTimeMillis(15000);
      java.util.concurrent.CompletableFuture<PullResult> held = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return consumer.pullBlockIfNotFound(mq, "*", next, 32);
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      // The pull is held until a message arrives; send to the same queue.
      // (Whether it reached the broker before the send does not matter: a
      // held pull is answered on arrival, a later one finds the message.)
      SendResult second = producer.send(message(topic, "W", "lp-1", "second"), (mqs, msg, arg) -> mq, null);
      Check.equal(mq, second.getMessageQueue(), "queue of the second send");
      PullResult r = held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      Check.equal(PullStatus.FOUND, r.getPullStatus(), "held pull's status");
      Check.equal(List.of("lp-1"), keys(r.getMsgFoundList()), "keys of the held pull's messages");
    }
  }

  void unicodeAndProperties() throws Exception {
    // Non-ASCII text in body, tags, keys and user properties, and property
    // values with characters that are special elsewhere (= : , ; space).
    final String topic = "CompatUnicode";
    Message m = message(topic, "标签", "ключ-1 κλειδί-2", "body: 消息 ✓ emoji \uD83D\uDE00 and \u0000 NUL");
    m.putUserProperty("prop-ascii", "a=b:c,d;e f");
    m.putUserProperty("prop-unicode", "значение ✓");
    SendResult r = producer.send(m);
    Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send with non-ASCII text");
    try (TopicReader reader = reader("CompatUnicodeReader")) {
      PullResult pulled = reader.pull(r.getMessageQueue(), "标签", r.getQueueOffset(), 1);
      Check.equal(PullStatus.FOUND, pulled.getPullStatus(), "pull by the non-ASCII tag");
      MessageExt got = pulled.getMsgFoundList().get(0);
      Check.equal(new String(m.getBody(), StandardCharsets.UTF_8), TopicReader.body(got), "body");
      Check.equal("标签", got.getTags(), "tags");
      Check.equal("ключ-1 κλειδί-2", got.getKeys(), "keys");
      Check.equal("a=b:c,d;e f", got.getUserProperty("prop-ascii"), "property prop-ascii");
      Check.equal("значение ✓", got.getUserProperty("prop-unicode"), "property prop-unicode");
    }
  }

  void pushConsumerSqlFilter() throws Exception {
    // MessageSelector.bySql: the consumer's start asks the broker
    // (CHECK_CLIENT_CONFIG), its heartbeat carries the SQL92 subscription,
    // and the broker delivers only the messages whose properties match (the
    // client does not filter SQL92 itself). All into one queue, ending with
    // a matching sentinel: once it is consumed (one consume thread), every
    // message before it was delivered or filtered out.
    final String topic = "CompatSql";
    MessageQueueSelector firstQueue = (mqs, msg, arg) -> mqs.get(0);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      String key = "sql-" + i;
      Message m = message(topic, i % 2 == 0 ? "Even" : "Odd", key, "sql body " + i);
      // Every 6th message has no property a: it never matches.
      if (i % 6 != 0) m.putUserProperty("a", Integer.toString(i % 8));
      Check.equal(SendStatus.SEND_OK, producer.send(m, firstQueue, null).getSendStatus(), "send " + key);
      if (i % 6 != 0 && i % 8 >= 3 && i % 8 <= 5) expected.add(key);
    }
    Message end = message(topic, "Even", "sql-end", "sentinel");
    end.putUserProperty("a", "4");
    Check.equal(SendStatus.SEND_OK, producer.send(end, firstQueue, null).getSendStatus(), "send sentinel");
    expected.add("sql-end");

    awaitRoute(topic);
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = sqlConsumer("CompatSqlGroup", topic, "a between 3 and 5", received);
    consumer.start();
    try {
      Check.await(() -> keys(new ArrayList<>(received)).contains("sql-end"), WAIT, "the sentinel sql-end",
          () -> "received " + keys(new ArrayList<>(received)));
    } finally {
      consumer.shutdown();
    }
    Check.equal(sorted(expected), sorted(keys(new ArrayList<>(received))),
        "keys received by a push consumer subscribed by SQL92 'a between 3 and 5'");
    for (MessageExt m : received) {
      int a = Integer.parseInt(m.getUserProperty("a"));
      Check.isTrue(a >= 3 && a <= 5, m.getKeys() + " has a = " + a);
    }
  }

  void sqlFilterBadExpression() throws Exception {
    // The Java client does not compile the expression itself: start's
    // CHECK_CLIENT_CONFIG gets the broker's SUBSCRIPTION_PARSE_FAILED (23),
    // and start throws it.
    final String topic = "CompatSql";
    Check.equal(SendStatus.SEND_OK, producer.send(message(topic, "Even", "sql-bad", "x")).getSendStatus(),
        "send creating " + topic);
    awaitRoute(topic);
    DefaultMQPushConsumer consumer =
        sqlConsumer("CompatSqlBadGroup", topic, "a between 5 and 3", Collections.synchronizedList(new ArrayList<>()));
    try {
      consumer.start();
      Check.fail("start with 'a between 5 and 3' should have failed");
    } catch (MQClientException e) {
      Check.equal(23, e.getResponseCode(), "response code of CHECK_CLIENT_CONFIG (" + e.getErrorMessage() + ")");
      Check.isTrue(e.getErrorMessage() != null && e.getErrorMessage().contains("BETWEEN"),
          "the broker's reason: " + e.getErrorMessage());
    } finally {
      consumer.shutdown();
    }
  }

  private DefaultMQPushConsumer sqlConsumer(String group, String topic, String sql, List<MessageExt> sink)
      throws Exception {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName(group);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.setConsumeThreadMin(1);
    consumer.setConsumeThreadMax(1);
    consumer.subscribe(topic, MessageSelector.bySql(sql));
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      sink.addAll(msgs);
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    return consumer;
  }
}
