// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The in-process transport, client → server: calls reach a bound handler
// directly (typed headers, borrowed bodies, no copies), each client transport
// gets one Channel per server, and unbound or unreachable servers, timeouts
// and dropped responders end calls the way a TCP connection would. Time is a
// VirtualClock; threads wait on Notifications, never on sleeps.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "remoting/client_transport.h"
#include "remoting/inproc_transport.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/clock.h"
#include "unit/remoting/inproc_test_support.h"

namespace rmq::internal {
namespace {

using namespace inproc_test;

// ---- Calls -------------------------------------------------------------------------------

TEST_CASE("sync, async and oneway calls reach the bound handler", "[inproc]") {
  std::vector<int32_t> flags;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    flags.push_back(request.flag);
    CHECK(responder.oneway() == request.is_oneway());
    RemotingCommand response = RemotingCommand::Response(response_code::kSuccess, request.remark);
    responder.Respond(std::move(response));
    CHECK_FALSE(responder.pending());
  });
  auto server = MustBind("calls", &handler);
  CHECK(server->address() == "inproc://calls");
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport client("c", nullptr, clock);

  RemotingCommand sync_request = Echo("sync");
  sync_request.opaque = 1234;
  auto sync = client.InvokeSync("inproc://calls", std::move(sync_request), kTimeout);
  REQUIRE(sync.ok());
  CHECK(sync->code == response_code::kSuccess);
  CHECK(sync->remark == "sync");
  CHECK(sync->opaque == 1234);  // matched to the request, as on the wire
  CHECK(sync->is_response());

  AsyncResult async;
  client.InvokeAsync("inproc://calls", Echo("async"), kTimeout, async.Callback());
  // The handler answered inside the call: the callback has run already.
  REQUIRE(async.done.HasBeenNotified());
  REQUIRE(async.result->ok());
  CHECK((*async.result)->remark == "async");

  CHECK(client.InvokeOneway("inproc://calls", Echo("oneway")).ok());
  REQUIRE(flags.size() == 3);
  CHECK(flags[0] == 0);
  CHECK(flags[1] == 0);
  CHECK(flags[2] == RemotingCommand::kOnewayFlag);
  CHECK(clock->PendingTimers() == 0);  // answered calls leave no timeout behind
}

TEST_CASE("a typed header reaches the handler as the same object", "[inproc]") {
  const CommandHeader* seen = nullptr;
  size_t ext_fields_seen = 99;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    seen = request.header.get();
    ext_fields_seen = request.ext_fields.size();
    auto header = request.DecodeHeader<GetRouteInfoRequestHeader>();
    REQUIRE(header.ok());
    CHECK((*header)->topic == "TopicA");
    responder.Respond(RemotingCommand::Response(response_code::kSuccess));
  });
  auto server = MustBind("typed", &handler);
  InprocTransport client("c", nullptr, std::make_shared<VirtualClock>());

  auto header = std::make_unique<GetRouteInfoRequestHeader>();
  header->topic = "TopicA";
  const CommandHeader* sent = header.get();
  auto response = client.InvokeSync(
      "inproc://typed",
      RemotingCommand::Request(request_code::kGetRouteInfoByTopic, std::move(header)), kTimeout);
  REQUIRE(response.ok());
  CHECK(seen == sent);
  CHECK(ext_fields_seen == 0);  // never encoded
}

// ---- Channels ------------------------------------------------------------------------------

TEST_CASE("one channel per client transport, named after the client", "[inproc]") {
  TestHandler handler;
  auto server = MustBind("channels", &handler);
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport alice("alice", nullptr, clock);
  InprocTransport bob("bob", nullptr, clock);

  REQUIRE(alice.InvokeSync("inproc://channels", Echo("1"), kTimeout).ok());
  AsyncResult async;
  alice.InvokeAsync("inproc://channels", Echo("2"), kTimeout, async.Callback());
  REQUIRE(async.done.HasBeenNotified());
  REQUIRE(async.result->ok());
  REQUIRE(alice.InvokeOneway("inproc://channels", Echo("3")).ok());
  REQUIRE(bob.InvokeSync("inproc://channels", Echo("4"), kTimeout).ok());

  auto channels = handler.channels();
  REQUIRE(channels.size() == 4);
  CHECK(channels[0] == channels[1]);
  CHECK(channels[0] == channels[2]);
  CHECK(channels[3] != channels[0]);
  CHECK(channels[0]->remote_address() == "inproc://client/alice");
  CHECK(channels[3]->remote_address() == "inproc://client/bob");
  CHECK_FALSE(channels[0]->remote_host().has_value());  // not an ip:port
  CHECK(channels[0]->active());
  CHECK(channels[3]->active());
}

// A thread remembers the channel it last resolved (the lookup of nearly
// every send); what it remembers must never outlive a change of route.
TEST_CASE("a thread's remembered channel follows transports and replaced servers", "[inproc]") {
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport alice("alice", nullptr, clock);
  InprocTransport bob("bob", nullptr, clock);
  TestHandler first;
  auto server = MustBind("replaced", &first);
  REQUIRE(alice.InvokeSync("inproc://replaced", Echo("1"), kTimeout).ok());
  REQUIRE(bob.InvokeSync("inproc://replaced", Echo("2"), kTimeout).ok());
  REQUIRE(alice.InvokeSync("inproc://replaced", Echo("3"), kTimeout).ok());
  auto channels = first.channels();
  REQUIRE(channels.size() == 3);
  CHECK(channels[0]->remote_address() == "inproc://client/alice");
  CHECK(channels[1]->remote_address() == "inproc://client/bob");
  CHECK(channels[2] == channels[0]);

  // The server goes and another is bound under its name: the next call
  // reaches the new one, over a new channel.
  server.reset();
  TestHandler second;
  server = MustBind("replaced", &second);
  auto answer = alice.InvokeSync("inproc://replaced", Echo("4"), kTimeout);
  REQUIRE(answer.ok());
  CHECK(answer->remark == "4");
  CHECK(first.channels().size() == 3);
  REQUIRE(second.channels().size() == 1);
  CHECK(second.channels()[0]->remote_address() == "inproc://client/alice");

  // Shut down, the transport refuses the route this thread remembers.
  alice.Shutdown();
  CHECK(alice.InvokeSync("inproc://replaced", Echo("5"), kTimeout).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(second.channels().size() == 1);
}

// ---- Failures ------------------------------------------------------------------------------

TEST_CASE("an address nobody bound is Unavailable", "[inproc]") {
  InprocTransport client("c", nullptr, std::make_shared<VirtualClock>());
  auto sync = client.InvokeSync("inproc://nobody", Echo("x"), kTimeout);
  CHECK(sync.status().code() == absl::StatusCode::kUnavailable);
  // Named as every transport error is: the request and the address, once.
  const std::string named = "HEART_BEAT to inproc://nobody: no server is bound under that name";
  CHECK(sync.status().message() == named);

  AsyncResult async;
  client.InvokeAsync("inproc://nobody", Echo("x"), kTimeout, async.Callback());
  REQUIRE(async.done.HasBeenNotified());
  CHECK(async.result->status().code() == absl::StatusCode::kUnavailable);
  CHECK(async.result->status().message() == named);

  absl::Status oneway = client.InvokeOneway("inproc://nobody", Echo("x"));
  CHECK(oneway.code() == absl::StatusCode::kUnavailable);
  CHECK(oneway.message() == named);
}

TEST_CASE("InprocTransport refuses addresses that are not inproc://", "[inproc]") {
  InprocTransport client("c", nullptr, std::make_shared<VirtualClock>());
  auto sync = client.InvokeSync("127.0.0.1:9876", Echo("x"), kTimeout);
  CHECK(sync.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(sync.status().message() ==
        "HEART_BEAT to 127.0.0.1:9876: the address is not an inproc:// address");
}

// (host:port addresses are tcp_transport_test's.)
TEST_CASE("NewClientTransport reaches inproc:// servers in this process", "[inproc]") {
  TestHandler handler;
  auto server = MustBind("routing", &handler);
  auto transport = NewClientTransport("c", nullptr, std::make_shared<VirtualClock>());

  auto inproc = transport->InvokeSync("inproc://routing", Echo("ok"), kTimeout);
  REQUIRE(inproc.ok());
  CHECK(inproc->remark == "ok");
  CHECK(handler.channels().at(0)->remote_address() == "inproc://client/c");

  transport->Shutdown();
  CHECK(handler.closed().size() == 1);
}

TEST_CASE("an unreachable server fails calls with Unavailable until reachable again",
          "[inproc]") {
  TestHandler handler;
  auto server = MustBind("flaky", &handler);
  InprocTransport client("c", nullptr, std::make_shared<VirtualClock>());
  REQUIRE(client.InvokeSync("inproc://flaky", Echo("1"), kTimeout).ok());

  server->SetReachable(false);
  auto down = client.InvokeSync("inproc://flaky", Echo("2"), kTimeout);
  CHECK(down.status().code() == absl::StatusCode::kUnavailable);
  CHECK(down.status().message() ==
        "HEART_BEAT to inproc://flaky: inproc://flaky is not reachable");
  CHECK(client.InvokeOneway("inproc://flaky", Echo("3")).code() ==
        absl::StatusCode::kUnavailable);
  AsyncResult async;
  client.InvokeAsync("inproc://flaky", Echo("4"), kTimeout, async.Callback());
  REQUIRE(async.done.HasBeenNotified());
  CHECK(async.result->status().code() == absl::StatusCode::kUnavailable);
  CHECK(handler.channels().size() == 1);  // none of them reached the handler

  server->SetReachable(true);
  REQUIRE(client.InvokeSync("inproc://flaky", Echo("5"), kTimeout).ok());
  auto channels = handler.channels();
  REQUIRE(channels.size() == 2);
  CHECK(channels[0] == channels[1]);  // the same connection, as after a network blip
}

// ---- Late, missing and dropped answers ---------------------------------------------------

TEST_CASE("a handler may keep the responder and answer from another thread", "[inproc]") {
  absl::Mutex mu;
  std::optional<Responder> kept;
  absl::Notification got_request;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand, Responder responder) {
    absl::MutexLock lock(&mu);
    kept.emplace(std::move(responder));
    got_request.Notify();
  });
  auto server = MustBind("later", &handler);
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport client("c", nullptr, clock);

  AsyncResult async;
  RemotingCommand request = Echo("x");
  request.opaque = 77;
  client.InvokeAsync("inproc://later", std::move(request), kTimeout, async.Callback());
  got_request.WaitForNotification();
  CHECK_FALSE(async.done.HasBeenNotified());
  CHECK(clock->PendingTimers() == 1);  // the timeout is armed meanwhile

  std::thread::id answered_on;
  {
    std::jthread answerer([&] {
      answered_on = std::this_thread::get_id();
      absl::MutexLock lock(&mu);
      kept->Respond(RemotingCommand::Response(response_code::kPullNotFound, "no new message"));
    });
  }
  async.done.WaitForNotification();
  REQUIRE(async.result->ok());
  CHECK((*async.result)->code == response_code::kPullNotFound);
  CHECK((*async.result)->opaque == 77);
  CHECK(answered_on != std::this_thread::get_id());
  CHECK(clock->PendingTimers() == 0);  // the answer cancelled the timeout
  clock->Advance(kTimeout * 2);
  CHECK(async.calls == 1);
}

TEST_CASE("a call nobody answers ends with DeadlineExceeded at its timeout, not before",
          "[inproc]") {
  std::optional<Responder> kept;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand, Responder responder) {
    kept.emplace(std::move(responder));
  });
  auto server = MustBind("silent", &handler);
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport client("c", nullptr, clock);

  AsyncResult async;
  client.InvokeAsync("inproc://silent", Echo("x"), kTimeout, async.Callback());
  clock->Advance(kTimeout - absl::Milliseconds(1));
  CHECK_FALSE(async.done.HasBeenNotified());
  clock->Advance(absl::Milliseconds(1));
  REQUIRE(async.done.HasBeenNotified());
  CHECK(async.result->status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(async.result->status().message() ==
        "HEART_BEAT to inproc://silent: no response within 3s");

  // An answer after the timeout goes nowhere; the callback ran once.
  kept->Respond(RemotingCommand::Response(response_code::kSuccess));
  CHECK(async.calls == 1);
}

TEST_CASE("a dropped responder answers SYSTEM_ERROR at once", "[inproc]") {
  std::optional<Responder> kept;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    if (request.remark == "keep") kept.emplace(std::move(responder));
    // otherwise dropped here, unanswered
  });
  auto server = MustBind("dropper", &handler);
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport client("c", nullptr, clock);

  auto dropped = client.InvokeSync("inproc://dropper", Echo("drop"), kTimeout);
  REQUIRE(dropped.ok());
  CHECK(dropped->code == response_code::kSystemError);
  CHECK(dropped->remark == "the server dropped the request unanswered");

  AsyncResult async;
  client.InvokeAsync("inproc://dropper", Echo("keep"), kTimeout, async.Callback());
  CHECK_FALSE(async.done.HasBeenNotified());
  kept.reset();  // e.g. a long-polling server shutting down
  REQUIRE(async.done.HasBeenNotified());
  REQUIRE(async.result->ok());
  CHECK((*async.result)->code == response_code::kSystemError);
  CHECK(clock->PendingTimers() == 0);

  // A oneway request needs no answer: dropping its responder sends nothing.
  CHECK(client.InvokeOneway("inproc://dropper", Echo("drop")).ok());
}

// ---- Sync calls ------------------------------------------------------------------------
//
// A sync call waits on its own slot, which the thread reuses from call to
// call when the handler answered inside the call; a handler that keeps the
// responder leaves the slot with it, and the call waits for the answer, its
// timeout or the client's shutdown.

// Waits until `clock` has `n` timers pending (a sync call arms its timeout
// on the calling thread, after its handler returned).
bool AwaitTimers(VirtualClock& clock, size_t n) {
  const absl::Time deadline = absl::Now() + remoting_test::kBound;
  while (clock.PendingTimers() != n) {
    if (absl::Now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST_CASE("sync calls answered inside the handler each get their own answer", "[inproc][sync]") {
  std::optional<Responder> answered_and_kept;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    responder.Respond(RemotingCommand::Response(response_code::kSuccess, request.remark));
    // A handler may hold on to a responder it has answered: the slot it
    // points to must not be reused while it does.
    if (request.remark == "hold") answered_and_kept.emplace(std::move(responder));
  });
  auto server = MustBind("sync-many", &handler);
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport client("c", nullptr, clock);

  for (const std::string remark : {"a", "b", "hold", "c", "d"}) {
    RemotingCommand request = Echo(remark);
    request.opaque = static_cast<int32_t>(remark[0]);
    auto response = client.InvokeSync("inproc://sync-many", std::move(request), kTimeout);
    REQUIRE(response.ok());
    CHECK(response->remark == remark);
    CHECK(response->opaque == remark[0]);
  }
  // The held responder was answered: it sends nothing more.
  REQUIRE(answered_and_kept.has_value());
  CHECK_FALSE(answered_and_kept->pending());
  answered_and_kept.reset();
  auto after = client.InvokeSync("inproc://sync-many", Echo("after"), kTimeout);
  REQUIRE(after.ok());
  CHECK(after->remark == "after");
  CHECK(clock->PendingTimers() == 0);
}

TEST_CASE("a sync call whose responder is kept waits for the later answer", "[inproc][sync]") {
  absl::Mutex mu;
  std::optional<Responder> kept;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    if (request.remark != "keep") {
      responder.Respond(RemotingCommand::Response(response_code::kSuccess, request.remark));
      return;
    }
    absl::MutexLock lock(&mu);
    kept.emplace(std::move(responder));
  });
  auto server = MustBind("sync-later", &handler);
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport client("c", nullptr, clock);

  std::optional<absl::StatusOr<RemotingCommand>> kept_result;
  std::jthread caller([&] {
    // Warm this thread's slot first, so that the kept call is one that reuses it.
    auto warm = client.InvokeSync("inproc://sync-later", Echo("warm"), kTimeout);
    CHECK((warm.ok() && warm->remark == "warm"));
    kept_result = client.InvokeSync("inproc://sync-later", Echo("keep"), kTimeout);
    // The next call on this thread gets a new slot and its own answer.
    auto next = client.InvokeSync("inproc://sync-later", Echo("next"), kTimeout);
    CHECK((next.ok() && next->remark == "next"));
  });
  REQUIRE(AwaitTimers(*clock, 1));  // the kept call waits, its timeout armed
  {
    absl::MutexLock lock(&mu);
    REQUIRE(kept.has_value());
    kept->Respond(RemotingCommand::Response(response_code::kPullNotFound, "later"));
  }
  caller.join();
  REQUIRE(kept_result.has_value());
  REQUIRE(kept_result->ok());
  CHECK((*kept_result)->code == response_code::kPullNotFound);
  CHECK((*kept_result)->remark == "later");
  CHECK(clock->PendingTimers() == 0);  // the answer cancelled the timeout
}

// A server that keeps every request's responder and answers nothing, and a
// sync call to it from a thread of its own, waiting with its timeout armed.
class UnansweredSyncCall {
 public:
  explicit UnansweredSyncCall(const std::string& name)
      : handler_([this](const std::shared_ptr<Channel>&, RemotingCommand, Responder responder) {
          absl::MutexLock lock(&mu_);
          kept_.emplace(std::move(responder));
        }),
        server_(MustBind(name, &handler_)),
        address_("inproc://" + name) {
    caller_ = std::jthread([this] { result_ = client_.InvokeSync(address_, Echo("x"), kTimeout); });
    REQUIRE(AwaitTimers(*clock_, 1));
  }

  VirtualClock& clock() { return *clock_; }
  InprocTransport& client() { return client_; }
  // The call's outcome, once it has returned.
  const absl::StatusOr<RemotingCommand>& Result() {
    caller_.join();
    REQUIRE(result_.has_value());
    return *result_;
  }
  // Answers the kept request (after the call ended: the answer goes nowhere).
  void AnswerLate() {
    absl::MutexLock lock(&mu_);
    kept_->Respond(RemotingCommand::Response(response_code::kSuccess));
  }

 private:
  absl::Mutex mu_;
  std::optional<Responder> kept_ ABSL_GUARDED_BY(mu_);
  TestHandler handler_;
  std::unique_ptr<InprocServer> server_;
  const std::string address_;
  std::shared_ptr<VirtualClock> clock_ = std::make_shared<VirtualClock>();
  InprocTransport client_{"c", nullptr, clock_};
  std::optional<absl::StatusOr<RemotingCommand>> result_;
  std::jthread caller_;  // Last: joined first.
};

TEST_CASE("a sync call nobody answers ends at its timeout; a late answer goes nowhere",
          "[inproc][sync]") {
  UnansweredSyncCall call("sync-silent");
  call.clock().Advance(kTimeout);
  const absl::StatusOr<RemotingCommand>& result = call.Result();
  CHECK(result.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(result.status().message() == "HEART_BEAT to inproc://sync-silent: no response within 3s");
  call.AnswerLate();  // changes nothing
}

TEST_CASE("client Shutdown ends a waiting sync call with Unavailable", "[inproc][sync]") {
  UnansweredSyncCall call("sync-held");
  call.client().Shutdown();
  CHECK(call.Result().status().code() == absl::StatusCode::kUnavailable);
  CHECK(call.clock().PendingTimers() == 0);
}

// ---- Payloads ------------------------------------------------------------------------------

TEST_CASE("a borrowed body reaches the handler without a copy", "[inproc][payload]") {
  const std::string message_body(4096, 'm');
  const char* seen = nullptr;
  size_t seen_size = 0;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    REQUIRE(request.body.chunks().size() == 1);
    seen = request.body.chunks()[0].data();
    seen_size = request.body.size();
    // The response borrows the same bytes back (as a pull borrows the store's).
    RemotingCommand response = RemotingCommand::Response(response_code::kSuccess);
    response.body = Payload::Borrow(request.body.chunks()[0]);
    responder.Respond(std::move(response));
  });
  auto server = MustBind("zero-copy", &handler);
  InprocTransport client("c", nullptr, std::make_shared<VirtualClock>());

  RemotingCommand request = RemotingCommand::Request(request_code::kSendMessage);
  request.body = Payload::Borrow(message_body);
  auto response = client.InvokeSync("inproc://zero-copy", std::move(request), kTimeout);
  REQUIRE(response.ok());
  CHECK(seen == message_body.data());
  CHECK(seen_size == 4096);
  REQUIRE(response->body.chunks().size() == 1);
  CHECK(response->body.chunks()[0].data() == message_body.data());
}

TEST_CASE("a shared payload keeps its owner alive as long as any copy lives",
          "[inproc][payload]") {
  auto records = std::make_shared<std::string>("record-1record-2");
  std::weak_ptr<std::string> weak = records;
  Payload::Chunks chunks = {std::string_view(*records).substr(0, 8),
                            std::string_view(*records).substr(8)};
  Payload payload = Payload::Shared(chunks, records);
  records.reset();
  REQUIRE_FALSE(weak.expired());
  CHECK(payload.size() == 16);
  CHECK(payload.chunks().size() == 2);
  CHECK(payload.ToString() == "record-1record-2");

  std::optional<Payload> kept_by_handler;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    kept_by_handler.emplace(std::move(request.body));
    responder.Respond(RemotingCommand::Response(response_code::kSuccess));
  });
  auto server = MustBind("keep-alive", &handler);
  InprocTransport client("c", nullptr, std::make_shared<VirtualClock>());
  RemotingCommand request = RemotingCommand::Request(request_code::kSendMessage);
  request.body = std::move(payload);
  REQUIRE(client.InvokeSync("inproc://keep-alive", std::move(request), kTimeout).ok());

  // The request is gone; the handler's copy alone keeps the bytes.
  REQUIRE(kept_by_handler.has_value());
  CHECK_FALSE(weak.expired());
  CHECK(kept_by_handler->chunks()[0].data() == weak.lock()->data());
  {
    Payload copy = *kept_by_handler;
    kept_by_handler.reset();
    CHECK_FALSE(weak.expired());
    CHECK(copy.ToString() == "record-1record-2");
  }
  CHECK(weak.expired());
}

}  // namespace
}  // namespace rmq::internal
