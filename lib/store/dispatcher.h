// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Dispatcher (RocketMQ's ReputMessageService): follows the commit log and,
// for each new record, appends its unit to the consume queue and its keys to
// the index. Consume queues and the index are therefore always a function of
// the commit log, and recovery rebuilds them by dispatching again (queues and
// index skip what they already hold).

#ifndef RMQ_STORE_DISPATCHER_H_
#define RMQ_STORE_DISPATCHER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/record_codec.h"
#include "store/commit_log.h"
#include "store/consume_queue_table.h"
#include "store/delay_levels.h"
#include "store/dispatch_request.h"
#include "store/index_service.h"

namespace rmq::internal {

// The tagsCode of a record's consume queue unit: the hash of its TAGS, or,
// for a SCHEDULE_TOPIC_XXXX record, the time it is due (store time plus the
// delay of its DELAY level), or, for an rmq_sys_wheel_timer record, its
// TIMER_OUT_MS.
int64_t UnitTagsCode(std::string_view topic, std::string_view properties, int64_t store_timestamp,
                     const DelayLevels& levels);

class Dispatcher {
 public:
  // `index` may be null (messageIndexEnable=false); `levels` is kept by reference.
  Dispatcher(CommitLog& log, ConsumeQueueTable& queues, IndexService* index,
             const DelayLevels& levels);
  ~Dispatcher();  // Stop()

  // Called for every dispatched message after the queue and index (e.g. to
  // wake long-polling pulls). Set before Start.
  void set_listener(std::function<void(const DispatchRequest&)> listener) {
    listener_ = std::move(listener);
  }
  // Called when a run of dispatched records ends: the dispatcher caught up
  // with the log, or is about to leave a segment (the listener's views of
  // records point into it). Set before Start.
  void set_run_end(std::function<void()> run_end) { run_end_ = std::move(run_end); }

  // Dispatches one record found by recovery, synchronously (before Start).
  absl::Status DispatchRecord(int64_t offset, const RecordView& view);

  // Follows the commit log from `from_offset` on a background thread.
  // Consume queue units of records below `repair_before` that the queues
  // hold already are checked against the record and rewritten if they
  // differ (re-dispatch after a crash, which can leave a unit half written).
  void Start(int64_t from_offset, int64_t repair_before = 0);
  // Dispatches what is already written, then stops the thread.
  void Stop();

  // Cheap enough to call after every append: signals only a sleeping thread.
  void Wakeup();

  // Everything below this commit log offset has been dispatched.
  int64_t dispatched_offset() const { return dispatched_.load(std::memory_order_acquire); }
  // Store timestamp of the newest dispatched message.
  int64_t dispatched_store_timestamp() const {
    return dispatched_store_timestamp_.load(std::memory_order_acquire);
  }
  // Blocks until dispatched_offset() >= offset, or the dispatcher stopped or failed.
  void WaitFor(int64_t offset);
  absl::Status last_error() const;

 private:
  void Run(std::stop_token stop);
  // Dispatches records in [dispatched_offset(), end). False if it cannot go on.
  bool DispatchUntil(int64_t end);

  CommitLog& log_;
  ConsumeQueueTable& queues_;
  IndexService* const index_;
  const DelayLevels& levels_;
  std::function<void(const DispatchRequest&)> listener_;
  std::function<void()> run_end_;
  // Calls run_end_, if set.
  void EndRun() {
    if (run_end_) run_end_();
  }
  // Queues already looked up, so dispatching a record takes no lock. Only the
  // dispatching thread (or Stop after joining it) touches it.
  TopicQueueMap<std::shared_ptr<ConsumeQueue>> queue_cache_;

  // Start's `repair_before`; set before the thread starts.
  int64_t repair_before_ = 0;
  std::atomic<int64_t> dispatched_{0};
  std::atomic<int64_t> dispatched_store_timestamp_{0};
  std::atomic<bool> sleeping_{false};
  std::atomic<int> waiters_{0};
  mutable absl::Mutex mu_;
  absl::CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  std::jthread thread_;
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_DISPATCHER_H_
