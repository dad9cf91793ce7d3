// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// IndexService: the message key index under <root>/index/, RocketMQ's
// IndexFile format (see index_file.h). Every message is indexed by each of
// its KEYS and by its UNIQ_KEY, as "<topic>#<key>", so messages can be found
// by key within a time range. Filled by the dispatcher thread only (its
// first file may be created ahead by the store's index worker); queried from
// any thread.

#ifndef RMQ_STORE_INDEX_SERVICE_H_
#define RMQ_STORE_INDEX_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rmq/clock.h"
#include "store/dispatch_request.h"

namespace rmq::internal {

class IndexFile;

struct IndexServiceOptions {
  std::string dir;                    // <root>/index
  int32_t max_hash_slot_num = 5000000;
  int32_t max_index_num = 5000000 * 4;
};

class IndexService {
 public:
  IndexService(IndexServiceOptions options, const Clock& clock);
  ~IndexService();

  // Opens the index files in the directory (creating it), oldest first by
  // name; other names than 17 digits are ignored. A file of the wrong size is
  // a DataLoss error naming it after a clean exit, and deleted as torn after
  // a crash (`last_exit_ok` false). After a crash, the file that was being
  // filled (not full: never synced by the periodic flush) and files whose
  // end timestamp is past `checkpoint_index_ms` are deleted too (they may be
  // torn) and rebuilt by the dispatcher from the commit log. Call once,
  // before BuildIndex.
  absl::Status Load(bool last_exit_ok, int64_t checkpoint_index_ms);

  // Creates the first index file now if there is none, so that the first
  // message indexed does not wait for it (creating a 420 MB file took the
  // dispatcher 6-8 ms on the test VM, and every message of that time waited
  // to reach its consume queue and the consumers). The store runs it on a
  // background thread at start. Safe against a concurrent BuildIndex: one
  // file is kept either way, and neither waits for the other.
  absl::Status CreateFirstFile();

  // Indexes one message (dispatcher thread) under its UNIQ_KEY and each of
  // its KEYS; prepared and rolled back transactional messages are skipped.
  // Records below the newest file's end physical offset are skipped, and the
  // keys of the record at that offset are checked one by one, so re-dispatch
  // after recovery (or a retry after an error) never duplicates entries.
  // Errors (e.g. disk full) are returned, not thrown. Does not allocate
  // except when it starts a new file.
  absl::Status BuildIndex(const DispatchRequest& request);

  // Commit log offsets of messages of `topic` indexed under `key` and stored
  // within [begin_ms, end_ms], newest first, at most `max_num`. Times are
  // compared at the index's one-second granularity, and other keys with the
  // same hash match too: the caller must check the messages' keys.
  std::vector<int64_t> QueryOffsets(std::string_view topic, std::string_view key,
                                    int32_t max_num, int64_t begin_ms, int64_t end_ms);

  // Which files Flush writes to disk.
  enum class FlushScope {
    // Every file: at shutdown, or when the application asks.
    kAll,
    // Only full files (each synced once; a synced one costs nothing): the
    // periodic flush, as RocketMQ flushes an index file when it fills. The
    // file being filled need not be: after a crash Load deletes it anyway
    // and the dispatcher rebuilds it from the commit log, so syncing it
    // would buy nothing and cost an msync of every slot page it dirtied.
    kFullFiles,
  };
  absl::Status Flush(FlushScope scope = FlushScope::kAll);

  // Each file's item count and the count its last flush covered, oldest
  // first (for tests).
  struct FileCounts {
    int32_t items;
    int32_t flushed;
    friend bool operator==(const FileCounts&, const FileCounts&) = default;
  };
  std::vector<FileCounts> Counts();

  // Deletes index files whose entries all point below `min_phy_offset`
  // (except the newest file).
  void DeleteExpiredFiles(int64_t min_phy_offset);

  // The commit log offset of the newest record indexed (0 if none): where a
  // rebuild after a crash starts (BuildIndex skips what is below it).
  int64_t end_phy_offset() const { return end_phy_offset_.load(std::memory_order_acquire); }

  // The index timestamp to write to the checkpoint (RocketMQ's
  // indexMsgTimestamp): the end timestamp of the newest index file that is
  // full and was flushed by Flush(), 0 if none. Load after a crash deletes
  // the files past it, so a complete index after a crash needs the
  // dispatcher to re-dispatch from a commit log point stored before it.
  // (Not the newest message's timestamp: the current, partly filled file
  // would then be deleted after a crash with entries older than the point
  // re-dispatch starts from.)
  int64_t LastIndexTimestamp();

  // Deletes every index file, leaving an empty index to build from offset 0
  // (the store itself never calls it; tests do). Not concurrent with
  // BuildIndex: the dispatcher must be stopped.
  void DestroyAll();

 private:
  // The file to append to: the newest, or a new one if there is none.
  absl::StatusOr<std::shared_ptr<IndexFile>> NewestFile();
  // Appends a new file after `full` (null: the first file).
  absl::StatusOr<std::shared_ptr<IndexFile>> RollFile(const std::shared_ptr<IndexFile>& full);
  // Adds one key of `request` to current_, rolling over when it is full.
  absl::Status PutKey(int32_t key_hash, const DispatchRequest& request, bool check_duplicate);
  // Whether (key_hash, offset) is in some file already (re-dispatch check).
  bool AlreadyIndexed(int32_t key_hash, int64_t offset) ABSL_LOCKS_EXCLUDED(mu_);
  std::string NextFilePath() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const IndexServiceOptions options_;
  const Clock& clock_;

  absl::Mutex mu_;
  std::vector<std::shared_ptr<IndexFile>> files_ ABSL_GUARDED_BY(mu_);  // Oldest first.
  // Time of the newest file name handed out, so names keep increasing even
  // when the clock stands still (VirtualClock) or moves back.
  int64_t last_name_ms_ ABSL_GUARDED_BY(mu_) = 0;

  // The file BuildIndex appends to, kept so a message takes no lock: only
  // BuildIndex rolls over, DeleteExpiredFiles never removes the newest file,
  // and DestroyAll (not concurrent with BuildIndex) resets it. Null until
  // the first key after Load or DestroyAll.
  std::shared_ptr<IndexFile> current_;
  // BuildIndex's last topic and its "topic#" hash: the dispatcher indexes
  // runs of one topic, so most messages skip hashing theirs. BuildIndex
  // only (one caller at a time).
  std::string hashed_topic_;
  int32_t hashed_topic_hash_;

  // Highest endPhyOffset of any file: BuildIndex skips messages below it.
  std::atomic<int64_t> end_phy_offset_{0};
  // LastIndexTimestamp().
  std::atomic<int64_t> checkpoint_timestamp_{0};
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_INDEX_SERVICE_H_
