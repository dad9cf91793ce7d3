// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Where a consumer keeps its progress (RocketMQ's OffsetStore): per queue,
// the offset of the next message to consume. Clustering consumers commit it
// to the broker, shared by the group (RemoteBrokerOffsetStore); broadcasting
// consumers keep it in a local file, one per member (LocalFileOffsetStore).
// Updates go to memory; PersistAll writes them out (every 5 s, at shutdown).

#ifndef RMQ_CLIENT_OFFSET_STORE_H_
#define RMQ_CLIENT_OFFSET_STORE_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rmq/message_queue.h"

namespace rmq::internal {

class ClientInstance;

enum class ReadOffsetType { kReadFromMemory, kReadFromStore, kMemoryFirstThenStore };

// ReadOffset's answers besides an offset.
inline constexpr int64_t kOffsetNotFound = -1;
inline constexpr int64_t kOffsetReadError = -2;

class OffsetStore {
 public:
  virtual ~OffsetStore() = default;
  virtual absl::Status Load() = 0;
  // With `increase_only`, never moves an offset backwards.
  void UpdateOffset(const MessageQueue& queue, int64_t offset, bool increase_only);
  // The offset, kOffsetNotFound, or kOffsetReadError.
  int64_t ReadOffset(const MessageQueue& queue, ReadOffsetType type);
  // Writes the offsets of `queues` out.
  virtual void PersistAll(const std::set<MessageQueue>& queues) = 0;
  virtual void Persist(const MessageQueue& queue) = 0;
  void RemoveOffset(const MessageQueue& queue);

 protected:
  // The offset in the backing store (broker or file), or kOffsetNotFound / kOffsetReadError.
  virtual int64_t ReadFromStore(const MessageQueue& queue) = 0;
  bool FindInMemory(const MessageQueue& queue, int64_t* offset);
  absl::flat_hash_map<MessageQueue, int64_t> Snapshot();

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<MessageQueue, int64_t> offsets_ ABSL_GUARDED_BY(mu_);
};

// Clustering: offsets live at the broker of each queue.
std::unique_ptr<OffsetStore> NewRemoteBrokerOffsetStore(ClientInstance& instance, std::string group);
// Broadcasting: offsets live in <dir>/<clientId>/<group>/offsets.json.
std::unique_ptr<OffsetStore> NewLocalFileOffsetStore(ClientInstance& instance, std::string group);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_OFFSET_STORE_H_
