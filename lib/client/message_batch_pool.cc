// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/message_batch_pool.h"

#include <algorithm>
#include <utility>

namespace rmq::internal {
namespace {

// Heap bytes the strings of `msgs` hold (an estimate: capacities).
size_t CapacityBytes(const std::vector<MessageExt>& msgs) {
  size_t bytes = 0;
  for (const MessageExt& msg : msgs) {
    bytes += msg.topic().capacity() + msg.body().capacity();
    for (const auto& [name, value] : msg.properties()) bytes += name.capacity() + value.capacity();
  }
  return bytes;
}

}  // namespace

std::shared_ptr<MessageBatchPool> MessageBatchPool::Create(size_t max_messages, size_t max_bytes) {
  return std::shared_ptr<MessageBatchPool>(new MessageBatchPool(max_messages, max_bytes));
}

std::shared_ptr<MessageBatchPool> MessageBatchPool::ForFlowControl(
    int32_t pull_threshold_for_queue) {
  constexpr size_t kQueues = 4;
  constexpr size_t kMaxBytes = size_t{8} << 20;
  const size_t per_queue = static_cast<size_t>(std::max(pull_threshold_for_queue, 32));
  return Create(kQueues * per_queue, kMaxBytes);
}

std::vector<MessageExt> MessageBatchPool::Take() {
  absl::MutexLock lock(&mu_);
  if (free_.empty()) return {};
  Kept kept = std::move(free_.back());
  free_.pop_back();
  kept_messages_ -= kept.msgs.size();
  kept_bytes_ -= kept.bytes;
  return std::move(kept.msgs);
}

std::shared_ptr<std::vector<MessageExt>> MessageBatchPool::Share(std::vector<MessageExt> msgs) {
  std::weak_ptr<MessageBatchPool> weak = weak_from_this();
  return std::shared_ptr<std::vector<MessageExt>>(
      new std::vector<MessageExt>(std::move(msgs)), [weak](std::vector<MessageExt>* shared) {
        if (auto pool = weak.lock()) pool->Recycle(std::move(*shared));
        delete shared;
      });
}

void MessageBatchPool::Recycle(std::vector<MessageExt>&& msgs) {
  if (msgs.empty()) return;
  const size_t bytes = CapacityBytes(msgs);
  absl::MutexLock lock(&mu_);
  if (kept_messages_ + msgs.size() > max_messages_ || kept_bytes_ + bytes > max_bytes_) return;
  kept_messages_ += msgs.size();
  kept_bytes_ += bytes;
  free_.push_back(Kept{std::move(msgs), bytes});
}

size_t MessageBatchPool::kept() {
  absl::MutexLock lock(&mu_);
  return free_.size();
}

}  // namespace rmq::internal
