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
#include <span>

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
  void set_dropped(bool dropped) { dropped_.store(dropped, std::memory_order_release); }

  int64_t last_pull_ms() const { return last_pull_ms_.load(std::memory_order_relaxed); }
  void set_last_pull_ms(int64_t ms) { last_pull_ms_.store(ms, std::memory_order_relaxed); }

 private:
  struct Entry {
    int64_t offset;
    int32_t bytes;
    bool done;
  };

  absl::Mutex mu_;
  std::deque<Entry> entries_ ABSL_GUARDED_BY(mu_);  // Ascending offsets.
  int64_t queue_offset_max_ ABSL_GUARDED_BY(mu_) = -1;
  std::atomic<int64_t> cached_count_{0};
  std::atomic<int64_t> cached_bytes_{0};
  std::atomic<bool> dropped_{false};
  std::atomic<int64_t> last_pull_ms_{0};
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_PROCESS_QUEUE_H_
