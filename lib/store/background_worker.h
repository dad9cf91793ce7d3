// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_STORE_BACKGROUND_WORKER_H_
#define RMQ_STORE_BACKGROUND_WORKER_H_

#include <cstdint>
#include <functional>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "common/this_thread.h"

namespace rmq::internal {

// A thread that runs `handler(jobs)` whenever jobs are posted: clock timers
// only post (they must stay short), the disk work happens here, at
// background priority. Jobs are bits; posting a job already pending is a
// no-op.
class BackgroundWorker {
 public:
  // `name`: the thread's name (at most 15 characters).
  BackgroundWorker(const char* name, std::function<void(uint32_t jobs)> handler)
      : name_(name), handler_(std::move(handler)) {}
  ~BackgroundWorker() { Stop(); }

  void Start() {
    thread_ = std::jthread([this] {
      MakeThisThreadBackground();
      NameThisThread(name_);  // Last: a thread with its name has its settings.
      for (;;) {
        uint32_t jobs;
        {
          absl::MutexLock lock(&mu_);
          auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return pending_ != 0 || stopping_; };
          mu_.Await(absl::Condition(&ready));
          if (stopping_) return;
          jobs = pending_;
          pending_ = 0;
        }
        handler_(jobs);
      }
    });
  }

  void Post(uint32_t jobs) {
    absl::MutexLock lock(&mu_);
    pending_ |= jobs;
  }

  // Returns once the thread has finished its current jobs and exited.
  void Stop() {
    if (!thread_.joinable()) return;
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }

 private:
  const char* const name_;
  const std::function<void(uint32_t)> handler_;
  absl::Mutex mu_;
  uint32_t pending_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::jthread thread_;
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_BACKGROUND_WORKER_H_
