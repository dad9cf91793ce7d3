// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// SubscriptionGroupManager: each consumer group's settings at this broker
// (RocketMQ's SubscriptionGroupManager): may it consume, how many retry
// queues and retries, whether members hear of membership changes. Kept in
// <storePathRootDir>/config/subscriptionGroup.json
// ({"subscriptionGroupTable": {...}, "dataVersion": {...}}). A group the
// broker has not seen is created with the defaults on first use while
// autoCreateSubscriptionGroup is on (CID_RMQ_SYS_* groups always).

#ifndef RMQ_BROKER_SUBSCRIPTION_GROUP_MANAGER_H_
#define RMQ_BROKER_SUBSCRIPTION_GROUP_MANAGER_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "remoting/protocol_bodies.h"
#include "rmq/broker.h"
#include "rmq/clock.h"

namespace rmq::internal {

class SubscriptionGroupManager {
 public:
  SubscriptionGroupManager(const BrokerConfig& config, const Clock& clock);

  // Loads config/subscriptionGroup.json (or its backup) over the built-in groups.
  absl::Status Load();
  absl::Status Persist();
  std::string file_path() const;

  // RocketMQ's findSubscriptionGroupConfig: the group's config, created with
  // the defaults (and persisted) if unknown and auto-creation applies;
  // nullopt if unknown and it does not.
  std::optional<SubscriptionGroupConfig> FindOrCreate(std::string_view group);
  // The config without creating it.
  std::optional<SubscriptionGroupConfig> Find(std::string_view group) const;

  // Creates or replaces a group's config (admin), bumps the version, persists.
  absl::Status Update(const SubscriptionGroupConfig& config);
  bool Delete(std::string_view group);

  SubscriptionGroupWrapper BuildWrapper() const;

 private:
  void NextVersionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddBuiltIn(std::string_view group, bool consume_broadcast_enable)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const BrokerConfig& config_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, SubscriptionGroupConfig> table_ ABSL_GUARDED_BY(mu_);
  DataVersion data_version_ ABSL_GUARDED_BY(mu_);
  absl::Mutex persist_mu_ ABSL_ACQUIRED_BEFORE(mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_SUBSCRIPTION_GROUP_MANAGER_H_
