// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// CONSUMER_SEND_MSG_BACK: a consumer hands a message back by its commit log
// offset and the broker stores a copy for %RETRY%group (with a DELAY level)
// or %DLQ%group. Where the store keeps a delayed message until it is due
// (SCHEDULE_TOPIC_XXXX) is the store's business: these tests look at the
// record the send-back appended, by its commit log offset, and at what holds
// wherever it lies.

#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "common/msg_id.h"
#include "unit/broker/broker_fixture.h"

namespace rmq::testing {
namespace {

using internal::ConsumerSendMsgBackRequestHeader;
using internal::SendMessageRequestHeader;
using internal::SendMessageResponseHeader;

// A message stored in TopicA, as a consumer of group G got it.
struct Original {
  int64_t offset = 0;   // Commit log offset.
  std::string msg_id;   // Offset msgId.
};

Original StoreOriginal(BrokerFixture& f, int32_t reconsume_times = 0) {
  Message msg("TopicA", "TagA", "KeyA", "payload");
  msg.set_flag(9);
  RemotingCommand request = BrokerFixture::SendRequest(msg, 0);
  static_cast<SendMessageRequestHeader*>(request.header.get())->reconsume_times = reconsume_times;
  RemotingCommand response = f.Call(std::move(request));
  REQUIRE(response.code == rc::kSuccess);
  std::string msg_id = ResponseHeader<SendMessageResponseHeader>(response).msg_id;
  auto decoded = internal::DecodeOffsetMsgId(msg_id);
  REQUIRE(decoded.ok());
  return {decoded->commit_log_offset, msg_id};
}

RemotingCommand SendBackRequest(int64_t offset, const std::string& group, int32_t delay_level,
                                std::optional<int32_t> max_reconsume_times = std::nullopt) {
  auto header = std::make_unique<ConsumerSendMsgBackRequestHeader>();
  header->offset = offset;
  header->group = group;
  header->delay_level = delay_level;
  header->max_reconsume_times = max_reconsume_times;
  return RemotingCommand::Request(rq::kConsumerSendMsgBack, std::move(header));
}

// Sends back and returns the record the broker appended for it.
MessageExt SendBack(BrokerFixture& f, RemotingCommand request) {
  const int64_t end = f.broker().store()->Stats().max_phy_offset;
  RemotingCommand response = f.Call(std::move(request));
  INFO(response.remark);
  REQUIRE(response.code == rc::kSuccess);
  auto stored = f.broker().store()->LookMessageByOffset(end);
  INFO(stored.status().ToString());
  REQUIRE(stored.ok());
  return *std::move(stored);
}

// Whether `msg` is bound for `topic`: stored there, or held for it by the
// store's delay schedule.
bool BoundFor(const MessageExt& msg, const std::string& topic) {
  return msg.topic() == topic || msg.GetProperty(property::kRealTopic) == topic;
}

std::optional<internal::TopicConfig> TopicConfigOf(BrokerFixture& f, const std::string& topic) {
  RemotingCommand all = f.Call(RemotingCommand::Request(rq::kGetAllTopicConfig));
  auto wrapper =
      internal::FromJson<internal::TopicConfigSerializeWrapper>(all.body.ToString(), "topics");
  REQUIRE(wrapper.ok());
  auto it = wrapper->topic_config_table.find(topic);
  if (it == wrapper->topic_config_table.end()) return std::nullopt;
  return it->second;
}

// The messages in %DLQ%<group> queue 0.
std::vector<MessageExt> DeadLetters(BrokerFixture& f, const std::string& group) {
  return ReadQueue(*f.broker().store(), "%DLQ%" + group, 0, 0, 32);
}

void UpdateGroup(BrokerFixture& f, const internal::SubscriptionGroupConfig& config) {
  RemotingCommand update = RemotingCommand::Request(rq::kUpdateAndCreateSubscriptionGroup);
  update.body = internal::Payload(internal::ToJson(config));
  REQUIRE(f.Call(std::move(update)).code == rc::kSuccess);
}

TEST_CASE("a message sent back the first time is copied for %RETRY%group at delay level 3") {
  BrokerFixture f;
  Original original = StoreOriginal(f);
  MessageExt copy = SendBack(f, SendBackRequest(original.offset, "G", 0));
  CHECK(BoundFor(copy, "%RETRY%G"));
  CHECK(copy.GetProperty(property::kDelayTimeLevel) == "3");
  CHECK(copy.reconsume_times == 1);
  CHECK(copy.GetProperty(property::kRetryTopic) == "TopicA");
  CHECK(copy.GetProperty(property::kOriginMessageId) == original.msg_id);
  // The original's body, flag, tags, keys and born fields travel along.
  CHECK(copy.body() == "payload");
  CHECK(copy.flag() == 9);
  CHECK(copy.tags() == "TagA");
  CHECK(copy.keys() == "KeyA");
  CHECK(copy.born_timestamp == 1700000000000);
  // The retry topic is created with the group's one retry queue, read|write.
  auto retry = TopicConfigOf(f, "%RETRY%G");
  REQUIRE(retry.has_value());
  CHECK(retry->perm == 6);
  CHECK(retry->write_queue_nums == 1);
}

TEST_CASE("a delay level the consumer asks for is kept") {
  BrokerFixture f;
  Original original = StoreOriginal(f);
  MessageExt copy = SendBack(f, SendBackRequest(original.offset, "G", 5));
  CHECK(BoundFor(copy, "%RETRY%G"));
  CHECK(copy.GetProperty(property::kDelayTimeLevel) == "5");
  CHECK(copy.reconsume_times == 1);
}

TEST_CASE("a retried message sent back again keeps its first RETRY_TOPIC and ORIGIN_MESSAGE_ID") {
  BrokerFixture f;
  Original original = StoreOriginal(f);
  MessageExt first = SendBack(f, SendBackRequest(original.offset, "G", 0));
  MessageExt second = SendBack(f, SendBackRequest(first.commit_log_offset, "G", 0));
  CHECK(BoundFor(second, "%RETRY%G"));
  CHECK(second.reconsume_times == 2);
  CHECK(second.GetProperty(property::kDelayTimeLevel) == "4");  // 3 + one earlier retry.
  CHECK(second.GetProperty(property::kRetryTopic) == "TopicA");
  CHECK(second.GetProperty(property::kOriginMessageId) == original.msg_id);
  CHECK(second.body() == "payload");
}

TEST_CASE("a message at the group's maxReconsumeTimes (16) goes to %DLQ%group") {
  BrokerFixture f;
  // One retry short of the limit: still a retry, at the longest delay level.
  MessageExt retried = SendBack(f, SendBackRequest(StoreOriginal(f, 15).offset, "G", 0));
  CHECK(BoundFor(retried, "%RETRY%G"));
  CHECK(retried.GetProperty(property::kDelayTimeLevel) == "18");
  CHECK_FALSE(TopicConfigOf(f, "%DLQ%G").has_value());

  Original original = StoreOriginal(f, 16);
  MessageExt dead = SendBack(f, SendBackRequest(original.offset, "G", 0));
  CHECK(dead.topic() == "%DLQ%G");
  CHECK(dead.queue_id == 0);
  CHECK_FALSE(dead.HasProperty(property::kDelayTimeLevel));
  CHECK(dead.reconsume_times == 17);
  CHECK(dead.GetProperty(property::kRetryTopic) == "TopicA");
  CHECK(dead.GetProperty(property::kOriginMessageId) == original.msg_id);
  // Readable from the DLQ's one queue, which was created read|write.
  auto letters = DeadLetters(f, "G");
  REQUIRE(letters.size() == 1);
  CHECK(letters[0].body() == "payload");
  CHECK(letters[0].commit_log_offset == dead.commit_log_offset);
  auto dlq = TopicConfigOf(f, "%DLQ%G");
  REQUIRE(dlq.has_value());
  CHECK(dlq->perm == 6);
  CHECK(dlq->read_queue_nums == 1);
}

TEST_CASE("the request's maxReconsumeTimes overrides the group's, from client V3_4_9 on") {
  BrokerFixture f;
  Original original = StoreOriginal(f, 2);
  SECTION("a current client") {
    MessageExt dead = SendBack(f, SendBackRequest(original.offset, "G", 0, 2));
    CHECK(dead.topic() == "%DLQ%G");
    CHECK(DeadLetters(f, "G").size() == 1);
  }
  SECTION("a client older than V3_4_9: the group's 16 applies") {
    RemotingCommand request = SendBackRequest(original.offset, "G", 0, 2);
    request.version = 95;
    MessageExt retried = SendBack(f, std::move(request));
    CHECK(BoundFor(retried, "%RETRY%G"));
    CHECK(retried.GetProperty(property::kDelayTimeLevel) == "5");
    CHECK(DeadLetters(f, "G").empty());
  }
}

TEST_CASE("a negative delay level sends the message to the DLQ at once") {
  BrokerFixture f;
  Original original = StoreOriginal(f);
  MessageExt dead = SendBack(f, SendBackRequest(original.offset, "G", -1));
  CHECK(dead.topic() == "%DLQ%G");
  CHECK(dead.reconsume_times == 1);
  CHECK_FALSE(dead.HasProperty(property::kDelayTimeLevel));
  CHECK(DeadLetters(f, "G").size() == 1);
}

TEST_CASE("an offset with no message is SYSTEM_ERROR naming the offset") {
  BrokerFixture f;
  StoreOriginal(f);
  RemotingCommand response = f.Call(SendBackRequest(987654, "G", 0));
  CHECK(response.code == rc::kSystemError);
  CHECK_THAT(response.remark, Catch::Contains("look message by offset failed, 987654"));
}

TEST_CASE("an unknown group without autoCreateSubscriptionGroup is SUBSCRIPTION_GROUP_NOT_EXIST") {
  BrokerFixture f([](BrokerConfig& c) { c.auto_create_subscription_group = false; });
  Original original = StoreOriginal(f);
  const int64_t end = f.broker().store()->Stats().max_phy_offset;
  RemotingCommand response = f.Call(SendBackRequest(original.offset, "Nobody", 0));
  CHECK(response.code == rc::kSubscriptionGroupNotExist);
  CHECK_THAT(response.remark, Catch::Contains("subscription group not exist, Nobody"));
  CHECK(f.broker().store()->Stats().max_phy_offset == end);
}

TEST_CASE("a group without retry queues drops the message: SUCCESS and nothing stored") {
  BrokerFixture f;
  internal::SubscriptionGroupConfig config;
  config.group_name = "NoRetry";
  config.retry_queue_nums = 0;
  UpdateGroup(f, config);
  Original original = StoreOriginal(f);
  const int64_t end = f.broker().store()->Stats().max_phy_offset;
  RemotingCommand response = f.Call(SendBackRequest(original.offset, "NoRetry", 0));
  CHECK(response.code == rc::kSuccess);
  CHECK(f.broker().store()->Stats().max_phy_offset == end);
  CHECK_FALSE(TopicConfigOf(f, "%RETRY%NoRetry").has_value());
}

TEST_CASE("a broker or retry topic without write permission refuses a send-back") {
  SECTION("the broker") {
    BrokerFixture f([](BrokerConfig& c) { c.broker_permission = 4; });
    Original original = StoreOriginal(f);
    RemotingCommand response = f.Call(SendBackRequest(original.offset, "G", 0));
    CHECK(response.code == rc::kNoPermission);
    CHECK_THAT(response.remark, Catch::Contains("sending message is forbidden"));
  }
  SECTION("the retry topic") {
    BrokerFixture f;
    REQUIRE(f.broker().CreateTopic("%RETRY%G", 1, 4).ok());
    Original original = StoreOriginal(f);
    RemotingCommand response = f.Call(SendBackRequest(original.offset, "G", 0));
    CHECK(response.code == rc::kNoPermission);
    CHECK_THAT(response.remark, Catch::Contains("the topic[%RETRY%G] sending message is forbidden"));
  }
}

}  // namespace
}  // namespace rmq::testing
