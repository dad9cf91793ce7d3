// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullMessageService: the client's single pull thread.

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "client/pull_message_service.h"
#include "rmq/clock.h"

namespace rmq::internal {
namespace {

// What tasks ran, in order; waits (real time, as a guard only) for a count.
class Log {
 public:
  void Add(int value) {
    absl::MutexLock lock(&mu_);
    values_.push_back(value);
  }
  bool WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return values_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30));
  }
  std::vector<int> values() {
    absl::MutexLock lock(&mu_);
    return values_;
  }

 private:
  absl::Mutex mu_;
  std::vector<int> values_ ABSL_GUARDED_BY(mu_);
};

TEST_CASE("tasks run on the service thread in the order they were submitted") {
  auto clock = std::make_shared<VirtualClock>();
  PullMessageService service(clock);
  service.Start();
  Log log;
  for (int i = 0; i < 5; ++i) service.Execute([&log, i] { log.Add(i); });
  REQUIRE(log.WaitFor(5));
  CHECK(log.values() == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("a delayed task runs once its delay has passed on the clock") {
  auto clock = std::make_shared<VirtualClock>();
  PullMessageService service(clock);
  service.Start();
  Log log;
  service.ExecuteLater([&log] { log.Add(2); }, absl::Seconds(3));
  service.Execute([&log] { log.Add(1); });
  REQUIRE(log.WaitFor(1));
  clock->Advance(absl::Seconds(2));
  service.Execute([&log] { log.Add(0); });
  REQUIRE(log.WaitFor(2));
  CHECK(log.values() == std::vector<int>{1, 0});  // 2 s in: the delayed task waits.
  clock->Advance(absl::Seconds(1));
  REQUIRE(log.WaitFor(3));
  CHECK(log.values() == std::vector<int>{1, 0, 2});
}

TEST_CASE("after Stop, queued and new tasks are dropped") {
  auto clock = std::make_shared<VirtualClock>();
  PullMessageService service(clock);
  Log log;
  service.Execute([&log] { log.Add(1); });  // Queued before Start: never runs.
  service.Stop();
  service.Execute([&log] { log.Add(2); });
  service.ExecuteLater([&log] { log.Add(3); }, absl::Seconds(1));
  clock->Advance(absl::Seconds(2));
  CHECK(log.values().empty());
}

TEST_CASE("a task that destroys its own service finishes; the thread exits by itself") {
  // What happens when a pull task holds the last reference to a consumer
  // that was shut down meanwhile: the service is destroyed on its own thread.
  auto clock = std::make_shared<VirtualClock>();
  auto service = std::make_shared<PullMessageService>(clock);
  service->Start();
  absl::Notification destroyed;
  std::shared_ptr<PullMessageService> owner = service;
  service->Execute([owner = std::move(owner), &destroyed]() mutable {
    owner.reset();  // The last reference: ~PullMessageService runs here.
    destroyed.Notify();
  });
  service.reset();
  CHECK(destroyed.WaitForNotificationWithTimeout(absl::Seconds(30)));
}

}  // namespace
}  // namespace rmq::internal
