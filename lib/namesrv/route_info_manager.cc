// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "namesrv/route_info_manager.h"

#include <utility>
#include <vector>

#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// Whether `weak` was made from `channel` (works after the channel is gone:
// the weak pointer keeps its control block, so identities are never reused).
bool SameChannel(const std::weak_ptr<Channel>& weak, const std::shared_ptr<Channel>& channel) {
  return !weak.owner_before(channel) && !channel.owner_before(weak);
}

}  // namespace

RouteInfoManager::RouteInfoManager(std::shared_ptr<Clock> clock,
                                   int64_t broker_channel_expired_time_ms)
    : clock_(std::move(clock)), broker_channel_expired_time_ms_(broker_channel_expired_time_ms) {}

RegisterBrokerResult RouteInfoManager::RegisterBroker(
    const std::string& cluster_name, const std::string& broker_addr,
    const std::string& broker_name, int64_t broker_id, const std::string& ha_server_addr,
    const TopicConfigSerializeWrapper& topic_config_wrapper,
    const std::shared_ptr<Channel>& channel) {
  RegisterBrokerResult result;
  absl::MutexLock lock(&mu_);

  cluster_addr_table_[cluster_name].insert(broker_name);

  bool register_first = false;
  auto [data_it, created] = broker_addr_table_.try_emplace(broker_name);
  BrokerData& broker_data = data_it->second;
  if (created) {
    register_first = true;
    broker_data.cluster = cluster_name;
    broker_data.broker_name = broker_name;
  }
  // One address holds one id: a slave promoted to master (id 1 → 0) must not
  // stay listed under its old id as well.
  std::map<int64_t, std::string>& addrs = broker_data.broker_addrs;
  for (auto it = addrs.begin(); it != addrs.end();) {
    if (it->second == broker_addr && it->first != broker_id) {
      it = addrs.erase(it);
    } else {
      ++it;
    }
  }
  auto [addr_it, new_id] = addrs.try_emplace(broker_id, broker_addr);
  if (!new_id && addr_it->second != broker_addr) {
    spdlog::info("namesrv: cluster {} broker {} id {} address changed from {} to {}", cluster_name,
                 broker_name, broker_id, addr_it->second, broker_addr);
    addr_it->second = broker_addr;
  }
  register_first = register_first || new_id;

  // Only a master's topics make routes; a slave serves the same queues.
  if (broker_id == kMasterId) {
    auto live = broker_live_table_.find(broker_addr);
    const bool changed = live == broker_live_table_.end() ||
                         !(live->second.data_version == topic_config_wrapper.data_version);
    if (changed || register_first) {
      for (const auto& [topic, config] : topic_config_wrapper.topic_config_table) {
        CreateAndUpdateQueueDataLocked(broker_name, config.topic_name.empty() ? topic
                                                                              : config.topic_name,
                                       config);
      }
    }
  }

  BrokerLiveInfo info;
  info.last_update_timestamp = clock_->NowMillis();
  info.data_version = topic_config_wrapper.data_version;
  info.ha_server_addr = ha_server_addr;
  info.channel = channel;
  const bool new_live = broker_live_table_.insert_or_assign(broker_addr, std::move(info)).second;
  if (new_live) {
    spdlog::info("namesrv: new broker registered: {} (cluster {}, broker {}, id {}), HA server {}",
                 broker_addr, cluster_name, broker_name, broker_id,
                 ha_server_addr.empty() ? "none" : ha_server_addr);
  }

  if (broker_id != kMasterId) {
    auto master = addrs.find(kMasterId);
    if (master != addrs.end()) {
      auto master_live = broker_live_table_.find(master->second);
      if (master_live != broker_live_table_.end()) {
        result.ha_server_addr = master_live->second.ha_server_addr;
        result.master_addr = master->second;
      }
    }
  }
  return result;
}

void RouteInfoManager::CreateAndUpdateQueueDataLocked(const std::string& broker_name,
                                                      const std::string& topic,
                                                      const TopicConfig& config) {
  QueueData queue_data;
  queue_data.broker_name = broker_name;
  queue_data.read_queue_nums = config.read_queue_nums;
  queue_data.write_queue_nums = config.write_queue_nums;
  queue_data.perm = config.perm;
  queue_data.topic_sys_flag = config.topic_sys_flag;

  auto [topic_it, new_topic] = topic_queue_table_.try_emplace(topic);
  auto [queue_it, new_queue] = topic_it->second.try_emplace(broker_name, queue_data);
  if (new_topic) {
    spdlog::info("namesrv: new topic registered: {} on {} ({} read / {} write queues, perm {})",
                 topic, broker_name, queue_data.read_queue_nums, queue_data.write_queue_nums,
                 queue_data.perm);
  } else if (!new_queue && !(queue_it->second == queue_data)) {
    spdlog::info("namesrv: topic {} changed on {}: {} read / {} write queues, perm {}", topic,
                 broker_name, queue_data.read_queue_nums, queue_data.write_queue_nums,
                 queue_data.perm);
    queue_it->second = queue_data;
  }
}

void RouteInfoManager::UnregisterBroker(const std::string& cluster_name,
                                        const std::string& broker_addr,
                                        const std::string& broker_name, int64_t broker_id) {
  absl::MutexLock lock(&mu_);
  const bool was_live = broker_live_table_.erase(broker_addr) > 0;
  spdlog::info("namesrv: unregister broker {} (cluster {}, broker {}, id {}){}", broker_addr,
               cluster_name, broker_name, broker_id, was_live ? "" : ": it was not registered");

  auto data_it = broker_addr_table_.find(broker_name);
  if (data_it == broker_addr_table_.end()) return;
  auto& addrs = data_it->second.broker_addrs;
  auto addr_it = addrs.find(broker_id);
  // Unlike RocketMQ, leave the id alone if another address holds it now (a
  // failed-over master must not be removed by the old one's late goodbye).
  if (addr_it != addrs.end() && addr_it->second == broker_addr) addrs.erase(addr_it);
  if (addrs.empty()) {
    broker_addr_table_.erase(data_it);
    RemoveBrokerNameLocked(broker_name, "unregistered");
  }
}

void RouteInfoManager::RemoveBrokerLocked(const std::string& broker_addr, std::string_view why) {
  broker_live_table_.erase(broker_addr);
  for (auto data_it = broker_addr_table_.begin(); data_it != broker_addr_table_.end(); ++data_it) {
    auto& addrs = data_it->second.broker_addrs;
    for (auto it = addrs.begin(); it != addrs.end(); ++it) {
      if (it->second != broker_addr) continue;
      spdlog::info("namesrv: removed broker {} (broker {}, id {}): {}", broker_addr,
                   data_it->first, it->first, why);
      addrs.erase(it);
      if (addrs.empty()) {
        std::string broker_name = data_it->first;
        broker_addr_table_.erase(data_it);
        RemoveBrokerNameLocked(broker_name, why);
      }
      return;  // An address is listed once.
    }
  }
}

void RouteInfoManager::RemoveBrokerNameLocked(const std::string& broker_name,
                                              std::string_view why) {
  for (auto it = cluster_addr_table_.begin(); it != cluster_addr_table_.end();) {
    if (it->second.erase(broker_name) > 0) {
      spdlog::info("namesrv: broker {} left cluster {}: {}", broker_name, it->first, why);
    }
    if (it->second.empty()) {
      spdlog::info("namesrv: cluster {} has no broker left", it->first);
      cluster_addr_table_.erase(it++);
    } else {
      ++it;
    }
  }
  std::vector<std::string> emptied;
  for (auto& [topic, queues] : topic_queue_table_) {
    queues.erase(broker_name);
    if (queues.empty()) emptied.push_back(topic);
  }
  for (const std::string& topic : emptied) {
    spdlog::info("namesrv: topic {} has no broker left: removed", topic);
    topic_queue_table_.erase(topic);
  }
}

absl::StatusOr<TopicRouteData> RouteInfoManager::PickupTopicRouteData(
    std::string_view topic) const {
  absl::ReaderMutexLock lock(&mu_);
  auto topic_it = topic_queue_table_.find(AbslView(topic));
  if (topic_it == topic_queue_table_.end()) {
    return absl::NotFoundError(StrCat("no broker serves topic '", topic, "'"));
  }
  TopicRouteData route;
  for (const auto& [broker_name, queue_data] : topic_it->second) {
    route.queue_datas.push_back(queue_data);
    auto data_it = broker_addr_table_.find(broker_name);
    if (data_it != broker_addr_table_.end()) route.broker_datas.push_back(data_it->second);
  }
  if (route.broker_datas.empty()) {
    return absl::NotFoundError(
        StrCat("topic '", topic, "' has queues but none of its brokers is registered"));
  }
  return route;
}

int RouteInfoManager::ScanNotActiveBrokers() {
  const int64_t now = clock_->NowMillis();
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::string, int64_t>> expired;
  for (const auto& [addr, info] : broker_live_table_) {
    if (info.last_update_timestamp + broker_channel_expired_time_ms_ < now) {
      expired.emplace_back(addr, now - info.last_update_timestamp);
    }
  }
  for (const auto& [addr, silent_ms] : expired) {
    RemoveBrokerLocked(addr, StrCat("not heard from for ", silent_ms, " ms (limit ",
                                    broker_channel_expired_time_ms_, " ms)"));
  }
  return static_cast<int>(expired.size());
}

void RouteInfoManager::OnChannelClosed(const std::shared_ptr<Channel>& channel) {
  if (channel == nullptr) return;
  absl::MutexLock lock(&mu_);
  std::string found;
  for (const auto& [addr, info] : broker_live_table_) {
    if (SameChannel(info.channel, channel)) {
      found = addr;
      break;
    }
  }
  // RocketMQ falls back to the peer's address: a broker whose registration
  // came through another channel but whose own address has gone away.
  if (found.empty()) found = channel->remote_address();
  if (found.empty()) return;
  RemoveBrokerLocked(found, StrCat("its channel from ", channel->remote_address(), " closed"));
}

bool RouteInfoManager::IsBrokerTopicConfigChanged(const std::string& broker_addr,
                                                  const DataVersion& data_version) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = broker_live_table_.find(broker_addr);
  return it == broker_live_table_.end() || !(it->second.data_version == data_version);
}

ClusterInfo RouteInfoManager::GetAllClusterInfo() const {
  absl::ReaderMutexLock lock(&mu_);
  ClusterInfo info;
  info.broker_addr_table = broker_addr_table_;
  info.cluster_addr_table = cluster_addr_table_;
  return info;
}

TopicList RouteInfoManager::GetAllTopicList() const {
  absl::ReaderMutexLock lock(&mu_);
  TopicList list;
  for (const auto& [topic, queues] : topic_queue_table_) list.topic_list.insert(topic);
  return list;
}

void RouteInfoManager::DeleteTopic(const std::string& topic) {
  absl::MutexLock lock(&mu_);
  if (topic_queue_table_.erase(topic) > 0) spdlog::info("namesrv: topic {} deleted", topic);
}

void RouteInfoManager::DeleteTopic(const std::string& topic, const std::string& cluster_name) {
  absl::MutexLock lock(&mu_);
  auto cluster_it = cluster_addr_table_.find(cluster_name);
  auto topic_it = topic_queue_table_.find(topic);
  if (cluster_it == cluster_addr_table_.end() || topic_it == topic_queue_table_.end()) return;
  for (const std::string& broker_name : cluster_it->second) {
    if (topic_it->second.erase(broker_name) > 0) {
      spdlog::info("namesrv: topic {} deleted from broker {} of cluster {}", topic, broker_name,
                   cluster_name);
    }
  }
  if (topic_it->second.empty()) topic_queue_table_.erase(topic_it);
}

}  // namespace rmq::internal
