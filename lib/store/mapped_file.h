// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// MappedFile: one fixed-size segment file mapped into memory.
//
// A segment is named by the offset of its first byte in the whole log,
// as 20 decimal digits ("00000000001073741824"). Bytes are written through
// the mapping; wrote_position() is how far valid data reaches, and
// flushed_position() how far it is known to be on disk. One thread writes
// (under its owner's lock); readers may read below wrote_position() at any time.
//
// The object is owned by shared_ptr: readers keep a segment mapped while they
// use its bytes, even after the segment was deleted from its queue.

#ifndef RMQ_STORE_MAPPED_FILE_H_
#define RMQ_STORE_MAPPED_FILE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rmq::internal {

class MappedFile {
 public:
  // How the pages of a file that Open creates are first touched, which
  // decides whether a page fault there reads ahead.
  enum class FirstTouch {
    // Mapped ahead of the writer in bulk (the commit log's segment
    // preparer): the kernel's readahead stays on.
    kPopulatedAhead,
    // Where the data lands, a few bytes at a time (a consume queue's units,
    // an index file's slots): a new file has nothing to read ahead, and a
    // fault that reads ahead allocates and zeroes a large block of pages at
    // once (on the test VM the first unit of a new consume queue waited
    // 2.2 ms for it, the first key of a new index file 5.8 ms, and the
    // dispatcher, and every message behind it, with them). So a new file's
    // faults map their own page only (MADV_RANDOM). A file that exists
    // already is mapped with readahead: its pages hold data to read.
    kWhereWritten,
  };

  // Whether Open syncs the directory of a file it creates, so that the
  // file's name survives a power loss as its synced data will.
  enum class NewName {
    kSynced,
    // Left to the owner, who syncs the directory before anything vouches
    // for the file's data (consume queues: before the checkpoint), off the
    // thread that creates files.
    kUnsynced,
  };

  // Opens `path`, creating it with `file_size` bytes (sparse, zero) if absent.
  // An existing file of another size is an error naming the file. The
  // segment's start offset is parsed from the file name.
  static absl::StatusOr<std::shared_ptr<MappedFile>> Open(
      const std::string& path, int64_t file_size,
      FirstTouch first_touch = FirstTouch::kWhereWritten, NewName new_name = NewName::kSynced);

  // Like Open, for files not named by an offset (index files are named by a
  // timestamp): from_offset() is 0, and `file_size` need not be a multiple of
  // the page size.
  static absl::StatusOr<std::shared_ptr<MappedFile>> OpenNamed(
      const std::string& path, int64_t file_size,
      FirstTouch first_touch = FirstTouch::kWhereWritten, NewName new_name = NewName::kSynced);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // "00000000000000001024" for 1024.
  static std::string FileNameForOffset(int64_t offset);

  const std::string& path() const { return path_; }
  int64_t from_offset() const { return from_offset_; }
  int64_t file_size() const { return file_size_; }
  char* data() const { return data_; }

  int64_t wrote_position() const { return wrote_position_.load(std::memory_order_acquire); }
  // Publishes bytes below `pos` to readers. Only the writer calls this.
  void set_wrote_position(int64_t pos) { wrote_position_.store(pos, std::memory_order_release); }
  int64_t flushed_position() const { return flushed_position_.load(std::memory_order_acquire); }
  void set_flushed_position(int64_t pos) { flushed_position_.store(pos, std::memory_order_release); }
  bool IsFull() const { return wrote_position() >= file_size_; }
  // Whether log offset `offset` falls inside this segment.
  bool Contains(int64_t offset) const {
    return offset >= from_offset_ && offset < from_offset_ + file_size_;
  }

  // Bytes [pos, pos+size) as a view, if they lie below wrote_position().
  std::string_view Read(int64_t pos, int64_t size) const;

  // Writes the bytes below wrote_position() that are not yet on disk
  // (msync). With least_pages 0, everything. Otherwise (periodic async
  // flush) only if at least `least_pages` whole pages are pending, and then
  // only whole pages, never the one still being filled (unless the file is
  // full). Returns the new flushed position.
  absl::StatusOr<int64_t> Flush(int least_pages);

  // msync of [pos, pos+size), in steps of kSyncStepBytes with a yield of the
  // CPU between them (see there). For files written in place at scattered
  // positions (the index), whose flushed position means nothing.
  absl::Status Sync(int64_t pos, int64_t size) const;

  // Writing back pages runs in the kernel (write-protecting each page in
  // every mapping, then queuing its I/O), and a kernel built without
  // preemption keeps the CPU until the call returns: an msync of tens of
  // megabytes took one of this project's two test cores for 3-20 ms, during
  // which every putter, dispatcher and consumer thread that woke up waited.
  // In steps of 1 MiB it holds the CPU well under a millisecond at a time.
  static constexpr int64_t kSyncStepBytes = 1 << 20;

  // For tests of a failing disk: every msync of Flush and Sync calls `fn`
  // instead (same arguments and result; nullptr puts ::msync back).
  using SyncFunction = int (*)(void* addr, size_t length, int flags);
  static void SetSyncFunctionForTesting(SyncFunction fn);

  // Zeroes everything from `pos` to the end of the file (punching a hole and
  // reserving the blocks again where the filesystem can) and sets the wrote
  // position to `pos` and the flushed position to the start of its page, so
  // the next flush writes the zeroed partial page. Used by recovery, so stale
  // bytes can never reappear there. Does not sync: a crash that undoes it
  // leaves the same end for the next recovery to find.
  absl::Status TruncateFrom(int64_t pos);

  // Store timestamp of the newest record in the segment (ms); used for expiry.
  // For a segment loaded from disk it starts as the file's modification time.
  int64_t last_store_timestamp() const { return last_store_timestamp_.load(std::memory_order_relaxed); }
  void set_last_store_timestamp(int64_t ms) { last_store_timestamp_.store(ms, std::memory_order_relaxed); }
  // Writes last_store_timestamp() as the file's modification time, so that
  // expiry survives a restart even under a virtual clock.
  void PersistLastStoreTimestamp();

  // Removes the file from the directory now. The mapping stays valid for
  // readers still holding this object; the disk space is freed when the last
  // reference goes away. (Unlinking now, not at close, means a new segment of
  // the same name can never be removed by an old reader.)
  void Unlink();

  // Asks the kernel to fault in the pages ahead of `pos` (asynchronously).
  void Prefetch(int64_t pos, int64_t size) const;

  // Maps the pages of [pos, pos+size) writable now (MADV_POPULATE_WRITE), so
  // the writer does not take a page fault on each new page. Run by a
  // background thread ahead of the writer; a no-op where unsupported.
  void Prefault(int64_t pos, int64_t size) const;

  // Starts writing [pos, pos+size) to disk in the background
  // (sync_file_range) and returns at once. Run on pages the writer has not
  // reached yet, which still hold the zeros Prefault mapped: their blocks
  // stop being "unwritten" extents, so a later sync of real records there
  // is one data write, not a data write plus a metadata update.
  void StartWriteBack(int64_t pos, int64_t size) const;

 private:
  MappedFile(std::string path, int64_t from_offset, int64_t file_size, int fd, char* data);
  // One msync step of Flush and Sync; yields the CPU after a whole step.
  absl::Status SyncStep(int64_t page_aligned_pos, int64_t size) const;
  // The body shared by Open and OpenNamed, once the arguments are checked.
  static absl::StatusOr<std::shared_ptr<MappedFile>> OpenImpl(const std::string& path,
                                                              int64_t from_offset,
                                                              int64_t file_size,
                                                              FirstTouch first_touch,
                                                              NewName new_name);

  const std::string path_;
  const int64_t from_offset_;
  const int64_t file_size_;
  const int fd_;
  char* const data_;
  std::atomic<int64_t> wrote_position_{0};
  std::atomic<int64_t> flushed_position_{0};
  std::atomic<int64_t> last_store_timestamp_{0};
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_MAPPED_FILE_H_
