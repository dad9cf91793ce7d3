// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The sync send's retries (RocketMQ 4.9's sendDefaultImpl): up to
// 1 + retryTimesWhenSendFailed attempts, each on another broker, all within
// sendMsgTimeout; transport failures and retryResponseCodes are retried,
// other broker errors are not.

#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "unit/client/producer_test_cluster.h"

namespace rmq::testing {
namespace {

TEST_CASE("a send the broker answers with a retryable code is retried on the other broker") {
  for (int32_t code : {rc::kSystemError, rc::kServiceNotAvailable, rc::kTopicNotExist,
                       rc::kNoPermission}) {
    DYNAMIC_SECTION("response code " << code) {
      ProducerTestCluster cluster(2);
      cluster.AddTopic("TopicA", 2);
      auto producer = StartedProducer(cluster.Config());
      // Whichever broker is asked first fails; the other stores.
      std::atomic<int> calls{0};
      std::atomic<FakeBroker*> first{nullptr};
      auto policy = [&](FakeBroker* broker) {
        return [&, broker](const ReceivedSend& send) -> std::optional<RemotingCommand> {
          if (calls.fetch_add(1) == 0) {
            first = broker;
            return RemotingCommand::Response(code, "injected");
          }
          return broker->Stored(send);
        };
      };
      cluster.broker(0).SetPolicy(policy(&cluster.broker(0)));
      cluster.broker(1).SetPolicy(policy(&cluster.broker(1)));
      Message msg("TopicA", "payload");
      auto result = producer->Send(msg);
      INFO(result.status().ToString());
      REQUIRE(result.ok());
      REQUIRE(cluster.broker(0).send_count() == 1);
      REQUIRE(cluster.broker(1).send_count() == 1);
      REQUIRE(first.load() != nullptr);
      CHECK(result->message_queue.broker_name != first.load()->name());
      // The same message (same UNIQ_KEY) both times.
      CHECK(cluster.broker(0).sends()[0].properties.at("UNIQ_KEY") ==
            cluster.broker(1).sends()[0].properties.at("UNIQ_KEY"));
      CHECK(result->msg_id == cluster.broker(0).sends()[0].properties.at("UNIQ_KEY"));
    }
  }
}

TEST_CASE("an unreachable broker is retried elsewhere, and the route is asked for again") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 2);
  auto producer = StartedProducer(cluster.Config());
  REQUIRE(producer->Send(Message("TopicA", "warm")).ok());
  const int route_requests = cluster.namesrv().route_requests("TopicA");
  cluster.server(0).SetReachable(false);
  for (int i = 0; i < 6; ++i) {
    auto result = producer->Send(Message("TopicA", "x"));
    INFO(result.status().ToString());
    REQUIRE(result.ok());
    CHECK(result->message_queue.broker_name == "broker-b");
  }
  // Each send that met broker-a refreshed the route.
  CHECK(cluster.namesrv().route_requests("TopicA") > route_requests);
}

TEST_CASE("when every attempt fails the error names the topic, the brokers tried and the last error") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 2);
  ProducerConfig config = cluster.Config();
  config.retry_times_when_send_failed = 3;
  auto producer = StartedProducer(config);
  cluster.broker(0).AnswerWith(rc::kSystemError, "disk on fire");
  cluster.broker(1).AnswerWith(rc::kSystemError, "disk on fire");
  auto result = producer->Send(Message("TopicA", "x"));
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kInternal);
  std::string message(result.status().message());
  CHECK_THAT(message, Catch::Contains("TopicA") && Catch::Contains("4 attempt") &&
                          Catch::Contains("broker-a") && Catch::Contains("broker-b") &&
                          Catch::Contains("disk on fire"));
  // Attempts alternate between the brokers.
  CHECK(cluster.broker(0).send_count() == 2);
  CHECK(cluster.broker(1).send_count() == 2);
}

TEST_CASE("MESSAGE_ILLEGAL and other codes outside retryResponseCodes are not retried") {
  // SYSTEM_BUSY joined retryResponseCodes only in RocketMQ 5.1; 4.9 gives up.
  for (int32_t code : {rc::kMessageIllegal, rc::kSystemBusy, rc::kSubscriptionGroupNotExist}) {
    DYNAMIC_SECTION("response code " << code) {
      ProducerTestCluster cluster(2);
      cluster.AddTopic("TopicA", 2);
      auto producer = StartedProducer(cluster.Config());
      cluster.broker(0).AnswerWith(code, "refused");
      cluster.broker(1).AnswerWith(code, "refused");
      auto result = producer->Send(Message("TopicA", "x"));
      REQUIRE_FALSE(result.ok());
      CHECK_THAT(std::string(result.status().message()),
                 Catch::Contains("TopicA") && Catch::Contains("refused"));
      CHECK(cluster.broker(0).send_count() + cluster.broker(1).send_count() == 1);
    }
  }
}

TEST_CASE("a stored but not SEND_OK result is returned, or retried with retryAnotherBrokerWhenNotStoreOK") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 2);
  auto flush_timeout = [](FakeBroker* broker) {
    return [broker](const ReceivedSend& send) -> std::optional<RemotingCommand> {
      RemotingCommand stored = broker->Stored(send);
      stored.code = rc::kFlushDiskTimeout;
      return stored;
    };
  };
  cluster.broker(0).SetPolicy(flush_timeout(&cluster.broker(0)));
  cluster.broker(1).SetPolicy(flush_timeout(&cluster.broker(1)));

  SECTION("by default the FLUSH_DISK_TIMEOUT result comes back at once") {
    auto producer = StartedProducer(cluster.Config());
    auto result = producer->Send(Message("TopicA", "x"));
    REQUIRE(result.ok());
    CHECK(result->send_status == SendStatus::kFlushDiskTimeout);
    CHECK(cluster.broker(0).send_count() + cluster.broker(1).send_count() == 1);
  }
  SECTION("with retryAnotherBrokerWhenNotStoreOK every attempt is made, then the last result returned") {
    ProducerConfig config = cluster.Config();
    config.retry_another_broker_when_not_store_ok = true;
    auto producer = StartedProducer(config);
    auto result = producer->Send(Message("TopicA", "x"));
    REQUIRE(result.ok());
    CHECK(result->send_status == SendStatus::kFlushDiskTimeout);
    CHECK(cluster.broker(0).send_count() + cluster.broker(1).send_count() == 3);
  }
  SECTION("with retryAnotherBrokerWhenNotStoreOK a SEND_OK on the other broker wins") {
    cluster.broker(1).SetPolicy(nullptr);
    cluster.broker(0).SetPolicy(flush_timeout(&cluster.broker(0)));
    ProducerConfig config = cluster.Config();
    config.retry_another_broker_when_not_store_ok = true;
    auto producer = StartedProducer(config);
    for (int i = 0; i < 4; ++i) {
      auto result = producer->Send(Message("TopicA", "x"));
      REQUIRE(result.ok());
      CHECK(result->send_status == SendStatus::kSendOk);
      CHECK(result->message_queue.broker_name == "broker-b");
    }
  }
}

TEST_CASE("sendMsgTimeout spans all attempts") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 1);
  ProducerConfig config = cluster.Config();
  config.send_msg_timeout = 3000;
  config.retry_times_when_send_failed = 2;
  auto producer = StartedProducer(config);
  cluster.broker(0).HoldAll();
  cluster.broker(1).HoldAll();
  const size_t idle_timers = cluster.clock().PendingTimers();
  // Waits until `held` requests are held and their timeouts armed.
  auto wait_held = [&](FakeBroker* broker) {
    SpinUntil([&] {
      return broker->held_count() == 1 && cluster.clock().PendingTimers() == idle_timers + 1;
    });
  };

  absl::StatusOr<SendResult> result = absl::UnknownError("not run");
  std::thread sender([&] { result = producer->Send(Message("TopicA", "slow")); });
  SpinUntil([&] { return cluster.broker(0).held_count() + cluster.broker(1).held_count() == 1; });
  FakeBroker* first = cluster.broker(0).held_count() == 1 ? &cluster.broker(0) : &cluster.broker(1);
  FakeBroker* second = first == &cluster.broker(0) ? &cluster.broker(1) : &cluster.broker(0);
  wait_held(first);
  // The first attempt is answered SYSTEM_ERROR 2 s later...
  cluster.clock().Advance(absl::Milliseconds(2000));
  first->ReleaseOldest(RemotingCommand::Response(rc::kSystemError, "busy disk"));
  // ...so the retry, on the other broker, has 1 s left: it times out then.
  wait_held(second);
  cluster.clock().Advance(absl::Milliseconds(999));
  CHECK(second->held_count() == 1);
  cluster.clock().Advance(absl::Milliseconds(1));
  sender.join();
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK_THAT(std::string(result.status().message()),
             Catch::Contains("TopicA") && Catch::Contains(first->name()) &&
                 Catch::Contains(second->name()));
  // No third attempt: the time was spent.
  CHECK(first->send_count() == 1);
  CHECK(second->send_count() == 1);
}

TEST_CASE("attempts stop when sendMsgTimeout is spent, whatever retries are left") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 1);
  ProducerConfig config = cluster.Config();
  config.send_msg_timeout = 3000;
  config.retry_times_when_send_failed = 5;
  auto producer = StartedProducer(config);
  // Each attempt takes a second of clock time and fails.
  for (size_t i = 0; i < 2; ++i) {
    cluster.broker(i).SetOnSend([&] { cluster.clock().Advance(absl::Seconds(1)); });
    cluster.broker(i).AnswerWith(rc::kSystemError, "slow and broken");
  }
  auto result = producer->Send(Message("TopicA", "x"));
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK_THAT(std::string(result.status().message()),
             Catch::Contains("3 attempt") && Catch::Contains("slow and broken"));
  CHECK(cluster.broker(0).send_count() + cluster.broker(1).send_count() == 3);
}

}  // namespace
}  // namespace rmq::testing
