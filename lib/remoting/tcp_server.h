// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// TcpServer: serves a RequestHandler (a NameServer, a Broker) over TCP with
// RocketMQ's remoting frames (frame_codec.h), as NettyRemotingServer does.
//
// One io thread accepts connections and reads and writes every socket;
// handler calls run on worker threads, except requests the handler says it
// answers without blocking (AnswersWithoutBlocking: a send to an
// asynchronously flushed store), which run on the io thread itself so that
// their answers go out in the same write as the other answers to one read.
// Each accepted connection is the
// Channel the handler sees on each of its requests: the handler answers
// through the Responder (in the request's serialize type) now or later from
// any thread, and can send requests of its own to the client through the
// channel (their responses come back on the same connection, matched by
// opaque). When a connection closes (the client went away, sent a frame that
// does not decode, or stayed idle) the handler's OnChannelClosed runs with
// it, and the channel's own requests still waiting fail with Unavailable.

#ifndef RMQ_REMOTING_TCP_SERVER_H_
#define RMQ_REMOTING_TCP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "remoting/frame_codec.h"
#include "remoting/transport.h"

namespace rmq::internal {

struct TcpServerOptions {
  // Where to listen; port 0 picks a free port (TcpServer::port() tells it).
  std::string host = "0.0.0.0";
  uint16_t port = 0;
  // What a client may send: frame and header sizes (frameMaxLength 16 MiB).
  FrameLimits limits;
  // Threads running handler calls (serverWorkerThreads).
  int worker_threads = 8;
  // A connection stops being read while this many of its requests are
  // unanswered, and resumes as they are answered: a client that floods
  // requests is slowed down by TCP, none are dropped. 0: no limit.
  size_t max_inflight_per_connection = 256;
  // A connection with no frame in either direction and nothing in flight for
  // this long is closed (serverChannelMaxIdleTimeSeconds). Counting whole
  // frames also closes a client that trickles a frame it never finishes.
  // 0: never.
  absl::Duration idle_timeout = absl::Seconds(120);
  // Header type of the requests the server sends through a channel before
  // the client has sent one (after that, the client's own type).
  SerializeType request_type = SerializeType::kJson;
  // Decodes the headers of the requests it knows straight from their frames
  // into typed headers, building no ext_fields (a broker's sends:
  // DecodeSendHeaderFromWire). Null: every request's fields are in
  // ext_fields.
  TypedHeaderDecoder typed_header = nullptr;
};

class TcpServer {
 public:
  // Listens on options.host:options.port and serves `handler` (not owned;
  // must outlive Stop). Unavailable names the address if it cannot listen.
  static absl::StatusOr<std::unique_ptr<TcpServer>> Start(RequestHandler* handler,
                                                          TcpServerOptions options = {});
  ~TcpServer();  // Stop().
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  // The port listened on.
  uint16_t port() const;

  // Stops accepting, closes every connection and joins the threads. Handler
  // calls running now finish; requests not yet handed to the handler are
  // dropped, and after Stop returns the handler is not called again (not
  // even OnChannelClosed for the connections Stop closes). Responders the
  // handler still holds answer into closed connections: nothing is sent.
  // Idempotent.
  void Stop();

 private:
  class Impl;
  explicit TcpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_TCP_SERVER_H_
