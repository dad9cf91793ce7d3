// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumerOffsetManager: where each consumer group has got to in each queue
// (RocketMQ's ConsumerOffsetManager), committed by pulls and by
// UPDATE_CONSUMER_OFFSET. Kept in <storePathRootDir>/config/consumerOffset.json:
//
//   {"offsetTable":{"TopicA@GroupA":{"0":12,"1":5}}}
//
// (RocketMQ's own file writes the queue ids unquoted, which is not JSON;
// Load accepts both.) The broker saves it every flushConsumerOffsetInterval
// and at shutdown.

#ifndef RMQ_BROKER_CONSUMER_OFFSET_MANAGER_H_
#define RMQ_BROKER_CONSUMER_OFFSET_MANAGER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace rmq::internal {

class ConsumerOffsetManager {
 public:
  // The file lives under `store_root`/config/.
  explicit ConsumerOffsetManager(std::string store_root);

  absl::Status Load();
  // Writes the file if anything changed since the last save. `sync` as
  // PersistConfigFile (the periodic save skips the fsync, shutdown does not).
  absl::Status Persist(bool sync);
  std::string file_path() const;

  void CommitOffset(std::string_view client_host, std::string_view group, std::string_view topic,
                    int32_t queue_id, int64_t offset);
  // The committed offset, or -1 if the group never committed one for the queue.
  int64_t QueryOffset(std::string_view group, std::string_view topic, int32_t queue_id) const;
  // Every queue's offset of group/topic.
  std::map<int32_t, int64_t> QueryOffsets(std::string_view group, std::string_view topic) const;

  // Forgets every offset of `group` (DELETE_SUBSCRIPTIONGROUP with
  // removeOffset). Returns how many topics it had offsets in.
  int RemoveGroup(std::string_view group);
  // The topics in which `group` has committed offsets (whichTopicByConsumer).
  std::set<std::string> TopicsOfGroup(std::string_view group) const;
  // The file's content.
  std::string Encode() const;
  // Parses a file's content (quoted or bare queue-id keys).
  static absl::StatusOr<absl::flat_hash_map<std::string, std::map<int32_t, int64_t>>> Decode(
      std::string_view json, std::string_view what);

 private:
  const std::string store_root_;
  mutable absl::Mutex mu_;
  // "topic@group" → queue id → offset.
  absl::flat_hash_map<std::string, std::map<int32_t, int64_t>> table_ ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;  // Bumped by every commit.
  absl::Mutex persist_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  uint64_t persisted_version_ ABSL_GUARDED_BY(persist_mu_) = 0;
  bool persisted_once_ ABSL_GUARDED_BY(persist_mu_) = false;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_CONSUMER_OFFSET_MANAGER_H_
