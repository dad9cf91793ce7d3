// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// FakeCluster: a name server and several brokers in this process for unit
// tests, over a temporary store, with a VirtualClock behind every periodic
// task and timeout (client heartbeats, rebalances, offset commits, route
// refreshes, broker registrations, long-poll holds). Time moves only when the
// test says so, and the periodic work due meanwhile has run when Advance
// returns:
//
//   rmq::testing::FakeClusterOptions options;
//   options.broker_count = 2;
//   auto cluster = rmq::testing::FakeCluster::Create(options);
//   rmq::Producer producer((*cluster)->NewProducerConfig("P"));
//   rmq::PushConsumer consumer((*cluster)->NewPushConsumerConfig("C"));
//   ...
//   (*cluster)->FailBroker(0);                 // broker-0 stops answering
//   (*cluster)->Advance(absl::Seconds(130));   // the name server drops it
//
// Message delivery itself runs on the clients' threads, as in production.

#ifndef RMQ_TESTING_H_
#define RMQ_TESTING_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rmq/broker.h"
#include "rmq/clock.h"
#include "rmq/consumer.h"
#include "rmq/namesrv.h"
#include "rmq/producer.h"

namespace rmq::internal {
class InprocServer;
}

namespace rmq::testing {

struct FakeClusterOptions {
  int broker_count = 1;
  std::string cluster_name = "FakeCluster";
  bool auto_create_topic_enable = true;
  // The brokers' enablePropertyFilter: serve SQL92 subscriptions
  // (MessageSelector::BySql). Off by default, as on a RocketMQ broker.
  bool enable_property_filter = false;
  FlushDiskType flush_disk_type = FlushDiskType::kAsyncFlush;
  // Where the virtual time starts.
  absl::Time start_time = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
  // Parent of the stores; "" = a new temporary directory, removed at destruction.
  std::string store_dir;
};

class FakeCluster {
 public:
  static absl::StatusOr<std::unique_ptr<FakeCluster>> Create(FakeClusterOptions options = {});
  ~FakeCluster();

  VirtualClock& clock() { return *clock_; }
  const std::shared_ptr<VirtualClock>& shared_clock() const { return clock_; }
  // Moves virtual time forward, running every timer that falls due.
  void Advance(absl::Duration d) { clock_->Advance(d); }

  const std::string& namesrv_address() const { return namesrv_address_; }
  NameServer& name_server() { return *namesrv_; }

  int broker_count() const { return static_cast<int>(brokers_.size()); }
  // "broker-0", "broker-1", …
  std::string broker_name(int i) const;
  // The running broker `i` (valid until it is stopped, failed or restarted).
  Broker& broker(int i);

  // Creates `topic` with `queues_per_broker` queues on every running broker.
  absl::Status CreateTopic(std::string_view topic, int32_t queues_per_broker = 4);

  // Shuts broker `i` down cleanly (unregisters, commits offsets, closes its store).
  void StopBroker(int i);
  // Broker `i` stops answering at once, as if its process died: requests fail
  // with Unavailable and it no longer reaches the name server, which drops it
  // after 120 s of virtual time.
  void FailBroker(int i);
  // Starts broker `i` again over the same store.
  absl::Status RestartBroker(int i);

  // Delayed messages waiting in the running brokers' stores: sent with a
  // delay level, or failed deliveries on their way back through %RETRY%.
  int64_t DelayedMessageCount();
  // When the earliest of them falls due (none if there are none), or, for a
  // timer message waiting past its roll window, is stored again. A test of
  // a retry schedule waits until the failed message is held, then moves the
  // clock exactly there: clock().AdvanceTo(*NextDelayedDelivery()).
  std::optional<absl::Time> NextDelayedDelivery();

  // Client configs pointing at this cluster and its clock. Each call gets its
  // own instance name, so two consumers of one group are two members.
  ProducerConfig NewProducerConfig(std::string group);
  PushConsumerConfig NewPushConsumerConfig(std::string group);
  PullConsumerConfig NewPullConsumerConfig(std::string group);

 private:
  struct BrokerSlot;
  class NamesrvGate;
  FakeCluster() = default;
  absl::Status StartBroker(int i);
  void FillClientConfig(ClientConfig& config);

  FakeClusterOptions options_;
  std::string root_dir_;
  bool remove_root_ = false;
  std::shared_ptr<VirtualClock> clock_;
  std::string name_;  // Unique per cluster: inproc names and client ids.
  std::string namesrv_address_;
  std::unique_ptr<NameServer> namesrv_;
  std::unique_ptr<NamesrvGate> gate_;
  std::unique_ptr<internal::InprocServer> namesrv_binding_;
  std::vector<std::unique_ptr<BrokerSlot>> brokers_;
  int next_client_ = 0;
};

}  // namespace rmq::testing

#endif  // RMQ_TESTING_H_
