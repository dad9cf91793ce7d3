// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The in-process transport, the rest of a connection's life: servers calling
// clients back through the Channel, a client shutting down (its channels
// close, its waiting calls end), a server being destroyed while a call is
// inside its handler, and names bound and rebound.

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

// ---- Server → client -------------------------------------------------------------------

TEST_CASE("a server calls the client back through the channel", "[inproc]") {
  std::shared_ptr<Channel> to_client;
  TestHandler server_handler([&](const std::shared_ptr<Channel>& channel, RemotingCommand,
                                 Responder responder) {
    to_client = channel;
    responder.Respond(RemotingCommand::Response(response_code::kSuccess));
  });
  std::vector<RemotingCommand> client_got;
  TestHandler client_handler([&](const std::shared_ptr<Channel>& channel, RemotingCommand request,
                                 Responder responder) {
    CHECK(channel->remote_address() == "inproc://broker");
    const std::string remark = request.remark;
    client_got.push_back(std::move(request));
    responder.Respond(RemotingCommand::Response(response_code::kSuccess, "client says " + remark));
  });
  auto server = MustBind("broker", &server_handler);
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport client("consumer", &client_handler, clock);
  REQUIRE(client.InvokeSync("inproc://broker", Echo("hello"), kTimeout).ok());
  REQUIRE(to_client != nullptr);

  auto notify = std::make_unique<NotifyConsumerIdsChangedRequestHeader>();
  notify->consumer_group = "CG";
  to_client->InvokeOneway(
      RemotingCommand::Request(request_code::kNotifyConsumerIdsChanged, std::move(notify)));
  REQUIRE(client_got.size() == 1);
  CHECK(client_got[0].code == request_code::kNotifyConsumerIdsChanged);
  CHECK(client_got[0].is_oneway());

  AsyncResult async;
  RemotingCommand check = RemotingCommand::Request(request_code::kCheckTransactionState);
  check.remark = "tx?";
  to_client->InvokeAsync(std::move(check), kTimeout, async.Callback());
  REQUIRE(async.done.HasBeenNotified());
  REQUIRE(async.result->ok());
  CHECK((*async.result)->remark == "client says tx?");
  CHECK(client_got.size() == 2);

  // The client's handler sees one channel back to the server, too.
  auto back = client_handler.channels();
  REQUIRE(back.size() == 2);
  CHECK(back[0] == back[1]);
}

TEST_CASE("a server calling a client without a handler gets Unavailable", "[inproc]") {
  std::shared_ptr<Channel> to_client;
  TestHandler handler([&](const std::shared_ptr<Channel>& channel, RemotingCommand,
                          Responder responder) {
    to_client = channel;
    responder.Respond(RemotingCommand::Response(response_code::kSuccess));
  });
  auto server = MustBind("lonely", &handler);
  InprocTransport client("producer", nullptr, std::make_shared<VirtualClock>());
  REQUIRE(client.InvokeSync("inproc://lonely", Echo("x"), kTimeout).ok());

  AsyncResult async;
  to_client->InvokeAsync(RemotingCommand::Request(request_code::kCheckTransactionState), kTimeout,
                         async.Callback());
  REQUIRE(async.done.HasBeenNotified());
  CHECK(async.result->status().code() == absl::StatusCode::kUnavailable);
}

// ---- Shutdown and unbinding -------------------------------------------------------------

TEST_CASE("client Shutdown closes its channel at the server; later calls fail", "[inproc]") {
  TestHandler handler;
  auto server = MustBind("closing", &handler);
  TestHandler client_handler;
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport client("leaving", &client_handler, clock);
  InprocTransport other("staying", nullptr, clock);
  REQUIRE(client.InvokeSync("inproc://closing", Echo("x"), kTimeout).ok());
  REQUIRE(other.InvokeSync("inproc://closing", Echo("x"), kTimeout).ok());
  std::shared_ptr<Channel> channel = handler.channels().at(0);
  CHECK(channel->active());

  client.Shutdown();
  auto closed = handler.closed();
  REQUIRE(closed.size() == 1);
  CHECK(closed[0] == channel);
  CHECK_FALSE(channel->active());
  CHECK(handler.channels().at(1)->active());  // the other client is still connected

  CHECK_FALSE(client.InvokeSync("inproc://closing", Echo("x"), kTimeout).ok());
  CHECK_FALSE(client.InvokeOneway("inproc://closing", Echo("x")).ok());
  AsyncResult async;
  client.InvokeAsync("inproc://closing", Echo("x"), kTimeout, async.Callback());
  REQUIRE(async.done.HasBeenNotified());
  CHECK_FALSE(async.result->ok());

  // The server cannot reach the gone client either.
  AsyncResult back;
  channel->InvokeAsync(Echo("still there?"), kTimeout, back.Callback());
  REQUIRE(back.done.HasBeenNotified());
  CHECK(back.result->status().code() == absl::StatusCode::kUnavailable);
  CHECK(client_handler.channels().empty());

  client.Shutdown();  // idempotent: no second close
  CHECK(handler.closed().size() == 1);
}

TEST_CASE("client Shutdown completes its waiting calls with Unavailable", "[inproc]") {
  std::optional<Responder> kept;
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand, Responder responder) {
    kept.emplace(std::move(responder));
  });
  auto server = MustBind("held", &handler);
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport client("c", nullptr, clock);

  AsyncResult async;
  client.InvokeAsync("inproc://held", Echo("x"), kTimeout, async.Callback());
  CHECK_FALSE(async.done.HasBeenNotified());
  client.Shutdown();
  REQUIRE(async.done.HasBeenNotified());
  CHECK(async.result->status().code() == absl::StatusCode::kUnavailable);
  CHECK(clock->PendingTimers() == 0);

  // The server answering afterwards changes nothing.
  kept->Respond(RemotingCommand::Response(response_code::kSuccess));
  clock->Advance(kTimeout);
  CHECK(async.calls == 1);
}

TEST_CASE("destroying a transport tells the servers it used", "[inproc]") {
  TestHandler handler;
  auto server = MustBind("dtor", &handler);
  {
    InprocTransport client("short-lived", nullptr, std::make_shared<VirtualClock>());
    REQUIRE(client.InvokeSync("inproc://dtor", Echo("x"), kTimeout).ok());
  }
  REQUIRE(handler.closed().size() == 1);
  CHECK(handler.closed()[0]->remote_address() == "inproc://client/short-lived");
}

TEST_CASE("destroying a server waits for the call inside its handler, then refuses calls",
          "[inproc]") {
  absl::Notification entered;
  absl::Notification release;
  std::atomic<bool> handler_returned{false};
  TestHandler handler([&](const std::shared_ptr<Channel>&, RemotingCommand request,
                          Responder responder) {
    if (request.remark == "hold") {
      entered.Notify();
      release.WaitForNotification();
      responder.Respond(RemotingCommand::Response(response_code::kSuccess, "held"));
      handler_returned = true;
      return;
    }
    responder.Respond(RemotingCommand::Response(response_code::kSuccess));
  });
  auto server = MustBind("draining", &handler);
  auto clock = std::make_shared<VirtualClock>();
  InprocTransport holder("holder", nullptr, clock);
  InprocTransport prober("prober", nullptr, clock);

  absl::StatusOr<RemotingCommand> held_result;
  std::jthread caller([&] {
    held_result = holder.InvokeSync("inproc://draining", Echo("hold"), kTimeout);
  });
  entered.WaitForNotification();

  std::atomic<bool> returned_before_destroyed{false};
  std::jthread destroyer([&] {
    server.reset();
    returned_before_destroyed = handler_returned.load();
  });
  // Once the server stops taking calls its destructor is running (and, with a
  // call inside the handler, waiting). Every probe before that is answered.
  while (true) {
    auto probe = prober.InvokeSync("inproc://draining", Echo("probe"), kTimeout);
    if (!probe.ok()) {
      CHECK(probe.status().code() == absl::StatusCode::kUnavailable);
      break;
    }
    std::this_thread::yield();
  }
  release.Notify();
  destroyer.join();
  caller.join();
  CHECK(returned_before_destroyed);
  REQUIRE(held_result.ok());
  CHECK(held_result->remark == "held");  // the call in progress completed normally

  auto after = holder.InvokeSync("inproc://draining", Echo("x"), kTimeout);
  CHECK(after.status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("a name can be bound once at a time", "[inproc]") {
  TestHandler first;
  TestHandler second;
  auto server = MustBind("taken", &first);
  auto again = InprocServer::Bind("taken", &second);
  CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(again.status().message() == "inproc://taken is already bound in this process");
  CHECK(InprocServer::Bind("", &second).status().code() == absl::StatusCode::kInvalidArgument);

  InprocTransport client("c", nullptr, std::make_shared<VirtualClock>());
  REQUIRE(client.InvokeSync("inproc://taken", Echo("x"), kTimeout).ok());
  server.reset();
  // Rebinding after the first server is gone works, and a client that talked
  // to the old one reaches the new one (a restarted broker).
  auto rebound = MustBind("taken", &second);
  REQUIRE(client.InvokeSync("inproc://taken", Echo("y"), kTimeout).ok());
  CHECK(first.channels().size() == 1);
  CHECK(second.channels().size() == 1);
}

}  // namespace
}  // namespace rmq::internal
