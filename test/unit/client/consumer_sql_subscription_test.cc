// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// SQL92 subscriptions on the client side (MessageSelector::BySql): what the
// subscription looks like in heartbeats and pulls (expressionType SQL92, the
// expression as given, no tags, so no client-side tag check), expressions
// refused at Subscribe, and the push consumer's CHECK_CLIENT_CONFIG before
// Start (RocketMQ's checkClientInBroker), whose refusal fails Start.

#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "client/subscription.h"
#include "support/temp_dir.h"
#include "unit/client/scripted_broker.h"

namespace rmq::internal {
namespace {

MessageListenerConcurrently Ignore() {
  return [](std::span<const MessageExt>, ConsumeConcurrentlyContext&) {
    return ConsumeConcurrentlyStatus::kConsumeSuccess;
  };
}

TEST_CASE("MessageSelector names RocketMQ's expression types", "[sql]") {
  MessageSelector sql = MessageSelector::BySql("a > 1");
  CHECK(sql.type() == MessageSelector::Type::kSql92);
  CHECK(sql.type_name() == "SQL92");
  CHECK(sql.expression() == "a > 1");
  MessageSelector tag = MessageSelector::ByTag("TagA");
  CHECK(tag.type() == MessageSelector::Type::kTag);
  CHECK(tag.type_name() == "TAG");
}

TEST_CASE("a SQL92 subscription carries the expression, its type and no tags", "[sql]") {
  auto sub = BuildSubscriptionData("T", MessageSelector::BySql("a between 3 and 5"), 42);
  REQUIRE(sub.ok());
  CHECK(sub->topic == "T");
  CHECK(sub->sub_string == "a between 3 and 5");
  CHECK(sub->expression_type == "SQL92");
  CHECK(sub->sub_version == 42);
  CHECK(sub->tags_set.empty());
  CHECK(sub->code_set.empty());
  // The broker's verdict is final: no tag check on the client.
  CHECK(MatchesSubscription(*sub, "AnyTag"));
  CHECK(MatchesSubscription(*sub, ""));

  auto by_tag = BuildSubscriptionData("T", MessageSelector::ByTag("TagA || TagB"), 42);
  REQUIRE(by_tag.ok());
  CHECK(by_tag->expression_type == "TAG");
  CHECK(by_tag->tags_set == std::set<std::string, std::less<>>{"TagA", "TagB"});
  CHECK_FALSE(MatchesSubscription(*by_tag, "TagC"));
  CHECK(MatchesSubscription(*by_tag, "TagB"));
  CHECK_FALSE(MatchesSubscription(*by_tag, "Tag"));
  CHECK_FALSE(MatchesSubscription(*by_tag, ""));
}

TEST_CASE("tags longer than a short string match exactly, from a view into the message",
          "[tags]") {
  const std::string long_tag = "OrderCreatedInWarehouseEast";
  auto sub = BuildSubscriptionData("T", MessageSelector::ByTag(long_tag + " || B"), 1);
  REQUIRE(sub.ok());
  const std::string properties = "TAGS\x01" + long_tag + "\x02";
  const std::string_view in_message = std::string_view(properties).substr(5, long_tag.size());
  CHECK(MatchesSubscription(*sub, in_message));
  CHECK(MatchesSubscription(*sub, "B"));
  CHECK_FALSE(MatchesSubscription(*sub, long_tag.substr(0, long_tag.size() - 1)));
  CHECK_FALSE(MatchesSubscription(*sub, long_tag + "X"));
}

TEST_CASE("an expression that does not compile is refused at Subscribe", "[sql]") {
  auto bad = BuildSubscriptionData("T", MessageSelector::BySql("a >"), 0);
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.status().message()),
             Catch::Contains("topic 'T'") && Catch::Contains("position"));
  CHECK(BuildSubscriptionData("T", MessageSelector::BySql(""), 0).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(BuildSubscriptionData("bad topic!", MessageSelector::BySql("a > 1"), 0).status().code() ==
        absl::StatusCode::kInvalidArgument);

  PushConsumerConfig push_config;
  push_config.group_name = "G";
  PushConsumer push(push_config);
  CHECK(push.Subscribe("T", MessageSelector::BySql("a BETWEEN 5 AND 1")).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(push.Subscribe("T", MessageSelector::BySql("a BETWEEN 1 AND 5")).ok());
  PullConsumerConfig pull_config;
  pull_config.group_name = "G";
  PullConsumer lite(pull_config);
  CHECK(lite.Subscribe("T", MessageSelector::BySql("a = ")).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(lite.Subscribe("T", MessageSelector::BySql("a = 1")).ok());
}

TEST_CASE("a SQL92 push consumer checks with the broker before it starts, then heartbeats and "
          "pulls with SQL92", "[sql][push]") {
  rmq::testing::TempDir dir;
  PushConsumerConfig config =
      ScriptedConsumerConfig("scripted-sql-1", "inproc://scripted-sql-1", dir.Sub("o"));
  ScriptedBroker broker("scripted-sql-1", config.BuildClientId());
  auto server = InprocServer::Bind("scripted-sql-1", &broker);
  REQUIRE(server.ok());

  PushConsumer consumer(config);
  REQUIRE(consumer.Subscribe("TopicQ", MessageSelector::BySql("a between 3 and 5")).ok());
  REQUIRE(consumer.Subscribe("TopicT", "TagA").ok());
  consumer.RegisterMessageListener(Ignore());
  absl::Status started = consumer.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  std::optional<PullMessageRequestHeader> pull = broker.FirstPullOf("TopicQ");
  consumer.Shutdown();

  // One check, for the SQL92 subscription only.
  std::vector<CheckClientRequestBody> checks = broker.checks();
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].client_id == config.BuildClientId());
  CHECK(checks[0].group == "ScriptedGroup");
  REQUIRE(checks[0].subscription_data.has_value());
  CHECK(checks[0].subscription_data->topic == "TopicQ");
  CHECK(checks[0].subscription_data->expression_type == "SQL92");
  CHECK(checks[0].subscription_data->sub_string == "a between 3 and 5");

  std::vector<HeartbeatData> heartbeats = broker.heartbeats();
  REQUIRE_FALSE(heartbeats.empty());
  REQUIRE(heartbeats[0].consumer_data_set.size() == 1);
  bool saw_sql = false;
  for (const SubscriptionData& sub : heartbeats[0].consumer_data_set[0].subscription_data_set) {
    if (sub.topic == "TopicQ") {
      saw_sql = true;
      CHECK(sub.expression_type == "SQL92");
      CHECK(sub.sub_string == "a between 3 and 5");
      CHECK(sub.tags_set.empty());
    } else {
      // TopicT and the retry topic stay tag subscriptions.
      CHECK(sub.expression_type == "TAG");
    }
  }
  CHECK(saw_sql);

  REQUIRE(pull.has_value());
  CHECK(pull->expression_type == std::optional<std::string>("SQL92"));
}

TEST_CASE("a broker's refusal of a SQL92 subscription fails Start with its reason",
          "[sql][push]") {
  rmq::testing::TempDir dir;
  PushConsumerConfig config =
      ScriptedConsumerConfig("scripted-sql-2", "inproc://scripted-sql-2", dir.Sub("o"));
  ScriptedBroker broker("scripted-sql-2", config.BuildClientId());
  auto server = InprocServer::Bind("scripted-sql-2", &broker);
  REQUIRE(server.ok());

  SECTION("enablePropertyFilter off: FailedPrecondition") {
    broker.set_check_answer(response_code::kSystemError,
                            "The broker does not support consumer to filter message by SQL92");
    PushConsumer consumer(config);
    REQUIRE(consumer.Subscribe("TopicQ", MessageSelector::BySql("a > 1")).ok());
    consumer.RegisterMessageListener(Ignore());
    absl::Status started = consumer.Start();
    CHECK(started.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(started.message()),
               Catch::Contains("ScriptedGroup") && Catch::Contains("TopicQ") &&
                   Catch::Contains("does not support consumer to filter message by SQL92"));
  }
  SECTION("the broker cannot compile it: InvalidArgument") {
    broker.set_check_answer(response_code::kSubscriptionParseFailed, "bad expression");
    PushConsumer consumer(config);
    REQUIRE(consumer.Subscribe("TopicQ", MessageSelector::BySql("a > 1")).ok());
    consumer.RegisterMessageListener(Ignore());
    absl::Status started = consumer.Start();
    CHECK(started.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(started.message()), Catch::Contains("bad expression"));
  }
  // Nothing was started: no heartbeat, no pull.
  CHECK(broker.heartbeats().empty());
  CHECK(broker.pull_count() == 0);
}

TEST_CASE("a tag-only push consumer asks the broker nothing", "[sql][push]") {
  rmq::testing::TempDir dir;
  PushConsumerConfig config =
      ScriptedConsumerConfig("scripted-sql-3", "inproc://scripted-sql-3", dir.Sub("o"));
  ScriptedBroker broker("scripted-sql-3", config.BuildClientId());
  auto server = InprocServer::Bind("scripted-sql-3", &broker);
  REQUIRE(server.ok());
  broker.set_check_answer(response_code::kSystemError, "must not be asked");
  PushConsumer consumer(config);
  REQUIRE(consumer.Subscribe("TopicT", MessageSelector::ByTag("*")).ok());
  consumer.RegisterMessageListener(Ignore());
  REQUIRE(consumer.Start().ok());
  consumer.Shutdown();
  CHECK(broker.checks().empty());
}

}  // namespace
}  // namespace rmq::internal
