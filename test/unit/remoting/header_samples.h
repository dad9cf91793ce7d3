// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Test support for the header codec tests: every header of
// protocol_headers.h filled with values unlike its defaults, the Java field
// names of each, and a header read as a list of (name, value) through its
// Fields() so tests can compare headers field by field.

#ifndef RMQ_TEST_UNIT_REMOTING_HEADER_SAMPLES_H_
#define RMQ_TEST_UNIT_REMOTING_HEADER_SAMPLES_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "remoting/header_codec.h"
#include "remoting/protocol_headers.h"
#include "remoting/remoting_command.h"

namespace rmq::internal::header_samples {

// ---- A header as a list of (name, value), read through its Fields() --------

struct Absent {
  friend bool operator==(const Absent&, const Absent&) = default;
};
using FieldValue = std::variant<Absent, std::string, int32_t, int64_t, bool>;

struct FieldInfo {
  std::string name;
  FieldValue value;
  bool optional = false;
};

inline std::string Show(const FieldValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, Absent>) {
          return "<absent>";
        } else if constexpr (std::is_same_v<X, std::string>) {
          return "\"" + x + "\"";
        } else if constexpr (std::is_same_v<X, bool>) {
          return x ? "true" : "false";
        } else {
          return std::to_string(x);
        }
      },
      v);
}

class FieldLister {
 public:
  std::vector<FieldInfo> fields;

  template <typename T>
  void operator()(std::string_view name, const T& value) {
    fields.push_back({std::string(name), FieldValue(value), false});
  }
  template <typename T>
  void operator()(std::string_view name, const std::optional<T>& value) {
    fields.push_back({std::string(name), value ? FieldValue(*value) : FieldValue(Absent{}), true});
  }
};

template <typename H>
std::vector<FieldInfo> ListFields(const H& header) {
  FieldLister lister;
  H::Fields(header, lister);
  return lister.fields;
}

template <typename H>
ExtFields Encode(const H& header) {
  ExtFields fields;
  header.Encode(&fields);
  return fields;
}

// ---- Every header, filled with values unlike its defaults ------------------------
//
// kJavaNames are the field names of the RocketMQ 4.9.4 class, copied from its
// source (org.apache.rocketmq.common.protocol.header): the wire names.

template <typename H>
struct Filled;

template <>
struct Filled<SendMessageRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {
      "producerGroup", "topic",      "defaultTopic",   "defaultTopicQueueNums", "queueId",
      "sysFlag",       "bornTimestamp", "flag",        "properties",            "reconsumeTimes",
      "unitMode",      "batch",      "maxReconsumeTimes"};
  static SendMessageRequestHeader Make() {
    SendMessageRequestHeader h;
    h.producer_group = "PG";
    h.topic = "TopicA";
    h.default_topic = "MyDefault";
    h.default_topic_queue_nums = 8;
    h.queue_id = 3;
    h.sys_flag = 0x4;
    h.born_timestamp = 1767225600123;
    h.flag = 7;
    h.properties = "TAGS\001a\002KEYS\001k\002";
    h.reconsume_times = 2;
    h.unit_mode = true;
    h.batch = true;
    h.max_reconsume_times = 5;
    return h;
  }
};

template <>
struct Filled<SendMessageResponseHeader> {
  static inline const std::set<std::string> kJavaNames = {"msgId", "queueId", "queueOffset",
                                                          "transactionId"};
  static SendMessageResponseHeader Make() {
    SendMessageResponseHeader h;
    h.msg_id = "7F00000100002A9F0000000000000000";
    h.queue_id = 1;
    h.queue_offset = 99;
    h.transaction_id = "tx-1";
    return h;
  }
};

template <>
struct Filled<PullMessageRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {
      "consumerGroup", "topic",   "queueId",      "queueOffset",          "maxMsgNums",
      "sysFlag",       "commitOffset", "suspendTimeoutMillis", "subscription", "subVersion",
      "expressionType"};
  static PullMessageRequestHeader Make() {
    PullMessageRequestHeader h;
    h.consumer_group = "CG";
    h.topic = "TopicA";
    h.queue_id = 2;
    h.queue_offset = 1000;
    h.max_msg_nums = 16;
    h.sys_flag = pull_sysflag::kCommitOffset | pull_sysflag::kSuspend;
    h.commit_offset = 990;
    h.suspend_timeout_millis = 15000;
    h.subscription = "TagA || TagB";
    h.sub_version = 1767225600000;
    h.expression_type = "TAG";
    return h;
  }
};

template <>
struct Filled<PullMessageResponseHeader> {
  static inline const std::set<std::string> kJavaNames = {"suggestWhichBrokerId",
                                                          "nextBeginOffset", "minOffset",
                                                          "maxOffset"};
  static PullMessageResponseHeader Make() {
    PullMessageResponseHeader h;
    h.suggest_which_broker_id = 1;
    h.next_begin_offset = 42;
    h.min_offset = 3;
    h.max_offset = 50;
    return h;
  }
};

template <>
struct Filled<QueryConsumerOffsetRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"consumerGroup", "topic", "queueId"};
  static QueryConsumerOffsetRequestHeader Make() {
    QueryConsumerOffsetRequestHeader h;
    h.consumer_group = "CG";
    h.topic = "TopicA";
    h.queue_id = 5;
    return h;
  }
};

template <>
struct Filled<OffsetResponseHeader> {
  static inline const std::set<std::string> kJavaNames = {"offset"};
  static OffsetResponseHeader Make() {
    OffsetResponseHeader h;
    h.offset = -1;
    return h;
  }
};

template <>
struct Filled<UpdateConsumerOffsetRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"consumerGroup", "topic", "queueId",
                                                          "commitOffset"};
  static UpdateConsumerOffsetRequestHeader Make() {
    UpdateConsumerOffsetRequestHeader h;
    h.consumer_group = "CG";
    h.topic = "TopicA";
    h.queue_id = 6;
    h.commit_offset = 12345678901;
    return h;
  }
};

template <>
struct Filled<QueueRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"topic", "queueId"};
  static QueueRequestHeader Make() {
    QueueRequestHeader h;
    h.topic = "TopicA";
    h.queue_id = 7;
    return h;
  }
};

template <>
struct Filled<SearchOffsetRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"topic", "queueId", "timestamp"};
  static SearchOffsetRequestHeader Make() {
    SearchOffsetRequestHeader h;
    h.topic = "TopicA";
    h.queue_id = 1;
    h.timestamp = 1767225600000;
    return h;
  }
};

template <>
struct Filled<GetEarliestMsgStoretimeResponseHeader> {
  static inline const std::set<std::string> kJavaNames = {"timestamp"};
  static GetEarliestMsgStoretimeResponseHeader Make() {
    GetEarliestMsgStoretimeResponseHeader h;
    h.timestamp = 1767225600001;
    return h;
  }
};

template <>
struct Filled<GetConsumerListByGroupRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"consumerGroup"};
  static GetConsumerListByGroupRequestHeader Make() {
    GetConsumerListByGroupRequestHeader h;
    h.consumer_group = "CG";
    return h;
  }
};

template <>
struct Filled<UnregisterClientRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"clientID", "producerGroup",
                                                          "consumerGroup"};
  static UnregisterClientRequestHeader Make() {
    UnregisterClientRequestHeader h;
    h.client_id = "10.0.0.1@123";
    h.producer_group = "PG";
    h.consumer_group = "CG";
    return h;
  }
};

template <>
struct Filled<ConsumerSendMsgBackRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {
      "offset", "group", "delayLevel", "originMsgId", "originTopic", "unitMode",
      "maxReconsumeTimes"};
  static ConsumerSendMsgBackRequestHeader Make() {
    ConsumerSendMsgBackRequestHeader h;
    h.offset = 4096;
    h.group = "CG";
    h.delay_level = 3;
    h.origin_msg_id = "MSGID";
    h.origin_topic = "TopicA";
    h.unit_mode = true;
    h.max_reconsume_times = 16;
    return h;
  }
};

template <>
struct Filled<ViewMessageRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"offset"};
  static ViewMessageRequestHeader Make() {
    ViewMessageRequestHeader h;
    h.offset = 8192;
    return h;
  }
};

template <>
struct Filled<QueryMessageRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"topic", "key", "maxNum",
                                                          "beginTimestamp", "endTimestamp"};
  static QueryMessageRequestHeader Make() {
    QueryMessageRequestHeader h;
    h.topic = "TopicA";
    h.key = "order-1";
    h.max_num = 64;
    h.begin_timestamp = 1;
    h.end_timestamp = 9223372036854775807;
    return h;
  }
};

template <>
struct Filled<QueryMessageResponseHeader> {
  static inline const std::set<std::string> kJavaNames = {"indexLastUpdateTimestamp",
                                                          "indexLastUpdatePhyoffset"};
  static QueryMessageResponseHeader Make() {
    QueryMessageResponseHeader h;
    h.index_last_update_timestamp = 1767225600002;
    h.index_last_update_phyoffset = 77;
    return h;
  }
};

template <>
struct Filled<NotifyConsumerIdsChangedRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"consumerGroup"};
  static NotifyConsumerIdsChangedRequestHeader Make() {
    NotifyConsumerIdsChangedRequestHeader h;
    h.consumer_group = "CG";
    return h;
  }
};

template <>
struct Filled<CreateTopicRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {
      "topic", "defaultTopic", "readQueueNums", "writeQueueNums", "perm", "topicFilterType",
      "topicSysFlag", "order"};
  static CreateTopicRequestHeader Make() {
    CreateTopicRequestHeader h;
    h.topic = "TopicA";
    h.default_topic = "Other";
    h.read_queue_nums = 8;
    h.write_queue_nums = 9;
    h.perm = 4;
    h.topic_filter_type = "MULTI_TAG";
    h.topic_sys_flag = 1;
    h.order = true;
    return h;
  }
};

template <>
struct Filled<DeleteTopicRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"topic"};
  static DeleteTopicRequestHeader Make() {
    DeleteTopicRequestHeader h;
    h.topic = "TopicA";
    return h;
  }
};

template <>
struct Filled<GetRouteInfoRequestHeader> {
  // RocketMQ 4.9.4 also has acceptStandardJsonOnly (nullable), which rmq does
  // not need: it always writes standard JSON.
  static inline const std::set<std::string> kJavaNames = {"topic"};
  static GetRouteInfoRequestHeader Make() {
    GetRouteInfoRequestHeader h;
    h.topic = "TopicA";
    return h;
  }
};

template <>
struct Filled<RegisterBrokerRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {
      "brokerName", "brokerAddr", "clusterName", "haServerAddr", "brokerId", "compressed",
      "bodyCrc32"};
  static RegisterBrokerRequestHeader Make() {
    RegisterBrokerRequestHeader h;
    h.broker_name = "broker-a";
    h.broker_addr = "127.0.0.1:10911";
    h.cluster_name = "DefaultCluster";
    h.ha_server_addr = "127.0.0.1:10912";
    h.broker_id = 1;
    h.compressed = true;
    h.body_crc32 = -123456789;
    return h;
  }
};

template <>
struct Filled<RegisterBrokerResponseHeader> {
  static inline const std::set<std::string> kJavaNames = {"haServerAddr", "masterAddr"};
  static RegisterBrokerResponseHeader Make() {
    RegisterBrokerResponseHeader h;
    h.ha_server_addr = "127.0.0.1:10912";
    h.master_addr = "127.0.0.1:10911";
    return h;
  }
};

template <>
struct Filled<UnregisterBrokerRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"brokerName", "brokerAddr",
                                                          "clusterName", "brokerId"};
  static UnregisterBrokerRequestHeader Make() {
    UnregisterBrokerRequestHeader h;
    h.broker_name = "broker-a";
    h.broker_addr = "127.0.0.1:10911";
    h.cluster_name = "DefaultCluster";
    h.broker_id = 2;
    return h;
  }
};

template <>
struct Filled<DeleteTopicFromNamesrvRequestHeader> {
  static inline const std::set<std::string> kJavaNames = {"topic", "clusterName"};
  static DeleteTopicFromNamesrvRequestHeader Make() {
    DeleteTopicFromNamesrvRequestHeader h;
    h.topic = "TopicA";
    h.cluster_name = "DefaultCluster";
    return h;
  }
};

template <>
struct Filled<SendMessageRequestHeaderV2> {
  static inline const std::set<std::string> kJavaNames = {"a", "b", "c", "d", "e", "f", "g",
                                                          "h", "i", "j", "k", "l", "m"};
  static SendMessageRequestHeaderV2 Make() {
    return SendMessageRequestHeaderV2::FromV1(Filled<SendMessageRequestHeader>::Make());
  }
};

using AllHeaders =
    std::tuple<SendMessageRequestHeader, SendMessageResponseHeader, PullMessageRequestHeader,
               PullMessageResponseHeader, QueryConsumerOffsetRequestHeader, OffsetResponseHeader,
               UpdateConsumerOffsetRequestHeader, QueueRequestHeader, SearchOffsetRequestHeader,
               GetEarliestMsgStoretimeResponseHeader, GetConsumerListByGroupRequestHeader,
               UnregisterClientRequestHeader, ConsumerSendMsgBackRequestHeader,
               ViewMessageRequestHeader, QueryMessageRequestHeader, QueryMessageResponseHeader,
               NotifyConsumerIdsChangedRequestHeader, CreateTopicRequestHeader,
               DeleteTopicRequestHeader, GetRouteInfoRequestHeader, RegisterBrokerRequestHeader,
               RegisterBrokerResponseHeader, UnregisterBrokerRequestHeader,
               DeleteTopicFromNamesrvRequestHeader, SendMessageRequestHeaderV2>;

// Fails naming the field when two headers differ in it.
inline void RequireSameFields(const std::vector<FieldInfo>& expected,
                       const std::vector<FieldInfo>& actual) {
  REQUIRE(expected.size() == actual.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("field " << expected[i].name << ": expected " << Show(expected[i].value) << ", got "
                  << Show(actual[i].value));
    REQUIRE(expected[i].name == actual[i].name);
    REQUIRE(expected[i].value == actual[i].value);
  }
}


}  // namespace rmq::internal::header_samples

#endif  // RMQ_TEST_UNIT_REMOTING_HEADER_SAMPLES_H_
