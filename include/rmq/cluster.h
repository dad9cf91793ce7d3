// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// EmbeddedCluster: a name server and a broker inside this process, over a
// store directory: RocketMQ without a server to run. Producers and consumers
// reach it through its inproc:// name server address, exactly as they would
// reach a remote cluster through host:port.
//
//   rmq::EmbeddedClusterOptions options;
//   options.store_dir = "/var/lib/myapp/rmq";
//   auto cluster = rmq::EmbeddedCluster::Start(options);
//   rmq::ProducerConfig config;
//   config.group_name = "MyProducers";
//   config.namesrv_addr = (*cluster)->namesrv_address();

#ifndef RMQ_CLUSTER_H_
#define RMQ_CLUSTER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rmq/broker.h"
#include "rmq/clock.h"
#include "rmq/namesrv.h"

namespace rmq {

struct EmbeddedClusterOptions {
  // The broker's storePathRootDir (commit log, queues, config/*.json).
  std::string store_dir = "rmq-store";
  // Names the in-process endpoints "inproc://<name>-namesrv" and
  // "inproc://<name>-<brokerName>"; unique per process.
  std::string name = "rmq";
  // The broker's settings; its store path and addresses are set from the above.
  BrokerConfig broker;
  NamesrvConfig namesrv;
  // Time for every periodic task; null = the system clock.
  std::shared_ptr<Clock> clock;
  // Also serve both roles over TCP (RocketMQ's remoting protocol) on
  // `tcp_host`, on free ports: namesrv_address() and broker_address() are
  // then "HOST:PORT", reachable from other processes and from RocketMQ's own
  // clients. `name` is then unused.
  bool listen_tcp = false;
  std::string tcp_host = "127.0.0.1";
};

class EmbeddedCluster {
 public:
  // Starts the name server, then the broker (opening or recovering the
  // store), and registers the broker. AlreadyExists if `name` is in use in
  // this process; the store's errors (e.g. locked by another process) as is.
  static absl::StatusOr<std::unique_ptr<EmbeddedCluster>> Start(EmbeddedClusterOptions options);
  ~EmbeddedCluster();  // Shutdown()

  // Stops the broker (flushing the store, committing offsets) and the name
  // server. Clients still running get errors afterwards. Idempotent.
  void Shutdown();

  // The address to give clients as namesrv_addr.
  const std::string& namesrv_address() const { return namesrv_address_; }
  const std::string& broker_address() const { return broker_address_; }

  // Creates (or updates) a topic with `queue_nums` queues.
  absl::Status CreateTopic(std::string_view topic, int32_t queue_nums = 4);

  Broker& broker() { return *broker_; }
  NameServer& name_server() { return *namesrv_; }

 private:
  EmbeddedCluster() = default;
  struct Bindings;
  absl::Status StartInproc(const EmbeddedClusterOptions& options);
  absl::Status StartTcp(const EmbeddedClusterOptions& options);

  std::string namesrv_address_;
  std::string broker_address_;
  NameServer* namesrv_ = nullptr;  // Owned by bindings_.
  Broker* broker_ = nullptr;       // Owned by bindings_.
  std::unique_ptr<Bindings> bindings_;
};

}  // namespace rmq

#endif  // RMQ_CLUSTER_H_
