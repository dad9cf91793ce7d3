// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The threads of a TCP transport: the io thread that runs every socket and
// timer operation, and the pool that runs handler calls that may block.

#ifndef RMQ_REMOTING_IO_LOOP_H_
#define RMQ_REMOTING_IO_LOOP_H_

#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "asio.hpp"

namespace rmq::internal {

// One thread running an io_context. The context is shared with the
// connections created on it, so that it outlives every socket and timer
// (a Channel may be held by a handler long after its server stopped).
class IoLoop {
 public:
  IoLoop();
  ~IoLoop();  // Join().
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  const std::shared_ptr<asio::io_context>& context() const { return io_; }
  bool InThisThread() const { return io_->get_executor().running_in_this_thread(); }

  // Lets the thread finish once no operation is outstanding and waits for it.
  // The caller must first close what keeps operations outstanding (sockets,
  // timers, acceptors). Not from the io thread itself.
  void Join();

 private:
  std::shared_ptr<asio::io_context> io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::jthread thread_;
};

// Threads that run handler calls, so a handler that blocks briefly (a
// sync-flush send) holds up neither the io thread nor other connections.
class HandlerPool {
 public:
  explicit HandlerPool(int threads);
  ~HandlerPool();  // Stop().
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  void Post(absl::AnyInvocable<void() &&> task);
  // Waits for the tasks running now; tasks not started are dropped (when
  // this object is destroyed) and none start after Stop returns.
  void Stop();

 private:
  asio::io_context tasks_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::vector<std::jthread> threads_;
};

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_IO_LOOP_H_
