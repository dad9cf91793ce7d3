// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The TCP transport, client ↔ server on 127.0.0.1 with ephemeral ports:
// round trips in both header types, large and many requests, late answers,
// timeouts, calls from the server back to the client, connections that
// break and come back, and the in-flight limit. Threads wait on conditions,
// never on sleeps.

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/str_cat.h"
#include "remoting/client_transport.h"
#include "remoting/inproc_transport.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "remoting/tcp_client_transport.h"
#include "remoting/tcp_server.h"
#include "rmq/clock.h"
#include "unit/remoting/tcp_test_support.h"

namespace rmq::internal {
namespace {

using namespace tcp_test;

bool Contains(const absl::Status& status, std::string_view text) {
  return StdView(status.message()).find(text) != std::string_view::npos;
}

// How many times `text` occurs in the status's message.
size_t Occurrences(const absl::Status& status, std::string_view text) {
  const std::string_view message = StdView(status.message());
  size_t n = 0;
  for (size_t at = message.find(text); at != std::string_view::npos;
       at = message.find(text, at + 1)) {
    ++n;
  }
  return n;
}

// ---- Round trips ---------------------------------------------------------------------------

TEST_CASE("sync, async and oneway requests reach the handler over TCP", "[tcp]") {
  // Handlers run on the server's worker threads: they record, the test
  // thread checks (Catch2's assertions are not thread-safe).
  absl::Mutex mu;
  std::vector<int32_t> flags;
  std::vector<bool> responder_oneway;
  absl::Notification oneway_seen;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    {
      absl::MutexLock lock(&mu);
      flags.push_back(request.flag);
      responder_oneway.push_back(responder.oneway());
    }
    if (request.is_oneway()) oneway_seen.Notify();
    RemotingCommand response = RemotingCommand::Response(response_code::kSuccess, request.remark);
    response.body = std::move(request.body);
    responder.Respond(std::move(response));
  });
  auto server = MustStart(&handler);
  REQUIRE(server->port() != 0);
  const std::string address = AddressOf(*server);
  TcpClientTransport client("c", nullptr);

  RemotingCommand sync_request = Echo("sync");
  sync_request.body = Payload(std::string("sync body"));
  auto sync = client.InvokeSync(address, std::move(sync_request), kTimeout);
  REQUIRE(sync.ok());
  CHECK(sync->code == response_code::kSuccess);
  CHECK(sync->remark == "sync");
  CHECK(sync->body.ToString() == "sync body");
  CHECK(sync->is_response());

  AsyncResult async;
  client.InvokeAsync(address, Echo("async"), kTimeout, async.Callback());
  REQUIRE(async.Await());
  REQUIRE(async.result->ok());
  CHECK((*async.result)->remark == "async");

  CHECK(client.InvokeOneway(address, Echo("oneway")).ok());
  REQUIRE(oneway_seen.WaitForNotificationWithTimeout(kBound));

  absl::MutexLock lock(&mu);
  REQUIRE(flags.size() == 3);
  CHECK(flags[0] == 0);
  CHECK(flags[1] == 0);
  CHECK(flags[2] == RemotingCommand::kOnewayFlag);
  CHECK(responder_oneway == std::vector<bool>{false, false, true});
  // One connection: the handler saw one channel, named by the client's ip:port.
  auto channels = handler.channels();
  REQUIRE(channels.size() == 3);
  CHECK(channels[0] == channels[1]);
  CHECK(channels[0] == channels[2]);
  CHECK(channels[0]->active());
  CHECK(channels[0]->remote_address().starts_with("127.0.0.1:"));
  CHECK(channels[0]->remote_address() != address);
  // Parsed once for the connection; the same as parsing the address.
  const std::optional<HostAddress> host = channels[0]->remote_host();
  REQUIRE(host.has_value());
  CHECK(host == HostAddress::Parse(channels[0]->remote_address()));
  CHECK(host->ToString() == channels[0]->remote_address());
}

TEST_CASE("a request is encoded during the call: its borrowed header may go once it returns",
          "[tcp]") {
  // A producer lends its thread's send header to a request over TCP and
  // reuses it for the next send as soon as InvokeAsync (or InvokeSync)
  // returns; the frame must hold the header's values of the call.
  absl::Mutex mu;
  std::vector<std::string> topics;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    {
      absl::MutexLock lock(&mu);
      topics.push_back(request.ext_fields.contains("topic") ? request.ext_fields.at("topic") : "");
    }
    responder.Respond(RemotingCommand::Response(response_code::kSuccess));
  });
  auto server = MustStart(&handler);
  const std::string address = AddressOf(*server);
  TcpClientTransport client("c", nullptr);
  auto lend = [](SendMessageRequestHeader* header) {
    RemotingCommand request;
    request.code = request_code::kSendMessage;
    request.header = HeaderPtr(header, HeaderDeleter::Borrowed());
    return request;
  };
  constexpr int kSends = 20;
  std::vector<AsyncResult> results(kSends);
  for (int i = 0; i < kSends; ++i) {
    auto header = std::make_unique<SendMessageRequestHeader>();
    header->producer_group = "PG";
    header->topic = "T" + std::to_string(i);
    client.InvokeAsync(address, lend(header.get()), kTimeout, results[i].Callback());
    header->topic = "overwritten";  // What a reused header would hold next.
  }  // And freed: under ASan, any later read of it is reported.
  for (AsyncResult& result : results) REQUIRE(result.Await());
  SendMessageRequestHeader sync_header;
  sync_header.topic = "Tsync";
  REQUIRE(client.InvokeSync(address, lend(&sync_header), kTimeout).ok());
  absl::MutexLock lock(&mu);
  REQUIRE(topics.size() == kSends + 1);
  std::sort(topics.begin(), topics.end());
  std::vector<std::string> expected;
  for (int i = 0; i < kSends; ++i) expected.push_back("T" + std::to_string(i));
  expected.push_back("Tsync");
  std::sort(expected.begin(), expected.end());
  CHECK(topics == expected);
}

TEST_CASE("the response comes back in the request's serialize type, headers intact", "[tcp]") {
  TestHandler handler([](const std::shared_ptr<Channel>&, RemotingCommand request,
                         Responder responder) {
    auto header = request.DecodeHeader<GetRouteInfoRequestHeader>();
    if (!header.ok()) {
      responder.Respond(RemotingCommand::Response(response_code::kSystemError,
                                                  header.status().ToString()));
      return;
    }
    RemotingCommand response = RemotingCommand::Response(response_code::kSuccess, (*header)->topic);
    response.ext_fields["echoedLanguage"] = request.language;
    responder.Respond(std::move(response));
  });
  auto server = MustStart(&handler);
  const std::string address = AddressOf(*server);

  for (SerializeType type : {SerializeType::kJson, SerializeType::kRocketmq}) {
    TcpClientOptions options;
    options.serialize_type = type;
    TcpClientTransport client("c", nullptr, options);
    auto header = std::make_unique<GetRouteInfoRequestHeader>();
    header->topic = "TopicA";
    auto response = client.InvokeSync(
        address, RemotingCommand::Request(request_code::kGetRouteInfoByTopic, std::move(header)),
        kTimeout);
    REQUIRE(response.ok());
    CHECK(response->serialize_type == type);
    CHECK(response->remark == "TopicA");
    CHECK(response->ext_fields["echoedLanguage"] == "CPP");
    CHECK(handler.types().back() == type);
  }
}

TEST_CASE("a body of several MiB in several chunks arrives intact both ways", "[tcp]") {
  TestHandler handler;  // Echoes the body.
  auto server = MustStart(&handler);
  TcpClientTransport client("c", nullptr);

  // Three borrowed chunks, 8 MiB in all, every byte distinct by position.
  auto bytes = std::make_shared<std::string>(size_t{8} << 20, '\0');
  for (size_t i = 0; i < bytes->size(); ++i) (*bytes)[i] = static_cast<char>((i * 131) >> 3);
  const std::string_view all = *bytes;
  RemotingCommand request = RemotingCommand::Request(request_code::kSendMessage);
  request.body = Payload::Shared({all.substr(0, 1000), all.substr(1000, 5 << 20),
                                  all.substr(1000 + (5 << 20))},
                                 bytes);
  auto response = client.InvokeSync(AddressOf(*server), std::move(request), kTimeout);
  REQUIRE(response.ok());
  REQUIRE(response->body.size() == bytes->size());
  CHECK(response->body.ToString() == *bytes);
}

TEST_CASE("many concurrent async requests each complete exactly once, matched", "[tcp]") {
  TestHandler handler;
  TcpServerOptions server_options;
  server_options.worker_threads = 4;
  auto server = MustStart(&handler, server_options);
  const std::string address = AddressOf(*server);
  TcpClientTransport client("c", nullptr);

  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  constexpr int kTotal = kThreads * kPerThread;
  std::vector<std::atomic<int>> calls(kTotal);
  absl::Mutex mu;
  int completed = 0;
  int mismatched = 0;
  {
    std::vector<std::jthread> senders;
    for (int t = 0; t < kThreads; ++t) {
      senders.emplace_back([&, t] {
        for (int i = t * kPerThread; i < (t + 1) * kPerThread; ++i) {
          client.InvokeAsync(address, Echo(std::to_string(i)), kTimeout,
                             [&, i](absl::StatusOr<RemotingCommand> response) {
                               ++calls[i];
                               absl::MutexLock lock(&mu);
                               if (!response.ok() || response->remark != std::to_string(i)) {
                                 ++mismatched;
                               }
                               ++completed;
                             });
        }
      });
    }
  }
  absl::MutexLock lock(&mu);
  REQUIRE(AwaitLocked(mu, [&] { return completed >= kTotal; }));
  CHECK(mismatched == 0);
  for (int i = 0; i < kTotal; ++i) CHECK(calls[i].load() == 1);
  CHECK(handler.channels().size() == kTotal);
}

TEST_CASE("a sync request right after streaming async ones is written at once", "[tcp]") {
  absl::Mutex mu;
  std::vector<std::string> seen;
  std::optional<Responder> unanswered;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    absl::MutexLock lock(&mu);
    seen.push_back(request.remark);
    if (request.remark == "first") {
      unanswered.emplace(std::move(responder));
      return;
    }
    responder.Respond(RemotingCommand::Response(response_code::kSuccess, request.remark));
  });
  auto server = MustStart(&handler);
  const std::string address = AddressOf(*server);
  // What the client's io thread touches outlives it.
  absl::Notification io_held, release;
  AsyncResult batched;
  TcpClientOptions options;
  options.batch_window = absl::Hours(1);  // Every async request after the first waits.
  TcpClientTransport client("c", nullptr, options);
  REQUIRE(client.InvokeSync(address, Echo("connect"), kTimeout).ok());

  // "first" is never answered; its timeout's callback holds the client's io
  // thread (outside any parse), so nothing queued for the io thread is
  // written until it returns, and "batched" comes within the window.
  client.InvokeAsync(address, Echo("first"), absl::Milliseconds(1),
                     [&](absl::StatusOr<RemotingCommand>) {
                       io_held.Notify();
                       release.WaitForNotification();
                     });
  REQUIRE(io_held.WaitForNotificationWithTimeout(kBound));
  client.InvokeAsync(address, Echo("batched"), kTimeout, batched.Callback());
  absl::StatusOr<RemotingCommand> sync;
  {
    std::jthread caller([&] { sync = client.InvokeSync(address, Echo("sync"), kTimeout); });
    {
      // The sync request (and the batched one ahead of it) reached the
      // server with the io thread still held. (Handled on the server's
      // workers: in any order.)
      absl::MutexLock lock(&mu);
      CHECK(AwaitLocked(mu, [&] { return seen.size() >= 4; }));
      std::sort(seen.begin(), seen.end());
      CHECK(seen == std::vector<std::string>{"batched", "connect", "first", "sync"});
    }
    release.Notify();
  }
  REQUIRE(sync.ok());
  CHECK(sync->remark == "sync");
  REQUIRE(batched.Await());
  CHECK(batched.result->ok());
  absl::MutexLock lock(&mu);
  unanswered.reset();
}

TEST_CASE("request bodies a handler keeps stay intact while later frames are read", "[tcp]") {
  // Frames are decoded in place, their bodies pointing into the server's
  // read buffer: the buffer must not be read into again over kept bodies.
  // The handler answers on the io thread and keeps every body; the bodies
  // add up to several read buffers.
  absl::Mutex mu;
  std::vector<Payload> kept;
  class KeepingHandler final : public TestHandler {
   public:
    using TestHandler::TestHandler;
    bool AnswersWithoutBlocking(const RemotingCommand&) const override { return true; }
  };
  KeepingHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                             Responder responder) {
    {
      absl::MutexLock lock(&mu);
      kept.push_back(std::move(request.body));
    }
    responder.Respond(RemotingCommand::Response(response_code::kSuccess, request.remark));
  });
  auto server = MustStart(&handler);
  const std::string address = AddressOf(*server);
  TcpClientTransport client("c", nullptr);

  constexpr int kRequests = 3000;
  auto body_of = [](int i) { return std::string(50 + i % 150, static_cast<char>('a' + i % 26)); };
  int answered = 0;
  for (int i = 0; i < kRequests; ++i) {
    RemotingCommand request = Echo(StrCat(i));
    request.body = Payload(body_of(i));
    client.InvokeAsync(address, std::move(request), kTimeout,
                       [&](absl::StatusOr<RemotingCommand>) {
                         absl::MutexLock lock(&mu);
                         ++answered;
                       });
  }
  absl::MutexLock lock(&mu);
  REQUIRE(AwaitLocked(mu, [&] { return answered == kRequests; }));
  REQUIRE(kept.size() == kRequests);
  int damaged = 0;
  for (int i = 0; i < kRequests; ++i) {
    if (kept[static_cast<size_t>(i)].ToString() != body_of(i)) ++damaged;
  }
  CHECK(damaged == 0);
}

// ---- Late and missing answers ------------------------------------------------------------

TEST_CASE("a handler may keep the responder and answer from another thread", "[tcp]") {
  absl::Mutex mu;
  std::optional<Responder> kept;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand, Responder responder) {
    absl::MutexLock lock(&mu);
    kept.emplace(std::move(responder));
  });
  auto server = MustStart(&handler);
  TcpClientTransport client("c", nullptr);

  AsyncResult async;
  client.InvokeAsync(AddressOf(*server), Echo("x"), kTimeout, async.Callback());
  {
    absl::MutexLock lock(&mu);
    REQUIRE(AwaitLocked(mu, [&] { return kept.has_value(); }));
  }
  CHECK_FALSE(async.done.HasBeenNotified());
  {
    std::jthread answerer([&] {
      absl::MutexLock lock(&mu);
      kept->Respond(RemotingCommand::Response(response_code::kPullNotFound, "no new message"));
    });
  }
  REQUIRE(async.Await());
  REQUIRE(async.result->ok());
  CHECK((*async.result)->code == response_code::kPullNotFound);
  CHECK((*async.result)->remark == "no new message");
}

TEST_CASE("no answer within the timeout is DeadlineExceeded; the late answer is ignored",
          "[tcp]") {
  absl::Mutex mu;
  std::optional<Responder> kept;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    if (request.remark == "silent") {
      absl::MutexLock lock(&mu);
      kept.emplace(std::move(responder));
      return;
    }
    responder.Respond(RemotingCommand::Response(response_code::kSuccess, request.remark));
  });
  auto server = MustStart(&handler);
  const std::string address = AddressOf(*server);
  TcpClientTransport client("c", nullptr);

  AsyncResult async;
  client.InvokeAsync(address, Echo("silent"), absl::Milliseconds(100), async.Callback());
  REQUIRE(async.Await());
  const absl::Status status = async.result->status();
  CHECK(status.code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(Contains(status, address));
  CHECK(Contains(status, "HEART_BEAT"));
  CHECK(Contains(status, "100ms"));

  // Sync calls time out the same way.
  auto sync = client.InvokeSync(address, Echo("silent"), absl::Milliseconds(50));
  CHECK(sync.status().code() == absl::StatusCode::kDeadlineExceeded);

  // The late answer arrives before the next response on the same connection,
  // matches nothing and is dropped; the callback has run once.
  {
    absl::MutexLock lock(&mu);
    REQUIRE(kept.has_value());
    kept->Respond(RemotingCommand::Response(response_code::kSuccess, "late"));
  }
  auto after = client.InvokeSync(address, Echo("after"), kTimeout);
  REQUIRE(after.ok());
  CHECK(after->remark == "after");
  CHECK(async.calls == 1);
}

TEST_CASE("a short timeout is kept whichever thread sends the request", "[tcp]") {
  // A request written by its own thread, or queued from a response callback
  // (the io thread, while it parses), behind a request with a long timeout:
  // the connection's timer must be re-armed for the earlier deadline.
  std::vector<Responder> kept;
  absl::Mutex mu;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    if (request.remark.starts_with("silent")) {
      absl::MutexLock lock(&mu);
      kept.push_back(std::move(responder));
      return;
    }
    responder.Respond(RemotingCommand::Response(response_code::kSuccess, request.remark));
  });
  auto server = MustStart(&handler);
  const std::string address = AddressOf(*server);
  // Declared before the client: its request is still pending when the test
  // ends, and the client's destructor answers it.
  AsyncResult long_wait;
  TcpClientTransport client("c", nullptr);

  // Arms the timer for a deadline a minute away.
  client.InvokeAsync(address, Echo("silent-long"), absl::Seconds(60), long_wait.Callback());

  const absl::Time start = absl::Now();
  auto sync = client.InvokeSync(address, Echo("silent-sync"), absl::Milliseconds(100));
  CHECK(sync.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(absl::Now() - start < absl::Seconds(20));

  AsyncResult inner;
  absl::Time inner_sent;
  client.InvokeAsync(address, Echo("answered"), kTimeout,
                     [&](absl::StatusOr<RemotingCommand>) {
                       inner_sent = absl::Now();
                       client.InvokeAsync(address, Echo("silent-inner"), absl::Milliseconds(100),
                                          inner.Callback());
                     });
  REQUIRE(inner.Await());
  CHECK(inner.result->status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(absl::Now() - inner_sent < absl::Seconds(20));
  CHECK_FALSE(long_wait.done.HasBeenNotified());
}

// ---- Server → client -------------------------------------------------------------------------

TEST_CASE("the server calls the client back through the channel", "[tcp]") {
  // The client's handler answers requests from the server.
  TestHandler client_handler([](const std::shared_ptr<Channel>& channel, RemotingCommand request,
                                Responder responder) {
    if (request.code != request_code::kNotifyConsumerIdsChanged) return;  // The oneway one.
    auto header = request.DecodeHeader<NotifyConsumerIdsChangedRequestHeader>();
    responder.Respond(RemotingCommand::Response(
        response_code::kSuccess,
        header.ok() ? StrCat((*header)->consumer_group, " via ", channel->remote_address())
                    : header.status().ToString()));
  });
  TestHandler server_handler;
  auto server = MustStart(&server_handler);
  const std::string address = AddressOf(*server);
  TcpClientOptions options;
  options.serialize_type = SerializeType::kJson;
  TcpClientTransport client("c", &client_handler, options);
  REQUIRE(client.InvokeSync(address, Echo("hello"), kTimeout).ok());
  std::shared_ptr<Channel> channel = server_handler.channels().at(0);

  auto header = std::make_unique<NotifyConsumerIdsChangedRequestHeader>();
  header->consumer_group = "GroupA";
  AsyncResult async;
  channel->InvokeAsync(
      RemotingCommand::Request(request_code::kNotifyConsumerIdsChanged, std::move(header)),
      kTimeout, async.Callback());
  REQUIRE(async.Await());
  REQUIRE(async.result->ok());
  CHECK((*async.result)->remark == StrCat("GroupA via ", address));
  // The server spoke the type the client uses.
  CHECK((*async.result)->serialize_type == SerializeType::kJson);
  CHECK(client_handler.types().at(0) == SerializeType::kJson);

  // Oneway requests reach the client's handler too.
  channel->InvokeOneway(Echo("notify"));
  REQUIRE(client_handler.AwaitRequests(2));
}

TEST_CASE("a client without a handler answers REQUEST_CODE_NOT_SUPPORTED", "[tcp]") {
  TestHandler server_handler;
  auto server = MustStart(&server_handler);
  TcpClientTransport client("c", nullptr);
  REQUIRE(client.InvokeSync(AddressOf(*server), Echo("hello"), kTimeout).ok());

  AsyncResult async;
  server_handler.channels().at(0)->InvokeAsync(
      RemotingCommand::Request(request_code::kCheckTransactionState), kTimeout, async.Callback());
  REQUIRE(async.Await());
  REQUIRE(async.result->ok());
  CHECK((*async.result)->code == response_code::kRequestCodeNotSupported);
}

// ---- Broken connections ------------------------------------------------------------------

TEST_CASE("a server that stops fails waiting requests at once; the client reconnects later",
          "[tcp]") {
  absl::Mutex mu;
  std::vector<Responder> held;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    if (request.remark == "hold") {
      absl::MutexLock lock(&mu);
      held.push_back(std::move(responder));
      return;
    }
    responder.Respond(RemotingCommand::Response(response_code::kSuccess, request.remark));
  });
  auto server = MustStart(&handler);
  const uint16_t port = server->port();
  const std::string address = AddressOf(*server);
  TcpClientTransport client("c", nullptr);

  // Waiting far longer than the test may take: only the broken connection
  // can end them.
  AsyncResult first;
  AsyncResult second;
  client.InvokeAsync(address, Echo("hold"), absl::Hours(1), first.Callback());
  client.InvokeAsync(address, Echo("hold"), absl::Hours(1), second.Callback());
  {
    absl::MutexLock lock(&mu);
    REQUIRE(AwaitLocked(mu, [&] { return held.size() == 2; }));
  }
  server->Stop();
  server->Stop();  // Idempotent.
  REQUIRE(first.Await());
  REQUIRE(second.Await());
  CHECK(first.result->status().code() == absl::StatusCode::kUnavailable);
  CHECK(second.result->status().code() == absl::StatusCode::kUnavailable);
  CHECK(Contains(first.result->status(), address));
  {
    absl::MutexLock lock(&mu);
    held.clear();  // Answers into a closed connection: nothing happens.
  }

  // Nobody listens now: a new request cannot connect.
  auto refused = client.InvokeSync(address, Echo("refused"), kTimeout);
  CHECK(refused.status().code() == absl::StatusCode::kUnavailable);
  CHECK(Contains(refused.status(), address));

  // Back on the same port: the next request opens a new connection.
  TestHandler handler2;
  TcpServerOptions options;
  options.port = port;
  auto restarted = MustStart(&handler2, options);
  auto again = client.InvokeSync(address, Echo("again"), kTimeout);
  REQUIRE(again.ok());
  CHECK(again->remark == "again");
}

TEST_CASE("connect failures and bad addresses fail every kind of call", "[tcp]") {
  // A port nobody listens on: bind one, note it, close it.
  uint16_t port = 0;
  {
    TestHandler nobody;
    auto probe = MustStart(&nobody);
    port = probe->port();
  }
  const std::string address = StrCat("127.0.0.1:", port);
  TcpClientTransport client("c", nullptr);

  auto sync = client.InvokeSync(address, Echo("x"), kTimeout);
  CHECK(sync.status().code() == absl::StatusCode::kUnavailable);
  CHECK(Occurrences(sync.status(), "HEART_BEAT to " + address) == 1);
  CHECK(Contains(sync.status(), "cannot connect"));
  AsyncResult async;
  client.InvokeAsync(address, Echo("x"), kTimeout, async.Callback());
  REQUIRE(async.Await());
  CHECK(async.result->status().code() == absl::StatusCode::kUnavailable);
  absl::Status oneway = client.InvokeOneway(address, Echo("x"));
  CHECK(oneway.code() == absl::StatusCode::kUnavailable);
  CHECK(Contains(oneway, address));

  for (const char* bad : {"localhost", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", ":80",
                          "::1:80", "127.0.0.1:80x"}) {
    CAPTURE(bad);
    auto result = client.InvokeSync(bad, Echo("x"), kTimeout);
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    // Named as the connection names its failures: request and address.
    CHECK(StdView(result.status().message()).starts_with(StrCat("HEART_BEAT to ", bad, ": ")));
    AsyncResult bad_async;
    client.InvokeAsync(bad, Echo("x"), kTimeout, bad_async.Callback());
    REQUIRE(bad_async.Await());
    CHECK(bad_async.result->status().message() == result.status().message());
    CHECK(client.InvokeOneway(bad, Echo("x")).message() == result.status().message());
  }
  // A port that is a number but no port says so.
  for (const char* bad : {"127.0.0.1:0", "127.0.0.1:70000", "[::1]:99999999999"}) {
    CAPTURE(bad);
    auto result = client.InvokeSync(bad, Echo("x"), kTimeout);
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(Contains(result.status(), "is out of range (1-65535)"));
    CHECK_FALSE(Contains(result.status(), "neither"));
  }
  CHECK(Contains(client.InvokeSync("127.0.0.1:80x", Echo("x"), kTimeout).status(),
                 "to 127.0.0.1:80x: the address is neither inproc://NAME nor host:port"));
  CHECK(Contains(client.InvokeSync("::1:9876", Echo("x"), kTimeout).status(),
                 "an IPv6 address is written in brackets"));
}

TEST_CASE("a host name is resolved", "[tcp]") {
  TestHandler handler;
  auto server = MustStart(&handler);  // On 127.0.0.1 only.
  TcpClientTransport client("c", nullptr);
  // "localhost" may resolve to ::1 first: the next address is tried.
  auto response =
      client.InvokeSync(StrCat("localhost:", server->port()), Echo("by name"), kTimeout);
  REQUIRE(response.ok());
  CHECK(response->remark == "by name");
}

TEST_CASE("a client that shuts down closes its channel and fails what it waits for", "[tcp]") {
  std::optional<Responder> kept;
  absl::Mutex mu;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    absl::MutexLock lock(&mu);
    if (request.remark == "hold") {
      kept.emplace(std::move(responder));
    } else {
      responder.Respond(RemotingCommand::Response(response_code::kSuccess));
    }
  });
  auto server = MustStart(&handler);
  const std::string address = AddressOf(*server);
  auto client = std::make_unique<TcpClientTransport>("c", nullptr);
  REQUIRE(client->InvokeSync(address, Echo("hello"), kTimeout).ok());
  AsyncResult waiting;
  client->InvokeAsync(address, Echo("hold"), absl::Hours(1), waiting.Callback());
  {
    absl::MutexLock lock(&mu);
    REQUIRE(AwaitLocked(mu, [&] { return kept.has_value(); }));
  }

  client->Shutdown();
  REQUIRE(waiting.done.HasBeenNotified());  // Before Shutdown returned.
  CHECK(waiting.result->status().code() == absl::StatusCode::kUnavailable);
  CHECK(client->InvokeSync(address, Echo("x"), kTimeout).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  client->Shutdown();  // Idempotent.

  REQUIRE(handler.AwaitClosed(1));
  std::shared_ptr<Channel> channel = handler.channels().at(0);
  CHECK(handler.closed().at(0) == channel);
  CHECK_FALSE(channel->active());
  // The server's own requests through a closed channel fail at once.
  AsyncResult callback;
  channel->InvokeAsync(Echo("x"), kTimeout, callback.Callback());
  REQUIRE(callback.done.HasBeenNotified());
  CHECK(callback.result->status().code() == absl::StatusCode::kUnavailable);
  client.reset();
}

TEST_CASE("the server's requests waiting on a channel fail when the client goes", "[tcp]") {
  absl::Mutex mu;
  std::optional<Responder> kept;  // The client never answers the server.
  TestHandler client_handler([&](const std::shared_ptr<Channel>&, RemotingCommand,
                                 Responder responder) {
    absl::MutexLock lock(&mu);
    kept.emplace(std::move(responder));
  });
  TestHandler server_handler;
  auto server = MustStart(&server_handler);
  auto client = std::make_unique<TcpClientTransport>("c", &client_handler);
  REQUIRE(client->InvokeSync(AddressOf(*server), Echo("hello"), kTimeout).ok());

  AsyncResult check;
  server_handler.channels().at(0)->InvokeAsync(
      RemotingCommand::Request(request_code::kCheckTransactionState), absl::Hours(1),
      check.Callback());
  {
    absl::MutexLock lock(&mu);
    REQUIRE(AwaitLocked(mu, [&] { return kept.has_value(); }));
  }
  client->Shutdown();
  REQUIRE(check.Await());
  CHECK(check.result->status().code() == absl::StatusCode::kUnavailable);
  CHECK(Contains(check.result->status(), "CHECK_TRANSACTION_STATE"));
  REQUIRE(server_handler.AwaitClosed(1));
  absl::MutexLock lock(&mu);
  kept.reset();  // Answers into the closed connection: nothing is sent.
}

TEST_CASE("InvokeSync from a response callback fails instead of deadlocking", "[tcp]") {
  TestHandler handler;
  auto server = MustStart(&handler);
  const std::string address = AddressOf(*server);
  TcpClientTransport client("c", nullptr);
  absl::Notification done;
  absl::Status inner;
  client.InvokeAsync(address, Echo("outer"), kTimeout, [&](absl::StatusOr<RemotingCommand>) {
    inner = client.InvokeSync(address, Echo("inner"), kTimeout).status();
    done.Notify();
  });
  REQUIRE(done.WaitForNotificationWithTimeout(kBound));
  CHECK(inner.code() == absl::StatusCode::kFailedPrecondition);
}

// ---- Backpressure ----------------------------------------------------------------------------

TEST_CASE("the in-flight limit holds back reading and loses no request", "[tcp]") {
  constexpr size_t kLimit = 2;
  constexpr int kRequests = 40;
  absl::Mutex mu;
  std::deque<std::pair<std::string, Responder>> waiting;  // Received, unanswered.
  size_t most_waiting = 0;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    absl::MutexLock lock(&mu);
    waiting.emplace_back(request.remark, std::move(responder));
    most_waiting = std::max(most_waiting, waiting.size());
  });
  TcpServerOptions options;
  options.max_inflight_per_connection = kLimit;
  options.worker_threads = 4;
  auto server = MustStart(&handler, options);
  const std::string address = AddressOf(*server);
  TcpClientTransport client("c", nullptr);

  absl::Mutex results_mu;
  int ok = 0;
  int failed = 0;
  for (int i = 0; i < kRequests; ++i) {
    client.InvokeAsync(address, Echo(std::to_string(i)), kTimeout,
                       [&, i](absl::StatusOr<RemotingCommand> response) {
                         absl::MutexLock lock(&results_mu);
                         if (response.ok() && response->remark == std::to_string(i)) {
                           ++ok;
                         } else {
                           ++failed;
                         }
                       });
  }
  // The answerer waits until the limit's worth is waiting, then answers the
  // oldest. The server reads the next request only after an answer, so no
  // more than kLimit ever wait, however fast the client sends.
  for (int answered = 0; answered < kRequests; ++answered) {
    std::string remark;
    Responder responder;
    {
      absl::MutexLock lock(&mu);
      const size_t want = std::min<size_t>(kLimit, kRequests - answered);
      REQUIRE(AwaitLocked(mu, [&] { return waiting.size() >= want; }));
      remark = std::move(waiting.front().first);
      responder = std::move(waiting.front().second);
      waiting.pop_front();
    }
    responder.Respond(RemotingCommand::Response(response_code::kSuccess, remark));
  }
  {
    absl::MutexLock lock(&results_mu);
    REQUIRE(AwaitLocked(results_mu, [&] { return ok + failed == kRequests; }));
    CHECK(ok == kRequests);
  }
  absl::MutexLock lock(&mu);
  CHECK(most_waiting == kLimit);
}


// ---- Oneway -----------------------------------------------------------------------------------

TEST_CASE("a burst of oneway requests all arrive, in order, however few may wait unwritten",
          "[tcp]") {
  // InvokeOneway returns once its frame is queued; a bounded number may wait
  // unwritten (max_pending_oneway), the next call waits for one to go out.
  const size_t max_pending = GENERATE(size_t{1}, size_t{4}, size_t{65535});
  INFO("max_pending_oneway " << max_pending);
  constexpr int kRequests = 3000;
  absl::Mutex mu;
  std::vector<std::string> remarks;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request, Responder) {
    absl::MutexLock lock(&mu);
    remarks.push_back(request.remark);
  });
  TcpServerOptions server_options;
  server_options.worker_threads = 1;  // Handled in arrival order.
  auto server = MustStart(&handler, server_options);
  const std::string address = AddressOf(*server);
  TcpClientOptions options;
  options.max_pending_oneway = max_pending;
  TcpClientTransport client("c", nullptr, options);
  for (int i = 0; i < kRequests; ++i) {
    RemotingCommand request = Echo(std::to_string(i));
    request.body = Payload(std::string(static_cast<size_t>(i % 300), 'x'));
    REQUIRE(client.InvokeOneway(address, std::move(request)).ok());
  }
  absl::MutexLock lock(&mu);
  REQUIRE(AwaitLocked(mu, [&] { return remarks.size() >= static_cast<size_t>(kRequests); }));
  REQUIRE(remarks.size() == static_cast<size_t>(kRequests));
  for (int i = 0; i < kRequests; ++i) CHECK(remarks[static_cast<size_t>(i)] == std::to_string(i));
}

// ---- Routing -------------------------------------------------------------------------------

TEST_CASE("NewClientTransport sends host:port to TCP and inproc:// in process", "[tcp]") {
  TestHandler tcp_handler;
  auto server = MustStart(&tcp_handler);
  TestHandler inproc_handler;
  auto inproc = InprocServer::Bind("tcp-routing", &inproc_handler);
  REQUIRE(inproc.ok());
  auto transport = NewClientTransport("c", nullptr, std::make_shared<VirtualClock>());

  auto over_tcp = transport->InvokeSync(AddressOf(*server), Echo("tcp"), kTimeout);
  REQUIRE(over_tcp.ok());
  CHECK(over_tcp->remark == "tcp");
  AsyncResult async;
  transport->InvokeAsync(AddressOf(*server), Echo("async"), kTimeout, async.Callback());
  REQUIRE(async.Await());
  REQUIRE(async.result->ok());
  CHECK(transport->InvokeOneway(AddressOf(*server), Echo("oneway")).ok());
  auto in_process = transport->InvokeSync("inproc://tcp-routing", Echo("inproc"), kTimeout);
  REQUIRE(in_process.ok());
  CHECK(in_process->remark == "inproc");
  // Whether a request may borrow its header: over TCP (encoded during the
  // call) yes; in process (a handler may keep the request) no.
  CHECK(transport->DoneWithHeaderOnReturn(AddressOf(*server)));
  CHECK_FALSE(transport->DoneWithHeaderOnReturn("inproc://tcp-routing"));
  CHECK(TcpClientTransport("t", nullptr).DoneWithHeaderOnReturn(AddressOf(*server)));
  CHECK_FALSE(InprocTransport("i", nullptr, std::make_shared<VirtualClock>())
                  .DoneWithHeaderOnReturn("inproc://tcp-routing"));

  transport->Shutdown();
  REQUIRE(tcp_handler.AwaitClosed(1));
  CHECK(inproc_handler.closed().size() == 1);
  CHECK(transport->InvokeSync(AddressOf(*server), Echo("x"), kTimeout).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace rmq::internal
