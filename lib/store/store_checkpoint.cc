// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/store_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/big_endian.h"
#include "common/durable_dir.h"
#include "common/status_macros.h"
#include "common/str_cat.h"

namespace rmq::internal {

absl::StatusOr<StoreCheckpoint> StoreCheckpoint::Load(std::string path) {
  StoreCheckpoint checkpoint(path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return checkpoint;
    return absl::InternalError(StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  char buf[kFileSize + 1];
  ssize_t n = ::pread(fd, buf, sizeof(buf), 0);
  int err = errno;
  ::close(fd);
  if (n < 0) return absl::InternalError(StrCat("cannot read ", path, ": ", std::strerror(err)));
  if (n != kFileSize) {
    return absl::DataLossError(
        StrCat("checkpoint ", path, " has ", n, " bytes, expected ", kFileSize));
  }
  checkpoint.set_physic_msg_timestamp(GetBig64(buf));
  checkpoint.set_logics_msg_timestamp(GetBig64(buf + 8));
  checkpoint.set_index_msg_timestamp(GetBig64(buf + 16));
  return checkpoint;
}

StoreCheckpoint::StoreCheckpoint(StoreCheckpoint&& other) noexcept : path_(std::move(other.path_)) {
  absl::MutexLock lock(&other.mu_);
  physic_ = other.physic_;
  logics_ = other.logics_;
  index_ = other.index_;
  on_disk_ = other.on_disk_;
}

int64_t StoreCheckpoint::physic_msg_timestamp() const {
  absl::MutexLock lock(&mu_);
  return physic_;
}
int64_t StoreCheckpoint::logics_msg_timestamp() const {
  absl::MutexLock lock(&mu_);
  return logics_;
}
int64_t StoreCheckpoint::index_msg_timestamp() const {
  absl::MutexLock lock(&mu_);
  return index_;
}
void StoreCheckpoint::set_physic_msg_timestamp(int64_t ms) {
  absl::MutexLock lock(&mu_);
  physic_ = std::max(physic_, ms);
}
void StoreCheckpoint::set_logics_msg_timestamp(int64_t ms) {
  absl::MutexLock lock(&mu_);
  logics_ = std::max(logics_, ms);
}
void StoreCheckpoint::set_index_msg_timestamp(int64_t ms) {
  absl::MutexLock lock(&mu_);
  index_ = std::max(index_, ms);
}

int64_t StoreCheckpoint::MinTimestamp() const {
  absl::MutexLock lock(&mu_);
  return std::max<int64_t>(0, std::min(physic_, logics_) - 3000);
}

absl::Status StoreCheckpoint::Flush() {
  char buf[kFileSize] = {};
  std::array<int64_t, 3> values;
  {
    absl::MutexLock lock(&mu_);
    values = {physic_, logics_, index_};
    if (on_disk_ == values) return absl::OkStatus();
    PutBig64(buf, physic_);
    PutBig64(buf + 8, logics_);
    PutBig64(buf + 16, index_);
  }
  std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError(StrCat("cannot create ", tmp, ": ", std::strerror(errno)));
  bool ok = ::pwrite(fd, buf, sizeof(buf), 0) == static_cast<ssize_t>(sizeof(buf)) &&
            ::fdatasync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0) {
    if (ok) err = errno;
    return absl::InternalError(StrCat("cannot write checkpoint ", path_, ": ", std::strerror(err)));
  }
  // A rename lost to a power loss brings back the older checkpoint, which
  // is safe but makes the next recovery scan more of the log.
  RMQ_RETURN_IF_ERROR(SyncParentDirectory(path_));
  absl::MutexLock lock(&mu_);
  on_disk_ = values;
  return absl::OkStatus();
}

}  // namespace rmq::internal
