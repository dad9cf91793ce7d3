// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Test support for the in-process transport tests: a RequestHandler whose
// behaviour each test supplies, and a collector for asynchronous results.

#ifndef RMQ_TEST_UNIT_REMOTING_INPROC_TEST_SUPPORT_H_
#define RMQ_TEST_UNIT_REMOTING_INPROC_TEST_SUPPORT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "remoting/inproc_transport.h"
#include "remoting/request_code.h"
#include "remoting/transport.h"

namespace rmq::internal::inproc_test {

inline constexpr absl::Duration kTimeout = absl::Seconds(3);

// A handler whose behaviour each test supplies; it remembers the channels it
// saw and the ones that closed. By default it echoes: SUCCESS, the request's
// remark, and its body handed back.
class TestHandler : public RequestHandler {
 public:
  using Fn = std::function<void(const std::shared_ptr<Channel>&, RemotingCommand, Responder)>;

  explicit TestHandler(Fn fn = nullptr) : fn_(std::move(fn)) {}

  void HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand request,
                     Responder responder) override {
    {
      absl::MutexLock lock(&mu_);
      channels_.push_back(channel);
    }
    if (fn_) {
      fn_(channel, std::move(request), std::move(responder));
      return;
    }
    RemotingCommand response = RemotingCommand::Response(response_code::kSuccess, request.remark);
    response.body = std::move(request.body);
    responder.Respond(std::move(response));
  }

  void OnChannelClosed(const std::shared_ptr<Channel>& channel) override {
    absl::MutexLock lock(&mu_);
    closed_.push_back(channel);
  }

  std::vector<std::shared_ptr<Channel>> channels() {
    absl::MutexLock lock(&mu_);
    return channels_;
  }
  std::vector<std::shared_ptr<Channel>> closed() {
    absl::MutexLock lock(&mu_);
    return closed_;
  }

 private:
  Fn fn_;
  absl::Mutex mu_;
  std::vector<std::shared_ptr<Channel>> channels_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Channel>> closed_ ABSL_GUARDED_BY(mu_);
};

inline std::unique_ptr<InprocServer> MustBind(std::string_view name, RequestHandler* handler) {
  auto server = InprocServer::Bind(name, handler);
  REQUIRE(server.ok());
  return *std::move(server);
}

inline RemotingCommand Echo(std::string remark) {
  RemotingCommand request = RemotingCommand::Request(request_code::kHeartBeat);
  request.remark = std::move(remark);
  return request;
}

// Collects the result of an asynchronous call.
struct AsyncResult {
  absl::Notification done;
  std::optional<absl::StatusOr<RemotingCommand>> result;
  std::atomic<int> calls{0};

  ResponseCallback Callback() {
    return [this](absl::StatusOr<RemotingCommand> r) {
      ++calls;
      result = std::move(r);
      done.Notify();
    };
  }
};

}  // namespace rmq::internal::inproc_test

#endif  // RMQ_TEST_UNIT_REMOTING_INPROC_TEST_SUPPORT_H_
