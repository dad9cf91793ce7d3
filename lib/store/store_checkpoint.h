// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// StoreCheckpoint: <root>/checkpoint, RocketMQ's layout, 4096 bytes:
//   physicMsgTimestamp i64 | logicsMsgTimestamp i64 | indexMsgTimestamp i64
// (big-endian, the rest zero): store timestamps (ms) of the newest message
// known to be on disk in the commit log, the consume queues and the index.
// After a crash, recovery re-validates and re-dispatches from the commit log
// segment holding messages of the oldest of the three, minus 3 s of slack.

#ifndef RMQ_STORE_STORE_CHECKPOINT_H_
#define RMQ_STORE_STORE_CHECKPOINT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace rmq::internal {

class StoreCheckpoint {
 public:
  static constexpr int kFileSize = 4096;

  // Reads `path`; a missing file reads as all zeros (a new store, or a lost
  // checkpoint: recovery then scans from the first segment). A file of the
  // wrong size is reported as DataLoss.
  static absl::StatusOr<StoreCheckpoint> Load(std::string path);

  int64_t physic_msg_timestamp() const;
  int64_t logics_msg_timestamp() const;
  int64_t index_msg_timestamp() const;
  void set_physic_msg_timestamp(int64_t ms);
  void set_logics_msg_timestamp(int64_t ms);
  void set_index_msg_timestamp(int64_t ms);

  // Where recovery after a crash starts: the earlier of the commit log's
  // and the consume queues' timestamps, less 3 s of slack (as RocketMQ
  // with messageIndexSafe=false). Not the index's: it moves only when an
  // index file fills (20 M keys), and the index catches up from its own
  // end in the background instead (Dispatcher::Start).
  int64_t MinTimestamp() const;

  // Writes the file durably (write to a temp file, fdatasync, rename),
  // unless it already holds these timestamps: an idle store (or a
  // VirtualClock advancing hours) does not fsync once a second for nothing.
  absl::Status Flush();

  StoreCheckpoint(StoreCheckpoint&& other) noexcept;

 private:
  explicit StoreCheckpoint(std::string path) : path_(std::move(path)) {}

  std::string path_;
  mutable absl::Mutex mu_;
  int64_t physic_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t logics_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t index_ ABSL_GUARDED_BY(mu_) = 0;
  // What the file holds, once known (after a Flush).
  std::optional<std::array<int64_t, 3>> on_disk_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_STORE_CHECKPOINT_H_
