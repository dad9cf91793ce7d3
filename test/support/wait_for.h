// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Waiting for other threads in tests on a VirtualClock: an Advance runs the
// timers that fall due, but what they start (a consumer's pull, a producer's
// check thread) finishes on real threads a moment later.

#ifndef RMQ_TEST_SUPPORT_WAIT_FOR_H_
#define RMQ_TEST_SUPPORT_WAIT_FOR_H_

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace rmq::testing {

// Polls `done` in real time, without moving any virtual clock; false if it is
// still false after `guard` (a generous bound, not a timing assertion).
inline bool WaitFor(const std::function<bool()>& done, absl::Duration guard = absl::Seconds(20)) {
  const absl::Time deadline = absl::Now() + guard;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

}  // namespace rmq::testing

#endif  // RMQ_TEST_SUPPORT_WAIT_FOR_H_
