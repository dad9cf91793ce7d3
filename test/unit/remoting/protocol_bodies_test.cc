// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// JSON bodies: round trips of every body type, RocketMQ's field names checked
// against JSON written by hand from the Java classes (RocketMQ 4.9.4, as
// fastjson writes them: fields in name order, nulls left out), lenient reading
// (missing and unknown fields), errors with the path of the bad value, and
// fastjson's unquoted integer map keys.

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "common/fastjson.h"
#include "remoting/protocol_bodies.h"

namespace rmq::internal {
namespace {

template <typename T>
T RoundTrip(const T& value) {
  auto decoded = FromJson<T>(ToJson(value), "test body");
  REQUIRE(decoded.ok());
  // Encoding what was decoded gives the same text: nothing lost on the way.
  CHECK(ToJson(*decoded) == ToJson(value));
  return *std::move(decoded);
}

template <typename T>
std::string ErrorOf(std::string_view json, std::string_view what = "test body") {
  auto decoded = FromJson<T>(json, what);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(decoded.status().message());
}

// ---- Sample values (every field unlike its default) --------------------------------

TopicConfig SampleTopicConfig(const std::string& name) {
  TopicConfig c;
  c.topic_name = name;
  c.read_queue_nums = 8;
  c.write_queue_nums = 6;
  c.perm = perm::kRead;
  c.topic_filter_type = "MULTI_TAG";
  c.topic_sys_flag = 3;
  c.order = true;
  return c;
}

BrokerData SampleBrokerData() {
  BrokerData b;
  b.cluster = "DefaultCluster";
  b.broker_name = "broker-a";
  b.broker_addrs = {{0, "127.0.0.1:10911"}, {1, "127.0.0.1:10921"}};
  return b;
}

QueueData SampleQueueData() {
  QueueData q;
  q.broker_name = "broker-a";
  q.read_queue_nums = 4;
  q.write_queue_nums = 4;
  q.perm = 6;
  q.topic_sys_flag = 1;
  return q;
}

SubscriptionData SampleSubscription() {
  SubscriptionData s;
  s.class_filter_mode = true;
  s.topic = "TopicA";
  s.sub_string = "TagA || TagB";
  s.tags_set = {"TagA", "TagB"};
  s.code_set = {2598919, 2598920};  // "TagA".hashCode(), "TagB".hashCode()
  s.sub_version = 1767225600000;
  s.expression_type = "SQL92";
  return s;
}

ConsumerData SampleConsumer() {
  ConsumerData c;
  c.group_name = "CG";
  c.consume_type = "CONSUME_ACTIVELY";
  c.message_model = "BROADCASTING";
  c.consume_from_where = "CONSUME_FROM_FIRST_OFFSET";
  c.subscription_data_set = {SampleSubscription()};
  c.unit_mode = true;
  return c;
}

// ---- Round trips ---------------------------------------------------------------------

TEST_CASE("TopicConfig, DataVersion, QueueData, BrokerData round-trip", "[bodies]") {
  CHECK(RoundTrip(SampleTopicConfig("TopicA")) == SampleTopicConfig("TopicA"));
  DataVersion v;
  v.timestamp = 1767225600000;
  v.counter = 42;
  CHECK(RoundTrip(v) == v);
  CHECK(RoundTrip(SampleQueueData()) == SampleQueueData());
  CHECK(RoundTrip(SampleBrokerData()) == SampleBrokerData());
  CHECK(SampleBrokerData().MasterAddress() == "127.0.0.1:10911");
  BrokerData slave_only = SampleBrokerData();
  slave_only.broker_addrs.erase(kMasterId);
  CHECK(slave_only.MasterAddress().empty());
}

TEST_CASE("TopicConfigSerializeWrapper and RegisterBrokerBody round-trip", "[bodies]") {
  RegisterBrokerBody body;
  body.topic_config_serialize_wrapper.topic_config_table = {
      {"TopicA", SampleTopicConfig("TopicA")}, {"TopicB", SampleTopicConfig("TopicB")}};
  body.topic_config_serialize_wrapper.data_version = {1767225600000, 7};
  body.filter_server_list = {"10.0.0.1:30000", "10.0.0.2:30000"};

  RegisterBrokerBody back = RoundTrip(body);
  CHECK(back.topic_config_serialize_wrapper.topic_config_table ==
        body.topic_config_serialize_wrapper.topic_config_table);
  CHECK(back.topic_config_serialize_wrapper.data_version ==
        body.topic_config_serialize_wrapper.data_version);
  CHECK(back.filter_server_list == body.filter_server_list);

  TopicConfigSerializeWrapper wrapper = RoundTrip(body.topic_config_serialize_wrapper);
  CHECK(wrapper.topic_config_table.size() == 2);
  CHECK(wrapper.data_version.counter == 7);
}

TEST_CASE("TopicRouteData round-trips", "[bodies]") {
  TopicRouteData route;
  route.order_topic_conf = "broker-a:4;broker-b:4";
  route.queue_datas = {SampleQueueData()};
  route.broker_datas = {SampleBrokerData()};
  route.filter_server_table = {{"127.0.0.1:10911", {"127.0.0.1:30000"}}};
  CHECK(RoundTrip(route) == route);

  TopicRouteData empty;
  CHECK(RoundTrip(empty) == empty);
  CHECK_FALSE(RoundTrip(empty).order_topic_conf.has_value());
}

TEST_CASE("ClusterInfo, TopicList, ConsumerIdList round-trip", "[bodies]") {
  ClusterInfo info;
  info.broker_addr_table = {{"broker-a", SampleBrokerData()}};
  info.cluster_addr_table = {{"DefaultCluster", {"broker-a", "broker-b"}}};
  ClusterInfo info_back = RoundTrip(info);
  CHECK(info_back.broker_addr_table == info.broker_addr_table);
  CHECK(info_back.cluster_addr_table == info.cluster_addr_table);

  TopicList list;
  list.topic_list = {"TopicA", "TopicB", "%RETRY%CG"};
  list.broker_addr = "127.0.0.1:10911";
  TopicList list_back = RoundTrip(list);
  CHECK(list_back.topic_list == list.topic_list);
  CHECK(list_back.broker_addr == list.broker_addr);

  ConsumerIdList ids;
  ids.consumer_id_list = {"10.0.0.2@2", "10.0.0.1@1"};  // order kept, as Java's List
  CHECK(RoundTrip(ids).consumer_id_list == ids.consumer_id_list);
}

TEST_CASE("HeartbeatData, ConsumerData, ProducerData, SubscriptionData round-trip", "[bodies]") {
  CHECK(RoundTrip(SampleSubscription()) == SampleSubscription());
  CHECK(RoundTrip(SampleConsumer()) == SampleConsumer());
  ProducerData producer{"PG"};
  CHECK(RoundTrip(producer) == producer);

  HeartbeatData heartbeat;
  heartbeat.client_id = "10.0.0.1@12345";
  heartbeat.producer_data_set = {producer, ProducerData{"CLIENT_INNER_PRODUCER"}};
  heartbeat.consumer_data_set = {SampleConsumer(), ConsumerData{}};
  HeartbeatData back = RoundTrip(heartbeat);
  CHECK(back.client_id == heartbeat.client_id);
  CHECK(back.producer_data_set == heartbeat.producer_data_set);
  CHECK(back.consumer_data_set == heartbeat.consumer_data_set);
}

TEST_CASE("LockBatch bodies round-trip their MessageQueue sets", "[bodies]") {
  LockBatchRequestBody request;
  request.consumer_group = "CG";
  request.client_id = "10.0.0.1@1";
  request.mq_set = {{"TopicA", "broker-a", 0}, {"TopicA", "broker-a", 1}, {"TopicA", "broker-b", 0}};
  LockBatchRequestBody back = RoundTrip(request);
  CHECK(back.consumer_group == "CG");
  CHECK(back.client_id == "10.0.0.1@1");
  CHECK(back.mq_set == request.mq_set);

  LockBatchResponseBody response;
  response.lock_ok_mq_set = {{"TopicA", "broker-a", 1}};
  CHECK(RoundTrip(response).lock_ok_mq_set == response.lock_ok_mq_set);
}

TEST_CASE("SubscriptionGroupConfig round-trips", "[bodies]") {
  SubscriptionGroupConfig c;
  c.group_name = "CG";
  c.consume_enable = false;
  c.consume_from_min_enable = false;
  c.consume_broadcast_enable = false;
  c.retry_queue_nums = 2;
  c.retry_max_times = 3;
  c.broker_id = 1;
  c.which_broker_when_consume_slowly = 2;
  c.notify_consumer_ids_changed_enable = false;
  CHECK(RoundTrip(c) == c);

  SubscriptionGroupWrapper wrapper;
  wrapper.subscription_group_table = {{"CG", c}, {"CG2", SubscriptionGroupConfig{}}};
  wrapper.data_version = {1767225600000, 3};
  SubscriptionGroupWrapper back = RoundTrip(wrapper);
  CHECK(back.subscription_group_table == wrapper.subscription_group_table);
  CHECK(back.data_version == wrapper.data_version);
}

// ---- RocketMQ's JSON, literally ------------------------------------------------------

// A route as a 4.9.4 name server sends it to a client announcing V4_9_4 or
// later: standard JSON, fields sorted (MapSortField), orderTopicConf (null)
// left out.
constexpr std::string_view kJavaRouteStandard =
    R"({"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:10921"},)"
    R"("brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},)"
    R"("queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":1,)"
    R"("writeQueueNums":4}]})";

// The same route from an older name server (plain RemotingSerializable.encode):
// fastjson writes the Long keys of brokerAddrs unquoted.
constexpr std::string_view kJavaRouteFastjson =
    R"({"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},)"
    R"("brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},)"
    R"("queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":1,)"
    R"("writeQueueNums":4}]})";

TopicRouteData SampleRoute() {
  TopicRouteData route;
  route.queue_datas = {SampleQueueData()};
  route.broker_datas = {SampleBrokerData()};
  return route;
}

TEST_CASE("TopicRouteData is written as a Java name server writes it", "[bodies][java]") {
  CHECK(ToJson(SampleRoute()) == kJavaRouteStandard);
}

TEST_CASE("TopicRouteData from a Java name server reads in both forms", "[bodies][java]") {
  auto standard = FromJson<TopicRouteData>(kJavaRouteStandard, "GET_ROUTEINFO_BY_TOPIC body");
  REQUIRE(standard.ok());
  CHECK(*standard == SampleRoute());

  auto fastjson = FromJson<TopicRouteData>(kJavaRouteFastjson, "GET_ROUTEINFO_BY_TOPIC body");
  REQUIRE(fastjson.ok());
  CHECK(*fastjson == SampleRoute());
  CHECK(fastjson->broker_datas[0].broker_addrs.at(1) == "127.0.0.1:10921");
}

TEST_CASE("ClusterInfo from a Java name server (fastjson keys) reads", "[bodies][java]") {
  // GET_BROKER_CLUSTER_INFO is always plain fastjson, even in 4.9.4.
  constexpr std::string_view kJava =
      R"({"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911"},)"
      R"("brokerName":"broker-a","cluster":"DefaultCluster"}},)"
      R"("clusterAddrTable":{"DefaultCluster":["broker-a"]}})";
  auto info = FromJson<ClusterInfo>(kJava, "GET_BROKER_CLUSTER_INFO body");
  REQUIRE(info.ok());
  CHECK(info->broker_addr_table.at("broker-a").MasterAddress() == "127.0.0.1:10911");
  CHECK(info->cluster_addr_table.at("DefaultCluster") == std::set<std::string>{"broker-a"});
  // rmq writes the standard form of the same document.
  CHECK(ToJson(*info) == NormalizeFastjson(kJava));
}

TEST_CASE("CheckClientRequestBody matches a Java push consumer's", "[bodies][java]") {
  // MQClientAPIImpl.checkClientInBroker for MessageSelector.bySql("a between 3 and 5").
  constexpr std::string_view kJava =
      R"({"clientId":"192.168.0.2@12345","group":"CG","subscriptionData":{)"
      R"("classFilterMode":false,"codeSet":[],"expressionType":"SQL92",)"
      R"("subString":"a between 3 and 5","subVersion":1767225600000,"tagsSet":[],)"
      R"("topic":"TopicA"}})";
  auto body = FromJson<CheckClientRequestBody>(kJava, "CHECK_CLIENT_CONFIG body");
  REQUIRE(body.ok());
  CHECK(body->client_id == "192.168.0.2@12345");
  CHECK(body->group == "CG");
  REQUIRE(body->subscription_data.has_value());
  CHECK(body->subscription_data->expression_type == "SQL92");
  CHECK(body->subscription_data->sub_string == "a between 3 and 5");
  CHECK(body->subscription_data->tags_set.empty());
  CHECK(ToJson(*body) == kJava);
  // Without a subscription (Java's null field is left out).
  auto bare = FromJson<CheckClientRequestBody>(R"({"clientId":"c","group":"g"})", "body");
  REQUIRE(bare.ok());
  CHECK_FALSE(bare->subscription_data.has_value());
  CHECK(ToJson(*bare) == R"({"clientId":"c","group":"g"})");
  CHECK(RoundTrip(*body) == *body);
  // A subscription that is not an object is an error naming it.
  auto bad = FromJson<CheckClientRequestBody>(R"({"subscriptionData":3})", "body");
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("subscriptionData"));
}

TEST_CASE("HeartbeatData matches a Java client's heartbeat", "[bodies][java]") {
  constexpr std::string_view kJava =
      R"({"clientID":"192.168.0.2@12345","consumerDataSet":[{"consumeFromWhere":)"
      R"("CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"CG",)"
      R"("messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,)"
      R"("codeSet":[2598919],"expressionType":"TAG","subString":"TagA",)"
      R"("subVersion":1767225600000,"tagsSet":["TagA"],"topic":"TopicA"}],"unitMode":false}],)"
      R"("producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"},{"groupName":"PG"}]})";
  auto heartbeat = FromJson<HeartbeatData>(kJava, "HEART_BEAT body");
  REQUIRE(heartbeat.ok());
  CHECK(heartbeat->client_id == "192.168.0.2@12345");
  REQUIRE(heartbeat->consumer_data_set.size() == 1);
  const ConsumerData& consumer = heartbeat->consumer_data_set[0];
  CHECK(consumer.group_name == "CG");
  CHECK(consumer.consume_type == "CONSUME_PASSIVELY");
  CHECK(consumer.message_model == "CLUSTERING");
  CHECK(consumer.consume_from_where == "CONSUME_FROM_LAST_OFFSET");
  REQUIRE(consumer.subscription_data_set.size() == 1);
  const SubscriptionData& sub = consumer.subscription_data_set[0];
  CHECK(sub.topic == "TopicA");
  CHECK(sub.sub_string == "TagA");
  CHECK(sub.tags_set == std::set<std::string, std::less<>>{"TagA"});
  CHECK(sub.code_set == std::set<int32_t>{2598919});
  CHECK(sub.sub_version == 1767225600000);
  CHECK(heartbeat->producer_data_set ==
        std::vector<ProducerData>{{"CLIENT_INNER_PRODUCER"}, {"PG"}});
  CHECK(ToJson(*heartbeat) == kJava);
}

TEST_CASE("RegisterBrokerBody matches a Java broker's registration", "[bodies][java]") {
  constexpr std::string_view kJava =
      R"({"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":)"
      R"({"counter":2,"timestamp":1767225600000},"topicConfigTable":{"TopicA":{"order":false,)"
      R"("perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"TopicA",)"
      R"("topicSysFlag":0,"writeQueueNums":8}}}})";
  auto body = FromJson<RegisterBrokerBody>(kJava, "REGISTER_BROKER body");
  REQUIRE(body.ok());
  const TopicConfig& topic = body->topic_config_serialize_wrapper.topic_config_table.at("TopicA");
  CHECK(topic.read_queue_nums == 8);
  CHECK(topic.perm == 6);
  CHECK(body->topic_config_serialize_wrapper.data_version.counter == 2);
  CHECK(ToJson(*body) == kJava);
}

TEST_CASE("LockBatchRequestBody and SubscriptionGroupConfig match Java", "[bodies][java]") {
  constexpr std::string_view kLock =
      R"({"clientId":"10.0.0.1@1","consumerGroup":"CG","mqSet":[)"
      R"({"brokerName":"broker-a","queueId":0,"topic":"TopicA"},)"
      R"({"brokerName":"broker-a","queueId":1,"topic":"TopicA"}]})";
  auto lock = FromJson<LockBatchRequestBody>(kLock, "LOCK_BATCH_MQ body");
  REQUIRE(lock.ok());
  CHECK(lock->mq_set == std::set<MessageQueue>{{"TopicA", "broker-a", 0}, {"TopicA", "broker-a", 1}});
  CHECK(ToJson(*lock) == kLock);

  constexpr std::string_view kLocked =
      R"({"lockOKMQSet":[{"brokerName":"broker-a","queueId":1,"topic":"TopicA"}]})";
  LockBatchResponseBody locked;
  locked.lock_ok_mq_set = {{"TopicA", "broker-a", 1}};
  CHECK(ToJson(locked) == kLocked);

  constexpr std::string_view kGroup =
      R"({"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,)"
      R"("consumeFromMinEnable":true,"groupName":"CG","notifyConsumerIdsChangedEnable":true,)"
      R"("retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1})";
  SubscriptionGroupConfig group;
  group.group_name = "CG";
  CHECK(ToJson(group) == kGroup);
}

TEST_CASE("TopicList and ConsumerIdList use Java's names", "[bodies][java]") {
  TopicList list;
  list.topic_list = {"TopicA"};
  CHECK(ToJson(list) == R"({"topicList":["TopicA"]})");
  ConsumerIdList ids;
  ids.consumer_id_list = {"c1"};
  CHECK(ToJson(ids) == R"({"consumerIdList":["c1"]})");
}

// ---- Lenient reading ------------------------------------------------------------------

TEST_CASE("missing fields keep their defaults", "[bodies]") {
  auto group = FromJson<SubscriptionGroupConfig>(R"({"groupName":"CG"})", "body");
  REQUIRE(group.ok());
  SubscriptionGroupConfig expected;
  expected.group_name = "CG";
  CHECK(*group == expected);
  CHECK(group->retry_max_times == 16);
  CHECK(group->consume_enable);

  auto topic = FromJson<TopicConfig>("{}", "body");
  REQUIRE(topic.ok());
  CHECK(*topic == TopicConfig{});
  CHECK(topic->read_queue_nums == 16);
  CHECK(topic->perm == 6);

  auto sub = FromJson<SubscriptionData>(R"({"topic":"T"})", "body");
  REQUIRE(sub.ok());
  CHECK(sub->sub_string == "*");
  CHECK(sub->expression_type == "TAG");
}

TEST_CASE("null fields are taken as missing, as fastjson does", "[bodies]") {
  // Standard JSON writers (other clients) write null where fastjson omits.
  auto route = FromJson<TopicRouteData>(
      R"({"orderTopicConf":null,"queueDatas":null,"brokerDatas":null,"filterServerTable":null})",
      "body");
  REQUIRE(route.ok());
  CHECK(*route == TopicRouteData{});

  auto wrapper = FromJson<TopicConfigSerializeWrapper>(
      R"({"dataVersion":null,"topicConfigTable":{"T":{"topicName":null,"perm":null}}})", "body");
  REQUIRE(wrapper.ok());
  CHECK(wrapper->topic_config_table.at("T") == TopicConfig{});
}

TEST_CASE("unknown fields are ignored", "[bodies]") {
  // A RocketMQ 5.x name server adds zoneName, enableActingMaster and
  // topicQueueMappingByBroker.
  constexpr std::string_view kFive =
      R"({"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"broker-a",)"
      R"("cluster":"DefaultCluster","enableActingMaster":false,"zoneName":"z1"}],)"
      R"("filterServerTable":{},"queueDatas":[],"topicQueueMappingByBroker":{"broker-a":)"
      R"({"bname":"broker-a","epoch":0,"totalQueues":4}}})";
  auto route = FromJson<TopicRouteData>(kFive, "body");
  REQUIRE(route.ok());
  REQUIRE(route->broker_datas.size() == 1);
  CHECK(route->broker_datas[0].MasterAddress() == "127.0.0.1:10911");
}

// ---- Errors ---------------------------------------------------------------------------

TEST_CASE("a value of the wrong type is an error with its path", "[bodies]") {
  CHECK(ErrorOf<HeartbeatData>(R"({"consumerDataSet":[{"groupName":5}]})", "HEART_BEAT body") ==
        "HEART_BEAT body: consumerDataSet[0].groupName should be a string");
  CHECK(ErrorOf<HeartbeatData>(
            R"({"consumerDataSet":[{},{"subscriptionDataSet":[{},{"codeSet":[1,"x"]}]}]})") ==
        "test body: consumerDataSet[1].subscriptionDataSet[1].codeSet[1] should be an integer");
  CHECK(ErrorOf<HeartbeatData>(R"({"clientID":["a"]})") ==
        "test body: clientID should be a string");
  CHECK(ErrorOf<HeartbeatData>(R"({"producerDataSet":{}})") ==
        "test body: producerDataSet should be an array");
  CHECK(ErrorOf<HeartbeatData>(R"({"producerDataSet":[7]})") ==
        "test body: producerDataSet[0] should be an object");
  CHECK(ErrorOf<ConsumerData>(R"({"unitMode":"true"})") ==
        "test body: unitMode should be a boolean");
  CHECK(ErrorOf<TopicConfig>(R"({"readQueueNums":1.5})") ==
        "test body: readQueueNums should be an integer");
  CHECK(ErrorOf<TopicRouteData>(R"({"brokerDatas":[{"brokerAddrs":[]}]})") ==
        "test body: brokerDatas[0].brokerAddrs should be an object");
  CHECK(ErrorOf<ClusterInfo>(R"({"clusterAddrTable":{"c":[1]}})") ==
        "test body: clusterAddrTable.c[0] should be a string");
  CHECK(ErrorOf<TopicRouteData>("[]") == "test body: the document should be an object");
  CHECK(ErrorOf<TopicRouteData>("42") == "test body: the document should be an object");
}

TEST_CASE("integers out of the field's range are errors, not truncated", "[bodies]") {
  CHECK(ErrorOf<TopicConfig>(R"({"readQueueNums":4294967297})") ==
        "test body: readQueueNums should be a 32-bit integer");
  CHECK(ErrorOf<TopicConfig>(R"({"perm":-2147483649})") ==
        "test body: perm should be a 32-bit integer");
  CHECK(ErrorOf<DataVersion>(R"({"counter":9223372036854775808})") ==
        "test body: counter should be a 64-bit integer");
  CHECK(ErrorOf<SubscriptionData>(R"({"codeSet":[2147483648]})") ==
        "test body: codeSet[0] should be a 32-bit integer");

  auto limits = FromJson<DataVersion>(
      R"({"timestamp":-9223372036854775808,"counter":9223372036854775807})", "body");
  REQUIRE(limits.ok());
  CHECK(limits->timestamp == std::numeric_limits<int64_t>::min());
  CHECK(limits->counter == std::numeric_limits<int64_t>::max());
  auto int_limits = FromJson<TopicConfig>(R"({"readQueueNums":2147483647,"perm":-2147483648})",
                                          "body");
  REQUIRE(int_limits.ok());
  CHECK(int_limits->read_queue_nums == std::numeric_limits<int32_t>::max());
  CHECK(int_limits->perm == std::numeric_limits<int32_t>::min());
}

TEST_CASE("invalid JSON is an error saying so", "[bodies]") {
  for (std::string_view bad : {"", "{", R"({"topicName":})", "{'a':1}", "nul", R"({"a":1}x)",
                               "\xff", R"({"topicName":"\ud800"})"}) {
    INFO(bad);
    const std::string message = ErrorOf<TopicConfig>(bad, "UPDATE_AND_CREATE_TOPIC body");
    CHECK(message == "UPDATE_AND_CREATE_TOPIC body: not valid JSON (" +
                         std::to_string(bad.size()) + " bytes)");
  }
}

TEST_CASE("brokerAddrs keys are broker ids", "[bodies]") {
  auto data = FromJson<BrokerData>(R"({"brokerAddrs":{"0":"m","2":"s2","-1":"x","10":"s10"}})",
                                   "body");
  REQUIRE(data.ok());
  CHECK(data->broker_addrs ==
        std::map<int64_t, std::string>{{-1, "x"}, {0, "m"}, {2, "s2"}, {10, "s10"}});
  // Written with quoted keys (in text order: a JSON object has no order).
  CHECK(ToJson(*data) ==
        R"({"brokerAddrs":{"-1":"x","0":"m","10":"s10","2":"s2"},"brokerName":"","cluster":""})");

  CHECK(ErrorOf<BrokerData>(R"({"brokerAddrs":{"master":"m"}})") ==
        "test body: brokerAddrs.master should be an integer key");
  CHECK(ErrorOf<BrokerData>(R"({"brokerAddrs":{"1x":"m"}})") ==
        "test body: brokerAddrs.1x should be an integer key");
  CHECK(ErrorOf<BrokerData>(R"({"brokerAddrs":{"":"m"}})") ==
        "test body: brokerAddrs. should be an integer key");
  CHECK(ErrorOf<BrokerData>(R"({"brokerAddrs":{"99999999999999999999":"m"}})") ==
        "test body: brokerAddrs.99999999999999999999 should be an integer key");
  CHECK(ErrorOf<BrokerData>(R"({"brokerAddrs":{"0":0}})") ==
        "test body: brokerAddrs.0 should be a string");
}

TEST_CASE("MessageQueue sets are ordered and deduplicated", "[bodies]") {
  auto body = FromJson<LockBatchRequestBody>(
      R"({"mqSet":[{"topic":"B","brokerName":"b","queueId":0},)"
      R"({"topic":"A","brokerName":"b","queueId":2},{"topic":"A","brokerName":"b","queueId":2},)"
      R"({"topic":"A","brokerName":"a","queueId":9}]})",
      "body");
  REQUIRE(body.ok());
  CHECK(body->mq_set ==
        std::set<MessageQueue>{{"A", "a", 9}, {"A", "b", 2}, {"B", "b", 0}});
  CHECK(ToJson(*body) ==
        R"({"clientId":"","consumerGroup":"","mqSet":[{"brokerName":"a","queueId":9,"topic":"A"},)"
        R"({"brokerName":"b","queueId":2,"topic":"A"},{"brokerName":"b","queueId":0,"topic":"B"}]})");
  CHECK(ErrorOf<LockBatchRequestBody>(R"({"mqSet":[{"queueId":"0"}]})") ==
        "test body: mqSet[0].queueId should be an integer");
}

TEST_CASE("strings that are not UTF-8 are written with U+FFFD, not refused", "[bodies]") {
  // A header field can carry any bytes; JSON (and Java) cannot.
  TopicConfig config;
  config.topic_name = "bad\xff";
  const std::string json = ToJson(config);
  CHECK(json.find("bad\xef\xbf\xbd") != std::string::npos);
  auto back = FromJson<TopicConfig>(json, "body");
  REQUIRE(back.ok());
  CHECK(back->topic_name == "bad\xef\xbf\xbd");
}

TEST_CASE("escapes and non-ASCII text survive", "[bodies]") {
  ProducerData p{"g\"r\\o\nu\tp \xe4\xb8\xad\x01"};
  CHECK(RoundTrip(p) == p);
  auto escaped = FromJson<ProducerData>(R"({"groupName":"\u4e2d\"\/"})", "body");
  REQUIRE(escaped.ok());
  CHECK(escaped->group_name == "\xe4\xb8\xad\"/");
}

// ---- NormalizeFastjson ---------------------------------------------------------------

TEST_CASE("NormalizeFastjson quotes bare integer keys", "[fastjson]") {
  CHECK(NormalizeFastjson(R"({0:"a"})") == R"({"0":"a"})");
  CHECK(NormalizeFastjson(R"({0:"a",1:"b",12:"c"})") == R"({"0":"a","1":"b","12":"c"})");
  CHECK(NormalizeFastjson(R"({-1:"a"})") == R"({"-1":"a"})");
  CHECK(NormalizeFastjson(R"({"x":{0:{1:[]}}})") == R"({"x":{"0":{"1":[]}}})");
  // Pretty-printed (prettyFormat = true): whitespace around keys.
  CHECK(NormalizeFastjson("{\n\t0 : \"a\",\r\n  1\t:\"b\"\n}") ==
        "{\n\t\"0\" : \"a\",\r\n  \"1\"\t:\"b\"\n}");
}

TEST_CASE("NormalizeFastjson leaves standard JSON and values alone", "[fastjson]") {
  for (std::string_view same :
       {std::string_view(R"({"0":"a"})"), std::string_view(R"([1,2,3])"),
        std::string_view(R"({"a":[1,-2,3],"b":4,"c":-5})"), std::string_view(R"([{"a":1},2])"),
        kJavaRouteStandard, std::string_view(""), std::string_view("{}"),
        std::string_view(R"({"a":1.5e3})")}) {
    INFO(same);
    CHECK(NormalizeFastjson(same) == same);
  }
  // Inside strings nothing is a key, escaped quotes included.
  CHECK(NormalizeFastjson(R"({"k":"{0:1,2:3}"})") == R"({"k":"{0:1,2:3}"})");
  CHECK(NormalizeFastjson(R"({"k\"{0:":"\\",1:"x"})") == R"({"k\"{0:":"\\","1":"x"})");
  // In an array nothing is a key (malformed input stays as it was).
  CHECK(NormalizeFastjson(R"(["a",1:2])") == R"(["a",1:2])");
  CHECK(NormalizeFastjson(R"([{"a":1},{"b":2}])") == R"([{"a":1},{"b":2}])");
  // A value after ':' is not a key even when a ':' follows (malformed input).
  CHECK(NormalizeFastjson(R"({"a":1:2})") == R"({"a":1:2})");
  CHECK(NormalizeFastjson(R"({1.5:"a"})") == R"({1.5:"a"})");
  CHECK(NormalizeFastjson(R"({-:"a"})") == R"({-:"a"})");
}

TEST_CASE("NormalizeFastjson makes object keys strings", "[fastjson]") {
  CHECK(NormalizeFastjson(R"({{"queueId":0,"topic":"T"}:1})") ==
        R"({"{\"queueId\":0,\"topic\":\"T\"}":1})");
  // Two keys, nested braces and an escaped quote inside the key object.
  CHECK(NormalizeFastjson(R"({"t":{{"a":{"b":"}\""}}:1, {"c":2} :3}})") ==
        R"({"t":{"{\"a\":{\"b\":\"}\\\"\"}}":1, "{\"c\":2}" :3}})");
  // An object that is a value, or an array element, is left alone.
  CHECK(NormalizeFastjson(R"({"a":{"b":1},"c":[{"d":2},{"e":3}]})") ==
        R"({"a":{"b":1},"c":[{"d":2},{"e":3}]})");
  // An unclosed key object is copied as it was.
  CHECK(NormalizeFastjson(R"({{"a":1)") == R"({{"a":1)");
}

// As a Java broker writes a TopicStatsTable and a ConsumeStats (RocketMQ
// 4.9.4, fastjson): the queue keys are bare objects.
constexpr std::string_view kJavaTopicStats =
    R"({"offsetTable":{{"brokerName":"broker-a","queueId":1,"topic":"T"}:)"
    R"({"lastUpdateTimestamp":1700000000123,"maxOffset":7,"minOffset":2},)"
    R"({"brokerName":"broker-a","queueId":0,"topic":"T"}:)"
    R"({"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0}}})";
constexpr std::string_view kJavaConsumeStats =
    R"({"consumeTps":2.5,"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:)"
    R"({"brokerOffset":10,"consumerOffset":4,"lastTimestamp":1700000000000}}})";

TEST_CASE("TopicStatsTable reads and writes fastjson's queue keys", "[bodies][java]") {
  auto stats = FromJson<TopicStatsTable>(kJavaTopicStats, "GET_TOPIC_STATS_INFO body");
  INFO(stats.status().ToString());
  REQUIRE(stats.ok());
  REQUIRE(stats->offset_table.size() == 2);
  const TopicOffset& q1 = stats->offset_table.at(MessageQueue("T", "broker-a", 1));
  CHECK(q1 == TopicOffset{2, 7, 1700000000123});
  CHECK(stats->offset_table.at(MessageQueue("T", "broker-a", 0)) == TopicOffset{});
  // Written back in fastjson's form (map in key order: queue 0 first).
  CHECK(ToJson(*stats) ==
        R"({"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:)"
        R"({"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0},)"
        R"({"brokerName":"broker-a","queueId":1,"topic":"T"}:)"
        R"({"lastUpdateTimestamp":1700000000123,"maxOffset":7,"minOffset":2}}})");
}

TEST_CASE("ConsumeStats, ResetOffsetBody, KVTable and ConsumerConnection round-trip",
          "[bodies][java]") {
  auto stats = FromJson<ConsumeStats>(kJavaConsumeStats, "GET_CONSUME_STATS body");
  INFO(stats.status().ToString());
  REQUIRE(stats.ok());
  CHECK(stats->consume_tps == 2.5);
  CHECK(stats->offset_table.at(MessageQueue("T", "broker-a", 0)) ==
        OffsetWrapper{10, 4, 1700000000000});
  CHECK(RoundTrip(*stats).offset_table == stats->offset_table);

  ResetOffsetBody reset;
  reset.offset_table[MessageQueue("T", "b", 3)] = 42;
  reset.offset_table[MessageQueue("U", "b", 0)] = -1;
  CHECK(RoundTrip(reset).offset_table == reset.offset_table);
  // A queue key given as a string (a writer that quotes keys) reads too.
  auto quoted = FromJson<ResetOffsetBody>(
      R"({"offsetTable":{"{\"brokerName\":\"b\",\"queueId\":3,\"topic\":\"T\"}":42}})", "body");
  REQUIRE(quoted.ok());
  CHECK(quoted->offset_table.at(MessageQueue("T", "b", 3)) == 42);
  CHECK(ErrorOf<ResetOffsetBody>(R"({"offsetTable":{"oops":1}})").find("a queue key") !=
        std::string::npos);

  KVTable kv;
  kv.table["bootTimestamp"] = "1700000000000";
  kv.table["putTps"] = "1.0 2.0 3.0";
  CHECK(RoundTrip(kv).table == kv.table);
  CHECK(ToJson(kv) == R"({"table":{"bootTimestamp":"1700000000000","putTps":"1.0 2.0 3.0"}})");

  ConsumerConnection connection;
  connection.connection_set.push_back({"10.0.0.1@1", "10.0.0.1:5000", "JAVA", 395});
  connection.subscription_table["T"].topic = "T";
  connection.consume_type = "CONSUME_PASSIVELY";
  connection.message_model = "CLUSTERING";
  connection.consume_from_where = "CONSUME_FROM_LAST_OFFSET";
  ConsumerConnection back = RoundTrip(connection);
  CHECK(back.connection_set == connection.connection_set);
  CHECK(back.subscription_table == connection.subscription_table);
  CHECK(back.message_model == "CLUSTERING");
}

TEST_CASE("a text key that starts with the bare-key marker is still quoted", "[bodies]") {
  KVTable kv;
  kv.table[std::string(1, kBareKeyMarker) + "x"] = "v";
  const std::string json = ToJson(kv);
  CHECK(json == "{\"table\":{\"\uFFFDx\":\"v\"}}");
  CHECK(FromJson<KVTable>(json, "body").ok());
}

TEST_CASE("NormalizeFastjson copes with truncated and odd input", "[fastjson]") {
  CHECK(NormalizeFastjson("{0") == "{0");
  CHECK(NormalizeFastjson("{0 ") == "{0 ");
  CHECK(NormalizeFastjson("{-") == "{-");
  CHECK(NormalizeFastjson("{\"abc") == "{\"abc");
  CHECK(NormalizeFastjson("{\"abc\\") == "{\"abc\\");
  CHECK(NormalizeFastjson("{0:") == "{\"0\":");
  CHECK(NormalizeFastjson(std::string_view("{\0:1", 4)) == std::string_view("{\0:1", 4));
}

}  // namespace
}  // namespace rmq::internal
