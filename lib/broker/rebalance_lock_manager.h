// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RebalanceLockManager: the broker's queue locks for ordered consumption
// (RocketMQ 4.9's RebalanceLockManager). An orderly consumer of a CLUSTERING
// group may consume a queue only while it holds the queue's lock here, so a
// queue moving between members during a rebalance is never consumed by two
// of them at once.
//
// A lock is (group, queue) → (client id, last update). It belongs to its
// client while less than `max_live_time` has passed since the client last
// locked it (the client renews every 20 s); once more has passed any client
// may take it. Locking a queue one already holds refreshes it. Unlocking by
// a client that is not the holder is ignored.

#ifndef RMQ_BROKER_REBALANCE_LOCK_MANAGER_H_
#define RMQ_BROKER_REBALANCE_LOCK_MANAGER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rmq/clock.h"
#include "rmq/message_queue.h"

namespace rmq::internal {

class RebalanceLockManager {
 public:
  // RocketMQ's default for rocketmq.broker.rebalance.lockMaxLiveTime.
  static constexpr int64_t kDefaultMaxLiveTimeMillis = 60000;

  RebalanceLockManager(Clock& clock, int64_t max_live_time_millis = kDefaultMaxLiveTimeMillis)
      : clock_(clock), max_live_time_millis_(max_live_time_millis) {}

  // Locks `queue` of `group` for `client_id` (or refreshes its lock). False if
  // another client holds an unexpired lock on it.
  bool TryLock(const std::string& group, const MessageQueue& queue, const std::string& client_id);
  // Locks what it can of `queues`; returns the queues `client_id` now holds.
  std::set<MessageQueue> TryLockBatch(const std::string& group, const std::set<MessageQueue>& queues,
                                      const std::string& client_id);
  // Releases the locks `client_id` holds among `queues`; others' are left.
  void UnlockBatch(const std::string& group, const std::set<MessageQueue>& queues,
                   const std::string& client_id);
  // Whether `client_id` holds an unexpired lock on `queue` (no refresh).
  bool IsLockedBy(const std::string& group, const MessageQueue& queue,
                  const std::string& client_id);

 private:
  struct LockEntry {
    std::string client_id;
    int64_t last_update_ms = 0;
  };
  bool Expired(const LockEntry& entry, int64_t now) const {
    return now - entry.last_update_ms > max_live_time_millis_;
  }
  // Takes or refreshes the lock; false if another client holds it.
  bool LockLocked(const std::string& group, const MessageQueue& queue,
                  const std::string& client_id, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  const int64_t max_live_time_millis_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::map<MessageQueue, LockEntry>> table_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_REBALANCE_LOCK_MANAGER_H_
