// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What the transport tests share, whatever carries the requests (in process
// or TCP): a RequestHandler whose behaviour each test supplies and whose
// events a test can wait for, a collector for asynchronous results, and an
// echo request. Waits are on conditions; their bound only keeps a broken
// build from hanging.

#ifndef RMQ_TEST_UNIT_REMOTING_REMOTING_TEST_SUPPORT_H_
#define RMQ_TEST_UNIT_REMOTING_REMOTING_TEST_SUPPORT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "remoting/request_code.h"
#include "remoting/transport.h"

namespace rmq::internal::remoting_test {

// The longest any wait for a condition may take before the test fails.
inline constexpr absl::Duration kBound = absl::Seconds(30);

// Waits (on `mu`, held) until `cond` holds; false after kBound.
template <typename Cond>
bool AwaitLocked(absl::Mutex& mu, Cond cond) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
  return mu.AwaitWithTimeout(absl::Condition(&cond), kBound);
}

// A handler whose behaviour each test supplies. By default it echoes: SUCCESS,
// the request's remark, its body handed back. It remembers the channels of
// the requests it saw, the channels closed, and the requests' header types.
class TestHandler : public RequestHandler {
 public:
  using Fn = std::function<void(const std::shared_ptr<Channel>&, RemotingCommand, Responder)>;

  explicit TestHandler(Fn fn = nullptr) : fn_(std::move(fn)) {}

  void HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                     Responder responder) override {
    {
      absl::MutexLock lock(&mu_);
      channels_.push_back(channel);
      types_.push_back(request.serialize_type);
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
  std::vector<SerializeType> types() {
    absl::MutexLock lock(&mu_);
    return types_;
  }
  std::vector<std::shared_ptr<Channel>> closed() {
    absl::MutexLock lock(&mu_);
    return closed_;
  }
  // Waits until `n` channels have closed.
  bool AwaitClosed(size_t n) {
    absl::MutexLock lock(&mu_);
    return AwaitLocked(mu_, [&] { return closed_.size() >= n; });
  }
  // Waits until `n` requests have arrived.
  bool AwaitRequests(size_t n) {
    absl::MutexLock lock(&mu_);
    return AwaitLocked(mu_, [&] { return channels_.size() >= n; });
  }

 private:
  Fn fn_;
  absl::Mutex mu_;
  std::vector<std::shared_ptr<Channel>> channels_ ABSL_GUARDED_BY(mu_);
  std::vector<SerializeType> types_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Channel>> closed_ ABSL_GUARDED_BY(mu_);
};

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
  bool Await() { return done.WaitForNotificationWithTimeout(kBound); }
};

inline RemotingCommand Echo(std::string remark) {
  RemotingCommand request = RemotingCommand::Request(request_code::kHeartBeat);
  request.remark = std::move(remark);
  return request;
}

}  // namespace rmq::internal::remoting_test

#endif  // RMQ_TEST_UNIT_REMOTING_REMOTING_TEST_SUPPORT_H_
