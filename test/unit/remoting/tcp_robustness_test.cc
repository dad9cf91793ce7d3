// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The TCP server against peers that misbehave, from raw POSIX sockets:
// garbage, impossible lengths, headers longer than their frame, frames cut
// short, a peer that trickles a frame it never finishes. Each time that
// connection (only) is closed, the reason is logged at warn with the peer's
// address, and a well-behaved client using the server at the same time keeps
// getting answers. Waits are on conditions (poll on the socket, notifications)
// with a generous bound.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "common/big_endian.h"
#include "common/str_cat.h"
#include "remoting/frame_codec.h"
#include "remoting/request_code.h"
#include "remoting/tcp_client_transport.h"
#include "remoting/tcp_server.h"
#include "spdlog/sinks/ringbuffer_sink.h"
#include "spdlog/spdlog.h"
#include "unit/remoting/tcp_test_support.h"

namespace rmq::internal {
namespace {

using namespace tcp_test;

// A client speaking raw bytes.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    sockaddr_in local{};
    socklen_t len = sizeof(local);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len) == 0);
    local_address_ = StrCat("127.0.0.1:", ntohs(local.sin_port));
  }
  ~RawClient() { Close(); }

  // How the server names this connection.
  const std::string& local_address() const { return local_address_; }

  // Sends all of `bytes`; false once the server has closed the connection.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Waits up to `wait` for the server to close the connection (end of
  // stream or reset); whatever it sends meanwhile is discarded.
  bool AwaitClosed(absl::Duration wait = kBound) {
    const absl::Time deadline = absl::Now() + wait;
    char buf[4096];
    for (;;) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return false;
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
      if (ready <= 0) continue;
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return true;
    }
  }

  // Reads one frame (the bytes after its length field).
  std::optional<std::string> ReadFrame() {
    std::string prefix = ReadExactly(4);
    if (prefix.size() != 4) return std::nullopt;
    const uint32_t length = static_cast<uint32_t>(GetBig32(prefix.data()));
    std::string frame = ReadExactly(length);
    if (frame.size() != length) return std::nullopt;
    return frame;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  std::string ReadExactly(size_t n) {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(kBound))) <= 0) break;
      const ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    out.resize(got);
    return out;
  }

  int fd_ = -1;
  std::string local_address_;
};

std::string U32(uint32_t v) {
  std::string out(4, '\0');
  PutBig32(out.data(), static_cast<int32_t>(v));
  return out;
}

// A well-behaved client sending requests in a loop on its own thread.
class BusyClient {
 public:
  explicit BusyClient(std::string address) : address_(std::move(address)), client_("busy", nullptr) {
    thread_ = std::jthread([this](std::stop_token stop) {
      for (int i = 0; !stop.stop_requested(); ++i) {
        auto response = client_.InvokeSync(address_, Echo(std::to_string(i)), kTimeout);
        absl::MutexLock lock(&mu_);
        if (response.ok() && response->remark == std::to_string(i)) {
          ++ok_;
        } else {
          ++failed_;
          last_error_ = response.ok() ? "wrong answer" : response.status().ToString();
        }
      }
    });
  }

  // Waits until `n` more requests than now have been answered.
  bool AwaitMore(int n) {
    absl::MutexLock lock(&mu_);
    const int target = ok_ + n;
    return AwaitLocked(mu_, [&] { return ok_ >= target || failed_ > 0; }) && failed_ == 0;
  }

  // Stops; the number of requests that failed (0 expected).
  int Stop() {
    thread_.request_stop();
    thread_.join();
    absl::MutexLock lock(&mu_);
    if (failed_ != 0) UNSCOPED_INFO("busy client: " << last_error_);
    return failed_;
  }

 private:
  const std::string address_;
  TcpClientTransport client_;
  absl::Mutex mu_;
  int ok_ ABSL_GUARDED_BY(mu_) = 0;
  int failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  std::jthread thread_;
};

// Collects what is logged while it lives (declare it before any server).
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)) {
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }

  // Whether a warning mentions both `a` and `b`.
  bool Warned(std::string_view a, std::string_view b) {
    sink_->set_pattern("%l %v");
    for (const std::string& line : sink_->last_formatted()) {
      if (line.starts_with("warning") && line.find(a) != std::string::npos &&
          line.find(b) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

// Runs `misbehave` against a server while a well-behaved client uses it:
// the bad connection must be closed (observed from its side and as the
// handler's OnChannelClosed), the good client must see no failure, and the
// handler must never see a request from the bad connection.
template <typename Misbehave>
void ExpectClosedAndOthersServed(Misbehave misbehave, TcpServerOptions options = {}) {
  TestHandler handler;
  auto server = MustStart(&handler, options);
  BusyClient busy(AddressOf(*server));
  REQUIRE(busy.AwaitMore(1));

  std::string bad_address;
  {
    RawClient raw(server->port());
    bad_address = raw.local_address();
    misbehave(raw);
  }
  REQUIRE(handler.AwaitClosed(1));
  CHECK(handler.closed().at(0)->remote_address() == bad_address);
  CHECK_FALSE(handler.closed().at(0)->active());
  REQUIRE(busy.AwaitMore(3));
  CHECK(busy.Stop() == 0);
  for (const auto& channel : handler.channels()) CHECK(channel->remote_address() != bad_address);
}

TEST_CASE("a raw client speaking the protocol is answered", "[tcp][robustness]") {
  TestHandler handler;
  auto server = MustStart(&handler);
  RawClient raw(server->port());
  RemotingCommand request = Echo("raw");
  request.opaque = 4711;
  REQUIRE(raw.Send(EncodeFrame(request, SerializeType::kJson)));
  std::optional<std::string> frame = raw.ReadFrame();
  REQUIRE(frame.has_value());
  auto response = DecodeFrame(*std::move(frame), FrameLimits{});
  REQUIRE(response.ok());
  CHECK(response->is_response());
  CHECK(response->opaque == 4711);
  CHECK(response->remark == "raw");
  CHECK(response->serialize_type == SerializeType::kJson);
}

TEST_CASE("garbage closes that connection, logged with its address", "[tcp][robustness]") {
  LogCapture log;
  std::string bad_address;
  ExpectClosedAndOthersServed([&](RawClient& raw) {
    bad_address = raw.local_address();
    raw.Send("GET / HTTP/1.1\r\nHost: broker\r\n\r\n");
    CHECK(raw.AwaitClosed());
  });
  CHECK(log.Warned(bad_address, "bad frame"));
}

TEST_CASE("a length field beyond the frame limit closes that connection", "[tcp][robustness]") {
  for (uint32_t length : {0x7fffffffu, 0xffffffffu, (16u << 20) + 1}) {
    CAPTURE(length);
    ExpectClosedAndOthersServed([&](RawClient& raw) {
      raw.Send(U32(length) + std::string(64, 'x'));
      CHECK(raw.AwaitClosed());
    });
  }
}

TEST_CASE("a length too short for the header-info field closes that connection",
          "[tcp][robustness]") {
  ExpectClosedAndOthersServed([](RawClient& raw) {
    raw.Send(U32(2) + "ab");
    CHECK(raw.AwaitClosed());
  });
}

TEST_CASE("a header longer than its frame closes that connection", "[tcp][robustness]") {
  ExpectClosedAndOthersServed([](RawClient& raw) {
    // Frame of 14 bytes: header info claims a 5000-byte ROCKETMQ header.
    raw.Send(U32(14) + U32((1u << 24) | 5000) + std::string(10, 'h'));
    CHECK(raw.AwaitClosed());
  });
}

TEST_CASE("a header that does not parse closes that connection", "[tcp][robustness]") {
  ExpectClosedAndOthersServed([](RawClient& raw) {
    const std::string header = "{not json";
    raw.Send(U32(static_cast<uint32_t>(4 + header.size())) +
             U32(static_cast<uint32_t>(header.size())) + header);
    CHECK(raw.AwaitClosed());
  });
}

TEST_CASE("a frame cut short by the peer closing ends that connection only",
          "[tcp][robustness]") {
  ExpectClosedAndOthersServed([](RawClient& raw) {
    RemotingCommand request = Echo("never complete");
    request.body = Payload(std::string(1000, 'b'));
    const std::string frame = EncodeFrame(request, SerializeType::kRocketmq);
    REQUIRE(raw.Send(std::string_view(frame).substr(0, frame.size() / 2)));
    raw.Close();
  });
}

TEST_CASE("a peer trickling a frame it never finishes is closed by the idle timeout",
          "[tcp][robustness]") {
  TcpServerOptions options;
  // Short, yet long enough that the busy client's connection (a request
  // every few microseconds) never looks idle on a loaded machine.
  options.idle_timeout = absl::Seconds(1);
  ExpectClosedAndOthersServed(
      [](RawClient& raw) {
        // A 1 MiB frame announced, then a byte every 20 ms: it would take
        // hours to finish. Bytes keep arriving; only whole frames count.
        REQUIRE(raw.Send(U32(1 << 20)));
        const absl::Time deadline = absl::Now() + kBound;
        bool closed = false;
        while (!closed && absl::Now() < deadline) {
          if (!raw.Send("x")) break;
          closed = raw.AwaitClosed(absl::Milliseconds(20));
        }
        CHECK((closed || raw.AwaitClosed()));
      },
      options);
}

TEST_CASE("a frame over the server's limit from a real client fails that request only",
          "[tcp][robustness]") {
  TestHandler handler;
  TcpServerOptions options;
  options.limits.max_frame_size = 4096;
  auto server = MustStart(&handler, options);
  const std::string address = AddressOf(*server);
  TcpClientTransport client("c", nullptr);
  RemotingCommand big = Echo("big");
  big.body = Payload(std::string(8192, 'b'));
  auto refused = client.InvokeSync(address, std::move(big), kTimeout);
  CHECK(refused.status().code() == absl::StatusCode::kUnavailable);
  REQUIRE(handler.AwaitClosed(1));
  // The next request opens a new connection and is answered.
  auto fine = client.InvokeSync(address, Echo("small"), kTimeout);
  REQUIRE(fine.ok());
  CHECK(fine->remark == "small");
}

TEST_CASE("a response over the client's limit fails the request, not the client",
          "[tcp][robustness]") {
  TestHandler handler;  // Echoes the body back.
  auto server = MustStart(&handler);
  const std::string address = AddressOf(*server);
  TcpClientOptions options;
  options.limits.max_frame_size = 4096;
  TcpClientTransport client("c", nullptr, options);
  RemotingCommand big = Echo("big");
  big.body = Payload(std::string(8192, 'b'));
  auto refused = client.InvokeSync(address, std::move(big), kTimeout);
  CHECK(refused.status().code() == absl::StatusCode::kUnavailable);
  CHECK(StdView(refused.status().message()).find("bad frame") != std::string_view::npos);
  REQUIRE(handler.AwaitClosed(1));
  auto fine = client.InvokeSync(address, Echo("small"), kTimeout);
  REQUIRE(fine.ok());
}


// ---- Many frames in one read ----------------------------------------------------------------

// A handler the server may run on its io thread (AnswersWithoutBlocking).
class InlineHandler : public TestHandler {
 public:
  explicit InlineHandler(bool inline_answers) : inline_(inline_answers) {}
  bool AnswersWithoutBlocking(const RemotingCommand&) const override { return inline_; }

 private:
  const bool inline_;
};

TEST_CASE("frames arriving together are each answered once, boundaries and order kept",
          "[tcp][robustness]") {
  const bool inline_answers = GENERATE(true, false);
  INFO("answered on the io thread: " << inline_answers);
  InlineHandler handler(inline_answers);
  auto server = MustStart(&handler);
  RawClient raw(server->port());

  // One send holding many frames of both header types; one body is larger
  // than the connection's read buffer (64 KiB), so it is read on its own.
  constexpr int kFrames = 300;
  std::string burst;
  std::vector<std::string> bodies;
  for (int i = 0; i < kFrames; ++i) {
    RemotingCommand request = Echo(std::to_string(i));
    request.opaque = 1000 + i;
    bodies.push_back(i == 150 ? std::string(100 * 1024, 'B') : std::string(i % 7, 'a' + i % 26));
    request.body = Payload(bodies.back());
    burst += EncodeFrame(request, i % 2 == 0 ? SerializeType::kRocketmq : SerializeType::kJson);
  }
  REQUIRE(raw.Send(burst));

  std::vector<bool> seen(kFrames, false);
  std::vector<int> order;
  for (int n = 0; n < kFrames; ++n) {
    std::optional<std::string> frame = raw.ReadFrame();
    REQUIRE(frame.has_value());
    auto response = DecodeFrame(*std::move(frame), FrameLimits{});
    REQUIRE(response.ok());
    REQUIRE(response->is_response());
    const int i = response->opaque - 1000;
    REQUIRE(i >= 0);
    REQUIRE(i < kFrames);
    CHECK_FALSE(seen[static_cast<size_t>(i)]);
    seen[static_cast<size_t>(i)] = true;
    order.push_back(i);
    CHECK(response->remark == std::to_string(i));
    CHECK(response->body.ToString() == bodies[static_cast<size_t>(i)]);
    CHECK(response->serialize_type ==
          (i % 2 == 0 ? SerializeType::kRocketmq : SerializeType::kJson));
  }
  if (inline_answers) {
    // Answered where they were read: in the order they were sent.
    std::vector<int> sent(kFrames);
    for (int i = 0; i < kFrames; ++i) sent[static_cast<size_t>(i)] = i;
    CHECK(order == sent);
  }
}

TEST_CASE("a malformed frame after good ones in the same read closes only that connection",
          "[tcp][robustness]") {
  const bool inline_answers = GENERATE(true, false);
  INFO("answered on the io thread: " << inline_answers);
  InlineHandler handler(inline_answers);
  TcpServerOptions options;
  options.worker_threads = 1;  // The close is handled after the requests before it.
  auto server = MustStart(&handler, options);
  BusyClient busy(AddressOf(*server));
  REQUIRE(busy.AwaitMore(1));

  std::string bad_address;
  {
    RawClient raw(server->port());
    bad_address = raw.local_address();
    std::string burst;
    for (int i = 0; i < 3; ++i) burst += EncodeFrame(Echo(StrCat("good", i)), SerializeType::kRocketmq);
    burst += U32(12) + U32(0x05000004) + "oops";  // serialize type 5 does not exist
    burst += EncodeFrame(Echo("after"), SerializeType::kRocketmq);  // never read
    REQUIRE(raw.Send(burst));
    CHECK(raw.AwaitClosed());
  }
  REQUIRE(handler.AwaitClosed(1));
  CHECK(handler.closed().at(0)->remote_address() == bad_address);
  REQUIRE(busy.AwaitMore(3));
  CHECK(busy.Stop() == 0);
  // The good frames before the bad one were handled; nothing after it.
  int from_bad = 0;
  for (const auto& channel : handler.channels()) from_bad += channel->remote_address() == bad_address;
  CHECK(from_bad == 3);
}

}  // namespace
}  // namespace rmq::internal
