// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/pull_message_service.h"

#include <thread>
#include <utility>

#include "common/this_thread.h"

namespace rmq::internal {

PullMessageService::PullMessageService(std::shared_ptr<Clock> clock)
    : clock_(std::move(clock)), state_(std::make_shared<State>()) {}

PullMessageService::~PullMessageService() { Stop(); }

void PullMessageService::Start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([state = state_] { Run(state); });
}

void PullMessageService::Stop() {
  std::deque<Task> dropped;
  {
    absl::MutexLock lock(&state_->mu);
    state_->stopped = true;
    dropped.swap(state_->tasks);
  }
  if (thread_.joinable()) {
    // A task may drop the last reference to what owns this service (a
    // consumer shut down meanwhile): then Stop runs on the service thread
    // itself, which cannot join itself. It is left to finish the task and
    // exit on its own; it holds the state it needs.
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
  // `dropped` is destroyed here, outside the lock: tasks may own callbacks.
}

void PullMessageService::Enqueue(State& state, Task task) {
  absl::MutexLock lock(&state.mu);
  if (state.stopped) return;
  state.tasks.push_back(std::move(task));
}

void PullMessageService::Execute(Task task) { Enqueue(*state_, std::move(task)); }

void PullMessageService::ExecuteLater(Task task, absl::Duration delay) {
  if (delay <= absl::ZeroDuration()) {
    Execute(std::move(task));
    return;
  }
  // The clock wants a copyable callback; the task is shared, run at most once.
  auto shared = std::make_shared<Task>(std::move(task));
  std::weak_ptr<State> weak = state_;
  clock_->ScheduleAfter(delay, [weak, shared] {
    if (auto state = weak.lock()) Enqueue(*state, std::move(*shared));
  });
}

void PullMessageService::Run(std::shared_ptr<State> shared) {
  NameThisThread("rmq-pull");
  RequestShortSlice();
  State& state = *shared;
  while (true) {
    Task task;
    {
      absl::MutexLock lock(&state.mu);
      auto ready = [&state]() ABSL_SHARED_LOCKS_REQUIRED(state.mu) {
        return state.stopped || !state.tasks.empty();
      };
      state.mu.Await(absl::Condition(&ready));
      if (state.stopped) return;
      task = std::move(state.tasks.front());
      state.tasks.pop_front();
    }
    std::move(task)();
  }
}

}  // namespace rmq::internal
