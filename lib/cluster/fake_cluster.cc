// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "absl/container/flat_hash_set.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/inproc_transport.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/testing.h"

namespace rmq::testing {

using internal::StrCat;

struct FakeCluster::BrokerSlot {
  BrokerConfig config;
  std::unique_ptr<Broker> broker;
  std::unique_ptr<internal::InprocServer> binding;
  bool failed = false;
};

// Sits in front of the name server: a failed broker's registrations do not
// get through, as if its process had died.
class FakeCluster::NamesrvGate final : public internal::RequestHandler {
 public:
  explicit NamesrvGate(internal::RequestHandler* namesrv) : namesrv_(namesrv) {}

  void SetFailed(const std::string& broker_name, bool failed) {
    absl::MutexLock lock(&mu_);
    if (failed) {
      failed_.insert(broker_name);
    } else {
      failed_.erase(broker_name);
    }
  }

  void HandleRequest(const std::shared_ptr<internal::Channel>& channel,
                     internal::RemotingCommand&& request, internal::Responder responder) override {
    if (IsFromFailedBroker(request)) {
      responder.Respond(internal::RemotingCommand::Response(
          internal::response_code::kSystemError, "FakeCluster: this broker has failed"));
      return;
    }
    namesrv_->HandleRequest(channel, std::move(request), std::move(responder));
  }
  void OnChannelClosed(const std::shared_ptr<internal::Channel>& channel) override {
    namesrv_->OnChannelClosed(channel);
  }

 private:
  bool IsFromFailedBroker(internal::RemotingCommand& request) {
    std::string broker_name;
    if (request.code == internal::request_code::kRegisterBroker) {
      auto header = request.DecodeHeader<internal::RegisterBrokerRequestHeader>();
      if (header.ok()) broker_name = (*header)->broker_name;
    } else if (request.code == internal::request_code::kUnregisterBroker) {
      auto header = request.DecodeHeader<internal::UnregisterBrokerRequestHeader>();
      if (header.ok()) broker_name = (*header)->broker_name;
    } else {
      return false;
    }
    absl::MutexLock lock(&mu_);
    return failed_.contains(broker_name);
  }

  internal::RequestHandler* namesrv_;
  absl::Mutex mu_;
  absl::flat_hash_set<std::string> failed_ ABSL_GUARDED_BY(mu_);
};

namespace {

std::atomic<int> next_cluster_id{0};

// Small segments, as tests create many stores, but room for a record of the
// largest message (maxMessageSize 4 MiB plus its header) or batch.
MessageStoreConfig TestStoreConfig(const std::string& dir, FlushDiskType flush) {
  MessageStoreConfig store;
  store.store_path_root_dir = dir;
  store.mapped_file_size_commit_log = 8 * 1024 * 1024;
  store.mapped_file_size_consume_queue = 20000 * 20;
  store.max_hash_slot_num = 4096;
  store.max_index_num = 16384;
  store.flush_disk_type = flush;
  return store;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakeCluster>> FakeCluster::Create(FakeClusterOptions options) {
  if (options.broker_count < 1) {
    return absl::InvalidArgumentError(StrCat("broker_count is ", options.broker_count, "; at least 1"));
  }
  std::unique_ptr<FakeCluster> cluster(new FakeCluster);
  cluster->options_ = options;
  cluster->name_ = StrCat("fake", next_cluster_id.fetch_add(1), "-", ::getpid());
  if (options.store_dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/rmq-fake-XXXXXX");
    if (::mkdtemp(templ.data()) == nullptr) {
      return absl::InternalError(StrCat("cannot create a temporary directory from ", templ));
    }
    cluster->root_dir_ = templ;
    cluster->remove_root_ = true;
  } else {
    cluster->root_dir_ = options.store_dir;
  }
  cluster->clock_ = std::make_shared<VirtualClock>(options.start_time);

  auto namesrv = NameServer::Create(NamesrvConfig{}, cluster->clock_);
  if (!namesrv.ok()) return namesrv.status();
  cluster->namesrv_ = std::move(*namesrv);
  cluster->gate_ = std::make_unique<NamesrvGate>(cluster->namesrv_->handler());
  auto binding = internal::InprocServer::Bind(StrCat(cluster->name_, "-namesrv"), cluster->gate_.get());
  if (!binding.ok()) return binding.status();
  cluster->namesrv_address_ = (*binding)->address();
  cluster->namesrv_binding_ = std::move(*binding);
  RMQ_RETURN_IF_ERROR(cluster->namesrv_->Start());

  for (int i = 0; i < options.broker_count; ++i) {
    auto slot = std::make_unique<BrokerSlot>();
    BrokerConfig& config = slot->config;
    config.broker_cluster_name = options.cluster_name;
    config.broker_name = StrCat("broker-", i);
    config.broker_addr = StrCat(internal::kInprocScheme, cluster->name_, "-broker-", i);
    config.namesrv_addr = cluster->namesrv_address_;
    config.auto_create_topic_enable = options.auto_create_topic_enable;
    config.enable_property_filter = options.enable_property_filter;
    config.store = TestStoreConfig(StrCat(cluster->root_dir_, "/broker-", i), options.flush_disk_type);
    config.store.store_host = StrCat("127.0.0.1:", 10911 + i);
    cluster->brokers_.push_back(std::move(slot));
    RMQ_RETURN_IF_ERROR(cluster->StartBroker(i));
  }
  return cluster;
}

FakeCluster::~FakeCluster() {
  for (auto& slot : brokers_) {
    if (slot->broker) slot->broker->Shutdown();
    slot->binding.reset();
    slot->broker.reset();
  }
  brokers_.clear();
  if (namesrv_) namesrv_->Shutdown();
  namesrv_binding_.reset();
  gate_.reset();
  namesrv_.reset();
  if (remove_root_) {
    std::error_code ec;
    std::filesystem::remove_all(root_dir_, ec);
  }
}

absl::Status FakeCluster::StartBroker(int i) {
  BrokerSlot& slot = *brokers_[static_cast<size_t>(i)];
  auto broker = Broker::Create(slot.config, clock_);
  if (!broker.ok()) return broker.status();
  auto binding = internal::InprocServer::Bind(
      std::string_view(slot.config.broker_addr).substr(internal::kInprocScheme.size()),
      (*broker)->handler());
  if (!binding.ok()) return binding.status();
  slot.broker = std::move(*broker);
  slot.binding = std::move(*binding);
  slot.failed = false;
  gate_->SetFailed(slot.config.broker_name, false);
  return slot.broker->Start();
}

std::string FakeCluster::broker_name(int i) const { return StrCat("broker-", i); }

Broker& FakeCluster::broker(int i) { return *brokers_.at(static_cast<size_t>(i))->broker; }

int64_t FakeCluster::DelayedMessageCount() {
  int64_t count = 0;
  for (const auto& slot : brokers_) {
    if (slot->broker == nullptr || slot->broker->store() == nullptr) continue;
    count += slot->broker->store()->Stats().delayed_messages;
  }
  return count;
}

std::optional<absl::Time> FakeCluster::NextDelayedDelivery() {
  std::optional<absl::Time> earliest;
  for (const auto& slot : brokers_) {
    if (slot->broker == nullptr || slot->broker->store() == nullptr) continue;
    const int64_t due_ms = slot->broker->store()->Stats().next_delayed_delivery_ms;
    if (due_ms == 0) continue;
    const absl::Time due = absl::FromUnixMillis(due_ms);
    if (!earliest || due < *earliest) earliest = due;
  }
  return earliest;
}

absl::Status FakeCluster::CreateTopic(std::string_view topic, int32_t queues_per_broker) {
  for (int i = 0; i < options_.broker_count; ++i) {
    BrokerSlot& slot = *brokers_[static_cast<size_t>(i)];
    if (slot.broker == nullptr || slot.failed) continue;
    RMQ_RETURN_IF_ERROR(slot.broker->CreateTopic(topic, queues_per_broker));
  }
  return absl::OkStatus();
}

void FakeCluster::StopBroker(int i) {
  BrokerSlot& slot = *brokers_.at(static_cast<size_t>(i));
  if (slot.broker == nullptr) return;
  slot.broker->Shutdown();
  slot.binding.reset();
  slot.broker.reset();
}

void FakeCluster::FailBroker(int i) {
  BrokerSlot& slot = *brokers_.at(static_cast<size_t>(i));
  if (slot.broker == nullptr || slot.failed) return;
  slot.failed = true;
  gate_->SetFailed(slot.config.broker_name, true);
  slot.binding->SetReachable(false);
}

absl::Status FakeCluster::RestartBroker(int i) {
  BrokerSlot& slot = *brokers_.at(static_cast<size_t>(i));
  if (slot.broker != nullptr) {
    // A failed broker's process "died": its shutdown reaches nobody (the gate
    // stops its unregistration), but the store is closed cleanly so that the
    // new broker can open it.
    slot.broker->Shutdown();
    slot.binding.reset();
    slot.broker.reset();
  }
  return StartBroker(i);
}

void FakeCluster::FillClientConfig(ClientConfig& config) {
  config.namesrv_addr = namesrv_address_;
  config.instance_name = StrCat(name_, "-client-", next_client_++);
  config.local_offset_store_dir = StrCat(root_dir_, "/client-offsets");
  config.clock = clock_;
}

ProducerConfig FakeCluster::NewProducerConfig(std::string group) {
  ProducerConfig config;
  FillClientConfig(config);
  config.group_name = std::move(group);
  return config;
}

PushConsumerConfig FakeCluster::NewPushConsumerConfig(std::string group) {
  PushConsumerConfig config;
  FillClientConfig(config);
  config.group_name = std::move(group);
  return config;
}

PullConsumerConfig FakeCluster::NewPullConsumerConfig(std::string group) {
  PullConsumerConfig config;
  FillClientConfig(config);
  config.group_name = std::move(group);
  return config;
}

}  // namespace rmq::testing
