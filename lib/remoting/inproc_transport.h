// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The in-process transport: "inproc://NAME" addresses name RequestHandlers
// registered in this process. A request is a direct call of the handler on
// the caller's thread; the command (typed header, borrowed body) is moved,
// never encoded, so no message bytes are copied. A handler that answers
// later (a held pull) completes the request from its own thread.
//
// Each (client transport, server) pair gets one Channel, as a TCP connection
// would: the server sees the same channel on every request of that client,
// can call the client back through it, and is told when the client shuts down.

#ifndef RMQ_REMOTING_INPROC_TRANSPORT_H_
#define RMQ_REMOTING_INPROC_TRANSPORT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "remoting/transport.h"
#include "rmq/clock.h"

namespace rmq::internal {

inline constexpr std::string_view kInprocScheme = "inproc://";

bool IsInprocAddress(std::string_view address);

struct InprocEndpoint;
class InprocChannel;

// A handler registered under "inproc://NAME" for as long as this object lives.
class InprocServer {
 public:
  // Registers `handler` (not owned; must outlive this object) under NAME.
  // AlreadyExists if the name is taken, InvalidArgument if it is empty.
  static absl::StatusOr<std::unique_ptr<InprocServer>> Bind(std::string_view name,
                                                            RequestHandler* handler);
  // Unregisters: later requests fail with Unavailable; waits for the calls
  // that are inside the handler to return.
  ~InprocServer();

  // "inproc://NAME".
  const std::string& address() const;

  // While unreachable, every request fails at once with Unavailable as if the
  // process had died (the name stays registered). For fault injection.
  void SetReachable(bool reachable);

 private:
  explicit InprocServer(std::shared_ptr<InprocEndpoint> endpoint);
  std::shared_ptr<InprocEndpoint> endpoint_;
};

class InprocTransport final : public Transport {
 public:
  // `name` makes the client's address "inproc://client/NAME" (as servers see
  // it); `handler` (may be null, not owned) answers the requests servers send
  // back; `clock` times request timeouts.
  InprocTransport(std::string_view name, RequestHandler* handler, std::shared_ptr<Clock> clock);
  ~InprocTransport() override;

  absl::StatusOr<RemotingCommand> InvokeSync(const std::string& address, RemotingCommand request,
                                             absl::Duration timeout) override;
  void InvokeAsync(const std::string& address, RemotingCommand request, absl::Duration timeout,
                   ResponseCallback done) override;
  absl::Status InvokeOneway(const std::string& address, RemotingCommand request) override;
  void Shutdown() override;

  // InvokeSync without the by-value hand-off (a RoutingTransport passes its
  // request on): the request is moved once, into the handler.
  absl::StatusOr<RemotingCommand> CallSync(const std::string& address, RemotingCommand&& request,
                                           absl::Duration timeout);

 private:
  // The server's endpoint and this client's channel to it.
  struct Route {
    std::shared_ptr<InprocEndpoint> server;
    std::shared_ptr<InprocChannel> channel;
  };
  // The channel to the server bound at `address`. A channel lives as long
  // as this transport (one replaced by a new server's is retired, not
  // destroyed), so callers use it through a plain pointer. The thread's
  // last answer is remembered: a producer sends to one broker over and
  // over, and then finds its channel without the lock and the map.
  absl::StatusOr<InprocChannel*> Resolve(const std::string& address);
  absl::StatusOr<InprocChannel*> ResolveAndRemember(const std::string& address);

  const uint64_t id_;  // Unique in this process: names this transport in a thread's memory.
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<InprocEndpoint> self_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, Route> routes_ ABSL_GUARDED_BY(mu_);
  // Channels no longer in routes_, kept for callers that may still hold them.
  std::vector<std::shared_ptr<InprocChannel>> retired_ ABSL_GUARDED_BY(mu_);
  // Changes (under mu_) whenever a route changes or the transport shuts
  // down, which forgets what every thread remembered of it.
  std::atomic<uint64_t> generation_{0};
};

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_INPROC_TRANSPORT_H_
