package rmq.compat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.MessageQueueSelector;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/** Sending and consuming: the producer's send modes, push, pull and lite pull consumers. */
final class Scenarios extends ScenarioBase {
  /** sync_send's results, for the scenarios that look messages up. */
  final List<SendResult> syncResults = Collections.synchronizedList(new ArrayList<>());

  Scenarios(String namesrv, DefaultMQProducer producer) {
    super(namesrv, producer);
  }

  // ---- before-restart ---------------------------------------------------

  void syncSend() throws Exception {
    List<SendResult> results = new ArrayList<>();
    for (int i = 0; i < SYNC_COUNT; i++) {
      Message m = message(SYNC_TOPIC, "S", "sync-" + i, "sync body " + i);
      m.putUserProperty("idx", Integer.toString(i));
      results.add(producer.send(m));
    }
    checkSendResults(SYNC_TOPIC, results);
    syncResults.addAll(results);
    Set<Integer> queues = results.stream().map(r -> r.getMessageQueue().getQueueId()).collect(Collectors.toSet());
    Check.isTrue(queues.size() > 1, "round-robin sends used only queues " + queues);
    try (TopicReader reader = reader("CompatSyncReader")) {
      List<MessageExt> stored = flatten(reader.readTopic(SYNC_TOPIC));
      Check.equal(keyRange("sync-", SYNC_COUNT), sorted(keys(stored)), "keys stored in " + SYNC_TOPIC);
      for (MessageExt m : stored) {
        String idx = m.getUserProperty("idx");
        Check.equal("sync body " + idx, TopicReader.body(m), "body of " + m.getKeys());
        Check.equal("S", m.getTags(), "tags of " + m.getKeys());
        Check.equal("sync-" + idx, m.getKeys(), "user property idx of " + m.getKeys());
      }
    }
  }

  void asyncSend() throws Exception {
    final int n = 8;
    CountDownLatch done = new CountDownLatch(n);
    List<SendResult> results = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      producer.send(message(ASYNC_TOPIC, "A", "async-" + i, "async body " + i), new SendCallback() {
        @Override
        public void onSuccess(SendResult r) {
          results.add(r);
          done.countDown();
        }

        @Override
        public void onException(Throwable e) {
          errors.add(e);
          done.countDown();
        }
      });
    }
    Check.isTrue(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS),
        "only " + (n - done.getCount()) + " of " + n + " send callbacks ran within " + WAIT.toSeconds() + " s");
    Check.isTrue(errors.isEmpty(), "async send failed: " + errors);
    for (SendResult r : results) Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "async send status");
    try (TopicReader reader = reader("CompatAsyncReader")) {
      Check.equal(keyRange("async-", n), sorted(keys(flatten(reader.readTopic(ASYNC_TOPIC)))),
          "keys stored in " + ASYNC_TOPIC);
    }
  }

  void onewaySend() throws Exception {
    final int n = 5;
    // The first send creates the topic; a oneway send gets no answer, so make
    // it exist first with a sync one (which is message oneway-0).
    Check.equal(SendStatus.SEND_OK, producer.send(message(ONEWAY_TOPIC, "O", "oneway-0", "oneway body 0")).getSendStatus(),
        "sync send creating " + ONEWAY_TOPIC);
    for (int i = 1; i < n; i++) producer.sendOneway(message(ONEWAY_TOPIC, "O", "oneway-" + i, "oneway body " + i));
    try (TopicReader reader = reader("CompatOnewayReader")) {
      Check.await(() -> {
        try {
          return reader.count(ONEWAY_TOPIC) == n;
        } catch (Exception e) {
          return false;
        }
      }, WAIT, n + " messages stored in " + ONEWAY_TOPIC, () -> {
        try {
          return reader.count(ONEWAY_TOPIC) + " stored";
        } catch (Exception e) {
          return e.toString();
        }
      });
      Check.equal(keyRange("oneway-", n), sorted(keys(flatten(reader.readTopic(ONEWAY_TOPIC)))),
          "keys stored in " + ONEWAY_TOPIC);
    }
  }

  void batchSend() throws Exception {
    List<Message> batch = new ArrayList<>();
    for (int i = 0; i < BATCH_COUNT; i++) batch.add(message(BATCH_TOPIC, "B", "batch-" + i, "batch body " + i));
    SendResult r = producer.send(batch);
    Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "batch send status");
    String[] ids = r.getMsgId().split(",");
    Check.equal(BATCH_COUNT, ids.length, "message ids in the batch's SendResult.msgId " + r.getMsgId());
    Check.equal(BATCH_COUNT, new HashSet<>(List.of(ids)).size(), "distinct message ids in " + r.getMsgId());
    try (TopicReader reader = reader("CompatBatchReader")) {
      MessageQueue mq = r.getMessageQueue();
      PullResult pulled = reader.pull(mq, "*", r.getQueueOffset(), 32);
      Check.equal(PullStatus.FOUND, pulled.getPullStatus(), "pull of the batch from " + mq + " at " + r.getQueueOffset());
      List<MessageExt> got = pulled.getMsgFoundList();
      Check.equal(keyRange("batch-", BATCH_COUNT), keys(got), "keys of the batch, in order");
      for (int i = 0; i < got.size(); i++) {
        MessageExt m = got.get(i);
        Check.equal("batch body " + i, TopicReader.body(m), "body of batch-" + i);
        Check.equal("B", m.getTags(), "tags of batch-" + i);
        Check.equal(r.getQueueOffset() + i, m.getQueueOffset(), "queue offset of batch-" + i);
        Check.equal(ids[i], m.getMsgId(), "message id of batch-" + i);
      }
      Check.equal(r.getQueueOffset() + BATCH_COUNT, pulled.getNextBeginOffset(), "nextBeginOffset after the batch");
    }
  }

  void orderedSend() throws Exception {
    final String[] orderKeys = {"order-A", "order-B", "order-C"};
    final int perKey = 10;
    MessageQueueSelector byKey = (mqs, msg, arg) -> mqs.get(Math.floorMod(arg.hashCode(), mqs.size()));
    Map<String, Set<Integer>> queuesOfKey = new HashMap<>();
    Map<String, Long> lastOffsetOfKey = new HashMap<>();
    for (int seq = 0; seq < perKey; seq++) {
      for (String key : orderKeys) {
        Message m = message(ORDER_TOPIC, "Ord", key + "-" + seq, key + ":" + seq);
        m.putUserProperty("orderKey", key);
        m.putUserProperty("seq", Integer.toString(seq));
        SendResult r = producer.send(m, byKey, key);
        Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "ordered send status");
        queuesOfKey.computeIfAbsent(key, k -> new TreeSet<>()).add(r.getMessageQueue().getQueueId());
        Long last = lastOffsetOfKey.put(key, r.getQueueOffset());
        Check.isTrue(last == null || r.getQueueOffset() > last,
            key + " message " + seq + " got queue offset " + r.getQueueOffset() + " after " + last);
      }
    }
    for (String key : orderKeys) Check.equal(1, queuesOfKey.get(key).size(), "queues used by " + key + " " + queuesOfKey.get(key));

    // Consume with a lite pull consumer assigned all queues: per queue, the
    // messages come in queue order, so each key's sequence must be 0, 1, 2, …
    awaitRoute(ORDER_TOPIC);
    DefaultLitePullConsumer consumer = new DefaultLitePullConsumer("CompatOrderGroup");
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName("CompatOrderGroup");
    consumer.setAutoCommit(false);
    consumer.start();
    try {
      List<MessageQueue> mqs = new ArrayList<>(consumer.fetchMessageQueues(ORDER_TOPIC));
      consumer.assign(mqs);
      for (MessageQueue mq : mqs) consumer.seek(mq, 0);
      Map<String, List<Integer>> seqOfKey = new HashMap<>();
      Map<String, Set<Integer>> consumedQueuesOfKey = new HashMap<>();
      int total = orderKeys.length * perKey;
      int got = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (got < total) {
        Check.isTrue(System.nanoTime() < deadline, "ordered consume: only " + got + " of " + total + " messages within "
            + WAIT.toSeconds() + " s: " + seqOfKey);
        for (MessageExt m : consumer.poll(1000)) {
          String key = m.getUserProperty("orderKey");
          seqOfKey.computeIfAbsent(key, k -> new ArrayList<>()).add(Integer.parseInt(m.getUserProperty("seq")));
          consumedQueuesOfKey.computeIfAbsent(key, k -> new TreeSet<>()).add(m.getQueueId());
          got++;
        }
      }
      List<Integer> inOrder = IntStream.range(0, perKey).boxed().collect(Collectors.toList());
      for (String key : orderKeys) {
        Check.equal(inOrder, seqOfKey.get(key), "consume order of " + key);
        Check.equal(queuesOfKey.get(key), consumedQueuesOfKey.get(key), "queue " + key + " was consumed from");
      }
    } finally {
      consumer.shutdown();
    }
  }

  void pushConsumerTagFilter() throws Exception {
    // All into one queue, ending with a TagA sentinel: with one consume
    // thread, once the sentinel is consumed every message before it has been
    // either delivered or filtered out.
    String[] tags = {"TagA", "TagB", "TagC", null, "TagAB"};
    MessageQueueSelector firstQueue = (mqs, msg, arg) -> mqs.get(0);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String tag = tags[i % tags.length];
      String key = "tag-" + i + "-" + tag;
      SendResult r = producer.send(message(TAG_TOPIC, tag, key, "tag body " + i), firstQueue, null);
      Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send " + key);
      if ("TagA".equals(tag) || "TagB".equals(tag)) expected.add(key);
    }
    Check.equal(SendStatus.SEND_OK,
        producer.send(message(TAG_TOPIC, "TagA", "tag-end", "sentinel"), firstQueue, null).getSendStatus(), "send sentinel");
    expected.add("tag-end");

    awaitRoute(TAG_TOPIC);
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = pushConsumer("CompatTagGroup", TAG_TOPIC, "TagA || TagB", received);
    consumer.start();
    try {
      Check.await(() -> keys(new ArrayList<>(received)).contains("tag-end"), WAIT, "the sentinel tag-end",
          () -> "received " + keys(new ArrayList<>(received)));
    } finally {
      consumer.shutdown();
    }
    List<String> got = keys(new ArrayList<>(received));
    Check.equal(sorted(expected), sorted(got), "keys received by a push consumer subscribed to 'TagA || TagB'");
    for (MessageExt m : received) {
      Check.isTrue("TagA".equals(m.getTags()) || "TagB".equals(m.getTags()), "received tag " + m.getTags());
    }
  }

  void delayedSend() throws Exception {
    // Level 2 is 5 s: the broker holds the message in SCHEDULE_TOPIC_XXXX
    // and delivers it to the topic when it is due.
    Message m = message(DELAY_TOPIC, "D", "delayed-1", "delayed body");
    m.setDelayTimeLevel(2);
    long sentAt = System.currentTimeMillis();
    SendResult r = producer.send(m);
    Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send with delay level 2");
    awaitRoute(DELAY_TOPIC);
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = pushConsumer("CompatDelayGroup", DELAY_TOPIC, "*", received);
    consumer.start();
    try {
      Check.await(() -> !received.isEmpty(), WAIT, "the delayed message", () -> "nothing received");
    } finally {
      consumer.shutdown();
    }
    MessageExt got = received.get(0);
    long waited = got.getStoreTimestamp() - sentAt;
    Check.isTrue(waited >= 4500, "delivered to " + DELAY_TOPIC + " " + waited + " ms after the send, not ~5 s");
    Check.equal(DELAY_TOPIC, got.getTopic(), "topic of the delayed message");
    Check.equal("delayed-1", got.getKeys(), "keys of the delayed message");
    Check.equal(r.getMsgId(), got.getMsgId(), "msgId of the delayed message");
    Check.equal(0, got.getDelayTimeLevel(), "DELAY is gone once delivered");
  }

  void retryReconsumeLater() throws Exception {
    // RECONSUME_LATER once: the client sends the message back
    // (CONSUMER_SEND_MSG_BACK), the broker redelivers it through
    // %RETRY%group after delay level 3 (10 s), under its own topic.
    SendResult r = producer.send(message(RETRY_TOPIC, "R", "retry-1", "retry body"));
    Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send");
    awaitRoute(RETRY_TOPIC);
    List<MessageExt> deliveries = Collections.synchronizedList(new ArrayList<>());
    List<Long> times = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("CompatRetryGroup");
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName("CompatRetryGroup");
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(RETRY_TOPIC, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      times.add(System.currentTimeMillis());
      deliveries.addAll(msgs);
      return deliveries.size() == 1 ? ConsumeConcurrentlyStatus.RECONSUME_LATER
                                    : ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    try {
      Check.await(() -> deliveries.size() >= 2, WAIT, "the redelivery", () -> "deliveries " + deliveries.size());
    } finally {
      consumer.shutdown();
    }
    MessageExt first = deliveries.get(0);
    MessageExt again = deliveries.get(1);
    Check.equal(0, first.getReconsumeTimes(), "reconsumeTimes of the first delivery");
    Check.equal(1, again.getReconsumeTimes(), "reconsumeTimes of the redelivery");
    Check.equal(RETRY_TOPIC, again.getTopic(), "topic of the redelivery (restored from %RETRY%)");
    Check.equal(r.getMsgId(), again.getMsgId(), "msgId of the redelivery");
    Check.equal("retry body", TopicReader.body(again), "body of the redelivery");
    long gap = times.get(1) - times.get(0);
    Check.isTrue(gap >= 9000, "redelivered " + gap + " ms after the failure, not ~10 s");
  }

  void orderlyConsumer() throws Exception {
    // DefaultMQPushConsumer with MessageListenerOrderly against rmq's broker:
    // the client locks its queues (LOCK_BATCH_MQ) before consuming, each
    // key's messages (one queue per key) arrive in send order, and a
    // SUSPEND_CURRENT_QUEUE_A_MOMENT redelivers the same message (local
    // retry, reconsumeTimes 1) before anything after it in its queue.
    final String[] orderKeys = {"k-A", "k-B", "k-C"};
    final int perKey = 8;
    MessageQueueSelector byKey = (mqs, msg, arg) -> mqs.get(Math.floorMod(arg.hashCode(), mqs.size()));
    for (int seq = 0; seq < perKey; seq++) {
      for (String key : orderKeys) {
        Message m = message(ORDERLY_TOPIC, "Ord", key + "-" + seq, key + ":" + seq);
        m.putUserProperty("orderKey", key);
        m.putUserProperty("seq", Integer.toString(seq));
        Check.equal(SendStatus.SEND_OK, producer.send(m, byKey, key).getSendStatus(), "ordered send");
      }
    }
    awaitRoute(ORDERLY_TOPIC);
    Map<String, List<String>> seen = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicBoolean suspended = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("CompatOrderlyGroup");
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName("CompatOrderlyGroup");
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(ORDERLY_TOPIC, "*");
    consumer.registerMessageListener((MessageListenerOrderly) (msgs, context) -> {
      for (MessageExt m : msgs) {
        String key = m.getUserProperty("orderKey");
        seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
            .add(m.getUserProperty("seq") + "/" + m.getReconsumeTimes());
        if (key.equals("k-B") && m.getUserProperty("seq").equals("3") && suspended.compareAndSet(false, true)) {
          return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
        }
        delivered.incrementAndGet();
      }
      return ConsumeOrderlyStatus.SUCCESS;
    });
    consumer.start();
    try {
      Check.await(() -> delivered.get() >= orderKeys.length * perKey, WAIT, "every ordered message",
          () -> "seen " + seen);
    } finally {
      consumer.shutdown();
    }
    for (String key : orderKeys) {
      List<String> expected = new ArrayList<>();
      for (int seq = 0; seq < perKey; seq++) {
        if (key.equals("k-B") && seq == 3) expected.add("3/0");
        expected.add(seq + "/" + (key.equals("k-B") && seq == 3 ? 1 : 0));
      }
      Check.equal(expected, seen.get(key), "deliveries (seq/reconsumeTimes) of " + key);
    }
  }

  void transactionalSend() throws Exception {
    // TransactionMQProducer against rmq's broker: COMMIT is delivered,
    // ROLLBACK never is, UNKNOW is settled by the broker's check
    // (CHECK_TRANSACTION_STATE to this producer, END_TRANSACTION back). The
    // test broker.conf checks every 2 s, after 1 s (transactionCheckInterval,
    // transactionTimeOut).
    Map<String, Integer> checks = new java.util.concurrent.ConcurrentHashMap<>();
    TransactionMQProducer tx = new TransactionMQProducer("CompatTxGroup");
    tx.setNamesrvAddr(namesrv);
    tx.setInstanceName("CompatTxGroup");
    tx.setVipChannelEnabled(false);
    tx.setSendMsgTimeout(5000);
    tx.setTransactionListener(new TransactionListener() {
      @Override
      public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
        switch (msg.getKeys()) {
          case "tx-commit": return LocalTransactionState.COMMIT_MESSAGE;
          case "tx-rollback": return LocalTransactionState.ROLLBACK_MESSAGE;
          default: return LocalTransactionState.UNKNOW;
        }
      }

      @Override
      public LocalTransactionState checkLocalTransaction(MessageExt msg) {
        checks.merge(msg.getKeys(), 1, Integer::sum);
        return LocalTransactionState.COMMIT_MESSAGE;
      }
    });
    tx.start();
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = null;
    try {
      Map<String, SendResult> sent = new HashMap<>();
      for (String key : List.of("tx-commit", "tx-rollback", "tx-unknown")) {
        SendResult r = tx.sendMessageInTransaction(message(TX_TOPIC, "T", key, "body of " + key), null);
        Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "half message " + key);
        sent.put(key, r);
      }
      awaitRoute(TX_TOPIC);
      consumer = pushConsumer("CompatTxConsumer", TX_TOPIC, "*", received);
      consumer.start();
      Check.await(() -> received.size() >= 2, WAIT, "the committed and the checked message",
          () -> "received " + keys(received));
      Thread.sleep(3000);  // A rolled-back message would have arrived by now.
      Check.equal(List.of("tx-commit", "tx-unknown"), sorted(keys(received)), "keys delivered");
      Check.isTrue(checks.getOrDefault("tx-unknown", 0) >= 1, "tx-unknown was checked: " + checks);
      Check.isTrue(!checks.containsKey("tx-commit") && !checks.containsKey("tx-rollback"),
          "only the unknown transaction was checked: " + checks);
      for (MessageExt m : received) {
        Check.equal(sent.get(m.getKeys()).getMsgId(), m.getMsgId(), "msgId of " + m.getKeys());
        Check.equal("body of " + m.getKeys(), TopicReader.body(m), "body of " + m.getKeys());
        Check.isTrue(m.getProperty("TRAN_MSG") == null, "TRAN_MSG is gone from " + m.getKeys());
      }
    } finally {
      if (consumer != null) consumer.shutdown();
      tx.shutdown();
    }
  }

  void pullConsumer() throws Exception {
    final int n = 12;
    Map<Integer, List<String>> keysOfQueue = new HashMap<>();
    for (int i = 0; i < n; i++) {
      SendResult r = producer.send(message(PULL_TOPIC, "P", "pull-" + i, "pull body " + i));
      Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send pull-" + i);
      keysOfQueue.computeIfAbsent(r.getMessageQueue().getQueueId(), q -> new ArrayList<>()).add("pull-" + i);
    }
    Set<Integer> publishQueues = producer.fetchPublishMessageQueues(PULL_TOPIC).stream()
        .map(MessageQueue::getQueueId).collect(Collectors.toCollection(TreeSet::new));
    try (TopicReader reader = reader("CompatPullGroup")) {
      var consumer = reader.consumer();
      List<MessageQueue> mqs = reader.queues(PULL_TOPIC);
      Check.equal(publishQueues, mqs.stream().map(MessageQueue::getQueueId).collect(Collectors.toCollection(TreeSet::new)),
          "queue ids from fetchSubscribeMessageQueues vs fetchPublishMessageQueues");
      for (MessageQueue mq : mqs) {
        List<String> want = keysOfQueue.getOrDefault(mq.getQueueId(), List.of());
        long count = want.size();
        Check.equal(0L, consumer.minOffset(mq), "minOffset of " + mq);
        Check.equal(count, consumer.maxOffset(mq), "maxOffset of " + mq);
        if (count == 0) continue;
        PullResult all = consumer.pull(mq, "*", 0, 32, 5000);
        Check.equal(PullStatus.FOUND, all.getPullStatus(), "pull " + mq + " from 0");
        Check.equal(want, keys(all.getMsgFoundList()), "keys pulled from " + mq);
        Check.equal(count, all.getNextBeginOffset(), "nextBeginOffset pulling " + mq + " from 0");
        Check.equal(count, all.getMaxOffset(), "PullResult.maxOffset of " + mq);
        for (int i = 0; i < count; i++) {
          Check.equal((long) i, all.getMsgFoundList().get(i).getQueueOffset(), "queue offset of message " + i + " in " + mq);
        }
        if (count >= 2) {
          PullResult tail = consumer.pull(mq, "P", 1, 32, 5000);
          Check.equal(PullStatus.FOUND, tail.getPullStatus(), "pull " + mq + " from 1");
          Check.equal(want.subList(1, want.size()), keys(tail.getMsgFoundList()), "keys pulled from " + mq + " at 1");
          PullResult one = consumer.pull(mq, "*", 0, 1, 5000);
          Check.equal(List.of(want.get(0)), keys(one.getMsgFoundList()), "maxNums 1 from " + mq);
          Check.equal(1L, one.getNextBeginOffset(), "nextBeginOffset after maxNums 1 from " + mq);
        }
        PullResult none = consumer.pull(mq, "*", count, 32, 5000);
        Check.equal(PullStatus.NO_NEW_MSG, none.getPullStatus(), "pull " + mq + " at its max offset");
        PullResult unmatched = consumer.pull(mq, "NoSuchTag", 0, 32, 5000);
        Check.equal(PullStatus.NO_MATCHED_MSG, unmatched.getPullStatus(), "pull " + mq + " with tag NoSuchTag");
        Check.equal(count, unmatched.getNextBeginOffset(), "nextBeginOffset pulling " + mq + " with tag NoSuchTag");
      }
    }
  }

  /** The response code of the MQBrokerException pulling throws, or a failure. */
  private static int pullErrorCode(TopicReader reader, MessageQueue mq, long offset) throws Exception {
    try {
      PullResult r = reader.consumer().pull(mq, "*", offset, 32, 5000);
      Check.fail("pull " + mq + " at " + offset + " should have failed, got " + r);
      return -1;
    } catch (org.apache.rocketmq.client.exception.MQBrokerException e) {
      return e.getResponseCode();
    }
  }

  void pullEdgeCases() throws Exception {
    // The answers RocketMQ 4.x's broker gives to pulls at odd places (the
    // client maps PULL_NOT_FOUND to NO_NEW_MSG, PULL_OFFSET_MOVED to
    // OFFSET_ILLEGAL with the corrected nextBeginOffset).
    final String topic = "CompatPullEdge";
    MessageQueueSelector firstQueue = (mqs, msg, arg) -> mqs.get(0);
    SendResult r = null;
    for (int i = 0; i < 3; i++) {
      r = producer.send(message(topic, "E", "edge-" + i, "edge " + i), firstQueue, null);
      Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send edge-" + i);
    }
    MessageQueue full = r.getMessageQueue();
    long max = r.getQueueOffset() + 1;
    try (TopicReader reader = reader("CompatPullEdgeReader")) {
      MessageQueue empty = reader.queues(topic).stream().filter(mq -> !mq.equals(full)).findFirst().orElseThrow();
      PullResult emptyAtZero = reader.pull(empty, "*", 0, 32);
      Check.equal(PullStatus.NO_NEW_MSG, emptyAtZero.getPullStatus(), "pull empty " + empty + " at 0");
      PullResult emptyAtFive = reader.pull(empty, "*", 5, 32);
      Check.equal(PullStatus.OFFSET_ILLEGAL, emptyAtFive.getPullStatus(), "pull empty " + empty + " at 5");
      Check.equal(0L, emptyAtFive.getNextBeginOffset(), "nextBeginOffset pulling empty " + empty + " at 5");
      // SYSTEM_ERROR for a queue id the topic does not have, TOPIC_NOT_EXIST
      // for a topic the broker does not have.
      Check.equal(1, pullErrorCode(reader, new MessageQueue(topic, full.getBrokerName(), 99), 0),
          "response code pulling queue 99 of " + topic);
      Check.equal(17, pullErrorCode(reader, new MessageQueue("CompatNoSuchTopic", full.getBrokerName(), 0), 0),
          "response code pulling a topic that does not exist");
      Check.equal(0L, reader.consumer().maxOffset(empty), "maxOffset of empty " + empty);
    }
  }

  void pullOffsetOverflowBadly() throws Exception {
    // A pull past the max offset of a queue whose min offset is 0 (say, a
    // consumer whose offset outlived the messages): OFFSET_ILLEGAL, and since
    // RocketMQ 4.9.4 (apache/rocketmq issue #4215) nextBeginOffset is the max
    // offset; before, it was 0, and the consumer consumed the queue again
    // from the start.
    final String topic = "CompatOverflow";
    SendResult r = null;
    for (int i = 0; i < 3; i++) {
      r = producer.send(message(topic, "O", "overflow-" + i, "overflow " + i), (mqs, msg, arg) -> mqs.get(0), null);
      Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send overflow-" + i);
    }
    long max = r.getQueueOffset() + 1;
    try (TopicReader reader = reader("CompatOverflowReader")) {
      PullResult past = reader.pull(r.getMessageQueue(), "*", max + 5, 32);
      Check.equal(PullStatus.OFFSET_ILLEGAL, past.getPullStatus(), "pull " + r.getMessageQueue() + " past its max offset");
      Check.equal(max, past.getNextBeginOffset(), "nextBeginOffset pulling 5 past the max offset " + max);
    }
  }

  void sendToBadQueue() throws Exception {
    // A send naming a queue id the topic does not have: SYSTEM_ERROR, as
    // RocketMQ's msgCheck answers.
    MessageQueue bad = new MessageQueue(SYNC_TOPIC, "broker-a", 99);
    try {
      SendResult r = producer.send(message(SYNC_TOPIC, "S", "bad-queue", "never stored"), bad);
      Check.fail("send to queue 99 of " + SYNC_TOPIC + " should have failed, got " + r);
    } catch (org.apache.rocketmq.client.exception.MQBrokerException e) {
      Check.equal(1, e.getResponseCode(), "response code of a send to queue 99 (" + e.getErrorMessage() + ")");
    }
  }

  void litePullSubscribe() throws Exception {
    DefaultLitePullConsumer consumer = new DefaultLitePullConsumer("CompatLiteSubGroup");
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName("CompatLiteSubGroup");
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(SYNC_TOPIC, "S");
    consumer.start();
    try {
      List<String> got = new ArrayList<>();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (got.size() < SYNC_COUNT) {
        Check.isTrue(System.nanoTime() < deadline,
            "lite pull consumer (subscribe mode) got only " + got + " within " + WAIT.toSeconds() + " s");
        got.addAll(keys(consumer.poll(1000)));
      }
      Check.equal(keyRange("sync-", SYNC_COUNT), sorted(got), "keys polled from " + SYNC_TOPIC);
    } finally {
      consumer.shutdown();
    }
  }

  void litePullCommitOffset() throws Exception {
    // Commit chosen offsets (not what was consumed) and read them back from
    // the broker with another client of the group.
    final String group = "CompatLiteCommitGroup";
    DefaultLitePullConsumer consumer = new DefaultLitePullConsumer(group);
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName(group);
    consumer.setAutoCommit(false);
    consumer.start();
    Map<MessageQueue, Long> committed = new HashMap<>();
    try {
      List<MessageQueue> mqs = new ArrayList<>(consumer.fetchMessageQueues(PULL_TOPIC));
      consumer.assign(mqs);
      long i = 1;
      for (MessageQueue mq : mqs) committed.put(mq, i++);
      // commitSync only takes offsets of queues it has a process queue for,
      // which it has once it polled them.
      long deadline = System.nanoTime() + WAIT.toNanos();
      int polled = 0;
      while (polled < 12) {
        Check.isTrue(System.nanoTime() < deadline, "polled only " + polled + " of 12 messages from " + PULL_TOPIC);
        polled += consumer.poll(1000).size();
      }
      consumer.commitSync(committed, true);
    } finally {
      consumer.shutdown();
    }
    try (TopicReader reader = reader(group)) {
      Map<MessageQueue, Long> atBroker = new HashMap<>();
      Check.await(() -> {
        try {
          for (MessageQueue mq : committed.keySet()) atBroker.put(mq, reader.consumer().fetchConsumeOffset(mq, true));
          return atBroker.equals(committed);
        } catch (Exception e) {
          return false;
        }
      }, WAIT, "the committed offsets at the broker", () -> "committed " + committed + ", broker has " + atBroker);
    }
  }

  void pushConsumersShareQueues() throws Exception {
    // Two push consumers of one group: rebalancing (GET_CONSUMER_LIST_BY_GROUP,
    // NOTIFY_CONSUMER_IDS_CHANGED) gives each half of the queues.
    final String topic = "CompatShare";
    final String group = "CompatShareGroup";
    Check.equal(SendStatus.SEND_OK, producer.send(message(topic, "H", "warm-up", "creates the topic")).getSendStatus(),
        "send creating " + topic);
    awaitRoute(topic);
    List<MessageExt> first = Collections.synchronizedList(new ArrayList<>());
    List<MessageExt> second = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer c1 = pushConsumer(group, topic, "*", first);
    c1.setInstanceName(group + "-1");
    DefaultMQPushConsumer c2 = pushConsumer(group, topic, "*", second);
    c2.setInstanceName(group + "-2");
    c1.start();
    try {
      c2.start();
      try {
        Check.await(() -> assigned(c1, topic).size() == 2 && assigned(c2, topic).size() == 2, WAIT,
            "each consumer to hold 2 of the 4 queues",
            () -> "first holds " + assigned(c1, topic) + ", second " + assigned(c2, topic));
        Set<Integer> overlap = new TreeSet<>(assigned(c1, topic));
        overlap.retainAll(assigned(c2, topic));
        Check.isTrue(overlap.isEmpty(), "both consumers hold queues " + overlap);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          Check.equal(SendStatus.SEND_OK, producer.send(message(topic, "H", "share-" + i, "share " + i)).getSendStatus(),
              "send share-" + i);
          sent.add("share-" + i);
        }
        Check.await(() -> {
          List<String> all = new ArrayList<>(keys(new ArrayList<>(first)));
          all.addAll(keys(new ArrayList<>(second)));
          return all.containsAll(sent);
        }, WAIT, "all 16 messages", () -> "first " + keys(new ArrayList<>(first)) + ", second " + keys(new ArrayList<>(second)));
        // (warm-up may have reached the first consumer before the second joined.)
        for (MessageExt m : first) {
          if (!m.getKeys().startsWith("share-")) continue;
          Check.isTrue(assigned(c1, topic).contains(m.getQueueId()), "first got " + m.getKeys() + " from queue " + m.getQueueId());
        }
        for (MessageExt m : second) {
          if (!m.getKeys().startsWith("share-")) continue;
          Check.isTrue(assigned(c2, topic).contains(m.getQueueId()), "second got " + m.getKeys() + " from queue " + m.getQueueId());
        }
        List<String> all = new ArrayList<>(keys(new ArrayList<>(first)));
        all.addAll(keys(new ArrayList<>(second)));
        // warm-up may come twice: consumed by the first consumer, then again
        // by the second when its queue moved before the offset was reported
        // (RocketMQ's at-least-once during a rebalance). The share-* messages,
        // sent after the queues settled, must come exactly once.
        all.removeIf("warm-up"::equals);
        Check.equal(sorted(sent), sorted(all), "messages consumed by the two consumers together");
      } finally {
        c2.shutdown();
      }
    } finally {
      c1.shutdown();
    }
  }

  void namespaceSendConsume() throws Exception {
    // Clients with a namespace (setNamespace): topics and groups travel as
    // "compatns%Name", the retry topic as "%RETRY%compatns%Group".
    final String ns = "compatns";
    DefaultMQProducer nsProducer = new DefaultMQProducer("CompatNsProducerGroup");
    nsProducer.setNamesrvAddr(namesrv);
    nsProducer.setNamespace(ns);
    nsProducer.setInstanceName("CompatNsProducer");
    nsProducer.start();
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = null;
    try {
      for (int i = 0; i < 3; i++) {
        SendResult r = nsProducer.send(message("CompatNs", "N", "ns-" + i, "namespaced " + i));
        Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "namespaced send ns-" + i);
        Check.equal("CompatNs", r.getMessageQueue().getTopic(), "topic in the SendResult (namespace stripped)");
      }
      awaitRoute(ns + "%CompatNs");
      consumer = new DefaultMQPushConsumer("CompatNsGroup");
      consumer.setNamesrvAddr(namesrv);
      consumer.setNamespace(ns);  // before subscribe, which applies it
      consumer.setInstanceName("CompatNsGroup");
      consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
      consumer.subscribe("CompatNs", "N");
      consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
        received.addAll(msgs);
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      });
      consumer.start();
      Check.await(() -> received.size() >= 3, WAIT, "the 3 namespaced messages",
          () -> "received " + keys(new ArrayList<>(received)));
      Check.equal(keyRange("ns-", 3), sorted(keys(new ArrayList<>(received))), "namespaced messages consumed");
    } finally {
      if (consumer != null) consumer.shutdown();
      nsProducer.shutdown();
    }
    try (TopicReader reader = reader("CompatNsReader")) {
      Check.equal(3L, reader.count(ns + "%CompatNs"), "messages stored in topic " + ns + "%CompatNs");
    }
  }

  /** Queue ids of topic the consumer's rebalance currently gives it. */
  private static Set<Integer> assigned(DefaultMQPushConsumer consumer, String topic) {
    return consumer.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet().stream()
        .filter(mq -> mq.getTopic().equals(topic)).map(MessageQueue::getQueueId)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
