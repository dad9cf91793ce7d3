// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/process_queue.h"

#include <algorithm>

namespace rmq::internal {

void ProcessQueue::PutMessages(std::span<const MessageExt> msgs) {
  absl::MutexLock lock(&mu_);
  int64_t bytes = 0;
  int64_t added = 0;
  for (const MessageExt& msg : msgs) {
    if (msg.queue_offset <= queue_offset_max_) continue;  // Already cached.
    entries_.push_back(Entry{msg.queue_offset, static_cast<int32_t>(msg.body().size()), false});
    queue_offset_max_ = msg.queue_offset;
    bytes += static_cast<int64_t>(msg.body().size());
    ++added;
  }
  cached_count_.fetch_add(added, std::memory_order_relaxed);
  cached_bytes_.fetch_add(bytes, std::memory_order_relaxed);
}

int64_t ProcessQueue::RemoveMessages(std::span<const MessageExt> msgs) {
  absl::AnyInvocable<void() &&> resume;
  int64_t next;
  {
    absl::MutexLock lock(&mu_);
    if (entries_.empty()) return -1;
    int64_t removed = 0;
    int64_t bytes = 0;
    for (const MessageExt& msg : msgs) {
      auto it = std::lower_bound(entries_.begin(), entries_.end(), msg.queue_offset,
                                 [](const Entry& e, int64_t offset) { return e.offset < offset; });
      if (it == entries_.end() || it->offset != msg.queue_offset || it->done) continue;
      it->done = true;
      ++removed;
      bytes += it->bytes;
    }
    while (!entries_.empty() && entries_.front().done) entries_.pop_front();
    cached_count_.fetch_sub(removed, std::memory_order_relaxed);
    cached_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
    next = entries_.empty() ? queue_offset_max_ + 1 : entries_.front().offset;
    if (parked_ && WithinLocked(resume_below_)) {
      resume = std::move(parked_);
      parked_ = nullptr;
    }
  }
  if (resume) std::move(resume)();  // Unlocked: the pull it resumes comes back here.
  return next;
}

void ProcessQueue::set_dropped(bool dropped) {
  dropped_.store(dropped, std::memory_order_release);
  // Destroyed unlocked: it may hold the last reference to what owns us.
  if (dropped) TakeParked();
}

bool ProcessQueue::WithinLocked(const ResumeBelow& below) const {
  const int64_t span = entries_.empty() ? 0 : entries_.back().offset - entries_.front().offset;
  return cached_count_.load(std::memory_order_relaxed) <= below.count &&
         cached_bytes_.load(std::memory_order_relaxed) <= below.bytes && span <= below.span;
}

void ProcessQueue::ParkPull(ResumeBelow below, absl::AnyInvocable<void() &&> resume) {
  {
    absl::MutexLock lock(&mu_);
    // The listeners may have caught up since the caller looked: then no
    // RemoveMessages is left to resume it.
    if (!WithinLocked(below) && !dropped()) {
      resume_below_ = below;
      parked_ = std::move(resume);
      return;
    }
  }
  std::move(resume)();
}

absl::AnyInvocable<void() &&> ProcessQueue::TakeParked() {
  absl::MutexLock lock(&mu_);
  absl::AnyInvocable<void() &&> parked = std::move(parked_);
  parked_ = nullptr;
  return parked;
}

int64_t ProcessQueue::MaxSpan() {
  absl::MutexLock lock(&mu_);
  if (entries_.empty()) return 0;
  return entries_.back().offset - entries_.front().offset;
}

bool ProcessQueue::PutMessagesOrderly(std::span<const MessageExt> msgs) {
  absl::MutexLock lock(&mu_);
  int64_t bytes = 0;
  int64_t added = 0;
  for (const MessageExt& msg : msgs) {
    if (msg_tree_.contains(msg.queue_offset) || consuming_.contains(msg.queue_offset)) continue;
    bytes += static_cast<int64_t>(msg.body().size());
    ++added;
    queue_offset_max_ = std::max(queue_offset_max_, msg.queue_offset);
    msg_tree_.emplace(msg.queue_offset, msg);
  }
  cached_count_.fetch_add(added, std::memory_order_relaxed);
  cached_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  if (!msg_tree_.empty() && !consuming_active_) {
    consuming_active_ = true;
    return true;
  }
  return false;
}

std::vector<MessageExt> ProcessQueue::TakeMessages(int n) {
  absl::MutexLock lock(&mu_);
  std::vector<MessageExt> taken;
  while (static_cast<int>(taken.size()) < n && !msg_tree_.empty()) {
    auto node = msg_tree_.extract(msg_tree_.begin());
    taken.push_back(node.mapped());
    consuming_.insert(std::move(node));
  }
  if (taken.empty()) consuming_active_ = false;
  return taken;
}

int64_t ProcessQueue::Commit() {
  absl::MutexLock lock(&mu_);
  if (consuming_.empty()) return -1;
  const int64_t next = consuming_.rbegin()->first + 1;
  int64_t bytes = 0;
  for (const auto& [offset, msg] : consuming_) bytes += static_cast<int64_t>(msg.body().size());
  cached_count_.fetch_sub(static_cast<int64_t>(consuming_.size()), std::memory_order_relaxed);
  cached_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  consuming_.clear();
  return next;
}

void ProcessQueue::MakeMessagesToConsumeAgain(std::span<const MessageExt> msgs) {
  absl::MutexLock lock(&mu_);
  for (const MessageExt& msg : msgs) {
    consuming_.erase(msg.queue_offset);
    msg_tree_.insert_or_assign(msg.queue_offset, msg);
  }
}

bool ProcessQueue::HasTempMessage() {
  absl::MutexLock lock(&mu_);
  return !msg_tree_.empty();
}

}  // namespace rmq::internal
