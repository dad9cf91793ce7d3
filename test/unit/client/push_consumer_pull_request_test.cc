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

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/pull_api.h"
#include "remoting/inproc_transport.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/consumer.h"
#include "support/temp_dir.h"

namespace rmq::internal {
namespace {

// Name server and broker in one: routes every topic to itself (one queue),
// lists `client_id` as the group's only member, and records pulls, holding
// them (as a broker does when there is nothing new) until destroyed.
class ScriptedBroker final : public RequestHandler {
 public:
  ScriptedBroker(std::string name, std::string client_id)
      : name_(std::move(name)), client_id_(std::move(client_id)) {}

  std::string address() const { return "inproc://" + name_; }

  void HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand request,
                     Responder responder) override {
    (void)channel;
    switch (request.code) {
      case request_code::kGetRouteInfoByTopic: {
        TopicRouteData route;
        route.queue_datas.push_back({.broker_name = "scripted", .read_queue_nums = 1,
                                     .write_queue_nums = 1, .perm = 6, .topic_sys_flag = 0});
        BrokerData broker;
        broker.cluster = "c";
        broker.broker_name = "scripted";
        broker.broker_addrs[0] = address();
        route.broker_datas.push_back(broker);
        auto response = RemotingCommand::Response(response_code::kSuccess);
        response.body = Payload(ToJson(route));
        responder.Respond(std::move(response));
        return;
      }
      case request_code::kGetConsumerListByGroup: {
        ConsumerIdList ids;
        ids.consumer_id_list.push_back(client_id_);
        auto response = RemotingCommand::Response(response_code::kSuccess);
        response.body = Payload(ToJson(ids));
        responder.Respond(std::move(response));
        return;
      }
      case request_code::kQueryConsumerOffset: {
        auto header = std::make_unique<OffsetResponseHeader>();
        header->offset = 0;
        responder.Respond(RemotingCommand::Response(response_code::kSuccess, "", std::move(header)));
        return;
      }
      case request_code::kPullMessage: {
        auto header = request.DecodeHeader<PullMessageRequestHeader>();
        REQUIRE(header.ok());
        absl::MutexLock lock(&mu_);
        pulls_.push_back(**header);
        held_.push_back(std::move(responder));
        return;
      }
      default:
        responder.Respond(RemotingCommand::Response(response_code::kSuccess));
    }
  }

  // The first pull of `topic`, waiting for it up to a guard of real time.
  std::optional<PullMessageRequestHeader> FirstPullOf(const std::string& topic) {
    absl::MutexLock lock(&mu_);
    auto find = [&]() -> const PullMessageRequestHeader* {
      for (const auto& p : pulls_) {
        if (p.topic == topic) return &p;
      }
      return nullptr;
    };
    auto seen = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return find() != nullptr; };
    mu_.AwaitWithTimeout(absl::Condition(&seen), absl::Seconds(20));
    const PullMessageRequestHeader* p = find();
    if (p == nullptr) return std::nullopt;
    return *p;
  }

 private:
  const std::string name_;
  const std::string client_id_;
  absl::Mutex mu_;
  std::vector<PullMessageRequestHeader> pulls_ ABSL_GUARDED_BY(mu_);
  std::vector<Responder> held_ ABSL_GUARDED_BY(mu_);
};

PushConsumerConfig ConfigFor(const std::string& instance, const std::string& address,
                             const std::string& offsets_dir) {
  PushConsumerConfig config;
  config.group_name = "ScriptedGroup";
  config.instance_name = instance;
  config.namesrv_addr = address;
  config.local_offset_store_dir = offsets_dir;
  return config;
}

TEST_CASE("a push consumer's pulls carry the subscription's version and expression type",
          "[push][pull_request]") {
  rmq::testing::TempDir dir;
  const int64_t before_ms = absl::ToUnixMillis(absl::Now());
  PushConsumerConfig config = ConfigFor("scripted-1", "inproc://scripted-broker-1", dir.Sub("o"));
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
  PushConsumerConfig config = ConfigFor("scripted-2", "inproc://scripted-broker-2", dir.Sub("o"));
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
