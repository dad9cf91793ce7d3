// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/client_instance.h"

#include <random>
#include <utility>

#include "absl/strings/str_split.h"
#include "client/pull_message_service.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/client_transport.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/store.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// Live instances by key; an instance lives while a producer or consumer holds it.
struct InstanceTable {
  absl::Mutex mu;
  absl::flat_hash_map<std::string, std::weak_ptr<ClientInstance>> by_key ABSL_GUARDED_BY(mu);
};

InstanceTable& Instances() {
  static InstanceTable* table = new InstanceTable;
  return *table;
}

std::string InstanceKey(const ClientConfig& config, const Clock* clock) {
  return StrCat(config.BuildClientId(), "|", config.namesrv_addr, "|",
                reinterpret_cast<uintptr_t>(clock));
}

}  // namespace

absl::StatusOr<std::shared_ptr<ClientInstance>> ClientInstance::GetOrCreate(
    const ClientConfig& config) {
  if (config.namesrv_addr.empty()) {
    return absl::InvalidArgumentError(
        "namesrv_addr is empty: set it to the name server's address (inproc://NAME or host:port)");
  }
  if (config.instance_name.empty()) return absl::InvalidArgumentError("instance_name is empty");
  std::shared_ptr<Clock> clock = config.clock ? config.clock : SystemClock::Default();
  std::string key = InstanceKey(config, clock.get());
  InstanceTable& table = Instances();
  absl::MutexLock lock(&table.mu);
  if (auto existing = table.by_key[key].lock()) return existing;
  ClientConfig resolved = config;
  resolved.clock = clock;
  std::shared_ptr<ClientInstance> instance(new ClientInstance(std::move(resolved), key));
  table.by_key[key] = instance;
  return instance;
}

ClientInstance::ClientInstance(ClientConfig config, std::string key)
    : config_(std::move(config)),
      key_(std::move(key)),
      client_id_(config_.BuildClientId()),
      clock_(config_.clock) {
  transport_ = NewClientTransport(client_id_, this, clock_);
  pull_service_ = std::make_unique<PullMessageService>(clock_);
  route_timer_ = std::make_unique<PeriodicTimer>(
      *clock_, absl::Milliseconds(config_.poll_name_server_interval), [this] { RefreshAllRoutes(); });
  heartbeat_timer_ = std::make_unique<PeriodicTimer>(
      *clock_, absl::Milliseconds(config_.heartbeat_broker_interval),
      [this] { SendHeartbeatToAllBrokers(); });
  persist_timer_ = std::make_unique<PeriodicTimer>(
      *clock_, absl::Milliseconds(config_.persist_consumer_offset_interval),
      [this] { PersistAllConsumerOffsets(); });
  rebalance_timer_ = std::make_unique<PeriodicTimer>(*clock_, absl::Seconds(20),
                                                     [this] { RebalanceNow(); });
}

ClientInstance::~ClientInstance() {
  Stop();
  transport_->Shutdown();
  InstanceTable& table = Instances();
  absl::MutexLock lock(&table.mu);
  auto it = table.by_key.find(key_);
  if (it != table.by_key.end() && it->second.expired()) table.by_key.erase(it);
}

void ClientInstance::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (started_) return;
    started_ = true;
  }
  pull_service_->Start();
  route_timer_->Start();
  heartbeat_timer_->Start();
  persist_timer_->Start();
  rebalance_timer_->Start();
}

void ClientInstance::Stop() {
  route_timer_->Stop();
  heartbeat_timer_->Stop();
  persist_timer_->Stop();
  rebalance_timer_->Stop();
  pull_service_->Stop();
}

bool ClientInstance::HasMembersLocked() const { return !producers_.empty() || !consumers_.empty(); }

absl::Status ClientInstance::RegisterProducer(ProducerInner* producer) {
  {
    absl::MutexLock lock(&mu_);
    if (!producers_.emplace(producer->group(), producer).second) {
      return absl::AlreadyExistsError(StrCat("producer group '", producer->group(),
                                             "' is already running in this process (client ",
                                             client_id_, "); use another group or instance_name"));
    }
  }
  Start();
  SendHeartbeatToAllBrokers();
  return absl::OkStatus();
}

void ClientInstance::UnregisterProducer(ProducerInner* producer) {
  std::vector<std::string> brokers;
  {
    absl::MutexLock lock(&mu_);
    auto it = producers_.find(producer->group());
    if (it == producers_.end() || it->second != producer) return;
    producers_.erase(it);
    for (const auto& [name, addrs] : broker_addrs_) {
      for (const auto& [id, addr] : addrs) brokers.push_back(addr);
    }
  }
  for (const std::string& addr : brokers) {
    auto header = std::make_unique<UnregisterClientRequestHeader>();
    header->client_id = client_id_;
    header->producer_group = producer->group();
    auto response = transport_->InvokeSync(
        addr, RemotingCommand::Request(request_code::kUnregisterClient, std::move(header)),
        absl::Milliseconds(config_.mq_client_api_timeout));
    if (!response.ok()) spdlog::debug("unregister producer at {}: {}", addr, response.status().ToString());
  }
}

absl::Status ClientInstance::RegisterConsumer(ConsumerInner* consumer) {
  {
    absl::MutexLock lock(&mu_);
    if (!consumers_.emplace(consumer->group(), consumer).second) {
      return absl::AlreadyExistsError(StrCat("consumer group '", consumer->group(),
                                             "' is already running in this process (client ",
                                             client_id_, "); use another group or instance_name"));
    }
  }
  Start();
  for (const std::string& topic : consumer->SubscribedTopics()) {
    absl::Status updated = UpdateTopicRoute(topic);
    // A new group's retry topic appears only after its first heartbeat.
    if (!updated.ok() && !topic.starts_with("%RETRY%")) {
      spdlog::warn("consumer {}: {}", consumer->group(), updated.ToString());
    }
  }
  SendHeartbeatToAllBrokers();
  return absl::OkStatus();
}

void ClientInstance::UnregisterConsumer(ConsumerInner* consumer) {
  std::vector<std::string> brokers;
  {
    absl::MutexLock lock(&mu_);
    auto it = consumers_.find(consumer->group());
    if (it == consumers_.end() || it->second != consumer) return;
    consumers_.erase(it);
    for (const auto& [name, addrs] : broker_addrs_) {
      for (const auto& [id, addr] : addrs) brokers.push_back(addr);
    }
  }
  // Waits for a rebalance in progress, which may still be using the consumer.
  { absl::MutexLock rebalance_lock(&rebalance_mu_); }
  for (const std::string& addr : brokers) {
    auto header = std::make_unique<UnregisterClientRequestHeader>();
    header->client_id = client_id_;
    header->consumer_group = consumer->group();
    auto response = transport_->InvokeSync(
        addr, RemotingCommand::Request(request_code::kUnregisterClient, std::move(header)),
        absl::Milliseconds(config_.mq_client_api_timeout));
    if (!response.ok()) spdlog::debug("unregister consumer at {}: {}", addr, response.status().ToString());
  }
}

std::vector<std::string> ClientInstance::NameServerAddresses() const {
  std::vector<std::string> addrs;
  for (absl::string_view addr : absl::StrSplit(config_.namesrv_addr, ';', absl::SkipWhitespace())) {
    addrs.emplace_back(addr);
  }
  return addrs;
}

absl::StatusOr<TopicRouteData> ClientInstance::FetchRoute(const std::string& topic) {
  absl::Status last_error = absl::UnavailableError("no name server address");
  for (const std::string& namesrv : NameServerAddresses()) {
    auto header = std::make_unique<GetRouteInfoRequestHeader>();
    header->topic = topic;
    auto response = transport_->InvokeSync(
        namesrv, RemotingCommand::Request(request_code::kGetRouteInfoByTopic, std::move(header)),
        absl::Milliseconds(config_.mq_client_api_timeout));
    if (!response.ok()) {
      last_error = response.status();
      continue;  // Try the next name server.
    }
    if (response->code == response_code::kTopicNotExist) {
      return absl::NotFoundError(StrCat("topic '", topic, "' has no route: ", response->remark));
    }
    if (absl::Status s = ResponseToStatus(*response, StrCat("route of topic '", topic, "'")); !s.ok()) {
      return s;
    }
    return FromJson<TopicRouteData>(response->body.ToString(), "GET_ROUTEINFO_BY_TOPIC body");
  }
  return last_error;
}

void ClientInstance::ApplyRoute(const std::string& topic, const TopicRouteData& route,
                                bool changed) {
  std::vector<std::pair<ConsumerInner*, std::vector<MessageQueue>>> to_notify;
  {
    absl::MutexLock lock(&mu_);
    for (const BrokerData& broker : route.broker_datas) {
      broker_addrs_[broker.broker_name] = broker.broker_addrs;
    }
    if (!changed) return;
    routes_[topic] = route;
    publish_info_[topic] = std::make_shared<const TopicPublishInfo>(topic, route);
    std::vector<MessageQueue> queues = SubscribeQueuesFromRoute(topic, route);
    for (const auto& [group, consumer] : consumers_) {
      for (const std::string& subscribed : consumer->SubscribedTopics()) {
        if (subscribed == topic) to_notify.emplace_back(consumer, queues);
      }
    }
  }
  for (auto& [consumer, queues] : to_notify) consumer->OnSubscribeQueuesChanged(topic, queues);
}

absl::Status ClientInstance::UpdateTopicRoute(const std::string& topic) {
  auto route = FetchRoute(topic);
  if (!route.ok()) return route.status();
  bool changed;
  {
    absl::MutexLock lock(&mu_);
    auto it = routes_.find(topic);
    changed = it == routes_.end() || !(it->second == *route);
  }
  ApplyRoute(topic, *route, changed);
  return absl::OkStatus();
}

bool ClientInstance::HasPublishInfo(const std::string& topic) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = publish_info_.find(topic);
  return it != publish_info_.end() && it->second->ok();
}

absl::StatusOr<std::shared_ptr<const TopicPublishInfo>> ClientInstance::GetPublishInfo(
    const std::string& topic, const std::string& default_topic, int32_t default_queue_nums) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = publish_info_.find(topic);
    if (it != publish_info_.end() && it->second->ok()) return it->second;
  }
  absl::Status updated = UpdateTopicRoute(topic);
  if (updated.ok()) {
    absl::ReaderMutexLock lock(&mu_);
    auto it = publish_info_.find(topic);
    if (it != publish_info_.end()) return it->second;
  }
  if (default_topic.empty() || !absl::IsNotFound(updated)) return updated;
  // Not created yet: send to the default topic's brokers, which create it
  // (with at most `default_queue_nums` queues) on the first message.
  auto route = FetchRoute(default_topic);
  if (!route.ok()) {
    return absl::NotFoundError(StrCat("topic '", topic, "' does not exist and no broker creates topics automatically (",
                                      StdView(route.status().message()), ")"));
  }
  for (QueueData& qd : route->queue_datas) {
    qd.read_queue_nums = std::min(qd.read_queue_nums, default_queue_nums);
    qd.write_queue_nums = std::min(qd.write_queue_nums, default_queue_nums);
  }
  auto info = std::make_shared<const TopicPublishInfo>(topic, *route);
  ApplyRoute(topic, *route, /*changed=*/false);  // Learn the broker addresses only.
  if (!info->ok()) return absl::NotFoundError(StrCat("topic '", topic, "' has no writable queue"));
  return info;
}

absl::StatusOr<std::vector<MessageQueue>> ClientInstance::GetSubscribeQueues(const std::string& topic) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = routes_.find(topic);
    if (it != routes_.end()) return SubscribeQueuesFromRoute(topic, it->second);
  }
  if (absl::Status updated = UpdateTopicRoute(topic); !updated.ok()) return updated;
  absl::ReaderMutexLock lock(&mu_);
  auto it = routes_.find(topic);
  if (it == routes_.end()) return absl::NotFoundError(StrCat("topic '", topic, "' has no route"));
  return SubscribeQueuesFromRoute(topic, it->second);
}

std::string ClientInstance::FindBrokerAddressInPublish(const std::string& broker_name) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = broker_addrs_.find(broker_name);
  if (it == broker_addrs_.end()) return {};
  auto master = it->second.find(kMasterId);
  return master == it->second.end() ? std::string() : master->second;
}

std::string ClientInstance::FindBrokerAddressInSubscribe(const std::string& broker_name) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = broker_addrs_.find(broker_name);
  if (it == broker_addrs_.end() || it->second.empty()) return {};
  auto master = it->second.find(kMasterId);
  return master != it->second.end() ? master->second : it->second.begin()->second;
}

std::string ClientInstance::FindBrokerAddressByTopic(const std::string& topic) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = routes_.find(topic);
  if (it == routes_.end() || it->second.broker_datas.empty()) return {};
  // RocketMQ picks a random broker of the topic; any one knows the whole group.
  const auto& brokers = it->second.broker_datas;
  static thread_local std::minstd_rand rng{std::random_device{}()};
  const BrokerData& broker = brokers[rng() % brokers.size()];
  std::string master = broker.MasterAddress();
  if (!master.empty()) return master;
  return broker.broker_addrs.empty() ? std::string() : broker.broker_addrs.begin()->second;
}

absl::StatusOr<std::vector<std::string>> ClientInstance::FindConsumerIdList(
    const std::string& topic, const std::string& group) {
  std::string addr = FindBrokerAddressByTopic(topic);
  if (addr.empty()) {
    if (absl::Status updated = UpdateTopicRoute(topic); !updated.ok()) return updated;
    addr = FindBrokerAddressByTopic(topic);
    if (addr.empty()) return absl::UnavailableError(StrCat("no broker serves topic '", topic, "'"));
  }
  auto header = std::make_unique<GetConsumerListByGroupRequestHeader>();
  header->consumer_group = group;
  auto response = transport_->InvokeSync(
      addr, RemotingCommand::Request(request_code::kGetConsumerListByGroup, std::move(header)),
      absl::Milliseconds(config_.mq_client_api_timeout));
  if (!response.ok()) return response.status();
  RMQ_RETURN_IF_ERROR(ResponseToStatus(*response, StrCat("consumer list of group '", group, "'")));
  auto list = FromJson<ConsumerIdList>(response->body.ToString(), "GET_CONSUMER_LIST_BY_GROUP body");
  if (!list.ok()) return list.status();
  return std::move(list->consumer_id_list);
}

void ClientInstance::SendHeartbeatToAllBrokers() {
  HeartbeatData heartbeat;
  heartbeat.client_id = client_id_;
  std::vector<std::string> masters;
  std::vector<std::string> all;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [group, producer] : producers_) {
      heartbeat.producer_data_set.push_back(ProducerData{group});
    }
    for (const auto& [group, consumer] : consumers_) {
      heartbeat.consumer_data_set.push_back(consumer->BuildConsumerData());
    }
    for (const auto& [name, addrs] : broker_addrs_) {
      for (const auto& [id, addr] : addrs) {
        all.push_back(addr);
        if (id == kMasterId) masters.push_back(addr);
      }
    }
  }
  if (heartbeat.producer_data_set.empty() && heartbeat.consumer_data_set.empty()) return;
  // Producers only talk to masters; consumers may pull from slaves too.
  const std::vector<std::string>& targets = heartbeat.consumer_data_set.empty() ? masters : all;
  std::string body = ToJson(heartbeat);
  for (const std::string& addr : targets) {
    RemotingCommand request = RemotingCommand::Request(request_code::kHeartBeat);
    request.body = Payload(body);
    auto response = transport_->InvokeSync(addr, std::move(request),
                                           absl::Milliseconds(config_.mq_client_api_timeout));
    absl::Status status = response.ok() ? ResponseToStatus(*response, "heartbeat") : response.status();
    if (!status.ok()) spdlog::debug("heartbeat to {}: {}", addr, status.ToString());
  }
}

void ClientInstance::RefreshAllRoutes() {
  std::vector<std::string> topics;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [topic, route] : routes_) topics.push_back(topic);
    for (const auto& [group, consumer] : consumers_) {
      for (std::string& topic : consumer->SubscribedTopics()) topics.push_back(std::move(topic));
    }
  }
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  for (const std::string& topic : topics) {
    absl::Status updated = UpdateTopicRoute(topic);
    if (!updated.ok()) spdlog::debug("route refresh of {}: {}", topic, updated.ToString());
  }
}

void ClientInstance::PersistAllConsumerOffsets() {
  std::vector<ConsumerInner*> consumers;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [group, consumer] : consumers_) consumers.push_back(consumer);
  }
  absl::MutexLock rebalance_lock(&rebalance_mu_);  // Keeps consumers registered meanwhile.
  for (ConsumerInner* consumer : consumers) consumer->PersistConsumerOffsets();
}

void ClientInstance::RebalanceSoon() {
  std::weak_ptr<ClientInstance> weak = weak_from_this();
  clock_->ScheduleAfter(absl::ZeroDuration(), [weak] {
    if (auto self = weak.lock()) self->RebalanceNow();
  });
}

void ClientInstance::RebalanceNow() {
  absl::MutexLock rebalance_lock(&rebalance_mu_);
  std::vector<ConsumerInner*> consumers;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [group, consumer] : consumers_) consumers.push_back(consumer);
  }
  for (ConsumerInner* consumer : consumers) consumer->DoRebalance();
}

void ClientInstance::HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                                   Responder responder) {
  switch (request.code) {
    case request_code::kNotifyConsumerIdsChanged: {
      auto header = request.DecodeHeader<NotifyConsumerIdsChangedRequestHeader>();
      spdlog::debug("client {}: group {} changed, rebalancing", client_id_,
                    header.ok() ? (*header)->consumer_group : std::string("?"));
      RebalanceSoon();
      responder.Respond(RemotingCommand::Response(response_code::kSuccess));
      return;
    }
    case request_code::kCheckTransactionState:
      CheckTransactionState(channel, request);
      responder.Respond(RemotingCommand::Response(response_code::kSuccess));  // oneway: dropped
      return;
    case request_code::kResetConsumerClientOffset: {
      ResetOffset(request);
      responder.Respond(RemotingCommand::Response(response_code::kSuccess));  // oneway: dropped
      return;
    }
    default:
      responder.Respond(RemotingCommand::Response(
          response_code::kRequestCodeNotSupported,
          StrCat("client ", client_id_, " does not handle request ", RequestCodeName(request.code))));
  }
}

void ClientInstance::ResetOffset(RemotingCommand& request) {
  auto header = request.DecodeHeader<ResetOffsetRequestHeader>();
  auto body = FromJson<ResetOffsetBody>(request.body.ToString(), "RESET_CONSUMER_CLIENT_OFFSET body");
  if (!header.ok() || !body.ok()) {
    spdlog::warn("client {}: bad RESET_CONSUMER_CLIENT_OFFSET: {}", client_id_,
                 (!header.ok() ? header.status() : body.status()).ToString());
    return;
  }
  const ResetOffsetRequestHeader& h = **header;
  // Under the rebalance lock, so no rebalance re-adds a queue half way.
  absl::MutexLock rebalance_lock(&rebalance_mu_);
  ConsumerInner* consumer = nullptr;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = consumers_.find(h.group);
    if (it != consumers_.end()) consumer = it->second;
  }
  if (consumer == nullptr) {
    spdlog::warn("client {}: reset offsets of group {}, which has no consumer here", client_id_,
                 h.group);
    return;
  }
  spdlog::info("client {}: group {} resets {} queue(s) of {} to time {}", client_id_, h.group,
               body->offset_table.size(), h.topic, h.timestamp);
  consumer->ResetOffset(h.topic, body->offset_table);
  RebalanceSoon();  // the queues start again from the new offsets
}

void ProducerInner::CheckTransactionState(const std::shared_ptr<Channel>& channel, MessageExt msg,
                                          const CheckTransactionStateRequestHeader& header) {
  (void)header;
  spdlog::warn("producer group {}: broker {} asks about transaction {}, but this producer has "
               "no transaction listener (use TransactionProducer)",
               group(), channel->remote_address(), msg.GetProperty(property::kUniqKey));
}

void ClientInstance::CheckTransactionState(const std::shared_ptr<Channel>& channel,
                                           RemotingCommand& request) {
  auto header = request.DecodeHeader<CheckTransactionStateRequestHeader>();
  if (!header.ok()) {
    spdlog::warn("client {}: bad CHECK_TRANSACTION_STATE from {}: {}", client_id_,
                 channel->remote_address(), header.status().ToString());
    return;
  }
  auto msg = DecodeMessage(request.body.ToString());
  if (!msg.ok()) {
    spdlog::warn("client {}: CHECK_TRANSACTION_STATE from {} carries no readable message: {}",
                 client_id_, channel->remote_address(), msg.status().ToString());
    return;
  }
  const std::string group(msg->GetProperty(property::kProducerGroup));
  // Under the lock: the producer cannot unregister (and go away) meanwhile;
  // its CheckTransactionState only queues the work.
  absl::ReaderMutexLock lock(&mu_);
  auto it = producers_.find(group);
  if (it == producers_.end()) {
    spdlog::warn("client {}: broker {} asks about a transaction of producer group '{}', which "
                 "has no producer here",
                 client_id_, channel->remote_address(), group);
    return;
  }
  it->second->CheckTransactionState(channel, *std::move(msg), **header);
}

}  // namespace rmq::internal
