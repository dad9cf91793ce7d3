// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// StoreFiles: a read-only view of a store directory, for tools (rmq-store
// verify / dump). It maps the files read-only and changes nothing: no
// recovery, no truncation, no lock; so it can look at a store as a crash
// left it, or at one another process has open.

#ifndef RMQ_STORE_STORE_FILES_H_
#define RMQ_STORE_STORE_FILES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/record_codec.h"

namespace rmq::internal {

// One file mapped read-only.
class ReadOnlyFile {
 public:
  static absl::StatusOr<std::unique_ptr<ReadOnlyFile>> Open(const std::string& path);
  ~ReadOnlyFile();
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;

  const std::string& path() const { return path_; }
  std::string_view bytes() const { return {data_, size_}; }

 private:
  ReadOnlyFile(std::string path, const char* data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const char* data_;
  size_t size_;
};

// A named segment of a log: its start offset (from the name) and contents.
struct Segment {
  int64_t from_offset = 0;
  std::unique_ptr<ReadOnlyFile> file;
};

// Opens the segments of a log directory, sorted by start offset. Names that
// are not 20 digits are an error naming the file.
absl::StatusOr<std::vector<Segment>> OpenSegments(const std::string& dir);

// What a walk over the commit log meets.
struct LogEvent {
  enum Kind { kRecord, kCorrupt, kTornTail } kind = kRecord;
  int64_t offset = 0;
  RecordView view;        // kRecord
  std::string problem;    // kCorrupt / kTornTail
};

// Walks every segment from its start: message records in order, and a
// kCorrupt event (then the rest of that segment is skipped) where a record
// fails validation, or a kTornTail where non-zero bytes follow the last
// record of a segment. Records before `from_offset` are not reported.
void WalkCommitLog(const std::vector<Segment>& segments, int64_t from_offset,
                   const std::function<bool(const LogEvent&)>& visit);

struct QueueDir {
  std::string topic;
  int32_t queue_id = 0;
  std::string path;
};
// The consume queue directories under <root>/consumequeue.
std::vector<QueueDir> ListConsumeQueues(const std::string& root);

// Whether `root` is a store whose commit log is in `commit_log_dir` ("":
// root/commitlog): NotFound naming the path if either directory is missing,
// FailedPrecondition if the commit log holds no segment while consume queues
// hold units (its files were lost, or it is not this store's log). A store
// opened and never written passes.
absl::Status CheckStoreDirectory(const std::string& root, const std::string& commit_log_dir);

struct VerifyReport {
  int64_t messages = 0;       // Valid message records in the commit log.
  int64_t bytes = 0;          // Their bytes.
  int64_t corrupt = 0;        // Corrupt records or torn tails.
  int64_t queue_units = 0;    // Consume queue units checked.
  int64_t queue_errors = 0;   // Units disagreeing with the log, messages missing from queues.
  // Offset of the first corrupt record or torn tail, -1 if none: the records
  // before it are sound, and a recovery that scans that far ends the log
  // there (after a clean shutdown Open scans only the last segments).
  int64_t valid_end = -1;
  std::vector<std::string> problems;  // The first problems found, readable.

  bool ok() const { return corrupt == 0 && queue_errors == 0; }
};

// Checks every record (magic, size, CRC, position) and every consume queue
// unit (points at a record of its topic, queue and queue offset, with its
// size and tag hash; every message is in its queue). Units with no record to
// match because they point past `valid_end` are counted as queue errors but
// reported as one problem a queue, not one a unit. CheckStoreDirectory's
// errors first.
absl::StatusOr<VerifyReport> VerifyStore(const std::string& root, const std::string& commit_log_dir);

}  // namespace rmq::internal

#endif  // RMQ_STORE_STORE_FILES_H_
