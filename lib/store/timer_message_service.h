// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// TimerMessageService: delivers timer messages (RocketMQ 5's TIMER_DELIVER_MS,
// TIMER_DELAY_SEC, TIMER_DELAY_MS) at their due millisecond.
//
// The store parks a timer message in rmq_sys_wheel_timer queue 0 with its due
// time in TIMER_OUT_MS, and the dispatcher writes that time as the unit's
// tagsCode. This service reads that queue in order (the enqueue offset) and
// links each unit into a TimerWheel (timer_wheel.h) by due time, so waiting
// messages cost 32 bytes of mapped file each and no heap. A cursor walks the
// wheel slot by slot as the clock passes their start: a slot's records move
// into a small in-memory heap and each is put back into its real topic at
// its exact due time on the store's Clock (RocketMQ rounds down to the slot;
// rmq does not). A unit that arrives due before the cursor (it was stored
// just before falling due) goes to the wheel's overdue chain and out at once.
//
// Rolling (RocketMQ 5's timerRollWindowSlots): a message due more than the
// roll window after it is stored gets TIMER_ROLL_AT_MS (the window's end)
// when it is stored, and the dispatcher writes the earlier of that and
// TIMER_OUT_MS as the unit's tagsCode: its act time. At its act time a
// message not yet due is stored again in the timer queue with the same due
// time (and a new TIMER_ROLL_AT_MS if it still has long to wait). Its stored
// copy is so never older than the window, and cleanup by fileReservedTime
// (72 h by default, often set lower) cannot delete the only copy of a
// message still waiting. The act time is fixed in the record: a new window
// applies to messages stored after the change.
//
// Restart: the wheel is an index, rebuilt from the queue at every start. The
// service saves <root>/config/timercheck.json every timerFlushIntervalMs and
// at Stop: {enqueueOffset E, watermarkMs W}, meaning every unit before E
// whose act time is before W has been delivered or rolled. At Load, the
// queue is scanned from its first unit and every other unit is linked
// again, the cursor starting at the earliest of them: those that fell due
// while the store was closed go out at once, in due order. Delivery is
// therefore at least once: what was delivered (or rolled) after the last
// save comes again after a crash.
//
// Timers run on the store's Clock, so a test on a VirtualClock sees a message
// delivered exactly when its clock reaches the due time.

#ifndef RMQ_STORE_TIMER_MESSAGE_SERVICE_H_
#define RMQ_STORE_TIMER_MESSAGE_SERVICE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/periodic_timer.h"
#include "rmq/clock.h"
#include "rmq/store.h"
#include "store/consume_queue_table.h"
#include "store/timer_wheel.h"

namespace rmq::internal {

inline constexpr std::string_view kTimerTopic = "rmq_sys_wheel_timer";

// The due time a message's timer properties ask for, given as found (empty
// when absent): TIMER_DELIVER_MS, else now + TIMER_DELAY_SEC s, else now +
// TIMER_DELAY_MS ms. None when the message sets none of them. An error names
// a value that is not a number, or a due time more than `max_delay_ms` ahead.
absl::StatusOr<std::optional<int64_t>> TimerDueMillis(std::string_view deliver_ms,
                                                      std::string_view delay_sec,
                                                      std::string_view delay_ms, int64_t now_ms,
                                                      int64_t max_delay_ms);

// The TIMER_ROLL_AT_MS of a timer message due at `due_ms` stored at
// `now_ms` with roll window `window_ms`: the window's end, if it comes
// before the due time; none otherwise.
std::optional<int64_t> TimerRollAtMillis(int64_t due_ms, int64_t now_ms, int64_t window_ms);

class TimerMessageService {
 public:
  struct Options {
    std::string wheel_dir;        // The wheel's files (recreated at Load).
    std::string checkpoint_path;  // timercheck.json
    int64_t precision_ms = 1000;
    int64_t max_delay_ms = 3LL * 24 * 3600 * 1000;
    // The roll window (see the file comment).
    int64_t roll_window_ms = 2LL * 24 * 3600 * 1000;
    absl::Duration persist_interval = absl::Seconds(1);
  };
  // What the saved checkpoint says (see the file comment).
  struct Checkpoint {
    int64_t enqueue_offset = 0;
    int64_t watermark_ms = 0;
    friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
  };

  // `store` is where due messages are looked up and put back; `queues` holds
  // the timer queue. Both must outlive the service.
  TimerMessageService(MessageStore& store, ConsumeQueueTable& queues, Clock& clock,
                      Options options);
  ~TimerMessageService();  // Stop()

  // Creates the wheel, reads the checkpoint (missing: first start; corrupt
  // with no usable backup: an error naming it) and links every undelivered
  // unit of the timer queue. Call after the store's recovery.
  absl::Status Load();
  // Starts delivering: a run now, then as units fall due or arrive.
  void Start();
  // Cancels the timers (a run in progress finishes first) and saves the checkpoint.
  void Stop();

  // A unit was dispatched to the timer queue.
  void Wake();

  // Saves the checkpoint if it changed since the last save.
  absl::Status Persist();

  // Timer messages stored and not yet delivered.
  int64_t PendingCount() const;
  // The roll window in use (Options::roll_window_ms).
  int64_t roll_window_ms() const { return options_.roll_window_ms; }
  // When the earliest of them is due (or rolled); none if there are none.
  std::optional<int64_t> NextDeliveryMillis() const;
  // The checkpoint as of the last run (what Persist writes).
  Checkpoint checkpoint() const;

 private:
  struct DueLater {  // Orders the heap: earliest due first, then store order.
    bool operator()(const TimerRecord& a, const TimerRecord& b) const {
      return a.deliver_ms != b.deliver_ms ? a.deliver_ms > b.deliver_ms
                                          : a.commit_log_offset > b.commit_log_offset;
    }
  };
  using DueHeap = std::priority_queue<TimerRecord, std::vector<TimerRecord>, DueLater>;

  void Run(uint64_t token);
  // One pass over the wheel at `now`; returns when the next run is wanted.
  std::optional<int64_t> Advance(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  // Links units from the enqueue offset on; false if it stopped at its budget.
  bool Enqueue(int* budget) ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  // Whether the checkpoint Load read says the unit at `offset`, acted on at
  // `act_ms` (its tagsCode), was delivered or rolled.
  bool HandledBeforeLoad(int64_t offset, int64_t act_ms) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  // Links one unit where it belongs relative to the cursor.
  absl::Status Link(const TimerRecord& record) ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  // Moves the records of slots starting at or before `now` into due_.
  void TakeDueSlots(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  // Puts the message of `record` back into its real topic, or, if it is due
  // after both the record's time and `now` (a roll), into the timer queue
  // again; false to try again later.
  bool Deliver(const TimerRecord& record, int64_t now);
  // Stores `msg`, due at `due_ms` and read from the timer queue at
  // `commit_log_offset`, in it again at `now`; false to try again later.
  bool Roll(MessageExt msg, int64_t due_ms, int64_t commit_log_offset, int64_t now);
  // Why a message is put: into its real topic, or into the timer queue again.
  enum class PutKind { kDelivery, kRoll };
  // Puts `msg`; false if the put failed and is to be tried again later. A
  // put the store refuses as invalid (its limits changed since the message
  // was stored) would fail forever and hold back every later delivery: it
  // is logged and dropped instead.
  bool PutBack(const MessageExt& msg, PutKind kind, int64_t commit_log_offset);
  void SaveCheckpointLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  void ScheduleLocked(int64_t when_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<ConsumeQueue> Queue() const;

  MessageStore& store_;
  ConsumeQueueTable& queues_;
  Clock& clock_;
  const Options options_;
  std::unique_ptr<PeriodicTimer> persist_timer_;

  // The wheel and the cursor: touched by Load and by runs, one at a time.
  absl::Mutex run_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<TimerWheel> wheel_ ABSL_GUARDED_BY(run_mu_);
  Checkpoint loaded_ ABSL_GUARDED_BY(run_mu_);  // What Load read.
  int64_t enqueue_offset_ ABSL_GUARDED_BY(run_mu_) = 0;
  // Every slot starting before the cursor has been taken.
  int64_t cursor_ms_ ABSL_GUARDED_BY(run_mu_) = 0;
  DueHeap due_ ABSL_GUARDED_BY(run_mu_);  // Taken from the wheel, not yet delivered.
  // The earliest due time linked into the overdue chain since it was last empty.
  int64_t overdue_min_ms_ ABSL_GUARDED_BY(run_mu_) = INT64_MAX;
  int64_t retry_at_ms_ ABSL_GUARDED_BY(run_mu_) = 0;  // After a failed put, not before.

  // Timers and what readers from other threads see.
  mutable absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  int runs_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_token_ ABSL_GUARDED_BY(mu_) = 0;
  struct PendingTimer {
    int64_t when_ms;
    Clock::TimerId id;
  };
  std::map<uint64_t, PendingTimer> timers_ ABSL_GUARDED_BY(mu_);
  Checkpoint checkpoint_ ABSL_GUARDED_BY(mu_);
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
  int64_t pending_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<int64_t> next_due_ms_ ABSL_GUARDED_BY(mu_);
  absl::Mutex persist_mu_;  // One save at a time.
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_TIMER_MESSAGE_SERVICE_H_
