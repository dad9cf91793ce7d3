// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/send_executor.h"

#include <algorithm>
#include <utility>

#include "common/this_thread.h"

namespace rmq::internal {

SendExecutor::SendExecutor(size_t threads) {
  threads = std::max<size_t>(1, threads);
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  for (const std::jthread& t : threads_) thread_ids_.push_back(t.get_id());
}

SendExecutor::~SendExecutor() { Stop(); }

bool SendExecutor::Submit(Task task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  tasks_.push_back(std::move(task));
  return true;
}

void SendExecutor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::jthread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool SendExecutor::InExecutorThread() const {
  return std::find(thread_ids_.begin(), thread_ids_.end(), std::this_thread::get_id()) !=
         thread_ids_.end();
}

bool SendExecutor::HasWorkOrStopping() const { return stopping_ || !tasks_.empty(); }

void SendExecutor::Run() {
  NameThisThread("rmq-send-async");
  for (;;) {
    Task task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &SendExecutor::HasWorkOrStopping));
      // Queued tasks still run after Stop: each owes someone a callback.
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    std::move(task)();
  }
}

}  // namespace rmq::internal
