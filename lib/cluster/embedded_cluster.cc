// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/inproc_transport.h"
#include "rmq/cluster.h"

namespace rmq {

// The in-process endpoints, unbound before the roles they serve are destroyed.
struct EmbeddedCluster::Bindings {
  std::unique_ptr<internal::InprocServer> namesrv;
  std::unique_ptr<internal::InprocServer> broker;
};

absl::StatusOr<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Start(
    EmbeddedClusterOptions options) {
  using internal::StrCat;
  if (options.name.empty()) return absl::InvalidArgumentError("EmbeddedCluster name is empty");
  if (options.store_dir.empty()) return absl::InvalidArgumentError("EmbeddedCluster store_dir is empty");
  std::unique_ptr<EmbeddedCluster> cluster(new EmbeddedCluster);
  cluster->bindings_ = std::make_unique<Bindings>();

  auto namesrv = NameServer::Create(options.namesrv, options.clock);
  if (!namesrv.ok()) return namesrv.status();
  cluster->namesrv_ = std::move(*namesrv);
  auto namesrv_binding =
      internal::InprocServer::Bind(StrCat(options.name, "-namesrv"), cluster->namesrv_->handler());
  if (!namesrv_binding.ok()) return namesrv_binding.status();
  cluster->bindings_->namesrv = std::move(*namesrv_binding);
  cluster->namesrv_address_ = cluster->bindings_->namesrv->address();
  RMQ_RETURN_IF_ERROR(cluster->namesrv_->Start());

  BrokerConfig broker_config = options.broker;
  broker_config.store.store_path_root_dir = options.store_dir;
  broker_config.namesrv_addr = cluster->namesrv_address_;
  const std::string broker_name = StrCat(options.name, "-", broker_config.broker_name);
  broker_config.broker_addr = StrCat(internal::kInprocScheme, broker_name);
  auto broker = Broker::Create(broker_config, options.clock);
  if (!broker.ok()) return broker.status();
  cluster->broker_ = std::move(*broker);
  // Bound before Start, so that the broker is reachable as soon as it registers.
  auto broker_binding = internal::InprocServer::Bind(broker_name, cluster->broker_->handler());
  if (!broker_binding.ok()) return broker_binding.status();
  cluster->bindings_->broker = std::move(*broker_binding);
  cluster->broker_address_ = cluster->bindings_->broker->address();
  RMQ_RETURN_IF_ERROR(cluster->broker_->Start());
  return cluster;
}

EmbeddedCluster::~EmbeddedCluster() { Shutdown(); }

void EmbeddedCluster::Shutdown() {
  if (broker_) broker_->Shutdown();
  if (namesrv_) namesrv_->Shutdown();
  if (bindings_) {
    bindings_->broker.reset();
    bindings_->namesrv.reset();
  }
}

absl::Status EmbeddedCluster::CreateTopic(std::string_view topic, int32_t queue_nums) {
  return broker_->CreateTopic(topic, queue_nums);
}

}  // namespace rmq
