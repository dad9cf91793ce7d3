// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// TopicConfigManager: the topics this broker serves, their queue counts and
// permissions (RocketMQ's TopicConfigManager). Kept in
// <storePathRootDir>/config/topics.json as a TopicConfigSerializeWrapper
// ({"topicConfigTable": {...}, "dataVersion": {...}}); the data version moves
// on every change so that name servers can tell a new table from an old one.
//
// It starts with RocketMQ's system topics (SELF_TEST_TOPIC, TBW102 when
// autoCreateTopicEnable, BenchmarkTest, the cluster's and the broker's own
// topics, OFFSET_MOVED_EVENT, SCHEDULE_TOPIC_XXXX, <cluster>_REPLY_TOPIC and,
// with traceTopicEnable, the trace topic); the file's entries override them.

#ifndef RMQ_BROKER_TOPIC_CONFIG_MANAGER_H_
#define RMQ_BROKER_TOPIC_CONFIG_MANAGER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/system_topics.h"
#include "remoting/protocol_bodies.h"
#include "rmq/broker.h"
#include "rmq/clock.h"

namespace rmq::internal {

// RocketMQ's fixed topic names are in common/system_topics.h.
inline constexpr int32_t kScheduleTopicQueueNums = 18;

// The parts of a topic's config a send or pull checks (no strings: cheap to copy).
struct TopicQueues {
  int32_t read_queue_nums = 0;
  int32_t write_queue_nums = 0;
  int32_t perm = 0;
  int32_t topic_sys_flag = 0;
  bool order = false;
  bool multi_tag = false;  // topicFilterType MULTI_TAG
};

class TopicConfigManager {
 public:
  // `on_change` runs (outside any lock) after a topic is created by a send,
  // a heartbeat or an admin request, e.g. to re-register with name servers.
  TopicConfigManager(const BrokerConfig& config, const Clock& clock,
                     std::function<void()> on_change);

  // Loads config/topics.json (or its backup) over the built-in topics.
  absl::Status Load();
  // Writes config/topics.json.
  absl::Status Persist();
  std::string file_path() const;

  // The topic's queues and permission, if it exists. The send path calls this.
  std::optional<TopicQueues> Lookup(std::string_view topic) const;
  std::optional<TopicConfig> Find(std::string_view topic) const;

  // RocketMQ's createTopicInSendMessageMethod: creates `topic` from
  // `default_topic` if that one exists and may be inherited from (TBW102
  // while autoCreateTopicEnable), with min(client_queue_nums, the default
  // topic's write queues) queues. Returns the topic (existing or new), or
  // nullopt if it cannot be created.
  std::optional<TopicQueues> CreateTopicInSendMessageMethod(std::string_view topic,
                                                            std::string_view default_topic,
                                                            std::string_view remote_address,
                                                            int32_t client_queue_nums,
                                                            int32_t topic_sys_flag);
  // RocketMQ's createTopicInSendMessageBackMethod: creates `topic` (a retry
  // or DLQ topic) with `queue_nums` queues and `perm` unless it exists.
  TopicQueues CreateTopicInSendMessageBackMethod(std::string_view topic, int32_t queue_nums,
                                                 int32_t perm, int32_t topic_sys_flag);

  // Creates or replaces a topic (admin), bumps the version and persists.
  absl::Status UpdateTopicConfig(const TopicConfig& config);
  // Removes a topic's config; false if it did not exist.
  bool DeleteTopicConfig(std::string_view topic);

  // TopicValidator.isSystemTopic: RocketMQ's system topics, rmq_sys_*, and
  // the topics this broker added at start (cluster, broker, trace, reply).
  bool IsSystemTopic(std::string_view topic) const;

  // The table and version, as registered with name servers and returned by
  // GET_ALL_TOPIC_CONFIG.
  TopicConfigSerializeWrapper BuildSerializeWrapper() const;
  DataVersion data_version() const;

 private:
  void PutLocked(TopicConfig config) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void NextVersionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddSystemTopic(TopicConfig config) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Persists, logging a failure (the table in memory stays authoritative).
  void PersistOrLog();
  // Writes the table as it is now, logging a failure. Holding mu_ across the
  // write keeps a topic being created invisible to Lookup until it is on disk.
  absl::Status PersistLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(persist_mu_, mu_);
  TopicConfigSerializeWrapper BuildSerializeWrapperLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const BrokerConfig& config_;
  const Clock& clock_;
  const std::function<void()> on_change_;

  // Lookup keeps the last topic it found per thread; the cached answer is
  // valid while this manager's generation has not moved (every change to the
  // table bumps it under mu_), so a producer sending to one topic takes no lock.
  const uint64_t instance_id_;
  std::atomic<uint64_t> generation_{1};

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, TopicConfig> table_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> system_topics_ ABSL_GUARDED_BY(mu_);
  DataVersion data_version_ ABSL_GUARDED_BY(mu_);
  absl::Mutex persist_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // One writer of the file at a time.
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_TOPIC_CONFIG_MANAGER_H_
