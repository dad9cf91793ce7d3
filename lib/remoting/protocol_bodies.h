// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// JSON bodies of remoting commands: routes, heartbeats, broker registration,
// topic and group configs, queue locks. Field names are RocketMQ 4.x's
// (org.apache.rocketmq.common.protocol.body / .route), so the JSON is what a
// RocketMQ client sends and expects. Each struct lists its fields once in
// Fields(); ToJson/FromJson work from that list. Missing fields keep their
// defaults, unknown fields are ignored (as fastjson does).

#ifndef RMQ_REMOTING_PROTOCOL_BODIES_H_
#define RMQ_REMOTING_PROTOCOL_BODIES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rmq/message_queue.h"

namespace rmq::internal {

// Topic permissions (PermName).
namespace perm {
inline constexpr int32_t kPriority = 0x8;
inline constexpr int32_t kRead = 0x4;
inline constexpr int32_t kWrite = 0x2;
inline constexpr int32_t kInherit = 0x1;
inline constexpr bool IsReadable(int32_t p) { return (p & kRead) != 0; }
inline constexpr bool IsWriteable(int32_t p) { return (p & kWrite) != 0; }
}  // namespace perm

// The broker id of a master (MixAll.MASTER_ID).
inline constexpr int64_t kMasterId = 0;

// ---- Topics and routes --------------------------------------------------------

struct TopicConfig {
  std::string topic_name;
  int32_t read_queue_nums = 16;
  int32_t write_queue_nums = 16;
  int32_t perm = perm::kRead | perm::kWrite;
  std::string topic_filter_type = "SINGLE_TAG";
  int32_t topic_sys_flag = 0;
  bool order = false;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("topicName", s.topic_name);
    v("readQueueNums", s.read_queue_nums);
    v("writeQueueNums", s.write_queue_nums);
    v("perm", s.perm);
    v("topicFilterType", s.topic_filter_type);
    v("topicSysFlag", s.topic_sys_flag);
    v("order", s.order);
  }
  friend bool operator==(const TopicConfig&, const TopicConfig&) = default;
};

// Versions a broker's topic table: the name server skips unchanged tables.
struct DataVersion {
  int64_t timestamp = 0;
  int64_t counter = 0;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("timestamp", s.timestamp);
    v("counter", s.counter);
  }
  friend bool operator==(const DataVersion&, const DataVersion&) = default;
};

struct TopicConfigSerializeWrapper {
  std::map<std::string, TopicConfig> topic_config_table;
  DataVersion data_version;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("topicConfigTable", s.topic_config_table);
    v("dataVersion", s.data_version);
  }
};

// The body of REGISTER_BROKER.
struct RegisterBrokerBody {
  TopicConfigSerializeWrapper topic_config_serialize_wrapper;
  std::vector<std::string> filter_server_list;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("topicConfigSerializeWrapper", s.topic_config_serialize_wrapper);
    v("filterServerList", s.filter_server_list);
  }
};

// One broker's queues of a topic.
struct QueueData {
  std::string broker_name;
  int32_t read_queue_nums = 0;
  int32_t write_queue_nums = 0;
  int32_t perm = 0;
  int32_t topic_sys_flag = 0;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("brokerName", s.broker_name);
    v("readQueueNums", s.read_queue_nums);
    v("writeQueueNums", s.write_queue_nums);
    v("perm", s.perm);
    v("topicSysFlag", s.topic_sys_flag);
  }
  friend bool operator==(const QueueData&, const QueueData&) = default;
};

// A broker group: its name, cluster and the address of each broker id.
struct BrokerData {
  std::string cluster;
  std::string broker_name;
  std::map<int64_t, std::string> broker_addrs;

  // The master's address, or "" if the master is down.
  std::string MasterAddress() const;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("cluster", s.cluster);
    v("brokerName", s.broker_name);
    v("brokerAddrs", s.broker_addrs);
  }
  friend bool operator==(const BrokerData&, const BrokerData&) = default;
};

// The answer to GET_ROUTEINFO_BY_TOPIC.
struct TopicRouteData {
  std::optional<std::string> order_topic_conf;
  std::vector<QueueData> queue_datas;
  std::vector<BrokerData> broker_datas;
  std::map<std::string, std::vector<std::string>> filter_server_table;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("orderTopicConf", s.order_topic_conf);
    v("queueDatas", s.queue_datas);
    v("brokerDatas", s.broker_datas);
    v("filterServerTable", s.filter_server_table);
  }
  friend bool operator==(const TopicRouteData&, const TopicRouteData&) = default;
};

// The answer to GET_BROKER_CLUSTER_INFO.
struct ClusterInfo {
  std::map<std::string, BrokerData> broker_addr_table;
  std::map<std::string, std::set<std::string>> cluster_addr_table;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("brokerAddrTable", s.broker_addr_table);
    v("clusterAddrTable", s.cluster_addr_table);
  }
};

// The answer to GET_ALL_TOPIC_LIST_FROM_NAMESERVER and similar.
struct TopicList {
  std::set<std::string> topic_list;
  std::optional<std::string> broker_addr;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("topicList", s.topic_list);
    v("brokerAddr", s.broker_addr);
  }
};

// ---- Clients -------------------------------------------------------------------

// A consumer's subscription to one topic (SubscriptionData).
struct SubscriptionData {
  bool class_filter_mode = false;
  std::string topic;
  std::string sub_string = "*";  // "*", "TagA || TagB", or an SQL92 expression.
  // Transparent: a message's tags (a string_view into it) are looked up
  // without building a string (MatchesSubscription).
  std::set<std::string, std::less<>> tags_set;
  std::set<int32_t> code_set;  // Tag hash codes of tags_set.
  int64_t sub_version = 0;
  std::string expression_type = "TAG";

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("classFilterMode", s.class_filter_mode);
    v("topic", s.topic);
    v("subString", s.sub_string);
    v("tagsSet", s.tags_set);
    v("codeSet", s.code_set);
    v("subVersion", s.sub_version);
    v("expressionType", s.expression_type);
  }
  friend bool operator==(const SubscriptionData&, const SubscriptionData&) = default;
};

struct ProducerData {
  std::string group_name;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("groupName", s.group_name);
  }
  friend bool operator==(const ProducerData&, const ProducerData&) = default;
};

// Enum names as RocketMQ writes them: consumeType CONSUME_ACTIVELY (pull) /
// CONSUME_PASSIVELY (push); messageModel CLUSTERING / BROADCASTING;
// consumeFromWhere CONSUME_FROM_LAST_OFFSET / CONSUME_FROM_FIRST_OFFSET /
// CONSUME_FROM_TIMESTAMP.
struct ConsumerData {
  std::string group_name;
  std::string consume_type = "CONSUME_PASSIVELY";
  std::string message_model = "CLUSTERING";
  std::string consume_from_where = "CONSUME_FROM_LAST_OFFSET";
  std::vector<SubscriptionData> subscription_data_set;
  bool unit_mode = false;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("groupName", s.group_name);
    v("consumeType", s.consume_type);
    v("messageModel", s.message_model);
    v("consumeFromWhere", s.consume_from_where);
    v("subscriptionDataSet", s.subscription_data_set);
    v("unitMode", s.unit_mode);
  }
  friend bool operator==(const ConsumerData&, const ConsumerData&) = default;
};

// The body of HEART_BEAT.
struct HeartbeatData {
  std::string client_id;
  std::vector<ProducerData> producer_data_set;
  std::vector<ConsumerData> consumer_data_set;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("clientID", s.client_id);
    v("producerDataSet", s.producer_data_set);
    v("consumerDataSet", s.consumer_data_set);
  }
};

// The body of CHECK_CLIENT_CONFIG: before it starts, a push consumer asks a
// broker of each topic it subscribes to with a non-TAG expression whether
// the broker can serve that subscription (RocketMQ's CheckClientRequestBody).
struct CheckClientRequestBody {
  std::string client_id;
  std::string group;
  std::optional<SubscriptionData> subscription_data;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("clientId", s.client_id);
    v("group", s.group);
    v("subscriptionData", s.subscription_data);
  }
  friend bool operator==(const CheckClientRequestBody&, const CheckClientRequestBody&) = default;
};

// The answer to GET_CONSUMER_LIST_BY_GROUP.
struct ConsumerIdList {
  std::vector<std::string> consumer_id_list;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("consumerIdList", s.consumer_id_list);
  }
};

// A queue as JSON ({"topic", "brokerName", "queueId"}).
struct MessageQueueData {
  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("topic", s.topic);
    v("brokerName", s.broker_name);
    v("queueId", s.queue_id);
  }
};

// LOCK_BATCH_MQ's body (LockBatchRequestBody) and answer (LockBatchResponseBody).
struct LockBatchRequestBody {
  std::string consumer_group;
  std::string client_id;
  std::set<MessageQueue> mq_set;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("consumerGroup", s.consumer_group);
    v("clientId", s.client_id);
    v("mqSet", s.mq_set);
  }
};

// UNLOCK_BATCH_MQ's body (UnlockBatchRequestBody): the same fields as a lock request.
struct UnlockBatchRequestBody {
  std::string consumer_group;
  std::string client_id;
  std::set<MessageQueue> mq_set;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("consumerGroup", s.consumer_group);
    v("clientId", s.client_id);
    v("mqSet", s.mq_set);
  }
};

struct LockBatchResponseBody {
  std::set<MessageQueue> lock_ok_mq_set;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("lockOKMQSet", s.lock_ok_mq_set);
  }
};

// ---- Broker configs ------------------------------------------------------------

// A consumer group's settings at the broker (SubscriptionGroupConfig).
struct SubscriptionGroupConfig {
  std::string group_name;
  bool consume_enable = true;
  bool consume_from_min_enable = true;
  bool consume_broadcast_enable = true;
  int32_t retry_queue_nums = 1;
  int32_t retry_max_times = 16;
  int64_t broker_id = kMasterId;
  int64_t which_broker_when_consume_slowly = 1;
  bool notify_consumer_ids_changed_enable = true;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("groupName", s.group_name);
    v("consumeEnable", s.consume_enable);
    v("consumeFromMinEnable", s.consume_from_min_enable);
    v("consumeBroadcastEnable", s.consume_broadcast_enable);
    v("retryQueueNums", s.retry_queue_nums);
    v("retryMaxTimes", s.retry_max_times);
    v("brokerId", s.broker_id);
    v("whichBrokerWhenConsumeSlowly", s.which_broker_when_consume_slowly);
    v("notifyConsumerIdsChangedEnable", s.notify_consumer_ids_changed_enable);
  }
  friend bool operator==(const SubscriptionGroupConfig&, const SubscriptionGroupConfig&) = default;
};

// The answer to GET_ALL_SUBSCRIPTIONGROUP_CONFIG, and the broker's
// config/subscriptionGroup.json (SubscriptionGroupWrapper).
struct SubscriptionGroupWrapper {
  std::map<std::string, SubscriptionGroupConfig> subscription_group_table;
  DataVersion data_version;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("subscriptionGroupTable", s.subscription_group_table);
    v("dataVersion", s.data_version);
  }
};

// ---- Admin queries -------------------------------------------------------------
// Maps keyed by a MessageQueue are written as fastjson writes them, with the
// queue as a bare object key (fastjson.h), and read in that form or with the
// key as a string.

// One queue's offsets (TopicOffset).
struct TopicOffset {
  int64_t min_offset = 0;
  int64_t max_offset = 0;  // One past the last message.
  int64_t last_update_timestamp = 0;  // Store time of the last message, 0 if none.

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("minOffset", s.min_offset);
    v("maxOffset", s.max_offset);
    v("lastUpdateTimestamp", s.last_update_timestamp);
  }
  friend bool operator==(const TopicOffset&, const TopicOffset&) = default;
};

// The answer to GET_TOPIC_STATS_INFO.
struct TopicStatsTable {
  std::map<MessageQueue, TopicOffset> offset_table;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("offsetTable", s.offset_table);
  }
};

// A group's progress in one queue (OffsetWrapper).
struct OffsetWrapper {
  int64_t broker_offset = 0;    // The queue's max offset.
  int64_t consumer_offset = 0;  // The group's committed offset (0 if none).
  int64_t last_timestamp = 0;   // Store time of the last message consumed, 0 if none.

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("brokerOffset", s.broker_offset);
    v("consumerOffset", s.consumer_offset);
    v("lastTimestamp", s.last_timestamp);
  }
  friend bool operator==(const OffsetWrapper&, const OffsetWrapper&) = default;
};

// The answer to GET_CONSUME_STATS.
struct ConsumeStats {
  std::map<MessageQueue, OffsetWrapper> offset_table;
  double consume_tps = 0;  // Messages per second pulled by the group, last minute.

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("offsetTable", s.offset_table);
    v("consumeTps", s.consume_tps);
  }
};

// Name → value text: the answer to GET_BROKER_RUNTIME_INFO.
struct KVTable {
  std::map<std::string, std::string> table;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("table", s.table);
  }
};

// One client connection of a group (Connection).
struct Connection {
  std::string client_id;
  std::string client_addr;
  std::string language;
  int32_t version = 0;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("clientId", s.client_id);
    v("clientAddr", s.client_addr);
    v("language", s.language);
    v("version", s.version);
  }
  friend bool operator==(const Connection&, const Connection&) = default;
};

// The answer to GET_CONSUMER_CONNECTION_LIST: a group's members and what the
// group subscribes to. The enums are spelled as ConsumerData's.
struct ConsumerConnection {
  std::vector<Connection> connection_set;
  std::map<std::string, SubscriptionData> subscription_table;
  std::string consume_type;
  std::string message_model;
  std::string consume_from_where;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("connectionSet", s.connection_set);
    v("subscriptionTable", s.subscription_table);
    v("consumeType", s.consume_type);
    v("messageModel", s.message_model);
    v("consumeFromWhere", s.consume_from_where);
  }
};

// The body of RESET_CONSUMER_CLIENT_OFFSET and of INVOKE_BROKER_TO_RESET_OFFSET's
// answer: the offset each queue is reset to.
struct ResetOffsetBody {
  std::map<MessageQueue, int64_t> offset_table;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("offsetTable", s.offset_table);
  }
};

// ---- Codec ---------------------------------------------------------------------

// Serializes any struct above to compact JSON.
template <typename T>
std::string ToJson(const T& value);

// Parses JSON into a struct above. InvalidArgument says what (`what`, e.g.
// "HEART_BEAT body") and where the JSON was wrong.
template <typename T>
absl::StatusOr<T> FromJson(std::string_view json, std::string_view what);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_PROTOCOL_BODIES_H_
