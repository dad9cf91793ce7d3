package rmq.compat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.admin.ConsumeStats;
import org.apache.rocketmq.common.admin.OffsetWrapper;
import org.apache.rocketmq.common.admin.TopicOffset;
import org.apache.rocketmq.common.admin.TopicStatsTable;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.body.ClusterInfo;
import org.apache.rocketmq.common.protocol.body.Connection;
import org.apache.rocketmq.common.protocol.body.ConsumerConnection;
import org.apache.rocketmq.common.protocol.heartbeat.ConsumeType;
import org.apache.rocketmq.common.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.common.protocol.route.BrokerData;
import org.apache.rocketmq.common.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.remoting.protocol.LanguageCode;

/**
 * What mqadmin asks (RocketMQ's tools call these MQClientAPIImpl methods,
 * which ship in rocketmq-client): cluster and topic lists, topic and consume
 * stats, consumer connections, subscription groups, runtime info, topic
 * deletion. Uses the producer's client instance.
 */
final class AdminScenarios {
  private static final long TIMEOUT_MS = 5000;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final String namesrv;
  private final DefaultMQProducer producer;

  AdminScenarios(String namesrv, DefaultMQProducer producer) {
    this.namesrv = namesrv;
    this.producer = producer;
  }

  private MQClientAPIImpl api() {
    return producer.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
  }

  /** The master address of broker-a, as the name server's cluster info has it. */
  private String brokerAddr() throws Exception {
    BrokerData broker = api().getBrokerClusterInfo(TIMEOUT_MS).getBrokerAddrTable().get("broker-a");
    Check.isTrue(broker != null, "cluster info has no broker-a");
    return broker.selectBrokerAddr();
  }

  void clusterInfo() throws Exception {
    ClusterInfo info = api().getBrokerClusterInfo(TIMEOUT_MS);
    Check.equal(Map.of("DefaultCluster", java.util.Set.of("broker-a")), info.getClusterAddrTable(),
        "clusterAddrTable");
    BrokerData broker = info.getBrokerAddrTable().get("broker-a");
    Check.isTrue(broker != null, "brokerAddrTable has no broker-a: " + info.getBrokerAddrTable());
    Check.equal("DefaultCluster", broker.getCluster(), "cluster of broker-a");
    // The master's address is the one the topic routes give.
    String routed = producer.getDefaultMQProducerImpl().getmQClientFactory().findBrokerAddressInPublish("broker-a");
    Check.equal(routed, broker.getBrokerAddrs().get(0L), "broker-a's master (id 0) address");
  }

  void topicList() throws Exception {
    java.util.Set<String> topics = api().getTopicListFromNameServer(TIMEOUT_MS).getTopicList();
    for (String t : List.of(Scenarios.SYNC_TOPIC, Scenarios.PULL_TOPIC, "TBW102")) {
      Check.isTrue(topics.contains(t), "the name server's topic list lacks " + t + ": " + topics);
    }
  }

  void topicStats() throws Exception {
    TopicStatsTable stats = api().getTopicStatsInfo(brokerAddr(), Scenarios.PULL_TOPIC, TIMEOUT_MS);
    Map<MessageQueue, TopicOffset> table = stats.getOffsetTable();
    Check.equal(4, table.size(), "queues in the topic stats of " + Scenarios.PULL_TOPIC + ": " + table.keySet());
    long total = 0;
    for (Map.Entry<MessageQueue, TopicOffset> e : table.entrySet()) {
      TopicOffset o = e.getValue();
      Check.equal(0L, o.getMinOffset(), "minOffset of " + e.getKey());
      total += o.getMaxOffset();
      if (o.getMaxOffset() > 0) {
        Check.isTrue(o.getLastUpdateTimestamp() > 0, "lastUpdateTimestamp of " + e.getKey() + " is " + o.getLastUpdateTimestamp());
      }
    }
    Check.equal(12L, total, "messages in " + Scenarios.PULL_TOPIC + " by its topic stats");
  }

  void consumerAdmin() throws Exception {
    // A running push consumer, as mqadmin consumerConnection and
    // consumerProgress see it.
    final String group = "CompatAdminGroup";
    final String topic = Scenarios.PULL_TOPIC;
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName(group);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.setPersistConsumerOffsetInterval(500);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      received.addAll(msgs);
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    try {
      Check.await(() -> received.size() >= 12, WAIT, "the 12 messages of " + topic, () -> received.size() + " received");
      String addr = brokerAddr();
      String clientId = consumer.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();

      ConsumerConnection cc = api().getConsumerConnectionList(addr, group, TIMEOUT_MS);
      Check.equal(1, cc.getConnectionSet().size(), "connections of " + group);
      Connection c = cc.getConnectionSet().iterator().next();
      Check.equal(clientId, c.getClientId(), "clientId of the connection");
      Check.equal(LanguageCode.JAVA, c.getLanguage(), "language of the connection");
      Check.isTrue(c.getVersion() > 0, "version of the connection is " + c.getVersion());
      Check.isTrue(c.getClientAddr() != null && c.getClientAddr().startsWith("127.0.0.1:"),
          "clientAddr of the connection is " + c.getClientAddr());
      Check.equal(ConsumeType.CONSUME_PASSIVELY, cc.getConsumeType(), "consumeType");
      Check.equal(MessageModel.CLUSTERING, cc.getMessageModel(), "messageModel");
      Check.equal(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET, cc.getConsumeFromWhere(), "consumeFromWhere");
      Check.isTrue(cc.getSubscriptionTable().containsKey(topic), "subscriptions " + cc.getSubscriptionTable().keySet());

      // Consume stats: broker offset = max offset, consumer offset catches
      // up as the consumer reports it.
      Map<MessageQueue, OffsetWrapper> table = new HashMap<>();
      Check.await(() -> {
        try {
          ConsumeStats stats = api().getConsumeStats(addr, group, topic, TIMEOUT_MS);
          table.clear();
          table.putAll(stats.getOffsetTable());
          return table.size() == 4 && table.values().stream().allMatch(o -> o.getConsumerOffset() == o.getBrokerOffset());
        } catch (Exception e) {
          return false;
        }
      }, WAIT, "consume stats with every queue consumed", () -> "offset table " + describe(table));
      long total = table.values().stream().mapToLong(OffsetWrapper::getBrokerOffset).sum();
      Check.equal(12L, total, "broker offsets in the consume stats of " + group);
    } finally {
      consumer.shutdown();
    }
  }

  private static String describe(Map<MessageQueue, OffsetWrapper> table) {
    StringBuilder out = new StringBuilder();
    table.forEach((mq, o) -> out.append(mq.getQueueId()).append(": broker ").append(o.getBrokerOffset())
        .append(" consumer ").append(o.getConsumerOffset()).append("; "));
    return out.toString();
  }

  void subscriptionGroup() throws Exception {
    String addr = brokerAddr();
    SubscriptionGroupConfig config = new SubscriptionGroupConfig();
    config.setGroupName("CompatAdminCreatedGroup");
    config.setRetryMaxTimes(5);
    config.setConsumeBroadcastEnable(false);
    api().createSubscriptionGroup(addr, config, TIMEOUT_MS);
    SubscriptionGroupConfig got = api().getAllSubscriptionGroup(addr, TIMEOUT_MS).getSubscriptionGroupTable()
        .get("CompatAdminCreatedGroup");
    Check.isTrue(got != null, "the new group is not in the broker's subscription groups");
    Check.equal(5, got.getRetryMaxTimes(), "retryMaxTimes of the new group");
    Check.equal(false, got.isConsumeBroadcastEnable(), "consumeBroadcastEnable of the new group");
  }

  void brokerRuntimeInfo() throws Exception {
    Map<String, String> table = api().getBrokerRuntimeInfo(brokerAddr(), TIMEOUT_MS).getTable();
    // Keys mqadmin brokerStatus shows.
    for (String key : List.of("brokerVersionDesc", "brokerVersion", "msgPutTotalTodayNow", "msgGetTotalTodayNow",
        "commitLogMaxOffset", "bootTimestamp")) {
      Check.isTrue(table.containsKey(key), "runtime info lacks " + key + ": " + table.keySet());
    }
    Check.isTrue(Long.parseLong(table.get("msgPutTotalTodayNow")) > 0,
        "msgPutTotalTodayNow is " + table.get("msgPutTotalTodayNow") + " after the sends");
  }

  /** A running push consumer of topic in group, recording into sink. */
  private DefaultMQPushConsumer startConsumer(String group, String topic, List<MessageExt> sink) throws Exception {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName(group);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.setPersistConsumerOffsetInterval(500);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      sink.addAll(msgs);
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    return consumer;
  }

  void resetOffset() throws Exception {
    // mqadmin resetOffsetByTime: INVOKE_BROKER_TO_RESET_OFFSET to the
    // broker, which sends RESET_CONSUMER_CLIENT_OFFSET to the group's
    // consumers; back to time 0, the consumer gets every message again.
    final String group = "CompatResetGroup";
    final String topic = Scenarios.PULL_TOPIC;
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = startConsumer(group, topic, received);
    try {
      Check.await(() -> received.size() >= 12, WAIT, "the 12 messages of " + topic, () -> received.size() + " received");
      String addr = brokerAddr();
      // The broker resets only a group whose offsets it has.
      Check.await(() -> {
        try {
          return api().getConsumeStats(addr, group, topic, TIMEOUT_MS).getOffsetTable().values().stream()
              .allMatch(o -> o.getConsumerOffset() == o.getBrokerOffset());
        } catch (Exception e) {
          return false;
        }
      }, WAIT, "the group's offsets at the broker", () -> "");
      Map<MessageQueue, Long> table = api().invokeBrokerToResetOffset(addr, topic, group, 0, true, TIMEOUT_MS);
      Check.equal(4, table.size(), "queues in the reset offset table " + table);
      for (Map.Entry<MessageQueue, Long> e : table.entrySet()) {
        Check.equal(topic, e.getKey().getTopic(), "topic of a reset queue");
        Check.equal(0L, e.getValue(), "reset offset of " + e.getKey());
      }
      Check.await(() -> received.size() >= 24, WAIT, "every message a second time after the reset",
          () -> received.size() + " received");
      Map<String, Integer> times = new HashMap<>();
      for (MessageExt m : new ArrayList<>(received)) times.merge(m.getKeys(), 1, Integer::sum);
      Check.isTrue(times.size() == 12 && times.values().stream().allMatch(n -> n == 2),
          "times each message was consumed: " + times);
    } finally {
      consumer.shutdown();
    }
  }

  void consumerRunningInfo() throws Exception {
    // mqadmin consumerStatus: GET_CONSUMER_RUNNING_INFO to the broker, which
    // asks the consumer over its connection and returns its answer.
    final String group = "CompatRunningInfoGroup";
    List<MessageExt> received = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = startConsumer(group, Scenarios.PULL_TOPIC, received);
    try {
      String clientId = consumer.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();
      org.apache.rocketmq.common.protocol.body.ConsumerRunningInfo info =
          api().getConsumerRunningInfo(brokerAddr(), group, clientId, false, TIMEOUT_MS);
      Check.isTrue(info != null, "no running info");
      Check.isTrue(info.getSubscriptionSet().stream().anyMatch(sd -> sd.getTopic().equals(Scenarios.PULL_TOPIC)),
          "running info subscriptions " + info.getSubscriptionSet());
    } finally {
      consumer.shutdown();
    }
  }

  void deleteSubscriptionGroup() throws Exception {
    // mqadmin deleteSubGroup: DELETE_SUBSCRIPTIONGROUP.
    String addr = brokerAddr();
    SubscriptionGroupConfig config = new SubscriptionGroupConfig();
    config.setGroupName("CompatAdminDoomedGroup");
    api().createSubscriptionGroup(addr, config, TIMEOUT_MS);
    api().deleteSubscriptionGroup(addr, "CompatAdminDoomedGroup", true, TIMEOUT_MS);
    Check.isTrue(!api().getAllSubscriptionGroup(addr, TIMEOUT_MS).getSubscriptionGroupTable()
        .containsKey("CompatAdminDoomedGroup"), "the deleted group is still there");
  }

  void deleteTopic() throws Exception {
    final String topic = "CompatDeleteMe";
    Message m = new Message(topic, "X", "x", "doomed".getBytes(StandardCharsets.UTF_8));
    Check.equal(SendStatus.SEND_OK, producer.send(m).getSendStatus(), "send creating " + topic);
    api().deleteTopicInBroker(brokerAddr(), topic, TIMEOUT_MS);
    // With a cluster name (mqadmin deleteTopic -c): only that cluster's queues go.
    api().deleteTopicInNameServer(namesrv, topic, "DefaultCluster", TIMEOUT_MS);
    try {
      api().getTopicRouteInfoFromNameServer(topic, TIMEOUT_MS);
      Check.fail("the route of " + topic + " is still there after deleting it");
    } catch (MQClientException e) {
      Check.equal(17, e.getResponseCode(), "response code for the route of a deleted topic");
    }
    Check.isTrue(!api().getTopicListFromNameServer(TIMEOUT_MS).getTopicList().contains(topic),
        "the name server still lists " + topic);
  }
}
