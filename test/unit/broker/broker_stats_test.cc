// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The admin requests mqadmin and rmq-admin use: GET_TOPIC_STATS_INFO,
// GET_CONSUME_STATS, GET_BROKER_RUNTIME_INFO, GET_CONSUMER_CONNECTION_LIST,
// GET_CONSUMER_RUNNING_INFO, INVOKE_BROKER_TO_RESET_OFFSET and
// DELETE_SUBSCRIPTIONGROUP; and the rates behind them.

#include <string>

#include <catch2/catch.hpp>

#include "broker/broker_stats.h"
#include "unit/broker/broker_client_support.h"

namespace rmq::testing {
namespace {

using internal::ConsumeStats;
using internal::KVTable;
using internal::OffsetWrapper;
using internal::TopicOffset;

template <typename Body>
Body BodyOf(const RemotingCommand& response) {
  INFO(response.remark);
  REQUIRE(response.code == rc::kSuccess);
  auto body = internal::FromJson<Body>(response.body.ToString(), "response body");
  INFO(body.status().ToString());
  REQUIRE(body.ok());
  return *std::move(body);
}

RemotingCommand TopicStatsRequest(const std::string& topic) {
  auto header = std::make_unique<internal::GetTopicStatsInfoRequestHeader>();
  header->topic = topic;
  return RemotingCommand::Request(rq::kGetTopicStatsInfo, std::move(header));
}

RemotingCommand ConsumeStatsRequest(const std::string& group, std::optional<std::string> topic) {
  auto header = std::make_unique<internal::GetConsumeStatsRequestHeader>();
  header->consumer_group = group;
  header->topic = std::move(topic);
  return RemotingCommand::Request(rq::kGetConsumeStats, std::move(header));
}

RemotingCommand CommitRequest(const std::string& group, const std::string& topic, int32_t queue,
                              int64_t offset) {
  auto header = std::make_unique<internal::UpdateConsumerOffsetRequestHeader>();
  header->consumer_group = group;
  header->topic = topic;
  header->queue_id = queue;
  header->commit_offset = offset;
  return RemotingCommand::Request(rq::kUpdateConsumerOffset, std::move(header));
}

RemotingCommand ResetRequest(const std::string& group, const std::string& topic, int64_t timestamp,
                             bool force) {
  auto header = std::make_unique<internal::ResetOffsetRequestHeader>();
  header->group = group;
  header->topic = topic;
  header->timestamp = timestamp;
  header->is_force = force;
  return RemotingCommand::Request(rq::kInvokeBrokerToResetOffset, std::move(header));
}

MessageQueue Queue(const std::string& topic, int32_t id) { return MessageQueue(topic, "broker-a", id); }

TEST_CASE("GET_TOPIC_STATS_INFO gives each queue's offsets and last store time") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("S", 2).ok());
  const int64_t t0 = f.clock().NowMillis();
  REQUIRE(f.Send(Message("S", "a"), 1).code == rc::kSuccess);
  f.clock().Advance(absl::Seconds(2));
  REQUIRE(f.Send(Message("S", "b"), 1).code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();

  auto stats = BodyOf<internal::TopicStatsTable>(f.Call(TopicStatsRequest("S")));
  REQUIRE(stats.offset_table.size() == 2);
  CHECK(stats.offset_table.at(Queue("S", 0)) == TopicOffset{0, 0, 0});
  CHECK(stats.offset_table.at(Queue("S", 1)) == TopicOffset{0, 2, t0 + 2000});
  // The queue keys are written as fastjson writes them, for Java's mqadmin.
  CHECK_THAT(f.Call(TopicStatsRequest("S")).body.ToString(),
             Catch::StartsWith(R"({"offsetTable":{{"brokerName":"broker-a","queueId":0,)"));

  RemotingCommand unknown = f.Call(TopicStatsRequest("Nope"));
  CHECK(unknown.code == rc::kTopicNotExist);
  CHECK(unknown.remark == "topic[Nope] not exist");
}

TEST_CASE("GET_CONSUME_STATS compares a group's offsets with each queue's end") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("C", 2).ok());
  REQUIRE(f.broker().CreateTopic("D", 1).ok());
  const int64_t t0 = f.clock().NowMillis();
  for (int i = 0; i < 3; ++i) {
    REQUIRE(f.Send(Message("C", "m"), 0).code == rc::kSuccess);
    f.clock().Advance(absl::Seconds(1));
  }
  REQUIRE(f.Send(Message("D", "m"), 0).code == rc::kSuccess);
  REQUIRE(f.Call(CommitRequest("G", "C", 0, 2)).code == rc::kSuccess);
  REQUIRE(f.Call(CommitRequest("G", "D", 0, 0)).code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();

  SECTION("one topic") {
    auto stats = BodyOf<ConsumeStats>(f.Call(ConsumeStatsRequest("G", "C")));
    REQUIRE(stats.offset_table.size() == 2);
    // Consumed up to offset 2: the last consumed message is the second, stored at t0 + 1 s.
    CHECK(stats.offset_table.at(Queue("C", 0)) == OffsetWrapper{3, 2, t0 + 1000});
    CHECK(stats.offset_table.at(Queue("C", 1)) == OffsetWrapper{0, 0, 0});
  }
  SECTION("no topic: every topic the group has offsets in") {
    auto stats = BodyOf<ConsumeStats>(f.Call(ConsumeStatsRequest("G", std::nullopt)));
    CHECK(stats.offset_table.size() == 3);
    CHECK(stats.offset_table.at(Queue("D", 0)) == OffsetWrapper{1, 0, 0});
  }
  SECTION("an unknown group has no progress") {
    CHECK(BodyOf<ConsumeStats>(f.Call(ConsumeStatsRequest("Other", std::nullopt)))
              .offset_table.empty());
  }
  SECTION("an online group's topics are those it subscribes to") {
    Client client(f, "c1");
    REQUIRE(client.Heartbeat("G", {"D"}).code == rc::kSuccess);
    auto stats = BodyOf<ConsumeStats>(f.Call(ConsumeStatsRequest("G", std::nullopt)));
    REQUIRE(stats.offset_table.size() == 1);
    CHECK(stats.offset_table.contains(Queue("D", 0)));
  }
}

TEST_CASE("consumeTps is the group's pull rate over the last minute") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("R", 1).ok());
  for (int i = 0; i < 20; ++i) REQUIRE(f.Send(Message("R", "m"), 0).code == rc::kSuccess);
  REQUIRE(f.Pull("G", "R", 0, 0, 32).code == rc::kSuccess);
  REQUIRE(f.Call(CommitRequest("G", "R", 0, 20)).code == rc::kSuccess);
  f.clock().Advance(absl::Seconds(10));  // the sampler runs every second
  auto stats = BodyOf<ConsumeStats>(f.Call(ConsumeStatsRequest("G", "R")));
  // 20 messages between the sample at start and the one 1 s later; the
  // window is the 10 s sampled so far.
  CHECK(stats.consume_tps == Approx(2.0));
}

TEST_CASE("GET_BROKER_RUNTIME_INFO counts messages and gives rates") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("K", 1).ok());
  const int64_t boot = f.clock().NowMillis();
  for (int i = 0; i < 5; ++i) REQUIRE(f.Send(Message("K", "m"), 0).code == rc::kSuccess);
  REQUIRE(f.Pull("G", "K", 0, 0).code == rc::kSuccess);
  f.clock().Advance(absl::Seconds(10));

  KVTable kv = BodyOf<KVTable>(f.Call(RemotingCommand::Request(rq::kGetBrokerRuntimeInfo)));
  auto& t = kv.table;
  CHECK(t.at("msgPutTotalTodayNow") == "5");
  CHECK(t.at("msgGetTotalTodayNow") == "5");
  CHECK(t.at("msgPutTotalTodayMorning") == "0");
  CHECK(t.at("bootTimestamp") == std::to_string(boot));
  CHECK(t.at("runtime") == "[ 0 days, 0 hours, 0 minutes, 10 seconds ]");
  // 5 messages in the 10 s window.
  CHECK(t.at("putTps") == "0.50 0.50 0.50");
  CHECK(t.at("getTransferedTps") == "0.50 0.50 0.50");
  CHECK(std::stoll(t.at("commitLogMaxOffset")) > 0);
  CHECK(t.at("commitLogMinOffset") == "0");
  CHECK(t.at("dispatchBehindBytes") == "0");
  CHECK(t.at("earliestMessageTimeStamp") == std::to_string(boot));
  CHECK(t.at("brokerVersionDesc") == "V4_9_4");
  const double disk = std::stod(t.at("commitLogDiskRatio"));
  CHECK(disk >= 0);
  CHECK(disk <= 1);
}

TEST_CASE("GET_CONSUMER_CONNECTION_LIST lists a group's members and subscriptions") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("T", 1).ok());
  auto list = [&](const std::string& group) {
    auto header = std::make_unique<internal::GetConsumerConnectionListRequestHeader>();
    header->consumer_group = group;
    return f.Call(RemotingCommand::Request(rq::kGetConsumerConnectionList, std::move(header)));
  };
  RemotingCommand offline = list("G");
  CHECK(offline.code == rc::kConsumerNotOnline);
  CHECK(offline.remark == "the consumer group[G] not online");

  Client a(f, "client-a");
  Client b(f, "client-b");
  REQUIRE(a.Heartbeat("G", {"T"}).code == rc::kSuccess);
  REQUIRE(b.Heartbeat("G", {"T"}).code == rc::kSuccess);
  auto connection = BodyOf<internal::ConsumerConnection>(list("G"));
  REQUIRE(connection.connection_set.size() == 2);
  std::vector<std::string> ids;
  for (const auto& c : connection.connection_set) {
    ids.push_back(c.client_id);
    CHECK_FALSE(c.client_addr.empty());
  }
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"client-a", "client-b"});
  REQUIRE(connection.subscription_table.contains("T"));
  CHECK(connection.message_model == "CLUSTERING");
  CHECK(connection.consume_type == "CONSUME_PASSIVELY");
}

TEST_CASE("INVOKE_BROKER_TO_RESET_OFFSET sends each member the offsets for a time") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("T", 1).ok());
  const int64_t t0 = f.clock().NowMillis();
  for (int i = 0; i < 4; ++i) {
    REQUIRE(f.Send(Message("T", "m"), 0).code == rc::kSuccess);
    f.clock().Advance(absl::Seconds(1));
  }
  f.broker().store()->WaitForDispatch();

  RemotingCommand no_offsets = f.Call(ResetRequest("G", "T", t0, false));
  CHECK(no_offsets.code == rc::kSystemError);
  CHECK_THAT(no_offsets.remark, Catch::Contains("has no offset"));
  CHECK(f.Call(ResetRequest("G", "Nope", t0, false)).code == rc::kSystemError);

  REQUIRE(f.Call(CommitRequest("G", "T", 0, 3)).code == rc::kSuccess);
  RemotingCommand offline = f.Call(ResetRequest("G", "T", t0 + 1000, false));
  CHECK(offline.code == rc::kConsumerNotOnline);

  Client member(f, "member");
  REQUIRE(member.Heartbeat("G", {"T"}).code == rc::kSuccess);
  SECTION("back in time: the offset of the message stored then") {
    auto body = BodyOf<internal::ResetOffsetBody>(f.Call(ResetRequest("G", "T", t0 + 1000, false)));
    CHECK(body.offset_table.at(Queue("T", 0)) == 1);
    // The member is told the same offsets (oneway, so wait for it).
    std::optional<std::string> sent;
    for (int i = 0; i < 1000 && !sent; ++i) {
      sent = member.handler.LastBody(rq::kResetConsumerClientOffset);
      if (!sent) absl::SleepFor(absl::Milliseconds(5));
    }
    REQUIRE(sent);
    auto told = internal::FromJson<internal::ResetOffsetBody>(*sent, "reset body");
    REQUIRE(told.ok());
    CHECK(told->offset_table == body.offset_table);
    // The broker's table is the member's to change, as in RocketMQ.
    CHECK(BodyOf<ConsumeStats>(f.Call(ConsumeStatsRequest("G", "T")))
              .offset_table.at(Queue("T", 0))
              .consumer_offset == 3);
  }
  SECTION("forward needs force; -1 is the end of each queue") {
    auto keep = BodyOf<internal::ResetOffsetBody>(f.Call(ResetRequest("G", "T", -1, false)));
    CHECK(keep.offset_table.at(Queue("T", 0)) == 3);
    auto forced = BodyOf<internal::ResetOffsetBody>(f.Call(ResetRequest("G", "T", -1, true)));
    CHECK(forced.offset_table.at(Queue("T", 0)) == 4);
  }
}

TEST_CASE("GET_CONSUMER_RUNNING_INFO is passed on to that consumer and answered with its answer") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("T", 1).ok());
  auto ask = [&](const std::string& client_id) {
    auto header = std::make_unique<internal::GetConsumerRunningInfoRequestHeader>();
    header->consumer_group = "G";
    header->client_id = client_id;
    return f.Call(RemotingCommand::Request(rq::kGetConsumerRunningInfo, std::move(header)));
  };
  RemotingCommand offline = ask("member");
  CHECK(offline.code == rc::kSystemError);
  CHECK(offline.remark == "The Consumer <G> <member> not online");

  Client member(f, "member");
  Client other(f, "other");
  REQUIRE(member.Heartbeat("G", {"T"}).code == rc::kSuccess);
  REQUIRE(other.Heartbeat("G", {"T"}).code == rc::kSuccess);
  CHECK(ask("member").code == rc::kSuccess);  // the member's handler answers SUCCESS
  CHECK(member.handler.LastBody(rq::kGetConsumerRunningInfo).has_value());
  CHECK_FALSE(other.handler.LastBody(rq::kGetConsumerRunningInfo).has_value());
}

TEST_CASE("DELETE_SUBSCRIPTIONGROUP removes the group, and with removeOffset its offsets") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("T", 1).ok());
  auto groups = [&] {
    return BodyOf<internal::SubscriptionGroupWrapper>(
               f.Call(RemotingCommand::Request(rq::kGetAllSubscriptionGroupConfig)))
        .subscription_group_table;
  };
  auto remove = [&](const std::string& group, std::optional<bool> remove_offset) {
    auto header = std::make_unique<internal::DeleteSubscriptionGroupRequestHeader>();
    header->group_name = group;
    header->remove_offset = remove_offset;
    return f.Call(RemotingCommand::Request(rq::kDeleteSubscriptionGroup, std::move(header)));
  };
  for (const char* group : {"Keep", "Drop"}) {
    internal::SubscriptionGroupConfig config;
    config.group_name = group;
    RemotingCommand create = RemotingCommand::Request(rq::kUpdateAndCreateSubscriptionGroup);
    create.body = internal::Payload(internal::ToJson(config));
    REQUIRE(f.Call(std::move(create)).code == rc::kSuccess);
    REQUIRE(f.Call(CommitRequest(group, "T", 0, 1)).code == rc::kSuccess);
    REQUIRE(groups().contains(group));
  }

  CHECK(remove("Keep", std::nullopt).code == rc::kSuccess);
  CHECK_FALSE(groups().contains("Keep"));
  CHECK(BodyOf<ConsumeStats>(f.Call(ConsumeStatsRequest("Keep", std::nullopt))).offset_table.size() == 1);

  CHECK(remove("Drop", true).code == rc::kSuccess);
  CHECK_FALSE(groups().contains("Drop"));
  CHECK(BodyOf<ConsumeStats>(f.Call(ConsumeStatsRequest("Drop", std::nullopt))).offset_table.empty());
  CHECK(remove("Never", true).code == rc::kSuccess);  // as RocketMQ: nothing to delete is fine
}

TEST_CASE("RateCounter: rates over the windows sampled so far") {
  internal::RateCounter counter;
  CHECK(counter.PerSecond(10000) == 0);
  counter.Sample(0);
  CHECK(counter.PerSecond(10000) == 0);  // one sample: no rate yet
  for (int s = 1; s <= 120; ++s) {
    counter.Add(s <= 60 ? 10 : 0);  // 10/s for a minute, then nothing
    counter.Sample(s * 1000);
  }
  CHECK(counter.PerSecond(10 * 1000) == 0);
  CHECK(counter.PerSecond(60 * 1000) == 0);
  CHECK(counter.PerSecond(120 * 1000) == Approx(5.0));
  CHECK(counter.PerSecond(600 * 1000) == Approx(5.0));  // only 120 s sampled
  CHECK(counter.total() == 600);
}

}  // namespace
}  // namespace rmq::testing
