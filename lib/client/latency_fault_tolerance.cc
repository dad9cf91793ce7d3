// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/latency_fault_tolerance.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <vector>

#include "common/str_cat.h"

namespace rmq::internal {
namespace {

// MQFaultStrategy.latencyMax and notAvailableDuration.
constexpr std::array<int64_t, 7> kLatencyMax = {50, 100, 550, 1000, 2000, 3000, 15000};
constexpr std::array<int64_t, 7> kNotAvailableDuration = {0, 0, 30000, 60000, 120000, 180000, 600000};
// The latency a failed send counts as.
constexpr int64_t kIsolationLatencyMs = 30000;

}  // namespace

int64_t NotAvailableDurationMs(int64_t latency_ms) {
  for (size_t i = kLatencyMax.size(); i-- > 0;) {
    if (latency_ms >= kLatencyMax[i]) return kNotAvailableDuration[i];
  }
  return 0;
}

LatencyFaultTolerance::LatencyFaultTolerance(const Clock& clock)
    : clock_(clock), which_item_worst_(RandomIndexStart()) {}

void LatencyFaultTolerance::UpdateFaultItem(std::string_view broker, int64_t latency_ms,
                                            int64_t not_available_ms) {
  const int64_t available_at = clock_.NowMillis() + not_available_ms;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = items_.find(AbslView(broker));
    if (it != items_.end()) {
      it->second->latency_ms.store(latency_ms, std::memory_order_relaxed);
      it->second->available_at_ms.store(available_at, std::memory_order_relaxed);
      return;
    }
  }
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Item>& item = items_[AbslView(broker)];
  if (item == nullptr) item = std::make_unique<Item>();
  item->latency_ms.store(latency_ms, std::memory_order_relaxed);
  item->available_at_ms.store(available_at, std::memory_order_relaxed);
}

bool LatencyFaultTolerance::IsAvailable(std::string_view broker) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = items_.find(AbslView(broker));
  if (it == items_.end()) return true;
  return clock_.NowMillis() >= it->second->available_at_ms.load(std::memory_order_relaxed);
}

void LatencyFaultTolerance::Remove(std::string_view broker) {
  absl::MutexLock lock(&mu_);
  items_.erase(AbslView(broker));
}

std::optional<std::string> LatencyFaultTolerance::PickOneAtLeast() {
  struct Snapshot {
    bool available;
    int64_t latency_ms;
    int64_t available_at_ms;
    const std::string* name;
  };
  std::vector<Snapshot> items;
  absl::ReaderMutexLock lock(&mu_);
  const int64_t now = clock_.NowMillis();
  for (const auto& [name, item] : items_) {
    const int64_t at = item->available_at_ms.load(std::memory_order_relaxed);
    items.push_back({now >= at, item->latency_ms.load(std::memory_order_relaxed), at, &name});
  }
  if (items.empty()) return std::nullopt;
  // FaultItem.compareTo; the name breaks ties so the order does not depend on the hash map.
  std::sort(items.begin(), items.end(), [](const Snapshot& a, const Snapshot& b) {
    return std::make_tuple(!a.available, a.latency_ms, a.available_at_ms, *a.name) <
           std::make_tuple(!b.available, b.latency_ms, b.available_at_ms, *b.name);
  });
  const size_t half = items.size() / 2;
  if (half == 0) return *items.front().name;
  const uint32_t i = which_item_worst_.fetch_add(1, std::memory_order_relaxed) + 1;
  return *items[i % half].name;
}

const MessageQueue& FaultStrategy::SelectOneMessageQueue(const TopicPublishInfo& info,
                                                         std::string_view last_broker) {
  if (!enabled_) return info.SelectOneMessageQueue(last_broker);
  // As RocketMQ 4.9 with the fault strategy on, `last_broker` is not
  // consulted: a broker that just failed is being avoided anyway.
  const std::vector<MessageQueue>& queues = info.queues();
  const size_t n = queues.size();
  uint32_t index = info.NextIndex();
  for (size_t i = 0; i < n; ++i) {
    const MessageQueue& mq = queues[index++ % n];
    if (tolerance_.IsAvailable(mq.broker_name)) return mq;
  }
  std::optional<std::string> not_best = tolerance_.PickOneAtLeast();
  if (not_best.has_value()) {
    int32_t write_queue_nums = 0;
    for (const MessageQueue& mq : queues) {
      if (mq.broker_name == *not_best) ++write_queue_nums;
    }
    if (write_queue_nums > 0) {
      const int32_t queue_id = static_cast<int32_t>(info.NextIndex() % static_cast<uint32_t>(write_queue_nums));
      for (const MessageQueue& mq : queues) {
        if (mq.broker_name == *not_best && mq.queue_id == queue_id) return mq;
      }
    } else {
      // Not a broker of this topic: forget it (as RocketMQ does).
      tolerance_.Remove(*not_best);
    }
  }
  return info.SelectOneMessageQueue({});
}

void FaultStrategy::UpdateFaultItem(std::string_view broker, int64_t latency_ms, bool isolation) {
  if (!enabled_) return;
  const int64_t duration = NotAvailableDurationMs(isolation ? kIsolationLatencyMs : latency_ms);
  tolerance_.UpdateFaultItem(broker, latency_ms, duration);
}

}  // namespace rmq::internal
