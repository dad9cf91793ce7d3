// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/topic_config_manager.h"

#include <algorithm>
#include <utility>

#include "common/config_persister.h"
#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// TopicValidator.SYSTEM_TOPIC_SET.
constexpr std::string_view kFixedSystemTopics[] = {
    kAutoCreateTopicKeyTopic, kScheduleTopic,       kBenchmarkTopic,
    kTransHalfTopic,          kTraceTopic,          kTransOpHalfTopic,
    kTransCheckMaxTimeTopic,  kSelfTestTopic,       kOffsetMovedEventTopic,
};
constexpr std::string_view kSystemTopicPrefix = "rmq_sys_";

TopicConfig NewTopic(std::string_view name, int32_t queues, int32_t perm) {
  TopicConfig config;
  config.topic_name.assign(name);
  config.read_queue_nums = queues;
  config.write_queue_nums = queues;
  config.perm = perm;
  return config;
}

TopicQueues QueuesOf(const TopicConfig& config) {
  TopicQueues q;
  q.read_queue_nums = config.read_queue_nums;
  q.write_queue_nums = config.write_queue_nums;
  q.perm = config.perm;
  q.topic_sys_flag = config.topic_sys_flag;
  q.order = config.order;
  q.multi_tag = config.topic_filter_type == "MULTI_TAG";
  return q;
}

constexpr int32_t kReadWrite = perm::kRead | perm::kWrite;

uint64_t NextInstanceId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
// new TopicConfig(topic) in RocketMQ: 16 read and 16 write queues.
constexpr int32_t kDefaultQueueNums = 16;

}  // namespace

TopicConfigManager::TopicConfigManager(const BrokerConfig& config, const Clock& clock,
                                       std::function<void()> on_change)
    : config_(config),
      clock_(clock),
      on_change_(std::move(on_change)),
      instance_id_(NextInstanceId()) {
  absl::MutexLock lock(&mu_);
  data_version_.timestamp = clock_.NowMillis();
  AddSystemTopic(NewTopic(kSelfTestTopic, 1, kReadWrite));
  if (config_.auto_create_topic_enable) {
    AddSystemTopic(NewTopic(kAutoCreateTopicKeyTopic, config_.default_topic_queue_nums,
                            perm::kInherit | kReadWrite));
  }
  AddSystemTopic(NewTopic(kBenchmarkTopic, 1024, kReadWrite));
  // clusterTopicEnable and brokerTopicEnable are true by default in RocketMQ.
  AddSystemTopic(NewTopic(config_.broker_cluster_name, kDefaultQueueNums,
                          perm::kInherit | kReadWrite));
  AddSystemTopic(NewTopic(config_.broker_name, 1, perm::kInherit | kReadWrite));
  AddSystemTopic(NewTopic(kOffsetMovedEventTopic, 1, kReadWrite));
  AddSystemTopic(NewTopic(kScheduleTopic, kScheduleTopicQueueNums, kReadWrite));
  if (config_.trace_topic_enable) {
    AddSystemTopic(NewTopic(config_.msg_trace_topic_name, 1, kReadWrite));
  }
  AddSystemTopic(NewTopic(StrCat(config_.broker_cluster_name, "_REPLY_TOPIC"), 1, kReadWrite));
}

void TopicConfigManager::AddSystemTopic(TopicConfig config) {
  system_topics_.insert(config.topic_name);
  PutLocked(std::move(config));
}

void TopicConfigManager::PutLocked(TopicConfig config) {
  std::string name = config.topic_name;
  table_.insert_or_assign(std::move(name), std::move(config));
  generation_.fetch_add(1, std::memory_order_release);
}

void TopicConfigManager::NextVersionLocked() {
  data_version_.timestamp = clock_.NowMillis();
  ++data_version_.counter;
}

std::string TopicConfigManager::file_path() const {
  return StrCat(config_.store.store_path_root_dir, "/config/topics.json");
}

absl::Status TopicConfigManager::Load() {
  auto loaded = LoadConfigFile(file_path(), [this](std::string_view json) -> absl::Status {
    auto wrapper = FromJson<TopicConfigSerializeWrapper>(json, file_path());
    if (!wrapper.ok()) return wrapper.status();
    absl::MutexLock lock(&mu_);
    for (auto& [name, topic] : wrapper->topic_config_table) {
      if (topic.topic_name.empty()) topic.topic_name = name;
      PutLocked(std::move(topic));
    }
    data_version_ = wrapper->data_version;
    return absl::OkStatus();
  });
  if (!loaded.ok()) return loaded.status();
  return absl::OkStatus();
}

absl::Status TopicConfigManager::Persist() {
  absl::MutexLock persist(&persist_mu_);
  std::string json = ToJson(BuildSerializeWrapper());
  return PersistConfigFile(file_path(), json);
}

absl::Status TopicConfigManager::PersistLocked() {
  absl::Status s = PersistConfigFile(file_path(), ToJson(BuildSerializeWrapperLocked()));
  if (!s.ok()) spdlog::error("saving topic configs failed: {}", s.ToString());
  return s;
}

void TopicConfigManager::PersistOrLog() {
  absl::Status s = Persist();
  if (!s.ok()) spdlog::error("saving topic configs failed: {}", s.ToString());
}

std::optional<TopicQueues> TopicConfigManager::Lookup(std::string_view topic) const {
  struct Cache {
    uint64_t instance = 0;
    uint64_t generation = 0;
    std::string topic;
    TopicQueues queues;
  };
  thread_local Cache cache;
  if (cache.instance == instance_id_ &&
      cache.generation == generation_.load(std::memory_order_acquire) && cache.topic == topic) {
    return cache.queues;
  }
  absl::ReaderMutexLock lock(&mu_);
  auto it = table_.find(AbslView(topic));
  if (it == table_.end()) return std::nullopt;
  cache.instance = instance_id_;
  cache.generation = generation_.load(std::memory_order_relaxed);  // Stable under mu_.
  cache.topic.assign(topic);
  cache.queues = QueuesOf(it->second);
  return cache.queues;
}

std::optional<TopicConfig> TopicConfigManager::Find(std::string_view topic) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = table_.find(AbslView(topic));
  if (it == table_.end()) return std::nullopt;
  return it->second;
}

std::optional<TopicQueues> TopicConfigManager::CreateTopicInSendMessageMethod(
    std::string_view topic, std::string_view default_topic, std::string_view remote_address,
    int32_t client_queue_nums, int32_t topic_sys_flag) {
  std::optional<TopicQueues> result;
  {
    // The new topic is in topics.json before any other send can see it
    // (Lookup waits on mu_): else a concurrent send to it could be
    // acknowledged, and a crash keep that message but lose its topic.
    absl::MutexLock persist(&persist_mu_);
    absl::MutexLock lock(&mu_);
    if (auto it = table_.find(AbslView(topic)); it != table_.end()) return QueuesOf(it->second);
    auto def = table_.find(AbslView(default_topic));
    if (def == table_.end()) {
      spdlog::warn("cannot create topic {} for {}: the default topic {} does not exist", topic,
                   remote_address, default_topic);
      return std::nullopt;
    }
    if (default_topic == kAutoCreateTopicKeyTopic && !config_.auto_create_topic_enable &&
        def->second.perm != kReadWrite) {
      // As RocketMQ: a TBW102 left over from when auto-creation was on no longer passes it on.
      def->second.perm = kReadWrite;
      generation_.fetch_add(1, std::memory_order_release);
    }
    if ((def->second.perm & perm::kInherit) == 0) {
      spdlog::warn("cannot create topic {} for {}: the default topic {} has permission {} "
                   "without inherit",
                   topic, remote_address, default_topic, def->second.perm);
      return std::nullopt;
    }
    TopicConfig created;
    created.topic_name.assign(topic);
    int32_t queues = std::max(0, std::min(client_queue_nums, def->second.write_queue_nums));
    created.read_queue_nums = queues;
    created.write_queue_nums = queues;
    created.perm = def->second.perm & ~perm::kInherit;
    created.topic_sys_flag = topic_sys_flag;
    created.topic_filter_type = def->second.topic_filter_type;
    result = QueuesOf(created);
    spdlog::info("created topic {} from default topic {} with {} queues for {}", topic,
                 default_topic, queues, remote_address);
    PutLocked(std::move(created));
    NextVersionLocked();
    PersistLocked().IgnoreError();  // Logged; the table in memory stays authoritative.
  }
  if (on_change_) on_change_();
  return result;
}

TopicQueues TopicConfigManager::CreateTopicInSendMessageBackMethod(std::string_view topic,
                                                                   int32_t queue_nums,
                                                                   int32_t perm,
                                                                   int32_t topic_sys_flag) {
  TopicQueues result;
  {
    absl::MutexLock persist(&persist_mu_);  // Persisted before it is visible, as above.
    absl::MutexLock lock(&mu_);
    if (auto it = table_.find(AbslView(topic)); it != table_.end()) return QueuesOf(it->second);
    TopicConfig created = NewTopic(topic, queue_nums, perm);
    created.topic_sys_flag = topic_sys_flag;
    result = QueuesOf(created);
    spdlog::info("created topic {} with {} queues", topic, queue_nums);
    PutLocked(std::move(created));
    NextVersionLocked();
    PersistLocked().IgnoreError();
  }
  if (on_change_) on_change_();
  return result;
}

absl::Status TopicConfigManager::UpdateTopicConfig(const TopicConfig& config) {
  absl::Status s;
  {
    absl::MutexLock persist(&persist_mu_);  // Persisted before it is visible, as above.
    absl::MutexLock lock(&mu_);
    PutLocked(config);
    NextVersionLocked();
    s = PersistLocked();
  }
  if (on_change_) on_change_();
  return s;
}

bool TopicConfigManager::DeleteTopicConfig(std::string_view topic) {
  {
    absl::MutexLock lock(&mu_);
    auto it = table_.find(AbslView(topic));
    if (it == table_.end()) return false;
    table_.erase(it);
    generation_.fetch_add(1, std::memory_order_release);
    NextVersionLocked();
  }
  PersistOrLog();
  if (on_change_) on_change_();
  return true;
}

bool TopicConfigManager::IsSystemTopic(std::string_view topic) const {
  if (topic.starts_with(kSystemTopicPrefix)) return true;
  for (std::string_view fixed : kFixedSystemTopics) {
    if (topic == fixed) return true;
  }
  absl::ReaderMutexLock lock(&mu_);
  return system_topics_.contains(AbslView(topic));
}

TopicConfigSerializeWrapper TopicConfigManager::BuildSerializeWrapper() const {
  absl::ReaderMutexLock lock(&mu_);
  return BuildSerializeWrapperLocked();
}

TopicConfigSerializeWrapper TopicConfigManager::BuildSerializeWrapperLocked() const {
  TopicConfigSerializeWrapper wrapper;
  for (const auto& [name, topic] : table_) wrapper.topic_config_table.emplace(name, topic);
  wrapper.data_version = data_version_;
  return wrapper;
}

DataVersion TopicConfigManager::data_version() const {
  absl::ReaderMutexLock lock(&mu_);
  return data_version_;
}

}  // namespace rmq::internal
