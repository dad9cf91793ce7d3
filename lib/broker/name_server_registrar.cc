// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/name_server_registrar.h"

#include <utility>

#include "broker/broker_config.h"
#include "common/crc32.h"
#include "common/str_cat.h"
#include "remoting/client_transport.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// BrokerConfig.registerBrokerTimeoutMills (4.9: 6 s) and the unregister timeout (3 s).
constexpr absl::Duration kRegisterTimeout = absl::Seconds(6);
constexpr absl::Duration kUnregisterTimeout = absl::Seconds(3);

}  // namespace

NameServerRegistrar::NameServerRegistrar(const BrokerConfig& config, std::shared_ptr<Clock> clock,
                                         std::function<TopicConfigSerializeWrapper()> topics)
    : config_(config),
      clock_(std::move(clock)),
      topics_(std::move(topics)),
      addresses_(SplitNameServerAddresses(config.namesrv_addr)) {
  if (!addresses_.empty()) transport_ = NewClientTransport(config_.broker_addr, nullptr, clock_);
}

NameServerRegistrar::~NameServerRegistrar() { Stop(); }

RemotingCommand NameServerRegistrar::BuildRegisterRequest() {
  RegisterBrokerBody body;
  body.topic_config_serialize_wrapper = topics_();
  // A broker that may not be read or written passes its own permission to
  // every topic it registers (BrokerController.registerBrokerAll).
  const int32_t broker_perm = config_.broker_permission;
  if (!perm::IsReadable(broker_perm) || !perm::IsWriteable(broker_perm)) {
    for (auto& [name, topic] : body.topic_config_serialize_wrapper.topic_config_table) {
      topic.perm = broker_perm;
    }
  }
  std::string json = ToJson(body);
  auto header = std::make_unique<RegisterBrokerRequestHeader>();
  header->broker_name = config_.broker_name;
  header->broker_addr = config_.broker_addr;
  header->cluster_name = config_.broker_cluster_name;
  header->ha_server_addr = "";  // No replication yet.
  header->broker_id = config_.broker_id;
  header->compressed = false;
  header->body_crc32 = Crc32(json);
  RemotingCommand request = RemotingCommand::Request(request_code::kRegisterBroker, std::move(header));
  request.body = Payload(std::move(json));
  return request;
}

absl::Status NameServerRegistrar::RegisterAll() {
  if (!has_name_servers()) return absl::OkStatus();
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return absl::FailedPreconditionError("the broker is shut down");
  }
  absl::Status first_error;
  for (const std::string& address : addresses_) {
    auto response = transport_->InvokeSync(address, BuildRegisterRequest(), kRegisterTimeout);
    absl::Status s = response.ok() ? ResponseToStatus(*response, StrCat("REGISTER_BROKER to ", address))
                                   : response.status();
    if (!s.ok()) {
      spdlog::warn("broker {}: registering with name server {} failed: {}", config_.broker_name,
                   address, s.ToString());
      if (first_error.ok()) first_error = s;
    }
  }
  return first_error;
}

void NameServerRegistrar::RegisterAllAsync() {
  if (!has_name_servers()) return;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
  }
  for (const std::string& address : addresses_) {
    transport_->InvokeAsync(
        address, BuildRegisterRequest(), kRegisterTimeout,
        [address, broker = config_.broker_name](absl::StatusOr<RemotingCommand> response) {
          absl::Status s = response.ok()
                               ? ResponseToStatus(*response, StrCat("REGISTER_BROKER to ", address))
                               : response.status();
          if (!s.ok()) {
            spdlog::warn("broker {}: registering with name server {} failed: {}", broker, address,
                         s.ToString());
          }
        });
  }
}

void NameServerRegistrar::Start() {
  if (!has_name_servers()) return;
  // Once at start, and waited for (as RocketMQ's BrokerController.start
  // does): a started broker's topics are routable. A name server that does
  // not answer is logged and tried again by the periodic task.
  (void)RegisterAll();
  timer_ = std::make_unique<PeriodicTimer>(
      *clock_, absl::Milliseconds(EffectiveRegisterPeriodMillis(config_)),
      [this] { RegisterAllAsync(); });
  timer_->Start();
}

void NameServerRegistrar::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (timer_) timer_->Stop();
  if (!has_name_servers()) return;
  for (const std::string& address : addresses_) {
    auto header = std::make_unique<UnregisterBrokerRequestHeader>();
    header->broker_name = config_.broker_name;
    header->broker_addr = config_.broker_addr;
    header->cluster_name = config_.broker_cluster_name;
    header->broker_id = config_.broker_id;
    auto response = transport_->InvokeSync(
        address, RemotingCommand::Request(request_code::kUnregisterBroker, std::move(header)),
        kUnregisterTimeout);
    absl::Status s = response.ok()
                         ? ResponseToStatus(*response, StrCat("UNREGISTER_BROKER to ", address))
                         : response.status();
    if (!s.ok()) {
      spdlog::warn("broker {}: unregistering from name server {} failed: {}", config_.broker_name,
                   address, s.ToString());
    }
  }
  transport_->Shutdown();
}

}  // namespace rmq::internal
