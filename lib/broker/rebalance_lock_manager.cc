// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/rebalance_lock_manager.h"

#include "spdlog/spdlog.h"

namespace rmq::internal {

bool RebalanceLockManager::LockLocked(const std::string& group, const MessageQueue& queue,
                                      const std::string& client_id, int64_t now) {
  auto& locks = table_[group];
  auto it = locks.find(queue);
  if (it == locks.end()) {
    locks.emplace(queue, LockEntry{client_id, now});
    spdlog::info("queue lock: group {} {} locked by {}", group, queue.ToString(), client_id);
    return true;
  }
  LockEntry& entry = it->second;
  if (entry.client_id == client_id && !Expired(entry, now)) {
    entry.last_update_ms = now;
    return true;
  }
  if (Expired(entry, now)) {
    spdlog::warn("queue lock: group {} {}: the lock of {} expired, now held by {}", group,
                 queue.ToString(), entry.client_id, client_id);
    entry.client_id = client_id;
    entry.last_update_ms = now;
    return true;
  }
  spdlog::warn("queue lock: group {} {} is held by {}; {} refused", group, queue.ToString(),
               entry.client_id, client_id);
  return false;
}

bool RebalanceLockManager::TryLock(const std::string& group, const MessageQueue& queue,
                                   const std::string& client_id) {
  const int64_t now = clock_.NowMillis();
  absl::MutexLock lock(&mu_);
  return LockLocked(group, queue, client_id, now);
}

std::set<MessageQueue> RebalanceLockManager::TryLockBatch(const std::string& group,
                                                          const std::set<MessageQueue>& queues,
                                                          const std::string& client_id) {
  const int64_t now = clock_.NowMillis();
  std::set<MessageQueue> locked;
  absl::MutexLock lock(&mu_);
  for (const MessageQueue& queue : queues) {
    if (LockLocked(group, queue, client_id, now)) locked.insert(queue);
  }
  return locked;
}

void RebalanceLockManager::UnlockBatch(const std::string& group,
                                       const std::set<MessageQueue>& queues,
                                       const std::string& client_id) {
  absl::MutexLock lock(&mu_);
  auto group_it = table_.find(group);
  if (group_it == table_.end()) {
    spdlog::warn("queue unlock: group {} holds no locks ({})", group, client_id);
    return;
  }
  for (const MessageQueue& queue : queues) {
    auto it = group_it->second.find(queue);
    if (it == group_it->second.end()) continue;
    if (it->second.client_id == client_id) {
      group_it->second.erase(it);
      spdlog::info("queue unlock: group {} {} released by {}", group, queue.ToString(), client_id);
    } else {
      spdlog::warn("queue unlock: group {} {} is held by {}, not {}; left locked", group,
                   queue.ToString(), it->second.client_id, client_id);
    }
  }
}

bool RebalanceLockManager::IsLockedBy(const std::string& group, const MessageQueue& queue,
                                      const std::string& client_id) {
  const int64_t now = clock_.NowMillis();
  absl::MutexLock lock(&mu_);
  auto group_it = table_.find(group);
  if (group_it == table_.end()) return false;
  auto it = group_it->second.find(queue);
  return it != group_it->second.end() && it->second.client_id == client_id &&
         !Expired(it->second, now);
}

}  // namespace rmq::internal
