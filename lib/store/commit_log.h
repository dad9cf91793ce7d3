// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// CommitLog: every message of every topic, appended in arrival order to one
// log of mmap'd segments (record format: lib/common/record_codec.h).
//
// Append path: the record is encoded into a thread-local buffer outside any
// lock (body CRC, properties, hosts); then one short critical section assigns
// the queue offset, the physical offset and the store timestamp, patches them
// into the buffer and copies it into the segment. Nothing is allocated and no
// system call is made per message (segments are created ahead by a
// background thread).

#ifndef RMQ_STORE_COMMIT_LOG_H_
#define RMQ_STORE_COMMIT_LOG_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/record_codec.h"
#include "rmq/clock.h"
#include "rmq/message.h"
#include "rmq/store.h"
#include "store/mapped_file_queue.h"
#include "store/topic_queue_key.h"

namespace rmq::internal {

struct AppendResult {
  int64_t wrote_offset = 0;
  int32_t wrote_bytes = 0;
  int64_t queue_offset = 0;
  int32_t msg_num = 0;
  int64_t store_timestamp = 0;
};

// A record the recovery scan found, with its position.
struct ScannedRecord {
  int64_t offset = 0;
  RecordView view;
};

class CommitLog {
 public:
  CommitLog(const MessageStoreConfig& config, const Clock& clock, HostAddress store_host);

  // Opens the segments on disk (contents are checked by Recover).
  absl::Status Load();

  struct RecoveryResult {
    int64_t scan_start = 0;       // Where validation began.
    int64_t end_offset = 0;       // End of the last valid record.
    int64_t valid_records = 0;    // Records validated from scan_start.
    int64_t truncated_bytes = 0;  // Bytes dropped after end_offset (torn or corrupt tail).
    std::string truncation_reason;
  };

  // Validates records (magic, size, CRC) from a starting segment to the first
  // invalid one, which becomes the end of the log: everything after it is
  // zeroed. A clean shutdown (`abnormal` false) starts three segments from
  // the end, as RocketMQ does; after a crash, from the newest segment whose
  // first record is older than `checkpoint_ms` (or the first segment).
  // `on_record` sees each valid message record, in order.
  absl::StatusOr<RecoveryResult> Recover(bool abnormal, int64_t checkpoint_ms,
                                         const std::function<void(const ScannedRecord&)>& on_record);

  // Appends one message to its topic/queue_id.
  absl::StatusOr<AppendResult> Append(const MessageExt& msg);
  // Appends messages of one topic and queue atomically, in one segment.
  absl::StatusOr<AppendResult> AppendBatch(std::span<const MessageExt> msgs);
  // As Append, for a message given as views.
  absl::StatusOr<AppendResult> AppendMessage(const EncodedMessage& msg);

  // The record starting at `offset`, or NotFound / DataLoss. The view stays
  // valid while `keep_alive` is held.
  absl::StatusOr<std::string_view> ReadRecord(int64_t offset, int32_t size,
                                              std::shared_ptr<const void>* keep_alive) const;
  // A reader's hold on the segment it read last (MappedFileQueue::Cursor).
  using SegmentCursor = MappedFileQueue::Cursor;
  // As ReadRecord; the view stays valid while `cursor->keep_alive` is held.
  absl::StatusOr<std::string_view> ReadRecord(int64_t offset, int32_t size,
                                              SegmentCursor* cursor) const;
  // Parses the record at `offset` without knowing its size (checks CRC).
  absl::StatusOr<RecordView> ParseAt(int64_t offset, std::shared_ptr<const void>* keep_alive) const;

  // End of the last record (published: readable by others).
  int64_t MaxOffset() const { return max_offset_.load(std::memory_order_acquire); }
  int64_t MinOffset() const { return segments_.MinOffset(); }
  int64_t FlushedOffset() const { return flushed_offset_.load(std::memory_order_acquire); }
  // Store timestamp of the newest record. Published after MaxOffset covers it.
  int64_t LastStoreTimestamp() const { return last_store_timestamp_.load(std::memory_order_acquire); }

  // Next queue offset for topic/queue_id, and setting it (recovery, tests).
  int64_t NextQueueOffset(std::string_view topic, int32_t queue_id);
  void SetNextQueueOffset(std::string_view topic, int32_t queue_id, int64_t offset);

  // Writes the records below MaxOffset() to disk; `least_pages` as MappedFile::Flush.
  absl::Status Flush(int least_pages);

  // Removes segments whose newest record is older than `expire_before_ms`
  // (or any, oldest first, if `force`), never the segment being written and
  // never one at or past `keep_from_offset`. Returns how many were removed.
  int DeleteExpiredSegments(int64_t expire_before_ms, bool force, int64_t keep_from_offset,
                            int max_files);

  MappedFileQueue& segments() { return segments_; }
  const HostAddress& store_host() const { return store_host_; }

 private:
  // Validates a message and encodes it into `buffer` at `at` (growing it as
  // needed). Returns the bytes written.
  absl::StatusOr<size_t> Encode(const MessageExt& msg, std::string* buffer, size_t at);
  // The same for a message given as views; `properties_checked` skips the
  // structure check of msg.properties (Encode did it on the map).
  absl::StatusOr<size_t> EncodeView(const EncodedMessage& msg, bool properties_checked,
                                    std::string* buffer, size_t at);
  absl::StatusOr<AppendResult> AppendEncoded(std::string_view topic, int32_t queue_id,
                                             bool consume_queue_visible, char* records,
                                             size_t bytes, const size_t* starts, int count);

  const MessageStoreConfig& config_;
  const Clock& clock_;
  const HostAddress store_host_;
  MappedFileQueue segments_;

  absl::Mutex put_mu_;
  std::shared_ptr<MappedFile> current_ ABSL_GUARDED_BY(put_mu_);
  TopicQueueMap<int64_t> queue_offsets_ ABSL_GUARDED_BY(put_mu_);
  std::atomic<int64_t> max_offset_{0};
  std::atomic<int64_t> flushed_offset_{0};
  std::atomic<int64_t> last_store_timestamp_{0};
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_COMMIT_LOG_H_
