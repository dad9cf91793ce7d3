// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Async sends: the callback (or future) gets exactly one result; requests
// that got no answer are retried on another broker up to
// retryTimesWhenSendAsyncFailed times (RocketMQ 4.9's onExceptionImpl);
// Shutdown waits for the sends in flight.

#include <atomic>
#include <future>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/notification.h"
#include "unit/client/producer_test_cluster.h"

namespace rmq::testing {
namespace {

// Collects the results of callbacks, counting calls per send.
class Results {
 public:
  Producer::SendCallback Callback(int index) {
    return [this, index](absl::StatusOr<SendResult> result) {
      absl::MutexLock lock(&mu_);
      ++calls_[index];
      results_.insert_or_assign(index, std::move(result));
      ++done_;
      changed_.SignalAll();
    };
  }
  void WaitFor(int n) {
    absl::MutexLock lock(&mu_);
    while (done_ < n) changed_.Wait(&mu_);
  }
  int calls(int index) {
    absl::MutexLock lock(&mu_);
    return calls_[index];
  }
  absl::StatusOr<SendResult> result(int index) {
    absl::MutexLock lock(&mu_);
    return results_.at(index);
  }
  int done() {
    absl::MutexLock lock(&mu_);
    return done_;
  }

 private:
  absl::Mutex mu_;
  absl::CondVar changed_;
  std::map<int, int> calls_;
  std::map<int, absl::StatusOr<SendResult>> results_;
  int done_ = 0;
};

TEST_CASE("async sends call their callback once with the result") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 2);
  auto producer = StartedProducer(cluster.Config());
  Results results;
  constexpr int kSends = 50;
  for (int i = 0; i < kSends; ++i) {
    producer->SendAsync(Message("TopicA", "async-" + std::to_string(i)), results.Callback(i));
  }
  results.WaitFor(kSends);
  std::set<std::string> ids;
  for (int i = 0; i < kSends; ++i) {
    CHECK(results.calls(i) == 1);
    auto result = results.result(i);
    REQUIRE(result.ok());
    CHECK(result->send_status == SendStatus::kSendOk);
    ids.insert(result->msg_id);
  }
  CHECK(ids.size() == kSends);
  std::set<std::string> bodies;
  for (size_t b = 0; b < 2; ++b) {
    for (const ReceivedSend& send : cluster.broker(b).sends()) {
      bodies.insert(send.body);
      CHECK(ids.contains(send.properties.at("UNIQ_KEY")));
    }
  }
  CHECK(bodies.size() == kSends);
  producer->Shutdown();
  for (int i = 0; i < kSends; ++i) CHECK(results.calls(i) == 1);
}

TEST_CASE("the future form resolves to the result") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA");
  auto producer = StartedProducer(cluster.Config());
  std::future<absl::StatusOr<SendResult>> future = producer->SendAsync(Message("TopicA", "f"));
  absl::StatusOr<SendResult> result = future.get();
  REQUIRE(result.ok());
  CHECK(result->message_queue.broker_name == "broker-a");
  CHECK(result->msg_id == cluster.broker(0).sends().at(0).properties.at("UNIQ_KEY"));

  auto invalid = producer->SendAsync(Message("TopicA", "")).get();
  CHECK(invalid.status().code() == absl::StatusCode::kInvalidArgument);
  auto no_route = producer->SendAsync(Message("Nowhere", "x")).get();
  CHECK(no_route.status().code() == absl::StatusCode::kNotFound);
  CHECK(cluster.broker(0).send_count() == 1);
}

TEST_CASE("an async send that gets no answer is retried on another broker") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 1);
  ProducerConfig config = cluster.Config();
  config.retry_times_when_send_async_failed = 2;
  auto producer = StartedProducer(config);

  SECTION("one broker down: the retry succeeds") {
    cluster.server(0).SetReachable(false);
    for (int i = 0; i < 4; ++i) {
      auto result = producer->SendAsync(Message("TopicA", "x")).get();
      INFO(result.status().ToString());
      REQUIRE(result.ok());
      CHECK(result->message_queue.broker_name == "broker-b");
    }
  }
  SECTION("all down: 1 + retryTimesWhenSendAsyncFailed attempts, then one failure") {
    cluster.server(0).SetReachable(false);
    cluster.server(1).SetReachable(false);
    Results results;
    producer->SendAsync(Message("TopicA", "x"), results.Callback(0));
    results.WaitFor(1);
    auto result = results.result(0);
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == absl::StatusCode::kUnavailable);
    CHECK_THAT(std::string(result.status().message()),
               Catch::Contains("TopicA") && Catch::Contains("3 attempt") &&
                   Catch::Contains("broker-a") && Catch::Contains("broker-b"));
    producer->Shutdown();
    CHECK(results.calls(0) == 1);
  }
  SECTION("a request that times out has used all of sendMsgTimeout: no retry is left") {
    cluster.broker(0).HoldAll();
    cluster.broker(1).HoldAll();
    const size_t idle_timers = cluster.clock().PendingTimers();
    Results results;
    producer->SendAsync(Message("TopicA", "x"), results.Callback(0));
    // Held, and its timeout armed.
    SpinUntil([&] {
      return cluster.broker(0).held_count() + cluster.broker(1).held_count() == 1 &&
             cluster.clock().PendingTimers() == idle_timers + 1;
    });
    cluster.clock().Advance(absl::Milliseconds(2999));
    CHECK(results.done() == 0);
    cluster.clock().Advance(absl::Milliseconds(1));
    results.WaitFor(1);
    producer->Shutdown();
    auto result = results.result(0);
    CHECK(result.status().code() == absl::StatusCode::kDeadlineExceeded);
    CHECK_THAT(std::string(result.status().message()), Catch::Contains("TopicA"));
    CHECK(results.calls(0) == 1);
    CHECK(cluster.broker(0).send_count() + cluster.broker(1).send_count() == 1);
  }
}

TEST_CASE("after a retry, the result and the error name the attempt that was answered") {
  // Each attempt's queue and address travel with the send, not with the
  // transport's callback: a retry must replace them.
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 1);
  ProducerConfig config = cluster.Config();
  config.retry_times_when_send_async_failed = 1;
  auto producer = StartedProducer(config);
  cluster.server(0).SetReachable(false);
  const std::string& address_b = cluster.broker(1).address();

  SECTION("answered") {
    // Round-robin: of two sends, one starts on the unreachable broker-a.
    for (int i = 0; i < 2; ++i) {
      auto result = producer->SendAsync(Message("TopicA", "x")).get();
      REQUIRE(result.ok());
      CHECK(result->message_queue.broker_name == "broker-b");
      CHECK(result->message_queue.topic == "TopicA");
    }
  }
  SECTION("answered with an error") {
    cluster.broker(1).AnswerWith(rc::kSystemError, "disk full");
    bool retried = false;
    for (int i = 0; i < 2; ++i) {
      auto result = producer->SendAsync(Message("TopicA", "x")).get();
      REQUIRE_FALSE(result.ok());
      const std::string message(result.status().message());
      INFO(message);
      CHECK_THAT(message, Catch::Contains("failed on broker-b") &&
                              Catch::Contains("broker-b (" + address_b + ")") &&
                              Catch::Contains("disk full"));
      retried = retried || message.find("broker-a, broker-b") != std::string::npos;
    }
    CHECK(retried);
  }
  producer->Shutdown();
}

TEST_CASE("an error the broker answers is not retried (as RocketMQ 4.9's async send)") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 1);
  auto producer = StartedProducer(cluster.Config());
  cluster.broker(0).AnswerWith(rc::kSystemError, "no space");
  cluster.broker(1).AnswerWith(rc::kSystemError, "no space");
  auto result = producer->SendAsync(Message("TopicA", "x")).get();
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("no space"));
  CHECK(cluster.broker(0).send_count() + cluster.broker(1).send_count() == 1);
}

TEST_CASE("Shutdown waits for the async sends in flight; later sends fail at once") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA", 1);
  auto producer = StartedProducer(cluster.Config());
  cluster.broker(0).HoldAll();
  std::atomic<bool> callback_done{false};
  std::atomic<int> callbacks{0};
  producer->SendAsync(Message("TopicA", "held"), [&](absl::StatusOr<SendResult> result) {
    CHECK(result.ok());
    ++callbacks;
    callback_done = true;
  });
  cluster.broker(0).WaitForSends(1);
  SpinUntil([&] { return cluster.broker(0).held_count() == 1; });

  std::atomic<bool> shutdown_returned{false};
  std::atomic<bool> callback_done_at_return{false};
  std::thread closer([&] {
    producer->Shutdown();
    callback_done_at_return = callback_done.load();
    shutdown_returned = true;
  });
  // Once Shutdown has begun, sends are refused (checked before the message)...
  SpinUntil([&] {
    return producer->Send(Message()).status().code() == absl::StatusCode::kFailedPrecondition;
  });
  // ...but it still waits for the held send.
  CHECK_FALSE(shutdown_returned.load());
  cluster.broker(0).ReleaseOldest();
  closer.join();
  CHECK(callback_done_at_return.load());
  CHECK(callbacks.load() == 1);

  // After Shutdown: the callback hears FailedPrecondition, once.
  Results results;
  producer->SendAsync(Message("TopicA", "late"), results.Callback(7));
  CHECK(results.calls(7) == 1);
  CHECK(results.result(7).status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(cluster.broker(0).send_count() == 1);
}

TEST_CASE("SendAsync before Start fails once with FailedPrecondition") {
  ProducerTestCluster cluster(1);
  Producer producer(cluster.Config());
  auto result = producer.SendAsync(Message("TopicA", "x")).get();
  CHECK(result.status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("async sends from many threads all complete before Shutdown returns") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 4);
  auto producer = StartedProducer(cluster.Config());
  std::atomic<int> ok{0};
  std::atomic<int> calls{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 100; ++i) {
          producer->SendAsync(Message("TopicA", "m"), [&](absl::StatusOr<SendResult> result) {
            if (result.ok()) ++ok;
            ++calls;
          });
        }
      });
    }
  }
  producer->Shutdown();
  CHECK(calls.load() == 400);
  CHECK(ok.load() == 400);
  CHECK(cluster.broker(0).send_count() + cluster.broker(1).send_count() == 400);
}

}  // namespace
}  // namespace rmq::testing
