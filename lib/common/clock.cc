// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "rmq/clock.h"

#include <time.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/this_thread.h"
#include "spdlog/spdlog.h"

namespace rmq {
// Named, not anonymous: the types below are fields of the clocks' State
// structs, which clock.h declares (a unity build would warn otherwise).
namespace internal::clock_timers {

using TimerId = Clock::TimerId;

struct TimerEntry {
  absl::Time when;
  TimerId id;  // Ids grow with each ScheduleAt, so they also order equal times.
};

// Orders std::*_heap as a min-heap on (when, id).
struct Later {
  bool operator()(const TimerEntry& a, const TimerEntry& b) const {
    return a.when > b.when || (a.when == b.when && a.id > b.id);
  }
};

// Pending timers: a min-heap of (due time, id) plus the callbacks by id.
// Cancel only drops the callback; the heap entry is discarded when it reaches
// the top, and the heap is rebuilt when such dead entries dominate it, so
// schedule-then-cancel patterns (timeouts) keep it small. Not thread-safe:
// the owning clock's mutex guards it.
class TimerQueue {
 public:
  TimerId Add(absl::Time when, std::function<void()> fn) {
    const TimerId id = next_id_++;
    heap_.push_back({when, id});
    std::push_heap(heap_.begin(), heap_.end(), Later());
    fns_.emplace(id, std::move(fn));
    return id;
  }

  // Moves the callback of a pending timer to `fn` (so the caller can destroy
  // it without holding a lock); false if `id` is not pending.
  bool Remove(TimerId id, std::function<void()>* fn) {
    auto it = fns_.find(id);
    if (it == fns_.end()) return false;
    *fn = std::move(it->second);
    fns_.erase(it);
    if (heap_.size() > 64 && heap_.size() > 2 * fns_.size()) Compact();
    return true;
  }

  // The earliest pending timer.
  std::optional<TimerEntry> Peek() {
    while (!heap_.empty() && !fns_.contains(heap_.front().id)) PopHeap();
    if (heap_.empty()) return std::nullopt;
    return heap_.front();
  }

  // Removes the earliest pending timer (Peek() must have returned it).
  std::function<void()> Pop() {
    auto it = fns_.find(heap_.front().id);
    std::function<void()> fn = std::move(it->second);
    fns_.erase(it);
    PopHeap();
    return fn;
  }

  std::vector<std::function<void()>> TakeAll() {
    std::vector<std::function<void()>> fns;
    fns.reserve(fns_.size());
    for (auto& [id, fn] : fns_) fns.push_back(std::move(fn));
    fns_.clear();
    heap_.clear();
    return fns;
  }

  size_t size() const { return fns_.size(); }

 private:
  void PopHeap() {
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    heap_.pop_back();
  }

  void Compact() {
    std::erase_if(heap_, [this](const TimerEntry& e) { return !fns_.contains(e.id); });
    std::make_heap(heap_.begin(), heap_.end(), Later());
  }

  std::vector<TimerEntry> heap_;
  absl::flat_hash_map<TimerId, std::function<void()>> fns_;
  TimerId next_id_ = 1;  // 0 is never an id, so callers may use it as "none".
};

}  // namespace internal::clock_timers

using internal::clock_timers::TimerEntry;
using internal::clock_timers::TimerQueue;

namespace {

// Removes timer `id` from `timers` if it is still queued, destroying its
// function with `mu` (held on entry and on return) released for that
// moment: the function's captures may call back into the clock.
bool RemoveQueuedTimer(TimerQueue& timers, absl::Mutex& mu, Clock::TimerId id)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
  std::function<void()> fn;
  if (!timers.Remove(id, &fn)) return false;
  mu.Unlock();
  fn = nullptr;
  mu.Lock();
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------
// SystemClock

struct SystemClock::State {
  absl::Mutex mu;
  absl::CondVar wake;  // the timer thread: new timer, or stop
  absl::CondVar done;  // Cancel() waiters: a callback finished
  TimerQueue timers ABSL_GUARDED_BY(mu);
  bool stop ABSL_GUARDED_BY(mu) = false;
  TimerId running ABSL_GUARDED_BY(mu) = 0;  // the callback now running, or 0
  std::jthread thread;                      // last: started once the rest exists

  void Run();
};

void SystemClock::State::Run() {
  internal::NameThisThread("rmq-clock");
  internal::RequestShortSlice();
  mu.Lock();
  while (!stop) {
    std::optional<TimerEntry> next = timers.Peek();
    if (!next) {
      wake.Wait(&mu);
      continue;
    }
    if (next->when > absl::Now()) {
      wake.WaitWithDeadline(&mu, next->when);
      continue;
    }
    std::function<void()> fn = timers.Pop();
    running = next->id;
    mu.Unlock();
    // A throwing callback must not take the whole process down with the
    // timer thread; the service that owns it logs nothing else, so say it.
    try {
      if (fn) fn();
    } catch (const std::exception& e) {
      spdlog::error("timer callback {} threw: {}", next->id, e.what());
    } catch (...) {
      spdlog::error("timer callback {} threw a non-std exception", next->id);
    }
    fn = nullptr;  // destroy captures without holding the lock
    mu.Lock();
    running = 0;
    done.SignalAll();
  }
  mu.Unlock();
}

SystemClock::SystemClock() : state_(std::make_unique<State>()) {
  state_->thread = std::jthread([state = state_.get()] { state->Run(); });
}

SystemClock::~SystemClock() {
  std::vector<std::function<void()>> pending;
  {
    absl::MutexLock lock(&state_->mu);
    state_->stop = true;
    pending = state_->timers.TakeAll();
    state_->wake.Signal();
  }
  pending.clear();
  if (state_->thread.get_id() == std::this_thread::get_id()) {
    // Destroyed by one of its own callbacks (it dropped the last reference):
    // the thread cannot join itself. It exits as soon as that callback
    // returns, so let it go and keep the state it still reads alive.
    state_->thread.detach();
    (void)state_.release();
    return;
  }
  state_->thread.join();
}

std::shared_ptr<SystemClock> SystemClock::Default() {
  static const std::shared_ptr<SystemClock> clock = std::make_shared<SystemClock>();
  return clock;
}

absl::Time SystemClock::Now() const { return absl::Now(); }

int64_t SystemClock::NowMillis() const {
  timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1000 + now.tv_nsec / 1'000'000;
}

Clock::TimerId SystemClock::ScheduleAt(absl::Time when, std::function<void()> fn) {
  absl::MutexLock lock(&state_->mu);
  TimerId id = state_->timers.Add(when, std::move(fn));
  // Only a new earliest timer changes what the thread waits for. Most timers
  // are timeouts scheduled far ahead and cancelled (a held pull's, many a
  // second): waking the thread for each cost a context switch apiece.
  if (state_->timers.Peek()->id == id) state_->wake.Signal();
  return id;
}

void SystemClock::Cancel(TimerId id) {
  absl::MutexLock lock(&state_->mu);
  if (RemoveQueuedTimer(state_->timers, state_->mu, id)) return;
  // From inside the callback itself, waiting would deadlock; the contract
  // ("unless it is the caller") allows returning while it runs.
  if (std::this_thread::get_id() == state_->thread.get_id()) return;
  while (state_->running == id) state_->done.Wait(&state_->mu);
}

// ---------------------------------------------------------------------------
// VirtualClock

struct VirtualClock::State {
  mutable absl::Mutex mu;
  absl::CondVar done;  // Cancel() waiters: a callback finished
  absl::Time now ABSL_GUARDED_BY(mu);
  TimerQueue timers ABSL_GUARDED_BY(mu);
  TimerId running ABSL_GUARDED_BY(mu) = 0;  // the callback now running, or 0
  std::thread::id running_thread ABSL_GUARDED_BY(mu);
};

VirtualClock::VirtualClock(absl::Time start) : state_(std::make_unique<State>()) {
  absl::MutexLock lock(&state_->mu);
  state_->now = start;
}

VirtualClock::~VirtualClock() = default;

absl::Time VirtualClock::Now() const {
  absl::ReaderMutexLock lock(&state_->mu);
  return state_->now;
}

Clock::TimerId VirtualClock::ScheduleAt(absl::Time when, std::function<void()> fn) {
  absl::MutexLock lock(&state_->mu);
  return state_->timers.Add(when, std::move(fn));
}

void VirtualClock::Cancel(TimerId id) {
  absl::MutexLock lock(&state_->mu);
  if (RemoveQueuedTimer(state_->timers, state_->mu, id)) return;
  while (state_->running == id && state_->running_thread != std::this_thread::get_id()) {
    state_->done.Wait(&state_->mu);
  }
}

void VirtualClock::Advance(absl::Duration d) {
  absl::Time target;
  {
    absl::ReaderMutexLock lock(&state_->mu);
    target = state_->now + d;
  }
  AdvanceTo(target);
}

void VirtualClock::AdvanceTo(absl::Time t) {
  State* s = state_.get();
  s->mu.Lock();
  while (true) {
    std::optional<TimerEntry> next = s->timers.Peek();
    if (!next || next->when > t) break;
    // A timer scheduled in the past runs now; time never moves backwards.
    s->now = std::max(s->now, next->when);
    std::function<void()> fn = s->timers.Pop();
    // Saved so that an Advance nested in a callback leaves the outer
    // callback still marked as running when it returns.
    const TimerId outer_running = s->running;
    const std::thread::id outer_thread = s->running_thread;
    s->running = next->id;
    s->running_thread = std::this_thread::get_id();
    s->mu.Unlock();
    try {
      if (fn) fn();
    } catch (...) {
      // In a test the exception belongs to the Advance() caller; leave the
      // clock consistent first.
      fn = nullptr;
      s->mu.Lock();
      s->running = outer_running;
      s->running_thread = outer_thread;
      s->done.SignalAll();
      s->mu.Unlock();
      throw;
    }
    fn = nullptr;  // destroy captures without holding the lock
    s->mu.Lock();
    s->running = outer_running;
    s->running_thread = outer_thread;
    s->done.SignalAll();
  }
  s->now = std::max(s->now, t);
  s->mu.Unlock();
}

size_t VirtualClock::PendingTimers() const {
  absl::ReaderMutexLock lock(&state_->mu);
  return state_->timers.size();
}

}  // namespace rmq
