// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RouteInfoManager: the name server's tables, as RocketMQ 4.9 keeps them.
//
//   clusterAddrTable   cluster name → broker names
//   brokerAddrTable    broker name  → BrokerData (cluster, broker id → address)
//   topicQueueTable    topic        → broker name → QueueData
//   brokerLiveTable    broker addr  → last registration (clock ms), the topic
//                                     table's DataVersion, HA address, channel
//
// A master's registration writes its topics into topicQueueTable, but only
// when its DataVersion differs from the one it last registered (or the broker
// is new): a broker re-registers every 30 s and most of those carry nothing
// new. Slaves only add their address. A broker whose last registration is
// older than the expiry (120 s) is removed by ScanNotActiveBrokers, and so is
// a broker whose channel closes; when the last address of a broker name goes,
// the name leaves its cluster and its queues leave every topic, and a topic
// left without queues disappears.

#ifndef RMQ_NAMESRV_ROUTE_INFO_MANAGER_H_
#define RMQ_NAMESRV_ROUTE_INFO_MANAGER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "remoting/protocol_bodies.h"
#include "remoting/transport.h"
#include "rmq/clock.h"

namespace rmq::internal {

// What a registering broker is told (RegisterBrokerResult): for a slave whose
// master is registered, the master's address and HA address; empty otherwise.
struct RegisterBrokerResult {
  std::string ha_server_addr;
  std::string master_addr;
};

class RouteInfoManager {
 public:
  // Reads time from `clock`; a broker silent for more than
  // `broker_channel_expired_time_ms` is removed by the next scan.
  RouteInfoManager(std::shared_ptr<Clock> clock, int64_t broker_channel_expired_time_ms);
  RouteInfoManager(const RouteInfoManager&) = delete;
  RouteInfoManager& operator=(const RouteInfoManager&) = delete;

  // Records a broker's registration (REGISTER_BROKER) from `channel` (may be
  // null), refreshing its liveness.
  RegisterBrokerResult RegisterBroker(const std::string& cluster_name,
                                      const std::string& broker_addr,
                                      const std::string& broker_name, int64_t broker_id,
                                      const std::string& ha_server_addr,
                                      const TopicConfigSerializeWrapper& topic_config_wrapper,
                                      const std::shared_ptr<Channel>& channel);

  // Removes one broker (UNREGISTER_BROKER: a broker shutting down).
  void UnregisterBroker(const std::string& cluster_name, const std::string& broker_addr,
                        const std::string& broker_name, int64_t broker_id);

  // The topic's queues and the brokers that hold them; NotFound if no live
  // broker serves the topic.
  absl::StatusOr<TopicRouteData> PickupTopicRouteData(std::string_view topic) const;

  // Removes every broker not heard from for longer than the expiry; returns
  // how many were removed.
  int ScanNotActiveBrokers();

  // `channel` has closed: removes the broker that registered through it (or,
  // as RocketMQ does, a broker registered under the channel's remote address).
  void OnChannelClosed(const std::shared_ptr<Channel>& channel);

  // Whether `data_version` differs from the one `broker_addr` last registered
  // (true for a broker not registered).
  bool IsBrokerTopicConfigChanged(const std::string& broker_addr,
                                  const DataVersion& data_version) const;

  // Every cluster and broker (GET_BROKER_CLUSTER_INFO).
  ClusterInfo GetAllClusterInfo() const;
  // Every topic some live broker serves (GET_ALL_TOPIC_LIST_FROM_NAMESERVER).
  TopicList GetAllTopicList() const;

  // Forgets the topic's route (a broker still holding the topic brings it
  // back at its next registration with a new DataVersion).
  void DeleteTopic(const std::string& topic);
  // Forgets only the queues of `topic` held by brokers of `cluster_name`.
  void DeleteTopic(const std::string& topic, const std::string& cluster_name);

 private:
  struct BrokerLiveInfo {
    int64_t last_update_timestamp = 0;  // Clock ms.
    DataVersion data_version;
    std::string ha_server_addr;
    // Not owned: only compared, to find the broker of a closed channel.
    std::weak_ptr<Channel> channel;
  };

  void CreateAndUpdateQueueDataLocked(const std::string& broker_name, const std::string& topic,
                                      const TopicConfig& config) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes `broker_addr` from every table (a dead broker: scan or channel close).
  void RemoveBrokerLocked(const std::string& broker_addr, std::string_view why)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops a broker name that has no address left from its cluster and topics.
  void RemoveBrokerNameLocked(const std::string& broker_name, std::string_view why)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<Clock> clock_;
  const int64_t broker_channel_expired_time_ms_;

  mutable absl::Mutex mu_;
  // Ordered maps where the contents are handed out as they are (ClusterInfo,
  // a route's queue data), so answers are deterministic.
  std::map<std::string, std::set<std::string>> cluster_addr_table_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, BrokerData> broker_addr_table_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::map<std::string, QueueData>> topic_queue_table_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, BrokerLiveInfo> broker_live_table_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_NAMESRV_ROUTE_INFO_MANAGER_H_
