// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The roles served over TCP: a NameServer or a Broker behind a TcpServer.
// This is what rmq-namesrv, rmq-broker and rmq-server run, and what
// EmbeddedCluster runs when asked to listen on TCP.
//
// A broker is bound before it is created, because its address (registered
// with the name servers and written into every message's msgId as the store
// host) contains the port, and port 0 means "whichever is free".

#ifndef RMQ_CLUSTER_TCP_ROLES_H_
#define RMQ_CLUSTER_TCP_ROLES_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/host_port.h"
#include "remoting/tcp_server.h"
#include "rmq/broker.h"
#include "rmq/clock.h"
#include "rmq/namesrv.h"

namespace rmq::internal {

class ForwardingHandler;

// A started name server answering on a TCP port.
class TcpNamesrv {
 public:
  // Listens on options.host:options.port (0: a free port) and starts the role.
  static absl::StatusOr<std::unique_ptr<TcpNamesrv>> Start(const NamesrvConfig& config,
                                                           TcpServerOptions options,
                                                           std::shared_ptr<Clock> clock = nullptr);
  ~TcpNamesrv();  // Shutdown().

  // Stops listening, then stops the role. Idempotent.
  void Shutdown();

  uint16_t port() const { return server_->port(); }
  NameServer& role() { return *role_; }

 private:
  TcpNamesrv() = default;
  std::unique_ptr<NameServer> role_;
  std::unique_ptr<TcpServer> server_;
};

// A started broker answering on a TCP port.
class TcpBroker {
 public:
  // Listens on options.host:options.port (0: a free port), then creates and
  // starts a broker whose address and store host are "IP:PORT", IP being
  // config.broker_ip1, else options.host unless it is a wildcard, else this
  // machine's first non-loopback IPv4 address (as RocketMQ picks brokerIP1).
  static absl::StatusOr<std::unique_ptr<TcpBroker>> Start(BrokerConfig config,
                                                          TcpServerOptions options,
                                                          std::shared_ptr<Clock> clock = nullptr);
  ~TcpBroker();  // Shutdown().

  // Stops listening (no new requests), then shuts the broker down: held pulls
  // answered, offsets persisted, unregistered, store flushed and closed.
  // Idempotent.
  void Shutdown();

  uint16_t port() const { return server_->port(); }
  // "IP:PORT", as registered with the name servers.
  const std::string& address() const { return role_->config().broker_addr; }
  Broker& role() { return *role_; }

 private:
  TcpBroker() = default;
  std::unique_ptr<ForwardingHandler> forward_;
  std::unique_ptr<TcpServer> server_;
  std::unique_ptr<Broker> role_;
};

// The first non-loopback IPv4 address of this machine, or "127.0.0.1".
std::string LocalIpv4Address();

// Whether a listen host means every address ("", "0.0.0.0" or "::").
bool IsWildcardHost(std::string_view host);

// The address that reaches a server listening on `host` from this machine:
// loopback for a wildcard, else `host` itself.
std::string LocalAddressOf(std::string_view host, uint16_t port);

}  // namespace rmq::internal

#endif  // RMQ_CLUSTER_TCP_ROLES_H_
