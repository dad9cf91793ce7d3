// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Send latency fault tolerance (RocketMQ's LatencyFaultToleranceImpl and
// MQFaultStrategy): with sendLatencyFaultEnable, every send records how long
// its broker took; a slow or failed broker is left alone for a while.
//
//   latency of the send (ms)  >= 50  100  550    1000   2000    3000    15000
//   broker avoided for (ms)      0    0  30000  60000  120000  180000  600000
//
// A send that failed counts as a latency of 30 s (the broker is avoided for
// 600 s), but the latency recorded for it is the real one. When every broker
// of a topic is being avoided, one is picked anyway (pickOneAtLeast).

#ifndef RMQ_CLIENT_LATENCY_FAULT_TOLERANCE_H_
#define RMQ_CLIENT_LATENCY_FAULT_TOLERANCE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "client/topic_publish_info.h"
#include "rmq/clock.h"
#include "rmq/message_queue.h"

namespace rmq::internal {

// Which brokers are being avoided, and until when. Thread-safe.
class LatencyFaultTolerance {
 public:
  explicit LatencyFaultTolerance(const Clock& clock);

  // Records `latency_ms` for `broker`; it is unavailable for `not_available_ms` from now.
  void UpdateFaultItem(std::string_view broker, int64_t latency_ms, int64_t not_available_ms);
  // False while `broker` is being avoided. A broker never recorded is available.
  bool IsAvailable(std::string_view broker) const;
  void Remove(std::string_view broker);
  // One recorded broker to use when all are avoided: the available ones
  // first, then by lowest latency, then by earliest end of avoidance; a
  // rotating pick among the better half. nullopt if nothing is recorded.
  std::optional<std::string> PickOneAtLeast();

 private:
  struct Item {
    std::atomic<int64_t> latency_ms{0};
    std::atomic<int64_t> available_at_ms{0};  // RocketMQ's startTimestamp.
  };

  const Clock& clock_;
  mutable absl::Mutex mu_;
  // Items are never erased while a reader may hold one: Remove takes the
  // writer lock, readers read under the reader lock.
  absl::flat_hash_map<std::string, std::unique_ptr<Item>> items_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint32_t> which_item_worst_;
};

// How long a broker is avoided after a send that took `latency_ms`
// (MQFaultStrategy.computeNotAvailableDuration).
int64_t NotAvailableDurationMs(int64_t latency_ms);

// Chooses queues for the default send path (MQFaultStrategy).
class FaultStrategy {
 public:
  FaultStrategy(bool enabled, const Clock& clock) : enabled_(enabled), tolerance_(clock) {}

  bool enabled() const { return enabled_; }

  // The queue for the next attempt: round-robin over `info`'s queues; when
  // enabled the first queue whose broker is not being avoided (then one on a
  // broker picked by PickOneAtLeast), else the next one not on `last_broker`.
  // The queue is one of info.queues().
  const MessageQueue& SelectOneMessageQueue(const TopicPublishInfo& info,
                                            std::string_view last_broker);

  // After a send to `broker` that took `latency_ms`; `isolation` for a
  // failed send. Does nothing unless enabled.
  void UpdateFaultItem(std::string_view broker, int64_t latency_ms, bool isolation);

  LatencyFaultTolerance& tolerance() { return tolerance_; }

 private:
  const bool enabled_;
  LatencyFaultTolerance tolerance_;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_LATENCY_FAULT_TOLERANCE_H_
