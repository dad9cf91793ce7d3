// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/subscription_group_manager.h"

#include <utility>

#include "common/config_persister.h"
#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// MixAll.isSysConsumerGroup.
bool IsSysConsumerGroup(std::string_view group) { return group.starts_with("CID_RMQ_SYS_"); }

}  // namespace

SubscriptionGroupManager::SubscriptionGroupManager(const BrokerConfig& config, const Clock& clock)
    : config_(config), clock_(clock) {
  absl::MutexLock lock(&mu_);
  data_version_.timestamp = clock_.NowMillis();
  // The groups RocketMQ's tools and proxies use.
  AddBuiltIn("TOOLS_CONSUMER", false);
  AddBuiltIn("FILTERSRV_CONSUMER", false);
  AddBuiltIn("SELF_TEST_C_GROUP", false);
  AddBuiltIn("CID_ONS-HTTP-PROXY", true);
  AddBuiltIn("CID_ONSAPI_PULL", true);
  AddBuiltIn("CID_ONSAPI_PERMISSION", true);
  AddBuiltIn("CID_ONSAPI_OWNER", true);
}

void SubscriptionGroupManager::AddBuiltIn(std::string_view group, bool consume_broadcast_enable) {
  SubscriptionGroupConfig config;
  config.group_name.assign(group);
  config.consume_broadcast_enable = consume_broadcast_enable;
  table_.insert_or_assign(std::string(group), std::move(config));
}

void SubscriptionGroupManager::NextVersionLocked() {
  data_version_.timestamp = clock_.NowMillis();
  ++data_version_.counter;
}

std::string SubscriptionGroupManager::file_path() const {
  return StrCat(config_.store.store_path_root_dir, "/config/subscriptionGroup.json");
}

absl::Status SubscriptionGroupManager::Load() {
  auto loaded = LoadConfigFile(file_path(), [this](std::string_view json) -> absl::Status {
    auto wrapper = FromJson<SubscriptionGroupWrapper>(json, file_path());
    if (!wrapper.ok()) return wrapper.status();
    absl::MutexLock lock(&mu_);
    for (auto& [name, group] : wrapper->subscription_group_table) {
      if (group.group_name.empty()) group.group_name = name;
      table_.insert_or_assign(name, std::move(group));
    }
    data_version_ = wrapper->data_version;
    return absl::OkStatus();
  });
  if (!loaded.ok()) return loaded.status();
  return absl::OkStatus();
}

absl::Status SubscriptionGroupManager::Persist() {
  absl::MutexLock persist(&persist_mu_);
  return PersistConfigFile(file_path(), ToJson(BuildWrapper()));
}

std::optional<SubscriptionGroupConfig> SubscriptionGroupManager::Find(std::string_view group) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = table_.find(AbslView(group));
  if (it == table_.end()) return std::nullopt;
  return it->second;
}

std::optional<SubscriptionGroupConfig> SubscriptionGroupManager::FindOrCreate(
    std::string_view group) {
  if (auto found = Find(group)) return found;
  if (!config_.auto_create_subscription_group && !IsSysConsumerGroup(group)) return std::nullopt;
  SubscriptionGroupConfig created;
  {
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = table_.try_emplace(AbslView(group));
    if (inserted) {
      it->second.group_name.assign(group);
      NextVersionLocked();
      spdlog::info("created subscription group {} with the default settings", group);
    }
    created = it->second;
    if (!inserted) return created;
  }
  if (absl::Status s = Persist(); !s.ok()) {
    spdlog::error("saving subscription groups failed: {}", s.ToString());
  }
  return created;
}

absl::Status SubscriptionGroupManager::Update(const SubscriptionGroupConfig& config) {
  {
    absl::MutexLock lock(&mu_);
    table_.insert_or_assign(config.group_name, config);
    NextVersionLocked();
  }
  return Persist();
}

bool SubscriptionGroupManager::Delete(std::string_view group) {
  {
    absl::MutexLock lock(&mu_);
    auto it = table_.find(AbslView(group));
    if (it == table_.end()) return false;
    table_.erase(it);
    NextVersionLocked();
  }
  if (absl::Status s = Persist(); !s.ok()) {
    spdlog::error("saving subscription groups failed: {}", s.ToString());
  }
  return true;
}

SubscriptionGroupWrapper SubscriptionGroupManager::BuildWrapper() const {
  SubscriptionGroupWrapper wrapper;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [name, group] : table_) wrapper.subscription_group_table.emplace(name, group);
  wrapper.data_version = data_version_;
  return wrapper;
}

}  // namespace rmq::internal
