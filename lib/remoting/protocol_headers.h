// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The request and response headers rmq speaks, field for field as RocketMQ
// 4.x's CommandCustomHeader classes (org.apache.rocketmq.common.protocol.header):
// same names on the wire, required fields plain, nullable ones std::optional.
// header_codec.h explains the Fields() lists.

#ifndef RMQ_REMOTING_PROTOCOL_HEADERS_H_
#define RMQ_REMOTING_PROTOCOL_HEADERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "remoting/header_codec.h"

namespace rmq::internal {

// ---- Producer → broker ------------------------------------------------------

// SEND_MESSAGE (and SEND_BATCH_MESSAGE with batch = true). rmq's producer
// sends these fields as SendMessageRequestHeaderV2 (below), which holds one.
struct SendMessageRequestHeader : Header<SendMessageRequestHeader> {
  static constexpr std::string_view kName = "SendMessageRequestHeader";
  std::string producer_group;
  std::string topic;
  std::string default_topic = "TBW102";  // TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC
  int32_t default_topic_queue_nums = 4;
  int32_t queue_id = 0;
  int32_t sys_flag = 0;
  int64_t born_timestamp = 0;
  int32_t flag = 0;
  std::optional<std::string> properties;  // Encoded as properties_codec.h.
  std::optional<int32_t> reconsume_times;
  std::optional<bool> unit_mode;
  std::optional<bool> batch;
  std::optional<int32_t> max_reconsume_times;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("producerGroup", h.producer_group);
    v("topic", h.topic);
    v("defaultTopic", h.default_topic);
    v("defaultTopicQueueNums", h.default_topic_queue_nums);
    v("queueId", h.queue_id);
    v("sysFlag", h.sys_flag);
    v("bornTimestamp", h.born_timestamp);
    v("flag", h.flag);
    v("properties", h.properties);
    v("reconsumeTimes", h.reconsume_times);
    v("unitMode", h.unit_mode);
    v("batch", h.batch);
    v("maxReconsumeTimes", h.max_reconsume_times);
  }
};

struct SendMessageResponseHeader : Header<SendMessageResponseHeader> {
  static constexpr std::string_view kName = "SendMessageResponseHeader";
  std::string msg_id;  // Offset msgId(s); a batch's are comma-separated.
  int32_t queue_id = 0;
  int64_t queue_offset = 0;
  std::optional<std::string> transaction_id;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("msgId", h.msg_id);
    v("queueId", h.queue_id);
    v("queueOffset", h.queue_offset);
    v("transactionId", h.transaction_id);
  }
};

// ---- Consumer → broker ------------------------------------------------------

// PullMessageRequestHeader.sysFlag bits (PullSysFlag).
namespace pull_sysflag {
inline constexpr int32_t kCommitOffset = 0x1;
inline constexpr int32_t kSuspend = 0x2;
inline constexpr int32_t kSubscription = 0x4;
inline constexpr int32_t kClassFilter = 0x8;
}  // namespace pull_sysflag

struct PullMessageRequestHeader : Header<PullMessageRequestHeader> {
  static constexpr std::string_view kName = "PullMessageRequestHeader";
  std::string consumer_group;
  std::string topic;
  int32_t queue_id = 0;
  int64_t queue_offset = 0;
  int32_t max_msg_nums = 32;
  int32_t sys_flag = 0;
  int64_t commit_offset = 0;
  int64_t suspend_timeout_millis = 0;
  std::optional<std::string> subscription;  // Expression, when kSubscription is set.
  int64_t sub_version = 0;
  std::optional<std::string> expression_type;  // "TAG" (default) or "SQL92".

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("consumerGroup", h.consumer_group);
    v("topic", h.topic);
    v("queueId", h.queue_id);
    v("queueOffset", h.queue_offset);
    v("maxMsgNums", h.max_msg_nums);
    v("sysFlag", h.sys_flag);
    v("commitOffset", h.commit_offset);
    v("suspendTimeoutMillis", h.suspend_timeout_millis);
    v("subscription", h.subscription);
    v("subVersion", h.sub_version);
    v("expressionType", h.expression_type);
  }
};

// Response codes: SUCCESS (FOUND), PULL_NOT_FOUND (NO_NEW_MSG),
// PULL_RETRY_IMMEDIATELY (NO_MATCHED_MSG), PULL_OFFSET_MOVED (OFFSET_ILLEGAL).
// The body holds the found records, back to back, as stored.
struct PullMessageResponseHeader : Header<PullMessageResponseHeader> {
  static constexpr std::string_view kName = "PullMessageResponseHeader";
  int64_t suggest_which_broker_id = 0;
  int64_t next_begin_offset = 0;
  int64_t min_offset = 0;
  int64_t max_offset = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("suggestWhichBrokerId", h.suggest_which_broker_id);
    v("nextBeginOffset", h.next_begin_offset);
    v("minOffset", h.min_offset);
    v("maxOffset", h.max_offset);
  }
};

struct QueryConsumerOffsetRequestHeader : Header<QueryConsumerOffsetRequestHeader> {
  static constexpr std::string_view kName = "QueryConsumerOffsetRequestHeader";
  std::string consumer_group;
  std::string topic;
  int32_t queue_id = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("consumerGroup", h.consumer_group);
    v("topic", h.topic);
    v("queueId", h.queue_id);
  }
};

// The response header of QUERY_CONSUMER_OFFSET, GET_MAX_OFFSET, GET_MIN_OFFSET
// and SEARCH_OFFSET_BY_TIMESTAMP: one "offset" field.
struct OffsetResponseHeader : Header<OffsetResponseHeader> {
  static constexpr std::string_view kName = "OffsetResponseHeader";
  int64_t offset = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("offset", h.offset);
  }
};

struct UpdateConsumerOffsetRequestHeader : Header<UpdateConsumerOffsetRequestHeader> {
  static constexpr std::string_view kName = "UpdateConsumerOffsetRequestHeader";
  std::string consumer_group;
  std::string topic;
  int32_t queue_id = 0;
  int64_t commit_offset = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("consumerGroup", h.consumer_group);
    v("topic", h.topic);
    v("queueId", h.queue_id);
    v("commitOffset", h.commit_offset);
  }
};

// GET_MAX_OFFSET, GET_MIN_OFFSET, GET_EARLIEST_MSG_STORETIME.
struct QueueRequestHeader : Header<QueueRequestHeader> {
  static constexpr std::string_view kName = "GetMaxOffsetRequestHeader";
  std::string topic;
  int32_t queue_id = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("topic", h.topic);
    v("queueId", h.queue_id);
  }
};

struct SearchOffsetRequestHeader : Header<SearchOffsetRequestHeader> {
  static constexpr std::string_view kName = "SearchOffsetRequestHeader";
  std::string topic;
  int32_t queue_id = 0;
  int64_t timestamp = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("topic", h.topic);
    v("queueId", h.queue_id);
    v("timestamp", h.timestamp);
  }
};

struct GetEarliestMsgStoretimeResponseHeader : Header<GetEarliestMsgStoretimeResponseHeader> {
  static constexpr std::string_view kName = "GetEarliestMsgStoretimeResponseHeader";
  int64_t timestamp = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("timestamp", h.timestamp);
  }
};

struct GetConsumerListByGroupRequestHeader : Header<GetConsumerListByGroupRequestHeader> {
  static constexpr std::string_view kName = "GetConsumerListByGroupRequestHeader";
  std::string consumer_group;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("consumerGroup", h.consumer_group);
  }
};

struct UnregisterClientRequestHeader : Header<UnregisterClientRequestHeader> {
  static constexpr std::string_view kName = "UnregisterClientRequestHeader";
  std::string client_id;
  std::optional<std::string> producer_group;
  std::optional<std::string> consumer_group;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("clientID", h.client_id);
    v("producerGroup", h.producer_group);
    v("consumerGroup", h.consumer_group);
  }
};

struct ConsumerSendMsgBackRequestHeader : Header<ConsumerSendMsgBackRequestHeader> {
  static constexpr std::string_view kName = "ConsumerSendMsgBackRequestHeader";
  int64_t offset = 0;  // Commit log offset of the message being sent back.
  std::string group;
  int32_t delay_level = 0;
  std::optional<std::string> origin_msg_id;
  std::optional<std::string> origin_topic;
  bool unit_mode = false;
  std::optional<int32_t> max_reconsume_times;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("offset", h.offset);
    v("group", h.group);
    v("delayLevel", h.delay_level);
    v("originMsgId", h.origin_msg_id);
    v("originTopic", h.origin_topic);
    v("unitMode", h.unit_mode);
    v("maxReconsumeTimes", h.max_reconsume_times);
  }
};

// END_TRANSACTION (producer → broker, oneway): commit or roll back the half
// message stored at commitLogOffset / tranStateTableOffset (its queue offset
// in RMQ_SYS_TRANS_HALF_TOPIC).
struct EndTransactionRequestHeader : Header<EndTransactionRequestHeader> {
  static constexpr std::string_view kName = "EndTransactionRequestHeader";
  std::string producer_group;
  int64_t tran_state_table_offset = 0;
  int64_t commit_log_offset = 0;
  int32_t commit_or_rollback = 0;  // sysflag::kTransaction{Commit,Rollback,Not}Type
  bool from_transaction_check = false;
  std::string msg_id;  // The message's UNIQ_KEY.
  std::optional<std::string> transaction_id;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("producerGroup", h.producer_group);
    v("tranStateTableOffset", h.tran_state_table_offset);
    v("commitLogOffset", h.commit_log_offset);
    v("commitOrRollback", h.commit_or_rollback);
    v("fromTransactionCheck", h.from_transaction_check);
    v("msgId", h.msg_id);
    v("transactionId", h.transaction_id);
  }
};

// CHECK_TRANSACTION_STATE (broker → producer, oneway): what became of the
// local transaction of the half message in the body?
struct CheckTransactionStateRequestHeader : Header<CheckTransactionStateRequestHeader> {
  static constexpr std::string_view kName = "CheckTransactionStateRequestHeader";
  int64_t tran_state_table_offset = 0;
  int64_t commit_log_offset = 0;
  std::optional<std::string> msg_id;         // UNIQ_KEY
  std::optional<std::string> transaction_id;
  std::optional<std::string> offset_msg_id;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("tranStateTableOffset", h.tran_state_table_offset);
    v("commitLogOffset", h.commit_log_offset);
    v("msgId", h.msg_id);
    v("transactionId", h.transaction_id);
    v("offsetMsgId", h.offset_msg_id);
  }
};

struct ViewMessageRequestHeader : Header<ViewMessageRequestHeader> {
  static constexpr std::string_view kName = "ViewMessageRequestHeader";
  int64_t offset = 0;  // Commit log offset.

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("offset", h.offset);
  }
};

struct QueryMessageRequestHeader : Header<QueryMessageRequestHeader> {
  static constexpr std::string_view kName = "QueryMessageRequestHeader";
  std::string topic;
  std::string key;
  int32_t max_num = 32;
  int64_t begin_timestamp = 0;
  int64_t end_timestamp = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("topic", h.topic);
    v("key", h.key);
    v("maxNum", h.max_num);
    v("beginTimestamp", h.begin_timestamp);
    v("endTimestamp", h.end_timestamp);
  }
};

struct QueryMessageResponseHeader : Header<QueryMessageResponseHeader> {
  static constexpr std::string_view kName = "QueryMessageResponseHeader";
  int64_t index_last_update_timestamp = 0;
  int64_t index_last_update_phyoffset = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("indexLastUpdateTimestamp", h.index_last_update_timestamp);
    v("indexLastUpdatePhyoffset", h.index_last_update_phyoffset);
  }
};

// ---- Broker → client --------------------------------------------------------

struct NotifyConsumerIdsChangedRequestHeader
    : Header<NotifyConsumerIdsChangedRequestHeader> {
  static constexpr std::string_view kName = "NotifyConsumerIdsChangedRequestHeader";
  std::string consumer_group;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("consumerGroup", h.consumer_group);
  }
};

// ---- Admin → broker ---------------------------------------------------------

// UPDATE_AND_CREATE_TOPIC.
struct CreateTopicRequestHeader : Header<CreateTopicRequestHeader> {
  static constexpr std::string_view kName = "CreateTopicRequestHeader";
  std::string topic;
  std::string default_topic = "TBW102";
  int32_t read_queue_nums = 4;
  int32_t write_queue_nums = 4;
  int32_t perm = 6;  // PermName: 4 read | 2 write
  std::string topic_filter_type = "SINGLE_TAG";
  std::optional<int32_t> topic_sys_flag;
  bool order = false;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("topic", h.topic);
    v("defaultTopic", h.default_topic);
    v("readQueueNums", h.read_queue_nums);
    v("writeQueueNums", h.write_queue_nums);
    v("perm", h.perm);
    v("topicFilterType", h.topic_filter_type);
    v("topicSysFlag", h.topic_sys_flag);
    v("order", h.order);
  }
};

// DELETE_TOPIC_IN_BROKER, DELETE_TOPIC_IN_NAMESRV.
struct DeleteTopicRequestHeader : Header<DeleteTopicRequestHeader> {
  static constexpr std::string_view kName = "DeleteTopicRequestHeader";
  std::string topic;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("topic", h.topic);
  }
};

// ---- Clients and brokers → name server --------------------------------------

struct GetRouteInfoRequestHeader : Header<GetRouteInfoRequestHeader> {
  static constexpr std::string_view kName = "GetRouteInfoRequestHeader";
  std::string topic;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("topic", h.topic);
  }
};

// REGISTER_BROKER; the body is a RegisterBrokerBody (protocol_bodies.h).
struct RegisterBrokerRequestHeader : Header<RegisterBrokerRequestHeader> {
  static constexpr std::string_view kName = "RegisterBrokerRequestHeader";
  std::string broker_name;
  std::string broker_addr;
  std::string cluster_name;
  std::string ha_server_addr;
  int64_t broker_id = 0;
  std::optional<bool> compressed;
  int32_t body_crc32 = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("brokerName", h.broker_name);
    v("brokerAddr", h.broker_addr);
    v("clusterName", h.cluster_name);
    v("haServerAddr", h.ha_server_addr);
    v("brokerId", h.broker_id);
    v("compressed", h.compressed);
    v("bodyCrc32", h.body_crc32);
  }
};

struct RegisterBrokerResponseHeader : Header<RegisterBrokerResponseHeader> {
  static constexpr std::string_view kName = "RegisterBrokerResponseHeader";
  std::optional<std::string> ha_server_addr;
  std::optional<std::string> master_addr;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("haServerAddr", h.ha_server_addr);
    v("masterAddr", h.master_addr);
  }
};

struct UnregisterBrokerRequestHeader : Header<UnregisterBrokerRequestHeader> {
  static constexpr std::string_view kName = "UnRegisterBrokerRequestHeader";
  std::string broker_name;
  std::string broker_addr;
  std::string cluster_name;
  int64_t broker_id = 0;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("brokerName", h.broker_name);
    v("brokerAddr", h.broker_addr);
    v("clusterName", h.cluster_name);
    v("brokerId", h.broker_id);
  }
};

// DELETE_TOPIC_IN_NAMESRV (DeleteTopicFromNamesrvRequestHeader): with a
// cluster name, only that cluster's brokers' queues of the topic are removed.
struct DeleteTopicFromNamesrvRequestHeader : Header<DeleteTopicFromNamesrvRequestHeader> {
  static constexpr std::string_view kName = "DeleteTopicFromNamesrvRequestHeader";
  std::string topic;
  std::optional<std::string> cluster_name;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("topic", h.topic);
    v("clusterName", h.cluster_name);
  }
};

// ---- Admin queries ---------------------------------------------------------

// GET_TOPIC_STATS_INFO.
struct GetTopicStatsInfoRequestHeader : Header<GetTopicStatsInfoRequestHeader> {
  static constexpr std::string_view kName = "GetTopicStatsInfoRequestHeader";
  std::string topic;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("topic", h.topic);
  }
};

// GET_CONSUME_STATS: one topic, or (none) every topic the group has offsets in.
struct GetConsumeStatsRequestHeader : Header<GetConsumeStatsRequestHeader> {
  static constexpr std::string_view kName = "GetConsumeStatsRequestHeader";
  std::string consumer_group;
  std::optional<std::string> topic;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("consumerGroup", h.consumer_group);
    v("topic", h.topic);
  }
};

// GET_CONSUMER_CONNECTION_LIST.
struct GetConsumerConnectionListRequestHeader
    : Header<GetConsumerConnectionListRequestHeader> {
  static constexpr std::string_view kName = "GetConsumerConnectionListRequestHeader";
  std::string consumer_group;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("consumerGroup", h.consumer_group);
  }
};

// DELETE_SUBSCRIPTIONGROUP; with removeOffset the group's offsets go too.
struct DeleteSubscriptionGroupRequestHeader : Header<DeleteSubscriptionGroupRequestHeader> {
  static constexpr std::string_view kName = "DeleteSubscriptionGroupRequestHeader";
  std::string group_name;
  std::optional<bool> remove_offset;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("groupName", h.group_name);
    v("removeOffset", h.remove_offset);
  }
};

// GET_CONSUMER_RUNNING_INFO (admin → broker → that consumer, same header).
struct GetConsumerRunningInfoRequestHeader : Header<GetConsumerRunningInfoRequestHeader> {
  static constexpr std::string_view kName = "GetConsumerRunningInfoRequestHeader";
  std::string consumer_group;
  std::string client_id;
  std::optional<bool> jstack_enable;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("consumerGroup", h.consumer_group);
    v("clientId", h.client_id);
    v("jstackEnable", h.jstack_enable);
  }
};

// INVOKE_BROKER_TO_RESET_OFFSET (admin → broker) and
// RESET_CONSUMER_CLIENT_OFFSET (broker → consumer). `timestamp` -1 means the
// end of each queue; `is_force` also moves offsets forward.
struct ResetOffsetRequestHeader : Header<ResetOffsetRequestHeader> {
  static constexpr std::string_view kName = "ResetOffsetRequestHeader";
  std::string topic;
  std::string group;
  int64_t timestamp = 0;
  bool is_force = false;

  template <typename Self, typename V>
  static void Fields(Self& h, V& v) {
    v("topic", h.topic);
    v("group", h.group);
    v("timestamp", h.timestamp);
    v("isForce", h.is_force);
  }
};

// SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE (SendMessageRequestHeaderV2): the
// fields of SendMessageRequestHeader under one-letter names, which RocketMQ's
// clients send to save decoding time. It holds a SendMessageRequestHeader,
// so the broker reads either form as one without moving a field.
struct SendMessageRequestHeaderV2 : Header<SendMessageRequestHeaderV2> {
  static constexpr std::string_view kName = "SendMessageRequestHeaderV2";
  SendMessageRequestHeader v1;

  template <typename Self, typename V>
  static void Fields(Self& s, V& v) {
    v("a", s.v1.producer_group);
    v("b", s.v1.topic);
    v("c", s.v1.default_topic);
    v("d", s.v1.default_topic_queue_nums);
    v("e", s.v1.queue_id);
    v("f", s.v1.sys_flag);
    v("g", s.v1.born_timestamp);
    v("h", s.v1.flag);
    v("i", s.v1.properties);
    v("j", s.v1.reconsume_times);
    v("k", s.v1.unit_mode);
    v("l", s.v1.max_reconsume_times);
    v("m", s.v1.batch);
  }

  // The V2 form of `fields` (tests build requests so).
  static SendMessageRequestHeaderV2 FromV1(SendMessageRequestHeader fields) {
    SendMessageRequestHeaderV2 v2;
    v2.v1 = std::move(fields);
    return v2;
  }
};

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_PROTOCOL_HEADERS_H_
