package rmq.compat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * What the scenario classes share: the topics, the name server, the
 * producer, and helpers. Each scenario uses its own topic and consumer
 * groups, so one failing does not disturb the next; topics are created by
 * the first send (autoCreateTopicEnable, through TBW102), as with a stock
 * RocketMQ broker.
 */
abstract class ScenarioBase {
  static final String SYNC_TOPIC = "CompatSync";
  static final String ASYNC_TOPIC = "CompatAsync";
  static final String ONEWAY_TOPIC = "CompatOneway";
  static final String BATCH_TOPIC = "CompatBatch";
  static final String ORDER_TOPIC = "CompatOrder";
  static final String TAG_TOPIC = "CompatTag";
  static final String PULL_TOPIC = "CompatPull";
  static final String DELAY_TOPIC = "CompatDelay";
  static final String RETRY_TOPIC = "CompatRetry";
  static final String TX_TOPIC = "CompatTx";
  static final String ORDERLY_TOPIC = "CompatOrderly";
  static final String RESTART_TOPIC = "CompatRestart";
  static final String RESTART_GROUP = "CompatRestartGroup";
  static final int SYNC_COUNT = 8;
  static final int BATCH_COUNT = 10;
  static final int RESTART_BATCH = 10;

  static final Duration WAIT = Duration.ofSeconds(30);

  final String namesrv;
  final DefaultMQProducer producer;

  ScenarioBase(String namesrv, DefaultMQProducer producer) {
    this.namesrv = namesrv;
    this.producer = producer;
  }

  static Message message(String topic, String tags, String key, String body) {
    Message m = new Message(topic, tags, key, body.getBytes(StandardCharsets.UTF_8));
    return m;
  }

  static List<String> keys(List<MessageExt> messages) {
    return messages.stream().map(MessageExt::getKeys).collect(Collectors.toList());
  }

  static List<String> keyRange(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.toList());
  }

  static List<MessageExt> flatten(Map<Integer, List<MessageExt>> byQueue) {
    List<MessageExt> all = new ArrayList<>();
    byQueue.values().forEach(all::addAll);
    return all;
  }

  /** Sorted, for comparing sets of keys in messages. */
  static List<String> sorted(List<String> keys) {
    List<String> out = new ArrayList<>(keys);
    Collections.sort(out);
    return out;
  }

  /**
   * Waits until the name server routes topic: a topic the last send created
   * may not be yet (the broker registers it on its own, as RocketMQ's does),
   * and a consumer started before would only find it at its next route poll.
   */
  void awaitRoute(String topic) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        if (!producer.fetchPublishMessageQueues(topic).isEmpty()) return;
      } catch (MQClientException e) {
        Check.isTrue(System.nanoTime() - deadline < 0, "no route for " + topic + " within " + WAIT.toSeconds() + " s: " + e);
      }
      Thread.sleep(20);
    }
  }

  TopicReader reader(String group) throws Exception {
    return new TopicReader(namesrv, group);
  }

  /** Checks send results: SEND_OK, ids present, queue offsets 0, 1, 2, … per queue in send order. */
  static void checkSendResults(String topic, List<SendResult> results) {
    Map<Integer, Long> nextOffset = new HashMap<>();
    for (SendResult r : results) {
      Check.equal(SendStatus.SEND_OK, r.getSendStatus(), "send status");
      Check.isTrue(r.getMsgId() != null && !r.getMsgId().isEmpty(), "SendResult.msgId is empty: " + r);
      Check.isTrue(r.getOffsetMsgId() != null && !r.getOffsetMsgId().isEmpty(), "SendResult.offsetMsgId is empty: " + r);
      Check.equal(topic, r.getMessageQueue().getTopic(), "SendResult topic");
      long expected = nextOffset.getOrDefault(r.getMessageQueue().getQueueId(), 0L);
      Check.equal(expected, r.getQueueOffset(), "queue offset in queue " + r.getMessageQueue().getQueueId());
      nextOffset.put(r.getMessageQueue().getQueueId(), expected + 1);
    }
  }

  /** A push consumer with one consume thread: it is handed messages in the order pulled. */
  DefaultMQPushConsumer pushConsumer(String group, String topic, String expression, List<MessageExt> sink)
      throws Exception {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName(group);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.setConsumeThreadMin(1);
    consumer.setConsumeThreadMax(1);
    consumer.subscribe(topic, expression);
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      sink.addAll(msgs);
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    return consumer;
  }
}
