// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Time, for everything in rmq that reads the time or waits for it.
//
// Every periodic task (flush, cleanup, later heartbeats and rebalances) runs
// as a timer of a Clock. In production that is the SystemClock; in tests a
// VirtualClock whose time moves only when the test advances it, running due
// timers on the advancing thread in time order: an hours-long schedule runs
// in milliseconds and the same way every time.

#ifndef RMQ_CLOCK_H_
#define RMQ_CLOCK_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/time/time.h"

namespace rmq {

class Clock {
 public:
  using TimerId = uint64_t;

  virtual ~Clock() = default;

  // The current time.
  virtual absl::Time Now() const = 0;
  // The current time in milliseconds since the Unix epoch, as RocketMQ stores it.
  virtual int64_t NowMillis() const { return absl::ToUnixMillis(Now()); }

  // Runs `fn` once, at or after `when`. Returns an id for Cancel(). Timer
  // callbacks must not block for long: they share one thread per clock.
  virtual TimerId ScheduleAt(absl::Time when, std::function<void()> fn) = 0;
  TimerId ScheduleAfter(absl::Duration delay, std::function<void()> fn) {
    return ScheduleAt(Now() + delay, std::move(fn));
  }

  // Cancels a timer that has not started running. After Cancel returns, the
  // callback is not running and will not run (unless it is the caller).
  virtual void Cancel(TimerId id) = 0;
};

// Wall-clock time; timers run on one background thread owned by the clock.
class SystemClock final : public Clock {
 public:
  SystemClock();
  ~SystemClock() override;  // Cancels pending timers and joins the thread.

  // A process-wide instance.
  static std::shared_ptr<SystemClock> Default();

  absl::Time Now() const override;
  // One read of the realtime clock (vDSO), without absl::Now's conversions:
  // every message takes its born and store timestamps from here.
  int64_t NowMillis() const override;
  TimerId ScheduleAt(absl::Time when, std::function<void()> fn) override;
  void Cancel(TimerId id) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Time that moves only when told to. Advance() runs every timer that falls due,
// in due-time order, on the calling thread, with Now() equal to the timer's due
// time while it runs, so a periodic task that reschedules itself fires once per
// period within one long Advance().
class VirtualClock final : public Clock {
 public:
  // Starts at `start` (by default 2026-01-01T00:00:00Z).
  explicit VirtualClock(absl::Time start = absl::FromUnixSeconds(1767225600));
  ~VirtualClock() override;

  absl::Time Now() const override;
  TimerId ScheduleAt(absl::Time when, std::function<void()> fn) override;
  void Cancel(TimerId id) override;

  // Moves time forward by `d` (or to `t`), running the timers due on the way.
  void Advance(absl::Duration d);
  void AdvanceTo(absl::Time t);
  // Number of timers scheduled and not yet run or cancelled.
  size_t PendingTimers() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rmq

#endif  // RMQ_CLOCK_H_
