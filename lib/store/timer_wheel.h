// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// TimerWheel: where timer messages wait, ordered by due time, off the heap
// (the idea of RocketMQ 5's timerwheel + timerlog; the layout is rmq's own).
//
// Two memory-mapped files under one directory:
//   wheel  one 16-byte slot per `precision_ms` of a span of `span_ms`: the
//          log position (+1) of the slot's newest record (0: empty) and how
//          many records the slot holds. A time t belongs to slot
//          (t / precision_ms) % slot_count; slot_count covers the span plus
//          one slot, so times less than a span apart never share a slot
//          unless they are in the same slot-wide interval.
//   log    fixed 32-byte records appended in segments: due time, the
//          message's commit log offset and size, and the position (+1) of the
//          previous record of the same chain (0: none).
// Each slot's records form a chain from its newest record backwards, and an
// extra chain holds "overdue" records (due before the reader's cursor).
//
// The wheel is an index that can always be rebuilt from the timer topic's
// consume queue, so it is never flushed or recovered: the owner recreates it
// empty at every start. Log segments whose records have all been taken are
// deleted, so the files stay proportional to the records waiting.
//
// Not thread-safe: the owner serializes calls.

#ifndef RMQ_STORE_TIMER_WHEEL_H_
#define RMQ_STORE_TIMER_WHEEL_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/mapped_file.h"
#include "store/mapped_file_queue.h"

namespace rmq::internal {

struct TimerRecord {
  // When the message is due (ms since the epoch), or, for one to roll, when
  // it is stored again (TimerMessageService).
  int64_t deliver_ms = 0;
  int64_t commit_log_offset = 0;  // Where the stored timer message starts.
  int32_t size = 0;               // Its record size.

  friend bool operator==(const TimerRecord&, const TimerRecord&) = default;
};

class TimerWheel {
 public:
  struct Options {
    std::string dir;              // Created if absent; its wheel/log files are replaced.
    int64_t precision_ms = 1000;  // Slot width.
    int64_t span_ms = 3LL * 24 * 3600 * 1000;  // How far ahead a record may be due.
    int64_t log_segment_bytes = 4 << 20;        // A multiple of 32.
  };

  // An empty wheel in options.dir (any previous files there are removed).
  static absl::StatusOr<std::unique_ptr<TimerWheel>> Create(const Options& options);
  ~TimerWheel();

  // Links `record` into the slot of its due time.
  absl::Status Add(const TimerRecord& record);
  // Links `record` into the overdue chain.
  absl::Status AddOverdue(const TimerRecord& record);

  // Unlinks and returns every record of the slot that holds time `t`
  // (newest first). They may be due in that slot-wide interval or a whole
  // number of slot cycles later; the caller re-adds the later ones.
  std::vector<TimerRecord> TakeSlot(int64_t t);
  // Unlinks and returns the newest overdue record, if any.
  std::optional<TimerRecord> PopOverdue();

  // The start of the first slot-wide interval at or after SlotStart(from_ms),
  // up to one cycle ahead, whose slot holds records; none if every slot is empty.
  std::optional<int64_t> NextOccupied(int64_t from_ms) const;

  // Times are ms since the epoch, never negative.
  int64_t SlotStart(int64_t t) const { return t - t % precision_ms_; }
  int64_t precision_ms() const { return precision_ms_; }
  // Times this far apart share a slot.
  int64_t cycle_ms() const { return slot_count_ * precision_ms_; }
  int64_t span_ms() const { return span_ms_; }
  // Records linked (slots and overdue chain).
  int64_t size() const { return size_; }
  // Of which in the overdue chain.
  int64_t overdue_size() const { return overdue_count_; }
  // Log segments on disk (for tests of the cleanup).
  size_t log_segments() const { return log_.Segments().size(); }

 private:
  struct Slot;

  TimerWheel(const Options& options, int64_t slot_count, std::shared_ptr<MappedFile> wheel);
  Slot* SlotAt(int64_t index) const;
  int64_t IndexOf(int64_t t) const { return (t / precision_ms_) % slot_count_; }
  // Appends `record` with `prev` as its link; returns its position + 1.
  absl::StatusOr<int64_t> Append(const TimerRecord& record, int64_t prev);
  // Reads the record at position + 1 `link`; sets `*prev` to its link.
  TimerRecord Read(int64_t link, int64_t* prev) const;
  // Counts a record taken; deletes leading segments left with none.
  void Release(int64_t link);

  const int64_t precision_ms_;
  const int64_t span_ms_;
  const int64_t slot_count_;
  std::shared_ptr<MappedFile> wheel_;
  MappedFileQueue log_;
  int64_t log_end_ = 0;  // Next append position.
  // Records still linked, per log segment from the first one on disk.
  std::deque<int64_t> live_per_segment_;
  int64_t first_segment_offset_ = 0;
  int64_t overdue_head_ = 0;  // Link of the newest overdue record.
  int64_t overdue_count_ = 0;
  int64_t size_ = 0;
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_TIMER_WHEEL_H_
