// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// SendExecutor: the threads a producer's asynchronous sends run on (RocketMQ's
// asyncSenderExecutor): a fixed pool of std::jthreads taking tasks from one
// FIFO queue.

#ifndef RMQ_CLIENT_SEND_EXECUTOR_H_
#define RMQ_CLIENT_SEND_EXECUTOR_H_

#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace rmq::internal {

class SendExecutor {
 public:
  using Task = absl::AnyInvocable<void() &&>;

  // Starts `threads` threads (at least one).
  explicit SendExecutor(size_t threads);
  ~SendExecutor();  // Stops.
  SendExecutor(const SendExecutor&) = delete;
  SendExecutor& operator=(const SendExecutor&) = delete;

  // Queues `task`; false (and `task` is dropped unrun) once stopping.
  bool Submit(Task task);

  // Runs the tasks already queued, then joins the threads. Must not be called
  // from one of them. Idempotent.
  void Stop();

  // Whether the calling thread is one of this executor's.
  bool InExecutorThread() const;

 private:
  void Run();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::deque<Task> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::jthread> threads_;
  std::vector<std::thread::id> thread_ids_;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_SEND_EXECUTOR_H_
