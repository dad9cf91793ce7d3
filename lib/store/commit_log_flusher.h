// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// CommitLogFlusher: the thread that writes the commit log to disk.
//
// ASYNC_FLUSH: woken every flushIntervalCommitLog by a timer, it flushes when
// at least flushCommitLogLeastPages pages are pending, and everything every
// flushCommitLogThoroughInterval.
// SYNC_FLUSH (group commit): a putter asks for its record's end offset and
// waits; the thread flushes everything written so far with one msync and
// wakes every putter whose record it covered, so one disk sync acknowledges
// a whole group of concurrent puts.

#ifndef RMQ_STORE_COMMIT_LOG_FLUSHER_H_
#define RMQ_STORE_COMMIT_LOG_FLUSHER_H_

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rmq/clock.h"
#include "rmq/store.h"
#include "store/commit_log.h"

namespace rmq::internal {

class CommitLogFlusher {
 public:
  CommitLogFlusher(CommitLog& log, const MessageStoreConfig& config, const Clock& clock);
  ~CommitLogFlusher();  // Stop()

  void Start();
  // Flushes everything and stops the thread.
  void Stop();

  // Blocks until the commit log is on disk up to `offset`; false after
  // `timeout` or once flushing has failed.
  bool WaitFlushed(int64_t offset, absl::Duration timeout);
  // Asks for an (async-mode) flush pass now.
  void Wakeup();

  // Store timestamp of the newest message known to be on disk (checkpoint).
  int64_t flushed_store_timestamp() const {
    return flushed_store_timestamp_.load(std::memory_order_acquire);
  }
  // The first flush error, if any (a failing disk). It stays: once a sync
  // has failed, Linux may have dropped the pages it could not write and
  // marked them clean, so a later sync that succeeds proves nothing about
  // them. From then on nothing is flushed or acknowledged again (puts
  // waiting for a sync get false) until the store is reopened and its
  // recovery re-validates the log.
  absl::Status last_error() const;
  // Whether last_error() is set; cheap enough for every put.
  bool failed() const { return failed_.load(std::memory_order_acquire); }

 private:
  void Run(std::stop_token stop);
  void FlushOnce(int least_pages);

  CommitLog& log_;
  const MessageStoreConfig& config_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  int64_t requested_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t flushed_ ABSL_GUARDED_BY(mu_) = 0;
  bool kicked_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> failed_{false};
  int64_t last_thorough_ms_ = 0;  // Flush thread only.
  std::atomic<int64_t> flushed_store_timestamp_{0};
  std::jthread thread_;
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_COMMIT_LOG_FLUSHER_H_
