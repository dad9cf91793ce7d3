// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullMessageService: the one thread per client instance that issues the push
// consumers' pulls and handles their results (RocketMQ's PullMessageService).
// Pull responses may complete on a broker's thread (a held pull answered when
// a message arrives); they are handed back here so that no broker thread does
// client work. Delayed tasks (flow control back-off, pull intervals) wait on
// the Clock.

#ifndef RMQ_CLIENT_PULL_MESSAGE_SERVICE_H_
#define RMQ_CLIENT_PULL_MESSAGE_SERVICE_H_

#include <deque>
#include <memory>
#include <thread>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rmq/clock.h"

namespace rmq::internal {

class PullMessageService {
 public:
  using Task = absl::AnyInvocable<void() &&>;

  explicit PullMessageService(std::shared_ptr<Clock> clock);
  ~PullMessageService();  // Stop()

  void Start();
  // Drops queued and delayed tasks and joins the thread. Tasks submitted
  // afterwards are dropped.
  void Stop();

  // Runs `task` on the service thread, after the tasks queued before it.
  void Execute(Task task);
  // Runs `task` on the service thread once `delay` has passed on the clock.
  void ExecuteLater(Task task, absl::Duration delay);

 private:
  struct State {
    absl::Mutex mu;
    std::deque<Task> tasks ABSL_GUARDED_BY(mu);
    bool stopped ABSL_GUARDED_BY(mu) = false;
  };
  static void Enqueue(State& state, Task task);
  // The thread's loop; it shares `state` so that it can outlive the service
  // (see Stop).
  static void Run(std::shared_ptr<State> state);

  std::shared_ptr<Clock> clock_;
  std::shared_ptr<State> state_;
  std::jthread thread_;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_PULL_MESSAGE_SERVICE_H_
