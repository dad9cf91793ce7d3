package rmq.compat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Reads back what a topic holds with a DefaultMQPullConsumer (GET_ROUTEINFO_BY_TOPIC,
 * GET_MIN/MAX_OFFSET, PULL_MESSAGE), so send scenarios can check what was stored.
 */
final class TopicReader implements AutoCloseable {
  private final DefaultMQPullConsumer consumer;

  TopicReader(String namesrv, String group) throws Exception {
    consumer = new DefaultMQPullConsumer(group);
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName(group);
    consumer.setConsumerPullTimeoutMillis(5000);
    consumer.start();
  }

  DefaultMQPullConsumer consumer() {
    return consumer;
  }

  /**
   * The topic's queues, ordered by queue id. A topic the last send created
   * may not be routable yet (the broker registers it with the name server
   * on its own, as RocketMQ's does), so this waits up to 30 s for its route.
   */
  List<MessageQueue> queues(String topic) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Set<MessageQueue> found;
    while (true) {
      try {
        found = consumer.fetchSubscribeMessageQueues(topic);
        break;
      } catch (MQClientException e) {
        if (System.nanoTime() - deadline > 0) throw e;
        Thread.sleep(20);
      }
    }
    List<MessageQueue> queues = new ArrayList<>(found);
    queues.sort(Comparator.comparing(MessageQueue::getBrokerName).thenComparingInt(MessageQueue::getQueueId));
    return queues;
  }

  /** Total messages the topic holds (sum of max offsets minus min offsets). */
  long count(String topic) throws Exception {
    long total = 0;
    for (MessageQueue mq : queues(topic)) total += consumer.maxOffset(mq) - consumer.minOffset(mq);
    return total;
  }

  /** A pull (without suspending) once the queue's topic is routable. */
  PullResult pull(MessageQueue mq, String subExpression, long offset, int maxNums) throws Exception {
    queues(mq.getTopic());
    return consumer.pull(mq, subExpression, offset, maxNums, 10000);
  }

  /** Every message of the queue from its min to its max offset, in offset order. */
  List<MessageExt> readQueue(MessageQueue mq) throws Exception {
    List<MessageExt> out = new ArrayList<>();
    long offset = consumer.minOffset(mq);
    long max = consumer.maxOffset(mq);
    while (offset < max) {
      PullResult r = consumer.pull(mq, "*", offset, 32, 5000);
      Check.equal(PullStatus.FOUND, r.getPullStatus(), "pull " + mq + " at offset " + offset + " (max " + max + ")");
      Check.isTrue(r.getNextBeginOffset() > offset,
          "pull " + mq + " at offset " + offset + " returned nextBeginOffset " + r.getNextBeginOffset());
      out.addAll(r.getMsgFoundList());
      offset = r.getNextBeginOffset();
    }
    return out;
  }

  /** Every message of the topic, by queue id. */
  Map<Integer, List<MessageExt>> readTopic(String topic) throws Exception {
    Map<Integer, List<MessageExt>> out = new TreeMap<>();
    for (MessageQueue mq : queues(topic)) out.put(mq.getQueueId(), readQueue(mq));
    return out;
  }

  static String body(MessageExt m) {
    return new String(m.getBody(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    consumer.shutdown();
  }
}
