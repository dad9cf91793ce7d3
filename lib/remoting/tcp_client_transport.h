// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// TcpClientTransport: the Transport for "host:port" addresses, speaking
// RocketMQ's remoting frames (frame_codec.h) as NettyRemotingClient does.
//
// One connection per address, opened on first use (connectTimeoutMillis),
// reused, and opened again on the next request after it breaks. Requests are
// matched to responses by opaque; one that gets no answer within its timeout
// fails with DeadlineExceeded, and every request waiting on a connection that
// breaks (or fails to connect) fails at once with Unavailable naming the
// address.
//
// Timeouts over TCP are measured in real time (std::chrono::steady_clock),
// not by an rmq::Clock: a VirtualClock cannot make a real socket answer
// sooner. Only in-process calls follow the transport's Clock.
//
// Threads: one io thread reads and writes every connection; InvokeAsync's
// callback runs on it (or on the caller's thread when the request fails
// before it is sent), so a callback must not block: InvokeSync from inside
// one fails with FailedPrecondition instead of deadlocking. Requests servers
// send on a connection (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE)
// go to the client's RequestHandler on a handler thread, with the connection
// as their Channel.

#ifndef RMQ_REMOTING_TCP_CLIENT_TRANSPORT_H_
#define RMQ_REMOTING_TCP_CLIENT_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "remoting/frame_codec.h"
#include "remoting/typed_responses.h"
#include "remoting/transport.h"

namespace rmq::internal {

enum class WritePolicy : uint8_t;  // tcp_connection.h

// The serialize type named by the environment variable
// ROCKETMQ_SERIALIZE_TYPE ("JSON" or "ROCKETMQ", any letter case), as Java
// clients read it (there the system property rocketmq.serialize.type comes
// first, and JSON is the default); rmq's default is ROCKETMQ. Any other value
// is ignored with a warning.
SerializeType SerializeTypeFromEnvironment();

struct TcpClientOptions {
  // Header type of the requests sent (a server answers in the same type).
  SerializeType serialize_type = SerializeTypeFromEnvironment();
  // What a server may send back: frame and header sizes. A batch's send
  // response carries every message's msgId in its header (33 bytes each), so
  // a response header may be as large as a frame.
  FrameLimits limits = {.max_frame_size = 16 * 1024 * 1024, .max_header_size = 16 * 1024 * 1024};
  // A connection not established within this fails its requests
  // (connectTimeoutMillis).
  absl::Duration connect_timeout = absl::Seconds(3);
  // A connection with no frame and nothing in flight for this long is closed
  // (clientChannelMaxIdleTimeSeconds); the next request opens a new one.
  // 0: never.
  absl::Duration idle_timeout = absl::Seconds(120);
  // Threads answering requests servers send, if there is a handler.
  int handler_threads = 2;
  // Oneway requests queued and not yet written, at most
  // (clientOnewaySemaphoreValue); InvokeOneway waits at most oneway_timeout
  // for one of them to be written when there are this many.
  size_t max_pending_oneway = 65535;
  absl::Duration oneway_timeout = absl::Seconds(3);
  // An async request sent within this long after another was written
  // directly waits for the io thread's next gather write, so that streaming
  // async sends share writes (TcpConnectionOptions::batch_window); a sync
  // request is always written at once. 0: every request is written at once.
  absl::Duration batch_window = absl::Microseconds(100);
  // Decodes the responses it recognises straight into typed headers
  // (TcpConnectionOptions::typed_response): by default a send's answer, read
  // on every send; null: every response's fields go to ext_fields.
  TypedHeaderDecoder typed_response = &DecodeSendResponseFromWire;
};

class TcpClientTransport final : public Transport {
 public:
  // `name` identifies the client in logs; `handler` (may be null, not owned,
  // must outlive Shutdown) answers requests servers send; without one they
  // get REQUEST_CODE_NOT_SUPPORTED.
  TcpClientTransport(std::string_view name, RequestHandler* handler,
                     TcpClientOptions options = {});
  ~TcpClientTransport() override;  // Shutdown().

  absl::StatusOr<RemotingCommand> InvokeSync(const std::string& address, RemotingCommand request,
                                             absl::Duration timeout) override;
  // `done` runs once: with the response, DeadlineExceeded after `timeout`, or
  // Unavailable when the connection fails. Streaming requests share writes
  // (options.batch_window).
  void InvokeAsync(const std::string& address, RemotingCommand request, absl::Duration timeout,
                   ResponseCallback done) override;
  // Sets the oneway flag and returns once the frame is queued on the
  // connection, as RocketMQ's invokeOneway returns after writeAndFlush: a
  // write that later fails is logged, not reported. With
  // options.max_pending_oneway frames still unwritten it first waits for
  // one (DeadlineExceeded after options.oneway_timeout). Unavailable if the
  // connection is closed.
  absl::Status InvokeOneway(const std::string& address, RemotingCommand request) override;
  // A request is encoded into a frame before InvokeAsync returns, whatever
  // the address (a constant, so a router can answer without the transport).
  static constexpr bool kDoneWithHeaderOnReturn = true;
  bool DoneWithHeaderOnReturn(const std::string&) const override {
    return kDoneWithHeaderOnReturn;
  }
  // Closes every connection (servers see their channels close), fails the
  // requests still waiting with Unavailable, and joins the threads. Later
  // requests fail with FailedPrecondition. Not from a callback or handler.
  void Shutdown() override;

 private:
  class Impl;
  void Invoke(const std::string& address, RemotingCommand request, absl::Duration timeout,
              ResponseCallback done, WritePolicy policy);

  std::unique_ptr<Impl> impl_;
};

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_TCP_CLIENT_TRANSPORT_H_
