// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ProcessQueue: a consumer's view of one assigned queue (RocketMQ's
// ProcessQueue). It tracks the messages pulled and not yet consumed, by queue
// offset, so that:
//   - flow control can stop pulling when too many are cached;
//   - the offset committed is the smallest one still being consumed
//     (messages finish out of order when consumed concurrently, and a crash
//     must redeliver everything not finished, never skip it);
//   - a rebalance that takes the queue away marks it dropped, and work still
//     in flight for it is discarded.

#ifndef RMQ_CLIENT_PROCESS_QUEUE_H_
#define RMQ_CLIENT_PROCESS_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "rmq/message.h"

namespace rmq::internal {

class ProcessQueue {
 public:
  // Records pulled messages (ascending queue offsets, after those already here).
  void PutMessages(std::span<const MessageExt> msgs);
  // Marks messages consumed. Returns the offset to commit: the smallest offset
  // still cached, or one past the largest ever put if none is; -1 if nothing
  // was cached.
  int64_t RemoveMessages(std::span<const MessageExt> msgs);

  int64_t cached_count() const { return cached_count_.load(std::memory_order_relaxed); }
  int64_t cached_bytes() const { return cached_bytes_.load(std::memory_order_relaxed); }
  // Offsets between the oldest and newest cached message (consumeConcurrentlyMaxSpan).
  int64_t MaxSpan();

  bool dropped() const { return dropped_.load(std::memory_order_acquire); }
  // Dropping also forgets a parked pull (which refers back to this queue).
  void set_dropped(bool dropped);

  // ---- Flow control (concurrent consumption). A pull stopped because too
  // many messages wait here is parked with the cache sizes at which it may
  // go on: RemoveMessages runs it, on the consuming thread, as soon as the
  // cache is back within them; TakeParked lets the 50 ms timer RocketMQ
  // uses run it instead if that comes first. Either way it runs once.
  struct ResumeBelow {
    int64_t count = 0;
    int64_t bytes = 0;
    int64_t span = 0;
  };
  // Runs `resume` at once (unlocked) if the cache is already within `below`
  // or the queue is dropped.
  void ParkPull(ResumeBelow below, absl::AnyInvocable<void() &&> resume);
  absl::AnyInvocable<void() &&> TakeParked();

  int64_t last_pull_ms() const { return last_pull_ms_.load(std::memory_order_relaxed); }
  void set_last_pull_ms(int64_t ms) { last_pull_ms_.store(ms, std::memory_order_relaxed); }

  // ---- Orderly consumption (ConsumeOrderlyService). The messages are kept
  // here by offset; a batch taken for the listener moves to a "consuming"
  // set until committed (offsets advance past it) or handed back to be
  // consumed again. The queue's lock at the broker is mirrored in locked().

  // Caches pulled messages. True when the caller should start a consume
  // request: there are messages and none is running for this queue.
  bool PutMessagesOrderly(std::span<const MessageExt> msgs);
  // Up to `n` of the oldest cached messages, moved to the consuming set.
  // Empty (and the queue marked not consuming) when none is left.
  std::vector<MessageExt> TakeMessages(int n);
  // Ends the consuming set: returns one past its last offset (-1 if empty).
  int64_t Commit();
  // Puts `msgs` (taken earlier) back among the cached ones, to be taken again.
  void MakeMessagesToConsumeAgain(std::span<const MessageExt> msgs);
  // Whether messages wait to be consumed (not counting a batch being consumed).
  bool HasTempMessage();

  // The broker's lock on this queue, as last seen (RocketMQ's locked and
  // lastLockTimestamp). It is trusted for 30 s after it was last obtained.
  static constexpr int64_t kLockMaxLiveTimeMs = 30000;  // rocketmq.client.rebalance.lockMaxLiveTime
  static constexpr int64_t kLockIntervalMs = 20000;     // rocketmq.client.rebalance.lockInterval
  bool locked() const { return locked_.load(std::memory_order_acquire); }
  void set_locked(bool locked) { locked_.store(locked, std::memory_order_release); }
  int64_t last_lock_ms() const { return last_lock_ms_.load(std::memory_order_relaxed); }
  void set_last_lock_ms(int64_t ms) { last_lock_ms_.store(ms, std::memory_order_relaxed); }
  bool IsLockExpired(int64_t now_ms) const { return now_ms - last_lock_ms() > kLockMaxLiveTimeMs; }
  // Held while the orderly listener runs, so a rebalance does not release
  // the broker's lock in the middle of a batch.
  absl::Mutex& consume_lock() { return consume_lock_; }

 private:
  struct Entry {
    int64_t offset;
    int32_t bytes;
    bool done;
  };

  absl::Mutex mu_;
  std::deque<Entry> entries_ ABSL_GUARDED_BY(mu_);  // Ascending offsets.
  int64_t queue_offset_max_ ABSL_GUARDED_BY(mu_) = -1;
  // Whether the cache is within `below` (count, bytes and span).
  bool WithinLocked(const ResumeBelow& below) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::AnyInvocable<void() &&> parked_ ABSL_GUARDED_BY(mu_);
  ResumeBelow resume_below_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> cached_count_{0};
  std::atomic<int64_t> cached_bytes_{0};
  std::atomic<bool> dropped_{false};
  std::atomic<int64_t> last_pull_ms_{0};

  // Orderly: cached and consuming messages by offset.
  std::map<int64_t, MessageExt> msg_tree_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, MessageExt> consuming_ ABSL_GUARDED_BY(mu_);
  bool consuming_active_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> locked_{false};
  std::atomic<int64_t> last_lock_ms_{0};
  absl::Mutex consume_lock_;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_PROCESS_QUEUE_H_
