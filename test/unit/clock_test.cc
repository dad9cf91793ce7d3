// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "rmq/clock.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"

using rmq::Clock;
using rmq::SystemClock;
using rmq::VirtualClock;

namespace {

const absl::Time kStart = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

// Yields for a while, long enough in practice for another thread to reach
// a blocking call; only ever used where a slow thread makes the test weaker,
// never wrong.
void LetOthersRun() {
  for (int i = 0; i < 2000; ++i) std::this_thread::yield();
}

}  // namespace

TEST_CASE("VirtualClock starts at its start time and moves only when told", "[clock]") {
  VirtualClock clock;
  CHECK(clock.Now() == kStart);
  CHECK(clock.NowMillis() == 1767225600000);
  clock.Advance(absl::Milliseconds(1500));
  CHECK(clock.Now() == kStart + absl::Milliseconds(1500));
  clock.AdvanceTo(kStart + absl::Hours(1));
  CHECK(clock.Now() == kStart + absl::Hours(1));
  clock.AdvanceTo(kStart);  // time never goes back
  CHECK(clock.Now() == kStart + absl::Hours(1));

  VirtualClock other(absl::FromUnixSeconds(42));
  CHECK(other.NowMillis() == 42000);
}

TEST_CASE("VirtualClock runs due timers in due time, then insertion, order", "[clock]") {
  VirtualClock clock;
  std::vector<std::string> ran;
  auto record = [&](std::string name, absl::Time due) {
    return [&, name, due] {
      CHECK(clock.Now() == due);  // Now() is the timer's due time while it runs
      ran.push_back(name);
    };
  };
  const absl::Time t1 = kStart + absl::Seconds(1);
  const absl::Time t2 = kStart + absl::Seconds(2);
  const absl::Time t3 = kStart + absl::Seconds(3);
  clock.ScheduleAt(t3, record("c", t3));
  clock.ScheduleAt(t1, record("a1", t1));
  clock.ScheduleAt(t2, record("b", t2));
  clock.ScheduleAt(t1, record("a2", t1));
  clock.ScheduleAfter(absl::Seconds(20), record("late", kStart + absl::Seconds(20)));
  CHECK(clock.PendingTimers() == 5);

  clock.Advance(absl::Milliseconds(999));
  CHECK(ran.empty());
  clock.Advance(absl::Seconds(9));
  CHECK(ran == std::vector<std::string>{"a1", "a2", "b", "c"});
  CHECK(clock.Now() == kStart + absl::Milliseconds(9999));
  CHECK(clock.PendingTimers() == 1);
  clock.AdvanceTo(kStart + absl::Seconds(20));  // due exactly at the target: runs
  CHECK(ran.back() == "late");
  CHECK(clock.PendingTimers() == 0);
}

TEST_CASE("a periodic task fires once per period within one Advance", "[clock]") {
  VirtualClock clock;
  std::vector<absl::Time> fired;
  std::function<void()> tick = [&] {
    fired.push_back(clock.Now());
    clock.ScheduleAfter(absl::Seconds(1), tick);
  };
  clock.ScheduleAfter(absl::Seconds(1), tick);
  clock.Advance(absl::Milliseconds(10500));
  REQUIRE(fired.size() == 10);
  for (size_t i = 0; i < fired.size(); ++i) {
    CHECK(fired[i] == kStart + absl::Seconds(static_cast<int64_t>(i) + 1));
  }
  CHECK(clock.Now() == kStart + absl::Milliseconds(10500));
  CHECK(clock.PendingTimers() == 1);  // the 11th tick, due after the window
}

TEST_CASE("a timer scheduled in the past runs at the next Advance, at Now", "[clock]") {
  VirtualClock clock;
  clock.Advance(absl::Seconds(10));
  absl::Time seen;
  clock.ScheduleAt(kStart, [&] { seen = clock.Now(); });
  clock.Advance(absl::ZeroDuration());
  CHECK(seen == kStart + absl::Seconds(10));
}

TEST_CASE("VirtualClock Cancel", "[clock]") {
  VirtualClock clock;
  int runs = 0;
  Clock::TimerId a = clock.ScheduleAfter(absl::Seconds(1), [&] { ++runs; });
  Clock::TimerId b = clock.ScheduleAfter(absl::Seconds(2), [&] { ++runs; });
  CHECK(a != 0);
  CHECK(a != b);
  clock.Cancel(a);
  CHECK(clock.PendingTimers() == 1);
  clock.Cancel(a);       // twice: no-op
  clock.Cancel(987654);  // unknown: no-op
  clock.Advance(absl::Seconds(5));
  CHECK(runs == 1);
  clock.Cancel(b);  // already ran: no-op

  // A callback may cancel a later timer due at the same time, and itself.
  Clock::TimerId second = 0;
  Clock::TimerId self = 0;
  self = clock.ScheduleAfter(absl::Seconds(1), [&] {
    clock.Cancel(second);
    clock.Cancel(self);
    ++runs;
  });
  second = clock.ScheduleAfter(absl::Seconds(1), [&] { runs += 100; });
  clock.Advance(absl::Seconds(1));
  CHECK(runs == 2);
  CHECK(clock.PendingTimers() == 0);
}

TEST_CASE("a throwing VirtualClock callback reaches Advance and leaves the clock usable",
          "[clock]") {
  VirtualClock clock;
  int later_runs = 0;
  Clock::TimerId thrower =
      clock.ScheduleAfter(absl::Seconds(1), [] { throw std::runtime_error("boom"); });
  clock.ScheduleAfter(absl::Seconds(2), [&] { ++later_runs; });
  CHECK_THROWS_WITH(clock.Advance(absl::Seconds(5)), "boom");
  CHECK(clock.Now() == kStart + absl::Seconds(1));  // stopped at the throwing timer
  clock.Cancel(thrower);                            // not marked running any more
  clock.Advance(absl::Seconds(5));
  CHECK(later_runs == 1);
}

TEST_CASE("VirtualClock Cancel from another thread waits for a running callback", "[clock]") {
  VirtualClock clock;
  absl::Notification started, release;
  std::atomic<bool> finished{false};
  Clock::TimerId id = clock.ScheduleAfter(absl::Seconds(1), [&] {
    started.Notify();
    release.WaitForNotification();
    finished = true;
  });
  std::jthread advancer([&] { clock.Advance(absl::Seconds(1)); });
  started.WaitForNotification();
  std::atomic<bool> cancel_returned{false};
  bool finished_when_cancel_returned = false;
  std::jthread canceller([&] {
    clock.Cancel(id);
    finished_when_cancel_returned = finished;
    cancel_returned = true;
  });
  LetOthersRun();
  CHECK_FALSE(cancel_returned);
  release.Notify();
  canceller.join();
  CHECK(finished_when_cancel_returned);
}

TEST_CASE("SystemClock fires timers in order on its thread", "[clock]") {
  SystemClock clock;
  CHECK(absl::Now() - clock.Now() < absl::Minutes(1));  // wall time, not a fake
  absl::Notification done;
  std::vector<int> order;  // written by the timer thread only
  std::thread::id timer_thread;
  const absl::Time past = clock.Now() - absl::Seconds(1);
  clock.ScheduleAt(past, [&] { order.push_back(1); });
  clock.ScheduleAt(past, [&] { order.push_back(2); });
  clock.ScheduleAfter(absl::Milliseconds(5), [&] {
    order.push_back(3);
    timer_thread = std::this_thread::get_id();
    done.Notify();
  });
  done.WaitForNotification();
  CHECK(order == std::vector<int>{1, 2, 3});
  CHECK(timer_thread != std::this_thread::get_id());
}

TEST_CASE("SystemClock wakes for a timer earlier than the one it waits for", "[clock]") {
  SystemClock clock;
  absl::Notification done;
  clock.ScheduleAfter(absl::Hours(1), [] {});
  clock.ScheduleAfter(absl::Milliseconds(1), [&] { done.Notify(); });
  done.WaitForNotification();
}

TEST_CASE("SystemClock Cancel", "[clock]") {
  std::atomic<int> runs{0};
  {
    SystemClock clock;
    Clock::TimerId id = clock.ScheduleAfter(absl::Hours(1), [&] { ++runs; });
    clock.Cancel(id);
    clock.Cancel(id);

    // From inside its own callback: returns at once instead of deadlocking.
    absl::Notification done;
    Clock::TimerId self = 0;
    absl::Notification scheduled;
    self = clock.ScheduleAfter(absl::Milliseconds(1), [&] {
      scheduled.WaitForNotification();
      clock.Cancel(self);
      done.Notify();
    });
    scheduled.Notify();
    done.WaitForNotification();

    // Pending at destruction: never runs.
    clock.ScheduleAfter(absl::Hours(1), [&] { ++runs; });
  }
  CHECK(runs == 0);
}

TEST_CASE("SystemClock Cancel from another thread waits for a running callback", "[clock]") {
  SystemClock clock;
  absl::Notification started, release;
  std::atomic<bool> finished{false};
  Clock::TimerId id = clock.ScheduleAfter(absl::Milliseconds(1), [&] {
    started.Notify();
    release.WaitForNotification();
    finished = true;
  });
  started.WaitForNotification();
  std::atomic<bool> cancel_returned{false};
  bool finished_when_cancel_returned = false;
  std::jthread canceller([&] {
    clock.Cancel(id);
    finished_when_cancel_returned = finished;
    cancel_returned = true;
  });
  LetOthersRun();
  CHECK_FALSE(cancel_returned);
  release.Notify();
  canceller.join();
  CHECK(finished_when_cancel_returned);
}

TEST_CASE("a throwing SystemClock callback does not stop later timers", "[clock]") {
  SystemClock clock;
  absl::Notification done;
  clock.ScheduleAfter(absl::ZeroDuration(), [] { throw std::runtime_error("test: expected"); });
  clock.ScheduleAfter(absl::Milliseconds(1), [&] { done.Notify(); });
  done.WaitForNotification();
}

TEST_CASE("SystemClock::NowMillis reads the same clock as Now", "[clock]") {
  SystemClock clock;
  // Read between two Now() calls, it lies between them (to the millisecond).
  for (int i = 0; i < 1000; ++i) {
    const int64_t before = absl::ToUnixMillis(clock.Now());
    const int64_t millis = clock.NowMillis();
    const int64_t after = absl::ToUnixMillis(clock.Now());
    REQUIRE(millis >= before - 1);  // absl::Now and clock_gettime may round apart by a tick.
    REQUIRE(millis <= after + 1);
  }
  VirtualClock virtual_clock(absl::FromUnixMillis(1234567));
  CHECK(virtual_clock.NowMillis() == 1234567);
}

TEST_CASE("SystemClock::Default is one shared instance", "[clock]") {
  std::shared_ptr<SystemClock> a = SystemClock::Default();
  std::shared_ptr<SystemClock> b = SystemClock::Default();
  REQUIRE(a != nullptr);
  CHECK(a == b);
  absl::Notification done;
  a->ScheduleAfter(absl::ZeroDuration(), [&] { done.Notify(); });
  done.WaitForNotification();
}
