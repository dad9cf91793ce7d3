// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The PULL_MESSAGE requests a PushConsumer sends, seen by a scripted name
// server + broker in this process: like Java's PullAPIWrapper, every pull
// carries the subscription's subVersion and expressionType (so that a broker
// holding an older subscription of the group answers SUBSCRIPTION_NOT_LATEST
// rather than filtering with it — Apache RocketMQ's broker compares them on
// every pull without FLAG_SUBSCRIPTION), and the expression only with
// postSubscriptionWhenPull.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/pull_api.h"
#include "support/temp_dir.h"
#include "unit/client/scripted_broker.h"

namespace rmq::internal {
namespace {

TEST_CASE("a push consumer's pulls carry the subscription's version and expression type",
          "[push][pull_request]") {
  rmq::testing::TempDir dir;
  const int64_t before_ms = absl::ToUnixMillis(absl::Now());
  PushConsumerConfig config =
      ScriptedConsumerConfig("scripted-1", "inproc://scripted-broker-1", dir.Sub("o"));
  ScriptedBroker broker("scripted-broker-1", config.BuildClientId());
  auto server = InprocServer::Bind("scripted-broker-1", &broker);
  REQUIRE(server.ok());

  PushConsumer consumer(config);
  REQUIRE(consumer.Subscribe("TopicS", "TagA || TagB").ok());
  consumer.RegisterMessageListener([](std::span<const MessageExt>, ConsumeConcurrentlyContext&) {
    return ConsumeConcurrentlyStatus::kConsumeSuccess;
  });
  REQUIRE(consumer.Start().ok());
  std::optional<PullMessageRequestHeader> pull = broker.FirstPullOf("TopicS");
  consumer.Shutdown();
  REQUIRE(pull.has_value());
  CHECK(pull->consumer_group == "ScriptedGroup");
  CHECK(pull->sub_version >= before_ms);  // the subscription's, not 0
  CHECK(pull->expression_type == std::optional<std::string>("TAG"));
  // Without postSubscriptionWhenPull the broker uses the heartbeat's copy.
  CHECK((pull->sys_flag & pull_sysflag::kSubscription) == 0);
  CHECK(!pull->subscription.has_value());
  CHECK((pull->sys_flag & pull_sysflag::kSuspend) != 0);
}

TEST_CASE("with postSubscriptionWhenPull a push consumer's pulls carry the expression too",
          "[push][pull_request]") {
  rmq::testing::TempDir dir;
  const int64_t before_ms = absl::ToUnixMillis(absl::Now());
  PushConsumerConfig config =
      ScriptedConsumerConfig("scripted-2", "inproc://scripted-broker-2", dir.Sub("o"));
  config.post_subscription_when_pull = true;
  ScriptedBroker broker("scripted-broker-2", config.BuildClientId());
  auto server = InprocServer::Bind("scripted-broker-2", &broker);
  REQUIRE(server.ok());

  PushConsumer consumer(config);
  REQUIRE(consumer.Subscribe("TopicS", "TagA || TagB").ok());
  consumer.RegisterMessageListener([](std::span<const MessageExt>, ConsumeConcurrentlyContext&) {
    return ConsumeConcurrentlyStatus::kConsumeSuccess;
  });
  REQUIRE(consumer.Start().ok());
  std::optional<PullMessageRequestHeader> pull = broker.FirstPullOf("TopicS");
  consumer.Shutdown();
  REQUIRE(pull.has_value());
  CHECK((pull->sys_flag & pull_sysflag::kSubscription) != 0);
  CHECK(pull->subscription == std::optional<std::string>("TagA || TagB"));
  CHECK(pull->sub_version >= before_ms);
  CHECK(pull->expression_type == std::optional<std::string>("TAG"));
}

TEST_CASE("BuildPullRequest sends the expression only with FLAG_SUBSCRIPTION", "[pull_request]") {
  SubscriptionData sub;
  sub.topic = "T";
  sub.sub_string = "TagA";
  sub.sub_version = 1700000000123;
  PullRequestArgs args;
  args.group = "G";
  args.queue = MessageQueue{"T", "b", 2};
  args.subscription = &sub;
  args.offset = 5;
  args.sys_flag = pull_sysflag::kSuspend;
  RemotingCommand request = BuildPullRequest(args);
  request.EncodeHeaderFields();
  CHECK(request.ext_fields.at("subVersion") == "1700000000123");
  CHECK(request.ext_fields.at("expressionType") == "TAG");
  CHECK(request.ext_fields.count("subscription") == 0);
  CHECK(request.ext_fields.at("queueOffset") == "5");

  args.sys_flag |= pull_sysflag::kSubscription;
  RemotingCommand with = BuildPullRequest(args);
  with.EncodeHeaderFields();
  CHECK(with.ext_fields.at("subscription") == "TagA");
  CHECK(with.ext_fields.at("subVersion") == "1700000000123");
}

}  // namespace
}  // namespace rmq::internal
