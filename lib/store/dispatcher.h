// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Dispatcher (RocketMQ's ReputMessageService): follows the commit log and,
// for each new record, appends its unit to the consume queue and its keys to
// the index. Consume queues and the index are therefore always a function of
// the commit log, and recovery rebuilds them by dispatching again (queues and
// index skip what they already hold).
//
// A record whose queue unit cannot be written (a full disk or fd table: a new
// queue directory or segment cannot be created) stalls dispatch: the record
// is retried, 10 ms after the first failure doubling to 1 s, until it goes
// in, and nothing after it is dispatched meanwhile (queues stay in log
// order). The store refuses puts while stalled(). The index does not stall
// dispatch (see DispatchRecord).

#ifndef RMQ_STORE_DISPATCHER_H_
#define RMQ_STORE_DISPATCHER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/properties_codec.h"
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
// TIMER_OUT_MS, or its TIMER_ROLL_AT_MS if that is earlier.
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

  // Follows the commit log from `from_offset` on a background thread.
  // Consume queue units of records below `repair_before` that the queues
  // hold already are checked against the record and rewritten if they
  // differ (re-dispatch after a crash, which can leave a unit half written).
  // An `index_from` below `from_offset` (after a crash, the index ends
  // further back than the queues) makes the index catch up from there
  // meanwhile: records are dispatched to their queues at once, and indexed
  // in order, in chunks, whenever the queues have caught up.
  void Start(int64_t from_offset, int64_t repair_before = 0, int64_t index_from = -1);
  // Dispatches what is already written, then stops the thread.
  void Stop();

  // Cheap enough to call after every append: signals only a sleeping thread.
  void Wakeup();

  // Everything below this commit log offset has been dispatched.
  int64_t dispatched_offset() const { return dispatched_.load(std::memory_order_acquire); }
  // Everything below this commit log offset has been indexed (or left out
  // of the index, see index_incomplete()): below dispatched_offset() while
  // the index catches up after a crash, equal to it afterwards.
  int64_t indexed_offset() const {
    return index_in_step_.load(std::memory_order_acquire) ? dispatched_offset()
                                                          : indexed_.load(std::memory_order_acquire);
  }
  // Store timestamp of the newest dispatched message.
  int64_t dispatched_store_timestamp() const {
    return dispatched_store_timestamp_.load(std::memory_order_acquire);
  }
  // Blocks until dispatched_offset() >= offset, the dispatcher is stopped,
  // or an attempt to dispatch a record fails (if stalled already: until the
  // next attempt, at most 1 s away, succeeds or fails). So it never waits
  // for a failure to go away, and a caller that has removed its cause can
  // wait for the retry.
  void WaitFor(int64_t offset);

  // Whether dispatch is stalled on a record that fails (and is retried).
  // One atomic load: the store asks before every put.
  bool stalled() const { return stalled_.load(std::memory_order_acquire); }
  // Why dispatch is stalled, naming the record and the file; OK if it is not.
  absl::Status last_error() const;
  // Whether some messages were left out of the index: it had not caught up
  // when the dispatcher stopped (it falls behind when it cannot take a
  // message's keys, and after a crash), or a record could not be read for
  // it. The store then keeps its abort file at shutdown, so that the next
  // open rebuilds the index from the commit log.
  bool index_incomplete() const { return index_incomplete_.load(std::memory_order_acquire); }

 private:
  void Run(std::stop_token stop);
  // What the queue and the index take of a record (all but the unit's tagsCode).
  static DispatchRequest RequestFor(int64_t offset, const RecordView& view,
                                    IndexedProperties* found);
  // Writes one record's queue unit and (unless the index lags) its index
  // entries, and tells the listener.
  absl::Status DispatchRecord(int64_t offset, const RecordView& view);
  // Indexes one message; false (logged, and the retry time set) if the
  // index cannot take its keys.
  bool IndexRecord(int64_t offset, const DispatchRequest& request);
  // Index catch-up: indexes up to `max_records` records from
  // indexed_offset(), not past dispatched_offset(); once it reaches that,
  // the index is in step and DispatchRecord indexes again. Stops at a
  // message the index cannot take, to retry it a second later; false if
  // it did nothing because that time has not come.
  bool CatchUpIndex(int max_records);
  // Dispatches records in [dispatched_offset(), end). False if one failed:
  // dispatched_offset() is then that record's offset, and it is stalled().
  bool DispatchUntil(int64_t end);
  // What the commit log holds at `offset` for a walk over its records
  // (queue dispatch, index catch-up): a message, or where the walk goes on
  // (past a segment's BLANK end, or to the log's start when cleanup deleted
  // the segment), or why it cannot go on. `segment` caches the segment.
  struct Step {
    enum Kind { kMessage, kSkip, kError } kind = kError;
    RecordView view;     // kMessage
    int64_t next = 0;    // kSkip
    absl::Status error;  // kError
  };
  Step StepAt(int64_t offset, MappedFileQueue::Cursor* segment) const;
  // Records a failed attempt (logged unless it is the failure logged last).
  void Stall(absl::Status error);
  // Ends a stall: a record after the one that failed, or it, went in.
  void Resume(int64_t offset);

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
  // Where the index's catch-up is (while not in step).
  std::atomic<int64_t> indexed_{0};
  // Whether DispatchRecord indexes: false while the index catches up.
  std::atomic<bool> index_in_step_{true};
  std::atomic<int64_t> dispatched_store_timestamp_{0};
  std::atomic<bool> sleeping_{false};
  std::atomic<int> waiters_{0};
  std::atomic<bool> stalled_{false};
  std::atomic<bool> index_incomplete_{false};
  // The index's last error, OK once it takes keys again, and when to try
  // again. Dispatching thread only.
  absl::Status index_error_;
  absl::Time index_retry_at_;
  mutable absl::Mutex mu_;
  absl::CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  // The failure dispatch is stalled on (OK when it is not), and the number of
  // failed attempts ever (WaitFor returns when it changes) and in this stall.
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t stall_failures_ ABSL_GUARDED_BY(mu_) = 0;
  std::jthread thread_;
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_DISPATCHER_H_
