// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/io_loop.h"

#include <algorithm>
#include <exception>
#include <string_view>
#include <utility>

#include "common/str_cat.h"
#include "common/this_thread.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// Runs `run` until it returns normally: a callback that throws is logged and
// the loop goes on (nothing must take the io or handler thread down).
void RunLogged(asio::io_context& context, std::string_view what) {
  NameThisThread(StrCat("rmq-", what));
  RequestShortSlice();
  for (;;) {
    try {
      context.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("remoting: a callback on the {} thread threw: {}", what, e.what());
    } catch (...) {
      spdlog::error("remoting: a callback on the {} thread threw", what);
    }
  }
}

}  // namespace

IoLoop::IoLoop()
    : io_(std::make_shared<asio::io_context>()), guard_(asio::make_work_guard(*io_)) {
  thread_ = std::jthread([io = io_] { RunLogged(*io, "io"); });
}

IoLoop::~IoLoop() { Join(); }

void IoLoop::Join() {
  if (!thread_.joinable()) return;
  guard_.reset();
  thread_.join();
}

HandlerPool::HandlerPool(int threads) : guard_(asio::make_work_guard(tasks_)) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this] { RunLogged(tasks_, "handler"); });
  }
}

HandlerPool::~HandlerPool() { Stop(); }

void HandlerPool::Post(absl::AnyInvocable<void() &&> task) {
  asio::post(tasks_, [task = std::move(task)]() mutable { std::move(task)(); });
}

void HandlerPool::Stop() {
  tasks_.stop();
  for (std::jthread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace rmq::internal
