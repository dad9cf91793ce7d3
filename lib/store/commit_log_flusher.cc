// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/commit_log_flusher.h"

#include "common/this_thread.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

CommitLogFlusher::CommitLogFlusher(CommitLog& log, const MessageStoreConfig& config,
                                   const Clock& clock)
    : log_(log), config_(config), clock_(clock) {}

CommitLogFlusher::~CommitLogFlusher() { Stop(); }

void CommitLogFlusher::Start() {
  {
    absl::MutexLock lock(&mu_);
    flushed_ = log_.FlushedOffset();
    stopping_ = false;
  }
  last_thorough_ms_ = clock_.NowMillis();
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void CommitLogFlusher::Stop() {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  FlushOnce(0);  // Whatever was written last.
}

bool CommitLogFlusher::WaitFlushed(int64_t offset, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  if (flushed_ >= offset) return true;
  if (requested_ < offset) requested_ = offset;
  auto done = [this, offset]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return flushed_ >= offset || stopping_ || !error_.ok();
  };
  mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  return flushed_ >= offset;
}

void CommitLogFlusher::Wakeup() {
  absl::MutexLock lock(&mu_);
  kicked_ = true;
}

absl::Status CommitLogFlusher::last_error() const {
  absl::MutexLock lock(&mu_);
  return error_;
}

void CommitLogFlusher::FlushOnce(int least_pages) {
  if (failed()) return;  // See last_error().
  // Read the timestamp first: the records it covers end at or before the
  // MaxOffset read next, so if the flush reaches that, they are on disk.
  int64_t ts = log_.LastStoreTimestamp();
  int64_t end = log_.MaxOffset();
  absl::Status status = log_.Flush(least_pages);
  int64_t flushed = log_.FlushedOffset();
  if (status.ok() && flushed >= end) {
    int64_t prev = flushed_store_timestamp_.load(std::memory_order_relaxed);
    if (ts > prev) flushed_store_timestamp_.store(ts, std::memory_order_release);
  }
  absl::MutexLock lock(&mu_);
  if (!status.ok()) {
    spdlog::error("commit log flush failed, the store refuses puts until reopened: {}",
                  status.ToString());
    error_ = status;
    failed_.store(true, std::memory_order_release);
    return;
  }
  if (flushed > flushed_) flushed_ = flushed;
}

void CommitLogFlusher::Run(std::stop_token stop) {
  const bool sync = config_.flush_disk_type == FlushDiskType::kSyncFlush;
  if (!sync) MakeThisThreadBackground();  // Under sync flush putters wait for this thread.
  NameThisThread("rmq-flush");  // Last: a thread with its name has its settings.
  while (!stop.stop_requested()) {
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return requested_ > flushed_ || kicked_ || stopping_;
      };
      // Group commit polls as RocketMQ's does (every 10 ms) in case a putter
      // that does not wait (WAIT=false) left data behind.
      if (sync) {
        mu_.AwaitWithTimeout(absl::Condition(&work), absl::Milliseconds(10));
      } else {
        mu_.Await(absl::Condition(&work));
      }
      if (stopping_) return;
      kicked_ = false;
    }
    int least_pages = 0;
    if (!sync) {
      int64_t now = clock_.NowMillis();
      if (now - last_thorough_ms_ >= config_.flush_commit_log_thorough_interval) {
        last_thorough_ms_ = now;
      } else {
        least_pages = config_.flush_commit_log_least_pages;
      }
    }
    FlushOnce(least_pages);
  }
}

}  // namespace rmq::internal
