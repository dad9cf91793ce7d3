// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// MappedFileQueue: an ordered sequence of equal-size MappedFiles in one
// directory forming one logical log (the commit log, or one consume queue).
// Segment N+1 starts where segment N ends.

#ifndef RMQ_STORE_MAPPED_FILE_QUEUE_H_
#define RMQ_STORE_MAPPED_FILE_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "store/mapped_file.h"

namespace rmq::internal {

class MappedFileQueue {
 public:
  // How far the background thread prepares segments ahead of the writer.
  enum class Preparation {
    kNone,
    // Keep the next segment created (open, fallocate, mmap) and the pages
    // ahead of the writer mapped, so the writer never waits for either.
    kPreallocate,
    // kPreallocate, and also write the mapped zero pages to disk ahead of
    // the writer, as RocketMQ's warmMappedFile does for SYNC_FLUSH: a
    // fallocated block is an "unwritten" extent until first written, and
    // converting it costs every group commit a metadata write.
    kPreallocateAndWriteZeros,
  };
  // `new_names`: whether creating a segment syncs the directory, or leaves
  // that to SyncNewNames (consume queues: before the checkpoint vouches for
  // their units, rather than on the dispatcher thread).
  MappedFileQueue(std::string dir, int64_t file_size, Preparation preparation = Preparation::kNone,
                  MappedFile::NewName new_names = MappedFile::NewName::kSynced);
  ~MappedFileQueue();

  const std::string& dir() const { return dir_; }
  int64_t file_size() const { return file_size_; }

  // Syncs the directory if a segment was created since the last call
  // (with MappedFile::NewName::kUnsynced). Any thread.
  absl::Status SyncNewNames();
  // After a crash: the dead process may not have synced what it wrote into
  // the segments it loaded, nor their names (kUnsynced). The next Flush
  // then covers every segment, and the next SyncNewNames the directory.
  void MarkNotDurable();

  // Opens the segments found in the directory (creating it if absent). Every
  // segment is marked fully written; recovery then sets the real end.
  // Segments must be contiguous; a gap or a wrong size is a DataLoss error.
  absl::Status Load();

  // The segment to append at `offset` (the log's current end): the last
  // segment if `offset` falls inside it, else a new segment starting there.
  absl::StatusOr<std::shared_ptr<MappedFile>> SegmentForAppend(int64_t offset);

  // The segment containing `offset`, or null.
  std::shared_ptr<MappedFile> FindByOffset(int64_t offset) const;

  // A reader's hold on the segment it read last, so that a run of reads in
  // one segment (a pull's batch of units, then of records) looks it up, and
  // counts a reference, once. Holding it keeps the segment mapped, even
  // after cleanup deletes it.
  struct Cursor {
    const MappedFileQueue* owner = nullptr;  // The queue it was last used with.
    const MappedFile* file = nullptr;        // The segment, typed.
    std::shared_ptr<const void> keep_alive;  // The same, for a reader's result to hold.
  };
  // The segment containing `offset` (null if none): the cursor's when it
  // does (and the cursor was used with this queue: a commit log cursor
  // handed to a consume queue is not taken for one of its segments), else
  // looked up and held by the cursor from then on. A miss empties the
  // cursor.
  const MappedFile* Seek(int64_t offset, Cursor* cursor) const;
  std::shared_ptr<MappedFile> First() const;
  std::shared_ptr<MappedFile> Last() const;
  std::vector<std::shared_ptr<MappedFile>> Segments() const;
  bool empty() const;

  // Start of the first segment (0 if none).
  int64_t MinOffset() const;
  // End of written data: last segment's start + wrote position.
  int64_t MaxOffset() const;
  int64_t FlushedOffset() const;

  // Makes `offset` the end of the log: segments starting past it are
  // deleted; the one containing it (or starting exactly at it, kept empty, as
  // RocketMQ does) is zeroed from there on.
  absl::Status TruncateTo(int64_t offset);

  // Flushes segments with unflushed data (see MappedFile::Flush). Returns
  // the flushed offset reached.
  absl::StatusOr<int64_t> Flush(int least_pages);

  // Tells the background thread the writer reached `pos` in `file`: it
  // prefaults the next kWarmAheadBytes so the writer's pages are mapped
  // before it gets there. Cheap; the writer calls it every kWarmStepBytes.
  void WarmAhead(const std::shared_ptr<MappedFile>& file, int64_t pos);
  static constexpr int64_t kWarmAheadBytes = 8 << 20;
  static constexpr int64_t kWarmStepBytes = 128 << 10;

  // Removes from the front the segments (never the last one) for which
  // `expired` returns true, stopping at the first that is not. The files
  // are unlinked once no reader holds them. Returns how many were removed.
  int DeleteFront(const std::function<bool(const MappedFile&)>& expired, int max_files);

  // Deletes every segment and the directory's files.
  void DestroyAll();

 private:
  // New segments are mapped ahead of the writer when a preparer runs, else
  // touched where units land (MappedFile::FirstTouch).
  MappedFile::FirstTouch FirstTouch() const {
    return preparation_ == Preparation::kNone ? MappedFile::FirstTouch::kWhereWritten
                                              : MappedFile::FirstTouch::kPopulatedAhead;
  }
  absl::StatusOr<std::shared_ptr<MappedFile>> CreateSegment(int64_t offset);
  // Opens (normally: creates) the segment file starting at `offset`.
  absl::StatusOr<std::shared_ptr<MappedFile>> OpenSegmentFile(int64_t offset);
  void PreallocateLoop(std::stop_token stop);
  // Maps [pos, pos+size) of `file` ahead of the writer (and writes it back,
  // per preparation_).
  void Warm(const MappedFile& file, int64_t pos, int64_t size) const;

  const std::string dir_;
  const int64_t file_size_;
  const Preparation preparation_;
  const MappedFile::NewName new_names_;
  // A segment was created whose name is not synced yet (kUnsynced).
  std::atomic<bool> unsynced_names_{false};
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<MappedFile>> segments_ ABSL_GUARDED_BY(mu_);

  // Preallocation: the writer asks for the segment at `wanted_offset_`; the
  // background thread creates it into `ready_`.
  absl::Mutex alloc_mu_;
  int64_t wanted_offset_ ABSL_GUARDED_BY(alloc_mu_) = -1;
  std::shared_ptr<MappedFile> ready_ ABSL_GUARDED_BY(alloc_mu_);
  // Prefaulting: [warmed_, warm_target_) of warm_file_ is still to do.
  std::shared_ptr<MappedFile> warm_file_ ABSL_GUARDED_BY(alloc_mu_);
  int64_t warmed_ ABSL_GUARDED_BY(alloc_mu_) = 0;
  int64_t warm_target_ ABSL_GUARDED_BY(alloc_mu_) = 0;
  std::jthread allocator_;
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_MAPPED_FILE_QUEUE_H_
