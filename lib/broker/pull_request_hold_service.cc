// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/pull_request_hold_service.h"

#include <atomic>
#include <utility>

namespace rmq::internal {

std::shared_ptr<PullRequestHoldService> PullRequestHoldService::Create(
    std::shared_ptr<Clock> clock, MessageStore* store, bool wake_on_arrival,
    absl::Duration check_interval, Rerun rerun) {
  std::shared_ptr<PullRequestHoldService> service(
      new PullRequestHoldService(std::move(clock), store, wake_on_arrival, std::move(rerun)));
  std::weak_ptr<PullRequestHoldService> weak = service;
  service->check_timer_ = std::make_unique<PeriodicTimer>(*service->clock_, check_interval, [weak] {
    if (auto self = weak.lock()) self->CheckHeldRequests();
  });
  service->check_timer_->Start();
  return service;
}

PullRequestHoldService::PullRequestHoldService(std::shared_ptr<Clock> clock, MessageStore* store,
                                               bool wake_on_arrival, Rerun rerun)
    : clock_(std::move(clock)),
      store_(store),
      wake_on_arrival_(wake_on_arrival),
      rerun_(std::move(rerun)) {}

PullRequestHoldService::~PullRequestHoldService() { Shutdown(); }

void PullRequestHoldService::Suspend(std::unique_ptr<HeldPull> pull, absl::Duration timeout) {
  TopicQueueKey key{pull->topic, pull->queue_id};
  const int64_t from = pull->pull_from_offset;
  {
    absl::MutexLock lock(&mu_);
    if (!shut_down_) {
      Entry entry;
      entry.id = next_id_++;
      std::weak_ptr<PullRequestHoldService> weak = weak_from_this();
      entry.timer = clock_->ScheduleAfter(timeout, [weak, key, id = entry.id] {
        if (auto self = weak.lock()) self->OnTimeout(key, id);
      });
      entry.pull = std::move(pull);
      table_[key].push_back(std::move(entry));
      held_.fetch_add(1, std::memory_order_relaxed);
    } else {
      ++waking_;
    }
  }
  if (pull != nullptr) {
    // Shut down while the pull ran: answer it now.
    rerun_(std::move(pull));
    absl::MutexLock lock(&mu_);
    --waking_;
    return;
  }
  // A message may have arrived between the pull's read and its registration
  // here, waking nobody; if so, answer now rather than at the timeout.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (wake_on_arrival_ && store_->GetMaxOffsetInQueue(key.topic, key.queue_id) > from) {
    CheckQueue(key);
  }
}

void PullRequestHoldService::NotifyMessagesArriving(
    std::span<const MessageStore::ArrivedMessage> arrived) {
  // Pairs with the fence in Suspend (a store-buffer handshake): the caller
  // made the new units visible before calling, Suspend registers before it
  // re-reads the max offset, so at least one of the two sees the other —
  // without the fences both may read the old value and the pull sleeps
  // until its timeout although its message is there.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (held_.load(std::memory_order_relaxed) == 0 || !wake_on_arrival_) return;
  std::vector<Entry> woken;
  {
    absl::MutexLock lock(&mu_);
    for (const MessageStore::ArrivedMessage& m : arrived) {
      // Every held pull woken: the rest of the batch has no one to wake.
      if (table_.empty()) break;
      const int64_t max_offset = m.queue_offset + 1;
      TakeWhere(TopicQueueRef{m.topic, m.queue_id}, [&](const HeldPull& pull) {
        return max_offset > pull.pull_from_offset &&
               (pull.filter == nullptr || (pull.filter->MatchesTagsCode(m.tags_code) &&
                                           pull.filter->MatchesProperties(m.properties)));
      }, &woken);
    }
    if (!BeginWaking(woken)) return;
  }
  Wake(std::move(woken));
}

void PullRequestHoldService::CheckHeldRequests() {
  std::vector<TopicQueueKey> keys;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, entries] : table_) keys.push_back(key);
  }
  for (const TopicQueueKey& key : keys) CheckQueue(key);
}

void PullRequestHoldService::CheckQueue(const TopicQueueKey& key) {
  const int64_t max = store_->GetMaxOffsetInQueue(key.topic, key.queue_id);
  // No message here: wake whoever is behind the max offset, as RocketMQ's
  // periodic check does, and let the pull's filter decide.
  WakeWhere(TopicQueueRef{key.topic, key.queue_id},
            [max](const HeldPull& pull) { return max > pull.pull_from_offset; });
}

void PullRequestHoldService::WakeWhere(TopicQueueRef key,
                                       absl::FunctionRef<bool(const HeldPull&)> wanted) {
  std::vector<Entry> woken;
  {
    absl::MutexLock lock(&mu_);
    TakeWhere(key, wanted, &woken);
    if (!BeginWaking(woken)) return;
  }
  Wake(std::move(woken));
}

void PullRequestHoldService::TakeWhere(TopicQueueRef key,
                                       absl::FunctionRef<bool(const HeldPull&)> wanted,
                                       std::vector<Entry>* woken) {
  auto it = table_.find(key);
  if (it == table_.end()) return;
  std::vector<Entry>& entries = it->second;
  for (size_t i = 0; i < entries.size();) {
    if (wanted(*entries[i].pull)) {
      woken->push_back(std::move(entries[i]));
      entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  if (entries.empty()) table_.erase(it);
}

bool PullRequestHoldService::BeginWaking(const std::vector<Entry>& woken) {
  if (woken.empty()) return false;
  held_.fetch_sub(woken.size(), std::memory_order_relaxed);
  ++waking_;
  return true;
}

void PullRequestHoldService::OnTimeout(const TopicQueueKey& key, uint64_t id) {
  std::vector<Entry> woken;
  {
    absl::MutexLock lock(&mu_);
    auto it = table_.find(key);
    if (it == table_.end()) return;
    std::vector<Entry>& entries = it->second;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].id != id) continue;
      woken.push_back(std::move(entries[i]));
      woken.back().timer = 0;  // It is this callback: nothing to cancel.
      entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
    if (entries.empty()) table_.erase(it);
    if (!BeginWaking(woken)) return;
  }
  Wake(std::move(woken));
}

void PullRequestHoldService::Wake(std::vector<Entry> entries) {
  for (Entry& entry : entries) {
    if (entry.timer != 0) clock_->Cancel(entry.timer);
    rerun_(std::move(entry.pull));
  }
  absl::MutexLock lock(&mu_);
  --waking_;
}

void PullRequestHoldService::Shutdown() {
  if (check_timer_) check_timer_->Stop();
  std::vector<Entry> all;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [key, entries] : table_) {
      for (Entry& entry : entries) all.push_back(std::move(entry));
    }
    table_.clear();
    held_.store(0, std::memory_order_relaxed);
    ++waking_;
  }
  Wake(std::move(all));
  // Pulls woken on other threads are still being answered: wait for them,
  // since they read the store the broker is about to close.
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waking_ == 0; };
  mu_.Await(absl::Condition(&idle));
}

}  // namespace rmq::internal
