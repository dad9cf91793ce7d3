// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "cluster/tcp_roles.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/inproc_transport.h"
#include "rmq/cluster.h"

namespace rmq {

// The roles and what serves them: in-process endpoints (unbound before the
// roles are destroyed), or TCP servers owning their roles.
struct EmbeddedCluster::Bindings {
  std::unique_ptr<NameServer> namesrv;
  std::unique_ptr<Broker> broker;
  std::unique_ptr<internal::InprocServer> namesrv_endpoint;
  std::unique_ptr<internal::InprocServer> broker_endpoint;

  std::unique_ptr<internal::TcpNamesrv> tcp_namesrv;
  std::unique_ptr<internal::TcpBroker> tcp_broker;
};

namespace {

BrokerConfig BrokerConfigFor(const EmbeddedClusterOptions& options, std::string namesrv_address) {
  BrokerConfig config = options.broker;
  config.store.store_path_root_dir = options.store_dir;
  config.namesrv_addr = std::move(namesrv_address);
  return config;
}

}  // namespace

absl::Status EmbeddedCluster::StartInproc(const EmbeddedClusterOptions& options) {
  using internal::StrCat;
  auto namesrv = NameServer::Create(options.namesrv, options.clock);
  if (!namesrv.ok()) return namesrv.status();
  bindings_->namesrv = std::move(*namesrv);
  namesrv_ = bindings_->namesrv.get();
  auto namesrv_endpoint =
      internal::InprocServer::Bind(StrCat(options.name, "-namesrv"), namesrv_->handler());
  if (!namesrv_endpoint.ok()) return namesrv_endpoint.status();
  bindings_->namesrv_endpoint = std::move(*namesrv_endpoint);
  namesrv_address_ = bindings_->namesrv_endpoint->address();
  RMQ_RETURN_IF_ERROR(namesrv_->Start());

  BrokerConfig broker_config = BrokerConfigFor(options, namesrv_address_);
  const std::string broker_name = StrCat(options.name, "-", broker_config.broker_name);
  broker_config.broker_addr = StrCat(internal::kInprocScheme, broker_name);
  auto broker = Broker::Create(broker_config, options.clock);
  if (!broker.ok()) return broker.status();
  bindings_->broker = std::move(*broker);
  broker_ = bindings_->broker.get();
  // Bound before Start, so that the broker is reachable as soon as it registers.
  auto broker_endpoint = internal::InprocServer::Bind(broker_name, broker_->handler());
  if (!broker_endpoint.ok()) return broker_endpoint.status();
  bindings_->broker_endpoint = std::move(*broker_endpoint);
  broker_address_ = bindings_->broker_endpoint->address();
  return broker_->Start();
}

absl::Status EmbeddedCluster::StartTcp(const EmbeddedClusterOptions& options) {
  using internal::StrCat;
  internal::TcpServerOptions listen;
  listen.host = options.tcp_host;
  listen.port = 0;
  auto namesrv = internal::TcpNamesrv::Start(options.namesrv, listen, options.clock);
  if (!namesrv.ok()) return namesrv.status();
  bindings_->tcp_namesrv = std::move(*namesrv);
  namesrv_ = &bindings_->tcp_namesrv->role();
  namesrv_address_ = internal::LocalAddressOf(options.tcp_host, bindings_->tcp_namesrv->port());

  BrokerConfig broker_config = BrokerConfigFor(options, namesrv_address_);
  // brokerIP1 left empty: TcpBroker advertises tcp_host, or for a wildcard
  // this machine's address (a wildcard is no address to connect to).
  auto broker = internal::TcpBroker::Start(broker_config, listen, options.clock);
  if (!broker.ok()) return broker.status();
  bindings_->tcp_broker = std::move(*broker);
  broker_ = &bindings_->tcp_broker->role();
  broker_address_ = bindings_->tcp_broker->address();
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Start(
    EmbeddedClusterOptions options) {
  if (options.name.empty()) return absl::InvalidArgumentError("EmbeddedCluster name is empty");
  if (options.store_dir.empty()) return absl::InvalidArgumentError("EmbeddedCluster store_dir is empty");
  std::unique_ptr<EmbeddedCluster> cluster(new EmbeddedCluster);
  cluster->bindings_ = std::make_unique<Bindings>();
  RMQ_RETURN_IF_ERROR(options.listen_tcp ? cluster->StartTcp(options)
                                         : cluster->StartInproc(options));
  return cluster;
}

EmbeddedCluster::~EmbeddedCluster() { Shutdown(); }

void EmbeddedCluster::Shutdown() {
  if (!bindings_) return;
  if (bindings_->tcp_broker) bindings_->tcp_broker->Shutdown();
  if (bindings_->tcp_namesrv) bindings_->tcp_namesrv->Shutdown();
  if (broker_) broker_->Shutdown();
  if (namesrv_) namesrv_->Shutdown();
  bindings_->broker_endpoint.reset();
  bindings_->namesrv_endpoint.reset();
}

absl::Status EmbeddedCluster::CreateTopic(std::string_view topic, int32_t queue_nums) {
  return broker_->CreateTopic(topic, queue_nums);
}

}  // namespace rmq
