// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// How a thread waits for the answer to its own request (a sync send over
// TCP): it spins a little before it sleeps.
//
// A sync request over loopback waits for two wake-ups in a row: the io
// thread's, when the answer arrives, then the caller's, when the io thread
// hands the answer over. Waking a sleeping thread costs a small VM 10–25 µs
// (a futex wake, and a virtual CPU's return from halt). A caller that spins
// takes the answer the moment it is handed over, saving the second wake-up
// (Aeron's idle strategies spin for the same reason): sync send p50 over
// loopback 81 → 55 µs on the 2-core VM of docs/performance.md.
//
// Spinning takes a core from everything else, so it is rationed: a caller
// spins only while it is the one wait in progress in the process (with
// several sync senders, a spinner would hold a core their answers need:
// 4 sync producers sent 16 % less when one of them spun), only with two
// CPUs or more, for at most kSpinBudget, and only while recent waits (a
// moving average) have been that short. Answers from a far broker, or from
// one that syncs each message to disk, take longer: then nobody spins.

#ifndef RMQ_REMOTING_RESPONSE_WAIT_H_
#define RMQ_REMOTING_RESPONSE_WAIT_H_

#include <atomic>
#include <cstdint>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace rmq::internal {

class ResponseSpinPolicy {
 public:
  static constexpr absl::Duration kSpinBudget = absl::Microseconds(100);

  // `cpus`: the CPUs this process may run on (spinning needs two).
  explicit ResponseSpinPolicy(unsigned cpus) : enabled_(cpus >= 2) {}

  // Starts a wait; true if it may spin: it is the only wait in progress
  // and recent waits were short. Each BeginWait is paired with an EndWait.
  bool BeginWait();
  // Whether the wait that BeginWait allowed to spin is still the only one.
  bool StillAlone() const { return waiting_.load(std::memory_order_relaxed) == 1; }
  // Ends a wait that took `waited` (spun or slept): recent waits decide
  // whether the next may spin.
  void EndWait(absl::Duration waited);
  // The moving average of recent waits (each new one weighs 1/8).
  absl::Duration recent_wait() const {
    return absl::Nanoseconds(recent_wait_ns_.load(std::memory_order_relaxed));
  }

  // The process's policy, for this machine's CPUs.
  static ResponseSpinPolicy& ForProcess();

 private:
  const bool enabled_;
  std::atomic<int> waiting_{0};
  std::atomic<int64_t> recent_wait_ns_{0};
};

// Waits until `done` is notified: spinning first if `policy` allows, then
// sleeping. Records the wait with `policy`.
void WaitForResponse(const absl::Notification& done, ResponseSpinPolicy& policy);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_RESPONSE_WAIT_H_
