// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumeQueue: the index of one (topic, queue id) into the commit log, in
// <root>/consumequeue/<topic>/<queueId>/, segments of
// mappedFileSizeConsumeQueue bytes named by their start byte offset.
//
// Unit n (queue offset n) is 20 bytes at byte n*20, big-endian:
//   commitLogOffset i64 | size i32 | tagsCode i64
// A unit of all zeros was never written; the size is written last, so a
// unit with size 0 was never completely written. A "blank" unit (0, INT32_MAX, 0)
// fills queue offsets that have no message (a queue rebuilt from a commit log
// whose oldest segments were deleted starts part-way into its first segment).
//
// Written only by the dispatcher thread; read by any thread.

#ifndef RMQ_STORE_CONSUME_QUEUE_H_
#define RMQ_STORE_CONSUME_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "store/mapped_file_queue.h"

namespace rmq::internal {

class ConsumeQueue {
 public:
  static constexpr int kUnitSize = 20;
  static constexpr int32_t kBlankSize = 0x7FFFFFFF;

  struct Unit {
    int64_t commit_log_offset = 0;
    int32_t size = 0;
    int64_t tags_code = 0;
    bool IsBlank() const { return size == kBlankSize; }
    friend bool operator==(const Unit&, const Unit&) = default;
  };

  ConsumeQueue(std::string topic, int32_t queue_id, std::string dir, int32_t file_size);

  const std::string& topic() const { return topic_; }
  int32_t queue_id() const { return queue_id_; }

  // Opens the segments and finds the end of the written units.
  absl::Status Load();

  // What Put does with a unit for an offset below the end, which the queue
  // holds already (re-dispatch after recovery).
  enum class Existing {
    kSkip,    // Trusted as it is: after a clean shutdown.
    kRepair,  // Compared and, if different, overwritten (and logged): after
              // a crash, which may have left a unit half written.
  };

  // Appends the unit for queue offset `queue_offset`; offsets below the end
  // are handled as `existing` says. A gap is filled with blank units and
  // logged.
  absl::Status Put(int64_t queue_offset, const Unit& unit, Existing existing = Existing::kSkip);

  // Removes the units whose record starts at or after `commit_log_end`.
  absl::Status TruncateDirty(int64_t commit_log_end);

  // The segment of the last unit read through it (MappedFileQueue::Cursor):
  // a pull reads up to 32 units in a row.
  using Cursor = MappedFileQueue::Cursor;

  // The unit at `queue_offset`; false if outside [MinOffset, MaxOffset).
  bool Read(int64_t queue_offset, Unit* unit) const;
  bool Read(int64_t queue_offset, Unit* unit, Cursor* cursor) const;

  int64_t MinOffset() const { return min_offset_.load(std::memory_order_acquire); }
  // One past the last written unit.
  int64_t MaxOffset() const { return max_offset_.load(std::memory_order_acquire); }
  // End (offset + size) in the commit log of the last unit's record; 0 if none.
  int64_t MaxCommitLogEnd() const;

  // Moves MinOffset to the first unit whose record is at or after
  // `commit_log_min` (records before it were deleted).
  void CorrectMinOffset(int64_t commit_log_min);
  // Deletes segments (never the last) whose units all point below
  // `commit_log_min`. Returns the number deleted.
  int DeleteExpired(int64_t commit_log_min);

  // Writes units to disk (whole pages, at least `least_pages` of them, or
  // all with 0), and syncs the names of segments created since the last
  // flush.
  absl::Status Flush(int least_pages);
  // After a crash: the next flush syncs every unit and name the dead
  // process may have left in the page cache alone.
  void MarkNotDurable() { segments_.MarkNotDurable(); }
  // Deletes every segment (the queue becomes empty).
  void Destroy();

 private:
  bool ReadAt(int64_t byte_offset, Unit* unit, Cursor* cursor) const;
  absl::Status WriteUnit(int64_t queue_offset, const Unit& unit);
  // Existing::kRepair for a unit below the end.
  absl::Status RepairUnit(int64_t queue_offset, const Unit& unit);

  const std::string topic_;
  const int32_t queue_id_;
  MappedFileQueue segments_;
  std::atomic<int64_t> min_offset_{0};
  std::atomic<int64_t> max_offset_{0};
  // The segment being written, cached so a Put takes no lock (dispatcher only).
  std::shared_ptr<MappedFile> tail_;
  std::atomic<int64_t> max_commit_log_end_{0};
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_CONSUME_QUEUE_H_
