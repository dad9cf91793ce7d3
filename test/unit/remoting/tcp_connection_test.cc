// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// TcpConnection's write path, driven directly against a TcpServer on
// 127.0.0.1: which requests share a gather write and which are written by
// the calling thread. The io thread is held on a task the test posts, so
// what is queued for it and what is written without it is deterministic.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/big_endian.h"
#include "common/str_cat.h"
#include "remoting/frame_codec.h"
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

// A server speaking raw bytes on 127.0.0.1: accepts one connection, reads
// `requests` frames, then answers them all, and whatever `tail` holds, in
// one send, so that the client reads the answers together.
class RawAnsweringServer {
 public:
  RawAnsweringServer(int requests, std::string tail) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listen_fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(listen_fd_, 1) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, requests, tail = std::move(tail)] { Serve(requests, tail); });
  }
  ~RawAnsweringServer() {
    thread_.join();
    if (fd_ >= 0) ::close(fd_);
    ::close(listen_fd_);
  }

  uint16_t port() const { return port_; }

 private:
  bool ReadFull(char* p, size_t n) {
    while (n > 0) {
      const ssize_t r = ::read(fd_, p, n);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<size_t>(r);
    }
    return true;
  }
  void Serve(int requests, const std::string& tail) {
    fd_ = ::accept(listen_fd_, nullptr, nullptr);
    if (fd_ < 0) return;
    std::string answers;
    for (int i = 0; i < requests; ++i) {
      char length[4];
      if (!ReadFull(length, 4)) return;
      std::string frame(GetBig<uint32_t>(length), '\0');
      if (!ReadFull(frame.data(), frame.size())) return;
      auto request = DecodeFrame(std::move(frame), FrameLimits{});
      if (!request.ok()) return;
      RemotingCommand answer = RemotingCommand::Response(0, request->remark);
      answer.opaque = request->opaque;
      answers += EncodeFrame(answer, SerializeType::kRocketmq);
    }
    answers += tail;
    (void)::send(fd_, answers.data(), answers.size(), MSG_NOSIGNAL);
  }

  int listen_fd_ = -1;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_CASE("answers read together complete their requests in order, even before a bad frame",
          "[tcp]") {
  constexpr int kRequests = 20;
  absl::Mutex mu;
  std::vector<std::string> answered;  // Remarks, in completion order.
  int failed = 0;
  // After the answers, in the same send: a frame of serialize type 5, which
  // does not exist, closes the connection.
  std::string bad(12, '\0');
  PutBig<uint32_t>(bad.data(), 8);
  PutBig<uint32_t>(bad.data() + 4, 0x05000004);
  RawAnsweringServer server(kRequests, bad);
  NoRequests listener;
  IoLoop loop;
  auto connection =
      std::make_shared<TcpConnection>(loop.context(), StrCat("127.0.0.1:", server.port()),
                                      TcpConnectionOptions{}, &listener);
  connection->Connect("127.0.0.1", server.port());
  for (int i = 0; i < kRequests; ++i) {
    connection->InvokeAsync(Echo(StrCat(i)), kTimeout,
                            [&](absl::StatusOr<RemotingCommand> response) {
                              absl::MutexLock lock(&mu);
                              if (response.ok()) {
                                answered.push_back(response->remark);
                              } else {
                                ++failed;
                              }
                            },
                            WritePolicy::kBatch);
  }
  {
    absl::MutexLock lock(&mu);
    REQUIRE(AwaitLocked(mu, [&] { return answered.size() + static_cast<size_t>(failed) == static_cast<size_t>(kRequests); }));
    CHECK(failed == 0);
    std::vector<std::string> sent;
    for (int i = 0; i < kRequests; ++i) sent.push_back(StrCat(i));
    CHECK(answered == sent);
  }
  // The bad frame closed the connection: a later request fails at once.
  AsyncResult later;
  connection->InvokeAsync(Echo("later"), kTimeout, later.Callback(), WritePolicy::kNow);
  REQUIRE(later.Await());
  CHECK(later.result->status().code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace rmq::internal
