// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// SQL92 subscriptions at the broker: pulls filtered by each record's
// properties (system ones like TAGS and KEYS included, missing properties
// never matching), enablePropertyFilter, parse failures, and the
// ConsumerFilterManager's cache: one compilation per subscription version,
// from heartbeats or from the pull's own subscription, dropped with the
// subscription; and CHECK_CLIENT_CONFIG, a push consumer's question before
// it starts.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "broker/broker_impl.h"
#include "unit/broker/broker_fixture.h"

namespace rmq::testing {
namespace {

using internal::PullMessageResponseHeader;
namespace flag = internal::pull_sysflag;

void EnableSql(BrokerConfig& config) { config.enable_property_filter = true; }

const internal::ConsumerFilterManager& Filters(BrokerFixture& f) {
  return static_cast<internal::BrokerImpl&>(f.broker()).filters();
}

// A message with tag `tags`, key "k<body>" and user property a = `a` (none if empty).
Message WithA(const std::string& topic, const std::string& tags, const std::string& body,
              const std::string& a) {
  Message msg(topic, tags, "k" + body, body);
  if (!a.empty()) msg.PutProperty("a", a);
  return msg;
}

// Sends into queue 0 of `topic`: bodies "0".."9", a = body (but none for 4
// and 7), tags TagA for even bodies, TagB for odd ones.
void SendMixed(BrokerFixture& f, const std::string& topic) {
  for (int i = 0; i < 10; ++i) {
    const std::string a = (i == 4 || i == 7) ? "" : std::to_string(i);
    REQUIRE(f.Send(WithA(topic, i % 2 == 0 ? "TagA" : "TagB", std::to_string(i), a)).code ==
            rc::kSuccess);
  }
  f.broker().store()->WaitForDispatch();
}

RemotingCommand SqlPull(const std::string& group, const std::string& topic, int64_t offset,
                        std::optional<std::string> expression, int64_t sub_version = 0,
                        int32_t max = 32) {
  RemotingCommand request =
      BrokerFixture::PullRequest(group, topic, 0, offset, max, std::move(expression));
  auto* header = static_cast<internal::PullMessageRequestHeader*>(request.header.get());
  header->expression_type = "SQL92";
  header->sub_version = sub_version;
  return request;
}

std::vector<std::string> Bodies(const RemotingCommand& response) {
  std::vector<std::string> out;
  for (const MessageExt& m : DecodeRecords(response.body)) out.push_back(m.body());
  return out;
}

// HEART_BEAT of a consumer of `group` subscribing to `topic` with SQL92 `expression`.
RemotingCommand SqlHeartbeat(const std::string& group, const std::string& topic,
                             const std::string& expression, int64_t sub_version) {
  internal::HeartbeatData hb;
  hb.client_id = "sql-client";
  internal::ConsumerData consumer;
  consumer.group_name = group;
  internal::SubscriptionData sub;
  sub.topic = topic;
  sub.sub_string = expression;
  sub.expression_type = "SQL92";
  sub.sub_version = sub_version;
  consumer.subscription_data_set.push_back(sub);
  hb.consumer_data_set.push_back(consumer);
  return BrokerFixture::HeartbeatRequest(hb);
}

TEST_CASE("a SQL92 pull returns exactly the messages whose properties match") {
  BrokerFixture f(EnableSql);
  REQUIRE(f.broker().CreateTopic("Sql", 1).ok());
  SendMixed(f, "Sql");

  SECTION("a user property; messages without it never match") {
    RemotingCommand r = f.Call(SqlPull("G", "Sql", 0, "a between 3 and 5"));
    REQUIRE(r.code == rc::kSuccess);
    CHECK(Bodies(r) == std::vector<std::string>{"3", "5"});  // 4 has no `a`
    CHECK(ResponseHeader<PullMessageResponseHeader>(r).next_begin_offset == 10);
    RemotingCommand missing = f.Call(SqlPull("G", "Sql", 0, "a IS NULL"));
    CHECK(Bodies(missing) == std::vector<std::string>{"4", "7"});
    // NOT over a missing property is null, not TRUE.
    RemotingCommand negated = f.Call(SqlPull("G", "Sql", 0, "NOT (a > 5)"));
    CHECK(Bodies(negated) == std::vector<std::string>{"0", "1", "2", "3", "5"});
  }
  SECTION("system properties: TAGS and KEYS") {
    RemotingCommand r = f.Call(SqlPull("G", "Sql", 0, "TAGS = 'TagB' AND a > 2"));
    REQUIRE(r.code == rc::kSuccess);
    CHECK(Bodies(r) == std::vector<std::string>{"3", "5", "9"});
    RemotingCommand keys = f.Call(SqlPull("G", "Sql", 0, "KEYS IN ('k1', 'k8')"));
    CHECK(Bodies(keys) == std::vector<std::string>{"1", "8"});
  }
  SECTION("a pull that starts past matches and stops at maxMsgNums moves its offset like a tag "
          "filter") {
    RemotingCommand r = f.Call(SqlPull("G", "Sql", 2, "a >= 3", 0, /*max=*/2));
    REQUIRE(r.code == rc::kSuccess);
    CHECK(Bodies(r) == std::vector<std::string>{"3", "5"});
    CHECK(ResponseHeader<PullMessageResponseHeader>(r).next_begin_offset == 6);
  }
  SECTION("nothing matches: PULL_RETRY_IMMEDIATELY past the rejected messages") {
    RemotingCommand r = f.Call(SqlPull("G", "Sql", 0, "a > 100"));
    CHECK(r.code == rc::kPullRetryImmediately);
    CHECK(r.remark == "NO_MATCHED_MESSAGE");
    CHECK(ResponseHeader<PullMessageResponseHeader>(r).next_begin_offset == 10);
  }
  SECTION("a value that does not convert fails the evaluation: no match") {
    REQUIRE(f.Send(WithA("Sql", "TagA", "x", "not-a-number")).code == rc::kSuccess);
    f.broker().store()->WaitForDispatch();
    RemotingCommand r = f.Call(SqlPull("G", "Sql", 9, "a > 0 OR TAGS = 'TagA'"));
    REQUIRE(r.code == rc::kSuccess);
    CHECK(Bodies(r) == std::vector<std::string>{"9"});
  }
}

TEST_CASE("without enablePropertyFilter a SQL92 pull gets SYSTEM_ERROR and nothing is compiled") {
  BrokerFixture f;  // RocketMQ's default: false
  REQUIRE(f.broker().CreateTopic("Sql", 1).ok());
  SendMixed(f, "Sql");
  RemotingCommand r = f.Call(SqlPull("G", "Sql", 0, "a > 1"));
  CHECK(r.code == rc::kSystemError);
  CHECK_THAT(r.remark,
             Catch::StartsWith("The broker does not support consumer to filter message by SQL92") &&
                 Catch::Contains("enablePropertyFilter"));
  // Nor from heartbeats.
  REQUIRE(f.Call(SqlHeartbeat("HG", "Sql", "a > 1", 1)).code == rc::kSuccess);
  RemotingCommand from_heartbeat = f.Call(SqlPull("HG", "Sql", 0, std::nullopt, 1));
  CHECK(from_heartbeat.code == rc::kSystemError);
  CHECK(Filters(f).compilations() == 0);
  CHECK(Filters(f).size() == 0);
  // Tags still work.
  CHECK(f.Pull("G", "Sql", 0, 0, 32, "TagA").code == rc::kSuccess);
}

TEST_CASE("an expression that does not compile gets SUBSCRIPTION_PARSE_FAILED with the reason") {
  BrokerFixture f(EnableSql);
  REQUIRE(f.broker().CreateTopic("Sql", 1).ok());
  SendMixed(f, "Sql");
  RemotingCommand r = f.Call(SqlPull("G", "Sql", 0, "a > "));
  CHECK(r.code == rc::kSubscriptionParseFailed);
  CHECK(r.code == 23);
  CHECK_THAT(r.remark, Catch::Contains("group G, topic Sql") && Catch::Contains("position 5"));
  // The error is cached: the same text is not compiled again.
  REQUIRE(Filters(f).compilations() == 1);
  CHECK(f.Call(SqlPull("G", "Sql", 0, "a > ")).code == rc::kSubscriptionParseFailed);
  CHECK(Filters(f).compilations() == 1);

  RemotingCommand empty = f.Call(SqlPull("G", "Sql", 0, ""));
  CHECK(empty.code == rc::kSubscriptionParseFailed);
  RemotingCommand other_type = SqlPull("G", "Sql", 0, "a > 1");
  static_cast<internal::PullMessageRequestHeader*>(other_type.header.get())->expression_type =
      "CLASS";
  RemotingCommand unknown = f.Call(std::move(other_type));
  CHECK(unknown.code == rc::kSubscriptionParseFailed);
  CHECK_THAT(unknown.remark, Catch::Contains("'CLASS' is not supported"));

  // A heartbeat's bad expression: its pulls get the same answer.
  REQUIRE(f.Call(SqlHeartbeat("HG", "Sql", "a BETWEEN 10 AND 1", 1)).code == rc::kSuccess);
  RemotingCommand from_heartbeat = f.Call(SqlPull("HG", "Sql", 0, std::nullopt, 1));
  CHECK(from_heartbeat.code == rc::kSubscriptionParseFailed);
  CHECK_THAT(from_heartbeat.remark, Catch::Contains("group HG"));
}

TEST_CASE("a heartbeat's SQL92 subscription is compiled once and reused by every pull") {
  BrokerFixture f(EnableSql);
  REQUIRE(f.broker().CreateTopic("Sql", 1).ok());
  SendMixed(f, "Sql");
  auto client = internal::NewClientTransport(UniqueName("sql-client"), nullptr, f.clock_ptr());
  auto call = [&](RemotingCommand request) {
    auto r = client->InvokeSync(f.config().broker_addr, std::move(request), absl::Seconds(3));
    REQUIRE(r.ok());
    return *std::move(r);
  };

  REQUIRE(call(SqlHeartbeat("HG", "Sql", "a < 3", 100)).code == rc::kSuccess);
  CHECK(Filters(f).compilations() == 1);
  REQUIRE(Filters(f).Find("HG", "Sql") != nullptr);
  for (int i = 0; i < 3; ++i) {
    // No FLAG_SUBSCRIPTION: the broker's copy of the subscription decides.
    RemotingCommand r = call(SqlPull("HG", "Sql", 0, std::nullopt, 100));
    REQUIRE(r.code == rc::kSuccess);
    CHECK(Bodies(r) == std::vector<std::string>{"0", "1", "2"});
  }
  // The same expression again, with a later version or without: nothing to compile.
  REQUIRE(call(SqlHeartbeat("HG", "Sql", "a < 3", 100)).code == rc::kSuccess);
  REQUIRE(call(SqlHeartbeat("HG", "Sql", "a < 3", 200)).code == rc::kSuccess);
  CHECK(Filters(f).compilations() == 1);
  // A pull carrying the same expression finds it too.
  CHECK(Bodies(call(SqlPull("HG", "Sql", 0, "a < 3", 200))) ==
        std::vector<std::string>{"0", "1", "2"});
  CHECK(Filters(f).compilations() == 1);

  // A new version with a new expression replaces it; pulls filter with it.
  REQUIRE(call(SqlHeartbeat("HG", "Sql", "a >= 8", 300)).code == rc::kSuccess);
  CHECK(Filters(f).compilations() == 2);
  CHECK(Filters(f).Find("HG", "Sql")->expression == "a >= 8");
  CHECK(Bodies(call(SqlPull("HG", "Sql", 0, std::nullopt, 300))) ==
        std::vector<std::string>{"8", "9"});
  // A pull newer than the broker's subscription: SUBSCRIPTION_NOT_LATEST, as before.
  CHECK(call(SqlPull("HG", "Sql", 0, std::nullopt, 301)).code == rc::kSubscriptionNotLatest);
  CHECK(Filters(f).compilations() == 2);

  // The group's last member leaves: its filters go.
  auto header = std::make_unique<internal::UnregisterClientRequestHeader>();
  header->client_id = "sql-client";
  header->consumer_group = "HG";
  REQUIRE(call(RemotingCommand::Request(rq::kUnregisterClient, std::move(header))).code ==
          rc::kSuccess);
  CHECK(Filters(f).Find("HG", "Sql") == nullptr);
  CHECK(Filters(f).size() == 0);
  client->Shutdown();
}

TEST_CASE("a group's filters go when its last member's channel closes or expires") {
  BrokerFixture f(EnableSql);
  REQUIRE(f.broker().CreateTopic("Sql", 1).ok());
  auto client = internal::NewClientTransport(UniqueName("sql-client"), nullptr, f.clock_ptr());
  auto heartbeat = client->InvokeSync(f.config().broker_addr, SqlHeartbeat("HG", "Sql", "a > 1", 1),
                                      absl::Seconds(3));
  REQUIRE(heartbeat.ok());
  REQUIRE(Filters(f).Find("HG", "Sql") != nullptr);
  SECTION("closed") {
    client->Shutdown();
    CHECK(Filters(f).Find("HG", "Sql") == nullptr);
  }
  SECTION("silent past channelExpiredTimeout") {
    f.clock().Advance(absl::Milliseconds(f.config().channel_expired_timeout + 10000));
    CHECK(Filters(f).Find("HG", "Sql") == nullptr);
    client->Shutdown();
  }
}

TEST_CASE("a pull's own SQL92 subscription is compiled once per version") {
  BrokerFixture f(EnableSql);
  REQUIRE(f.broker().CreateTopic("Sql", 1).ok());
  SendMixed(f, "Sql");
  for (int i = 0; i < 3; ++i) {
    CHECK(Bodies(f.Call(SqlPull("G", "Sql", 0, "a = 6", 10))) == std::vector<std::string>{"6"});
  }
  CHECK(Filters(f).compilations() == 1);
  // A newer version with another expression is compiled and kept.
  CHECK(Bodies(f.Call(SqlPull("G", "Sql", 0, "a = 5", 11))) == std::vector<std::string>{"5"});
  CHECK(Filters(f).compilations() == 2);
  CHECK(Filters(f).Find("G", "Sql")->expression == "a = 5");
  CHECK(Bodies(f.Call(SqlPull("G", "Sql", 0, "a = 5", 11))) == std::vector<std::string>{"5"});
  CHECK(Filters(f).compilations() == 2);
  // An older version filters with its own expression but does not replace the newer one.
  CHECK(Bodies(f.Call(SqlPull("G", "Sql", 0, "a = 6", 10))) == std::vector<std::string>{"6"});
  CHECK(Filters(f).Find("G", "Sql")->expression == "a = 5");
}

TEST_CASE("a heartbeat that drops a SQL92 subscription, or turns it into tags, drops its filter") {
  BrokerFixture f(EnableSql);
  REQUIRE(f.broker().CreateTopic("Sql", 1).ok());
  REQUIRE(f.broker().CreateTopic("Other", 1).ok());
  REQUIRE(f.Call(SqlHeartbeat("HG", "Sql", "a > 1", 1)).code == rc::kSuccess);
  REQUIRE(Filters(f).size() == 1);

  internal::HeartbeatData hb;
  hb.client_id = "sql-client";
  internal::ConsumerData consumer;
  consumer.group_name = "HG";
  internal::SubscriptionData by_tag;
  by_tag.topic = "Sql";
  by_tag.sub_version = 2;
  internal::SubscriptionData other;
  other.topic = "Other";
  other.sub_string = "b = 'x'";
  other.expression_type = "SQL92";
  other.sub_version = 2;
  SECTION("turned into a tag subscription") {
    consumer.subscription_data_set = {by_tag, other};
    hb.consumer_data_set.push_back(consumer);
    REQUIRE(f.Call(BrokerFixture::HeartbeatRequest(hb)).code == rc::kSuccess);
    CHECK(Filters(f).Find("HG", "Sql") == nullptr);
    CHECK(Filters(f).Find("HG", "Other") != nullptr);
  }
  SECTION("dropped") {
    consumer.subscription_data_set = {other};
    hb.consumer_data_set.push_back(consumer);
    REQUIRE(f.Call(BrokerFixture::HeartbeatRequest(hb)).code == rc::kSuccess);
    CHECK(Filters(f).Find("HG", "Sql") == nullptr);
    CHECK(Filters(f).size() == 1);
  }
}

TEST_CASE("a held SQL92 pull is answered by the first matching message") {
  BrokerFixture f(EnableSql);
  REQUIRE(f.broker().CreateTopic("Sql", 1).ok());
  RemotingCommand request = SqlPull("G", "Sql", 0, "a = 2");
  static_cast<internal::PullMessageRequestHeader*>(request.header.get())->sys_flag |=
      flag::kSuspend;
  auto pending = f.CallAsync(std::move(request));
  CHECK_FALSE(pending->done.HasBeenNotified());
  // A message whose properties do not match does not wake the pull (as
  // RocketMQ's arrival check, which reads them as well as the tags code).
  REQUIRE(f.Send(WithA("Sql", "TagA", "1", "1")).code == rc::kSuccess);
  REQUIRE(f.Send(Message("Sql", "TagA", "no a at all")).code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();
  CHECK_FALSE(pending->done.HasBeenNotified());

  REQUIRE(f.Send(WithA("Sql", "TagA", "2", "2")).code == rc::kSuccess);
  pending->done.WaitForNotification();
  REQUIRE(pending->result.ok());
  REQUIRE(pending->result->code == rc::kSuccess);
  CHECK(Bodies(*pending->result) == std::vector<std::string>{"2"});
  CHECK(ResponseHeader<PullMessageResponseHeader>(*pending->result).next_begin_offset == 3);
}

RemotingCommand CheckClientConfig(const std::string& type, const std::string& expression) {
  internal::CheckClientRequestBody body;
  body.client_id = "sql-client";
  body.group = "G";
  internal::SubscriptionData sub;
  sub.topic = "Sql";
  sub.sub_string = expression;
  sub.expression_type = type;
  body.subscription_data = sub;
  RemotingCommand request = RemotingCommand::Request(rq::kCheckClientConfig);
  request.body = internal::Payload(internal::ToJson(body));
  return request;
}

TEST_CASE("CHECK_CLIENT_CONFIG compiles a SQL92 subscription and says why it cannot be served") {
  BrokerFixture f(EnableSql);
  RemotingCommand ok = f.Call(CheckClientConfig("SQL92", "a between 3 and 5"));
  CHECK(ok.code == rc::kSuccess);
  CHECK(ok.remark.empty());
  RemotingCommand bad = f.Call(CheckClientConfig("SQL92", "a between 5 and 3"));
  CHECK(bad.code == rc::kSubscriptionParseFailed);
  CHECK_THAT(bad.remark, Catch::Contains("SQL filter") && Catch::Contains("BETWEEN"));
  RemotingCommand unknown = f.Call(CheckClientConfig("CLASS", "x"));
  CHECK(unknown.code == rc::kSubscriptionParseFailed);
  // Tags need no check; nor does a request without a subscription or a body.
  CHECK(f.Call(CheckClientConfig("TAG", "a between 5 and 3")).code == rc::kSuccess);
  RemotingCommand no_sub = RemotingCommand::Request(rq::kCheckClientConfig);
  no_sub.body = internal::Payload(std::string(R"({"clientId":"c","group":"G"})"));
  CHECK(f.Call(std::move(no_sub)).code == rc::kSuccess);
  CHECK(f.Call(RemotingCommand::Request(rq::kCheckClientConfig)).code == rc::kSuccess);
  // A body that is not JSON: SYSTEM_ERROR saying so.
  RemotingCommand garbage = RemotingCommand::Request(rq::kCheckClientConfig);
  garbage.body = internal::Payload(std::string("{not json"));
  RemotingCommand garbage_response = f.Call(std::move(garbage));
  CHECK(garbage_response.code == rc::kSystemError);
  CHECK_THAT(garbage_response.remark, Catch::Contains("CHECK_CLIENT_CONFIG body"));
  // Checking caches nothing: the subscription arrives with the heartbeat.
  CHECK(Filters(f).size() == 0);
}

TEST_CASE("CHECK_CLIENT_CONFIG without enablePropertyFilter: SYSTEM_ERROR for SQL92 only") {
  BrokerFixture f;
  RemotingCommand r = f.Call(CheckClientConfig("SQL92", "a between 3 and 5"));
  CHECK(r.code == rc::kSystemError);
  CHECK_THAT(r.remark,
             Catch::StartsWith("The broker does not support consumer to filter message by SQL92"));
  CHECK(f.Call(CheckClientConfig("TAG", "*")).code == rc::kSuccess);
}

}  // namespace
}  // namespace rmq::testing
