// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Transport: how clients and roles exchange RemotingCommands, whatever
// carries them. A client sends requests to an address and gets responses; a
// server (NameServer, Broker) is a RequestHandler that answers requests and,
// through the Channel a request came in on, can send requests of its own back
// to that client (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE).
//
// Addresses pick the carrier: "inproc://NAME" is a server registered in this
// process (inproc_transport.h); "host:port" is TCP.

#ifndef RMQ_REMOTING_TRANSPORT_H_
#define RMQ_REMOTING_TRANSPORT_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "remoting/remoting_command.h"
#include "rmq/message.h"

namespace rmq::internal {

// Receives the response to an asynchronous request, or the reason there is
// none (Unavailable: peer down; DeadlineExceeded: timeout). Runs once, on
// whichever thread completed the request (possibly the caller's own).
using ResponseCallback = absl::AnyInvocable<void(absl::StatusOr<RemotingCommand>) &&>;

// The connection a request arrived on, from the server's side.
class Channel {
 public:
  virtual ~Channel() = default;
  // The peer's address, e.g. "127.0.0.1:53012" or "inproc://client/3".
  virtual const std::string& remote_address() const = 0;
  // remote_address() as a host (a sent message's born host), or nullopt if
  // it is not "ip:port" (an in-process peer). This default parses it on
  // every call; a channel whose address never changes parses it once.
  virtual std::optional<HostAddress> remote_host() const;
  // False once the peer has gone.
  virtual bool active() const = 0;
  // Requests to the peer (server → client).
  virtual void InvokeAsync(RemotingCommand request, absl::Duration timeout,
                           ResponseCallback done) = 0;
  virtual void InvokeOneway(RemotingCommand request) = 0;
};

// Answers one request. Call Respond once, now or later (long polling keeps
// the Responder); for a oneway request it does nothing. Move-only.
class Responder {
 public:
  using Sink = absl::AnyInvocable<void(RemotingCommand&&) &&>;

  Responder() = default;
  Responder(int32_t opaque, bool oneway, Sink sink)
      : opaque_(opaque), oneway_(oneway), sink_(std::move(sink)) {}
  Responder(Responder&&) = default;
  Responder& operator=(Responder&&) = default;
  // A request dropped unanswered (a server shutting down) gets SYSTEM_ERROR,
  // so the caller learns now rather than at its timeout.
  ~Responder();

  // Sends `response` (its opaque and response flag are set here).
  void Respond(RemotingCommand response) {
    if (oneway_ || !sink_) return;
    response.opaque = opaque_;
    response.flag |= RemotingCommand::kResponseFlag;
    std::move(sink_)(std::move(response));
    sink_ = nullptr;
  }
  bool oneway() const { return oneway_; }
  // False after Respond.
  bool pending() const { return !oneway_ && static_cast<bool>(sink_); }

 private:
  int32_t opaque_ = 0;
  bool oneway_ = false;
  Sink sink_;
};

// A server role: answers requests.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Handles `request` from `channel`; answers through `responder`. Must not
  // block for long: slow work (a held pull) keeps the responder and returns.
  // `request` is the caller's, lent for the call: move from it to keep it
  // (taking it by reference spares an in-process send two moves).
  virtual void HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                             Responder responder) = 0;
  // `channel`'s peer has gone (connection closed, client shut down).
  virtual void OnChannelClosed(const std::shared_ptr<Channel>& channel) { (void)channel; }
  // Whether HandleRequest answers `request` quickly and never blocks (an
  // append to an asynchronously flushed store): a TCP server then runs it on
  // its io thread, with no hand-off to a worker and back. Called on the io
  // thread, so it must itself be cheap. The default, false, is always safe.
  virtual bool AnswersWithoutBlocking(const RemotingCommand& request) const {
    (void)request;
    return false;
  }
};

// `status` as the failure of request `code` to `address`: "CODE to ADDRESS:
// reason". Every error a Transport gives for a request is named so, once;
// callers pass it on as it is, without naming the request again.
absl::Status RequestFailure(int32_t code, std::string_view address, const absl::Status& status);

// The client side: sends requests to addresses. Errors name the request and
// its address (RequestFailure).
class Transport {
 public:
  virtual ~Transport() = default;

  virtual absl::StatusOr<RemotingCommand> InvokeSync(const std::string& address,
                                                     RemotingCommand request,
                                                     absl::Duration timeout) = 0;
  virtual void InvokeAsync(const std::string& address, RemotingCommand request,
                           absl::Duration timeout, ResponseCallback done) = 0;
  virtual absl::Status InvokeOneway(const std::string& address, RemotingCommand request) = 0;

  // Whether InvokeAsync to `address` is done with the request's header when
  // it returns (TCP encodes it into a frame during the call), so that the
  // caller may lend it one it reuses. False unless a transport says so: an
  // in-process server may keep the request, header and all, after the call.
  virtual bool DoneWithHeaderOnReturn(const std::string& address) const {
    (void)address;
    return false;
  }

  // Closes every connection; servers see their channels close. Requests
  // still waiting complete with Unavailable.
  virtual void Shutdown() = 0;
};

// InvokeSync in terms of InvokeAsync, for transports whose callback runs
// exactly once (answer, timeout, failure or shutdown): sends, then waits for
// that callback on a slot on this stack.
absl::StatusOr<RemotingCommand> InvokeAndWait(Transport& transport, const std::string& address,
                                              RemotingCommand request, absl::Duration timeout);
// The same wait for a request that `send` starts with the callback it is
// given (which must run exactly once): spinning briefly before sleeping, as
// response_wait.h rations it.
absl::StatusOr<RemotingCommand> AwaitResponse(absl::FunctionRef<void(ResponseCallback)> send);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_TRANSPORT_H_
