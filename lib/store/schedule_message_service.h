// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ScheduleMessageService: delivers delayed messages when they fall due
// (RocketMQ 4.x's ScheduleMessageService). The store puts a message with a
// delay level N into SCHEDULE_TOPIC_XXXX queue N-1, each unit carrying the
// time it is due (see delay_levels.h). Per level, this service reads that
// queue in order from its delivery offset; a unit that is due is looked up,
// turned back into a message of its real topic and queue (DELAY dropped),
// and put; the first unit not yet due sets a timer for its time. A level
// whose queue is read to the end sleeps until the store dispatches a new unit
// to it (Wake), so an idle broker, or a test on a VirtualClock advancing
// hours, costs no polling. Delivery is at least once: the offsets are saved
// in <root>/config/delayOffset.json every flushDelayOffsetInterval and at
// Stop, and after a crash the messages past the saved offset come again.
//
// Timers run on the store's Clock: with a VirtualClock a message is put back
// exactly when the test's clock reaches its due time.

#ifndef RMQ_STORE_SCHEDULE_MESSAGE_SERVICE_H_
#define RMQ_STORE_SCHEDULE_MESSAGE_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/periodic_timer.h"
#include "rmq/clock.h"
#include "rmq/store.h"
#include "store/consume_queue_table.h"
#include "store/delay_levels.h"

namespace rmq::internal {

class ScheduleMessageService {
 public:
  // `store` is where due messages are looked up and put back; `queues` holds
  // the SCHEDULE_TOPIC_XXXX queues. Both must outlive the service.
  ScheduleMessageService(MessageStore& store, ConsumeQueueTable& queues, DelayLevels levels,
                         Clock& clock, std::string offsets_path,
                         absl::Duration persist_interval);
  ~ScheduleMessageService();  // Stop()

  // Reads the saved offsets (a missing file is a first start; a corrupt one
  // with no usable backup is an error naming it), then brings each into its
  // queue's [min, max] range (the queue may have lost its tail in a crash).
  absl::Status Load();
  // Starts delivering: every level with units past its offset runs now.
  void Start();
  // Cancels the timers (a delivery in progress finishes first) and saves the offsets.
  void Stop();

  // A unit was dispatched to SCHEDULE_TOPIC_XXXX queue `queue_id`.
  void Wake(int32_t queue_id);

  // Saves the offsets if they changed since the last save.
  absl::Status Persist();

  // The delivery offset of each level (levels never read are absent).
  std::map<int32_t, int64_t> Offsets() const;
  // Delayed messages stored and not yet put back, over all levels.
  int64_t PendingCount() const;
  // When the earliest of them is due (ms since the epoch); none if no level
  // has a message waiting.
  std::optional<int64_t> NextDeliveryMillis() const;

  const DelayLevels& levels() const { return levels_; }

 private:
  struct Level {
    int64_t offset = 0;
    // The one timer that will run this level (not yet started); 0 while it
    // runs or sleeps until Wake. A level is scheduled only when it has none.
    Clock::TimerId timer = 0;
  };

  void Run(int32_t level);
  // Delivers the due units of `level` from `offset`; returns the offset
  // reached and, if a timer is wanted, when (ms).
  int64_t Deliver(int32_t level, int64_t offset, std::optional<int64_t>* next_run_ms);
  absl::Status PutBack(const MessageExt& delayed);
  void ScheduleLocked(int32_t level, int64_t when_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<ConsumeQueue> QueueOf(int32_t level) const;
  // Calls `fn(queue, offset)` for each level with messages waiting from its
  // delivery offset on.
  void ForEachWaitingLevel(const std::function<void(const ConsumeQueue&, int64_t)>& fn) const;

  MessageStore& store_;
  ConsumeQueueTable& queues_;
  const DelayLevels levels_;
  Clock& clock_;
  const std::string offsets_path_;
  const absl::Duration persist_interval_;
  std::unique_ptr<PeriodicTimer> persist_timer_;

  mutable absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  int runs_in_flight_ ABSL_GUARDED_BY(mu_) = 0;  // Run calls past their start check.
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
  std::map<int32_t, Level> levels_state_ ABSL_GUARDED_BY(mu_);
  absl::Mutex persist_mu_;  // One save at a time.
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_SCHEDULE_MESSAGE_SERVICE_H_
