// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// TcpConnection's write path, driven directly against a TcpServer on
// 127.0.0.1: which requests share a gather write and which are written by
// the calling thread. The io thread is held on a task the test posts, so
// what is queued for it and what is written without it is deterministic.

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/str_cat.h"
#include "remoting/tcp_connection.h"
#include "unit/remoting/tcp_test_support.h"

namespace rmq::internal {
namespace {

using namespace tcp_test;

// Requests a server sends the client are not expected here.
class NoRequests final : public TcpConnection::Listener {
 public:
  void OnRequest(const std::shared_ptr<TcpConnection>&, RemotingCommand, Responder) override {}
  void OnClosed(const std::shared_ptr<TcpConnection>&, const absl::Status&) override {}
};

// An echoing server and a client connection to it, connected (one request
// answered). The default batch window is one no test outlasts. What a test's
// callbacks touch must be declared before it: the io thread goes with it.
struct Connected {
  explicit Connected(absl::Duration batch_window = absl::Hours(1))
      : server(MustStart(&handler)) {
    TcpConnectionOptions options;
    options.batch_window = batch_window;
    connection =
        std::make_shared<TcpConnection>(loop.context(), AddressOf(*server), options, &listener);
    connection->Connect("127.0.0.1", server->port());
    // Shared with the callback: Notify may still be returning when Await does.
    auto first = std::make_shared<AsyncResult>();
    connection->InvokeAsync(Echo("connect"), kTimeout,
                            [first](absl::StatusOr<RemotingCommand> response) {
                              first->Callback()(std::move(response));
                            },
                            WritePolicy::kNow);
    REQUIRE(first->Await());
    REQUIRE(first->result->ok());
  }
  ~Connected() { connection->Close(absl::CancelledError("test over")); }

  TestHandler handler;
  std::unique_ptr<TcpServer> server;
  NoRequests listener;
  IoLoop loop;
  std::shared_ptr<TcpConnection> connection;
};

// Holds `loop`'s io thread until released (at the end of its scope), so
// that nothing queued for it is written meanwhile.
class IoHold {
 public:
  explicit IoHold(IoLoop& loop) {
    // Shared with the task: the io thread may still be returning from its
    // wait when this object is gone.
    asio::post(*loop.context(), [state = state_] {
      state->held.Notify();
      state->release.WaitForNotification();
    });
    REQUIRE(state_->held.WaitForNotificationWithTimeout(kBound));
  }
  ~IoHold() { state_->release.Notify(); }
  IoHold(const IoHold&) = delete;
  IoHold& operator=(const IoHold&) = delete;

 private:
  struct State {
    absl::Notification held;
    absl::Notification release;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

TEST_CASE("async requests streaming out share one gather write", "[tcp]") {
  absl::Mutex mu;
  int answered = 0;
  int failed = 0;
  Connected c;
  TcpConnection* const connection = c.connection.get();

  constexpr int kRequests = 50;
  const size_t writes_before = connection->socket_writes();
  {
    IoHold hold(c.loop);
    // The first is written at once; the others come within the window, so
    // they wait for the io thread, which writes them together.
    for (int i = 0; i < kRequests; ++i) {
      connection->InvokeAsync(Echo(StrCat(i)), kTimeout,
                              [&](absl::StatusOr<RemotingCommand> response) {
                                absl::MutexLock lock(&mu);
                                if (!response.ok()) ++failed;
                                ++answered;
                              },
                              WritePolicy::kBatch);
    }
    CHECK(connection->socket_writes() == writes_before + 1);
  }
  REQUIRE(c.handler.AwaitRequests(kRequests + 1));
  // Every request reached the handler, and the answers came back.
  {
    absl::MutexLock lock(&mu);
    REQUIRE(AwaitLocked(mu, [&] { return answered == kRequests; }));
    CHECK(failed == 0);
  }
  CHECK(connection->socket_writes() == writes_before + 2);
}

TEST_CASE("a kNow request is written at once, taking the batched ones along", "[tcp]") {
  AsyncResult first, batched, now;
  Connected c;
  TcpConnection* const connection = c.connection.get();

  const size_t writes_before = connection->socket_writes();
  {
    IoHold hold(c.loop);
    connection->InvokeAsync(Echo("first"), kTimeout, first.Callback(), WritePolicy::kBatch);
    connection->InvokeAsync(Echo("batched"), kTimeout, batched.Callback(), WritePolicy::kBatch);
    CHECK(connection->socket_writes() == writes_before + 1);  // "batched" waits.
    connection->InvokeAsync(Echo("now"), kTimeout, now.Callback(), WritePolicy::kNow);
    // Someone waits for "now": its caller wrote it, with "batched" ahead of
    // it, while the io thread was held.
    CHECK(connection->socket_writes() == writes_before + 2);
    CHECK(c.handler.AwaitRequests(4));
  }
  REQUIRE(first.Await());
  REQUIRE(batched.Await());
  REQUIRE(now.Await());
  CHECK(batched.result->ok());
  CHECK(now.result->ok());
  CHECK((*now.result)->remark == "now");
  CHECK(connection->socket_writes() == writes_before + 2);
}

TEST_CASE("without a batch window every request is written at once", "[tcp]") {
  AsyncResult a, b;
  Connected c(absl::ZeroDuration());
  TcpConnection* const connection = c.connection.get();
  {
    IoHold hold(c.loop);
    connection->InvokeAsync(Echo("a"), kTimeout, a.Callback(), WritePolicy::kBatch);
    connection->InvokeAsync(Echo("b"), kTimeout, b.Callback(), WritePolicy::kBatch);
    CHECK(c.handler.AwaitRequests(3));
  }
  REQUIRE(a.Await());
  REQUIRE(b.Await());
}

}  // namespace
}  // namespace rmq::internal
