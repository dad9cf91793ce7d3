// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The wait for an answer to one's own request: when it may spin, and that
// the answer is taken whenever it comes (before the wait, while spinning,
// or after the spin gave way to sleep).

#include "remoting/response_wait.h"

#include <thread>

#include <catch2/catch.hpp>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace rmq::internal {
namespace {

TEST_CASE("a wait spins only while it is the only one, and only with two CPUs or more") {
  ResponseSpinPolicy policy(2);
  REQUIRE(policy.BeginWait());
  CHECK(policy.StillAlone());
  CHECK_FALSE(policy.BeginWait());  // a second sync sender
  CHECK_FALSE(policy.StillAlone());  // the first stops spinning too
  policy.EndWait(absl::Microseconds(10));
  CHECK(policy.StillAlone());
  policy.EndWait(absl::Microseconds(10));
  CHECK(policy.BeginWait());
  policy.EndWait(absl::Microseconds(10));

  ResponseSpinPolicy one_cpu(1);
  CHECK_FALSE(one_cpu.BeginWait());
  one_cpu.EndWait(absl::Microseconds(10));
}

TEST_CASE("slow answers stop the spinning; fast ones bring it back") {
  ResponseSpinPolicy policy(4);
  // A broker that syncs each message to disk: waits of a millisecond.
  for (int i = 0; i < 32; ++i) {
    policy.BeginWait();
    policy.EndWait(absl::Milliseconds(1));
  }
  CHECK(policy.recent_wait() > ResponseSpinPolicy::kSpinBudget);
  CHECK_FALSE(policy.BeginWait());
  policy.EndWait(absl::Milliseconds(1));
  // Loopback answers: the average comes down under the budget again.
  for (int i = 0; i < 64; ++i) {
    policy.BeginWait();
    policy.EndWait(absl::Microseconds(20));
  }
  CHECK(policy.recent_wait() <= ResponseSpinPolicy::kSpinBudget);
  CHECK(policy.BeginWait());
  policy.EndWait(absl::Microseconds(20));
}

TEST_CASE("the moving average weighs each new wait an eighth") {
  ResponseSpinPolicy policy(2);
  policy.BeginWait();
  policy.EndWait(absl::Microseconds(80));
  CHECK(policy.recent_wait() == absl::Microseconds(10));
  policy.BeginWait();
  policy.EndWait(absl::Microseconds(10));
  CHECK(policy.recent_wait() == absl::Microseconds(10));
}

TEST_CASE("an answer is taken whenever it comes, and the wait is recorded") {
  ResponseSpinPolicy policy(2);
  SECTION("already there") {
    absl::Notification done;
    done.Notify();
    WaitForResponse(done, policy);
  }
  SECTION("while the caller spins") {
    absl::Notification done;
    std::thread answer([&] { done.Notify(); });
    WaitForResponse(done, policy);
    answer.join();
  }
  SECTION("long after the spin gave way to sleep") {
    absl::Notification done;
    std::thread answer([&] {
      absl::SleepFor(absl::Milliseconds(20));
      done.Notify();
    });
    WaitForResponse(done, policy);
    CHECK(done.HasBeenNotified());
    answer.join();
    CHECK(policy.recent_wait() >= absl::Milliseconds(20) / 8);
  }
  SECTION("while another wait is in progress: sleeps at once") {
    REQUIRE(policy.BeginWait());
    absl::Notification done;
    std::thread answer([&] { done.Notify(); });
    WaitForResponse(done, policy);
    answer.join();
    policy.EndWait(absl::Microseconds(1));
  }
  // Every wait ended: a new one may spin again (once recent waits are
  // short again).
  for (int i = 0; i < 64; ++i) {
    policy.BeginWait();
    policy.EndWait(absl::Microseconds(1));
  }
  CHECK_FALSE(policy.StillAlone());  // no wait in progress
  CHECK(policy.BeginWait());
  CHECK(policy.StillAlone());
  policy.EndWait(absl::Microseconds(1));
}

}  // namespace
}  // namespace rmq::internal
