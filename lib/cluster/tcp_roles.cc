// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "cluster/tcp_roles.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <atomic>
#include <utility>

#include "broker/send_message_processor.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/request_code.h"

namespace rmq::internal {

// Stands in for a handler that does not exist yet: the listening socket is
// opened before the broker is created (its address needs the port). Until
// Set, requests get SYSTEM_BUSY, which RocketMQ's clients retry.
class ForwardingHandler final : public RequestHandler {
 public:
  void Set(RequestHandler* target) { target_.store(target); }

  void HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                     Responder responder) override {
    if (RequestHandler* target = target_.load()) {
      target->HandleRequest(channel, std::move(request), std::move(responder));
      return;
    }
    responder.Respond(RemotingCommand::Response(response_code::kSystemBusy,
                                                "the broker is starting, try again shortly"));
  }
  void OnChannelClosed(const std::shared_ptr<Channel>& channel) override {
    if (RequestHandler* target = target_.load()) target->OnChannelClosed(channel);
  }
  bool AnswersWithoutBlocking(const RemotingCommand& request) const override {
    RequestHandler* target = target_.load();
    return target != nullptr && target->AnswersWithoutBlocking(request);
  }

 private:
  std::atomic<RequestHandler*> target_{nullptr};
};

std::string LocalIpv4Address() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "127.0.0.1";
  std::string found;
  for (ifaddrs* it = list; it != nullptr && found.empty(); it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)) != nullptr) found = text;
  }
  freeifaddrs(list);
  return found.empty() ? "127.0.0.1" : found;
}

bool IsWildcardHost(std::string_view host) {
  return host.empty() || host == "0.0.0.0" || host == "::";
}

std::string LocalAddressOf(std::string_view host, uint16_t port) {
  // "::" accepts IPv4 too (Linux's default, bindv6only=0).
  return JoinHostPort(IsWildcardHost(host) ? "127.0.0.1" : host, port);
}

absl::StatusOr<std::unique_ptr<TcpNamesrv>> TcpNamesrv::Start(const NamesrvConfig& config,
                                                              TcpServerOptions options,
                                                              std::shared_ptr<Clock> clock) {
  std::unique_ptr<TcpNamesrv> out(new TcpNamesrv);
  auto role = NameServer::Create(config, std::move(clock));
  if (!role.ok()) return role.status();
  out->role_ = std::move(*role);
  RMQ_RETURN_IF_ERROR(out->role_->Start());
  auto server = TcpServer::Start(out->role_->handler(), std::move(options));
  if (!server.ok()) return server.status();
  out->server_ = std::move(*server);
  return out;
}

TcpNamesrv::~TcpNamesrv() { Shutdown(); }

void TcpNamesrv::Shutdown() {
  if (server_) server_->Stop();
  if (role_) role_->Shutdown();
}

absl::StatusOr<std::unique_ptr<TcpBroker>> TcpBroker::Start(BrokerConfig config,
                                                            TcpServerOptions options,
                                                            std::shared_ptr<Clock> clock) {
  std::unique_ptr<TcpBroker> out(new TcpBroker);
  out->forward_ = std::make_unique<ForwardingHandler>();
  const std::string host = options.host;
  options.typed_header = &DecodeSendHeaderFromWire;
  auto server = TcpServer::Start(out->forward_.get(), std::move(options));
  if (!server.ok()) return server.status();
  out->server_ = std::move(*server);

  std::string ip = config.broker_ip1;
  if (ip.empty()) ip = IsWildcardHost(host) ? LocalIpv4Address() : host;
  const std::string address = JoinHostPort(ip, out->server_->port());
  if (!HostAddress::Parse(address)) {
    return absl::InvalidArgumentError(
        StrCat("broker address '", address, "': brokerIP1 (or the listen host) must be an IP address"));
  }
  config.broker_ip1 = ip;
  config.listen_port = out->server_->port();
  config.broker_addr = address;
  config.store.store_host = address;
  auto role = Broker::Create(config, std::move(clock));
  if (!role.ok()) return role.status();
  out->role_ = std::move(*role);
  out->forward_->Set(out->role_->handler());
  RMQ_RETURN_IF_ERROR(out->role_->Start());
  return out;
}

TcpBroker::~TcpBroker() { Shutdown(); }

void TcpBroker::Shutdown() {
  // The broker first: it unregisters from the name servers and answers held
  // pulls while its connections are still open; requests arriving meanwhile
  // are refused as "shut down", which clients retry elsewhere.
  if (role_) role_->Shutdown();
  if (server_) server_->Stop();
}

}  // namespace rmq::internal
