// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_COMMON_PERIODIC_TIMER_H_
#define RMQ_COMMON_PERIODIC_TIMER_H_

#include <functional>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rmq/clock.h"

namespace rmq::internal {

// Runs `task` every `period` on `clock` (first run one period from Start)
// until destroyed or stopped. The task runs on the clock's timer thread (or
// the thread advancing a VirtualClock), so it must be short: typically it
// wakes a service thread.
class PeriodicTimer {
 public:
  PeriodicTimer(Clock& clock, absl::Duration period, std::function<void()> task)
      : clock_(clock), period_(period), task_(std::move(task)) {}
  ~PeriodicTimer() { Stop(); }
  PeriodicTimer(const PeriodicTimer&) = delete;
  PeriodicTimer& operator=(const PeriodicTimer&) = delete;

  void Start() {
    absl::MutexLock lock(&mu_);
    running_ = true;
    ScheduleLocked();
  }

  // After Stop returns the task is not running and will not run again.
  void Stop() {
    Clock::TimerId id;
    {
      absl::MutexLock lock(&mu_);
      if (!running_) return;
      running_ = false;
      id = id_;
    }
    clock_.Cancel(id);
  }

 private:
  void ScheduleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    id_ = clock_.ScheduleAfter(period_, [this] {
      task_();
      absl::MutexLock lock(&mu_);
      if (running_) ScheduleLocked();
    });
  }

  Clock& clock_;
  const absl::Duration period_;
  const std::function<void()> task_;
  absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  Clock::TimerId id_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace rmq::internal

#endif  // RMQ_COMMON_PERIODIC_TIMER_H_
