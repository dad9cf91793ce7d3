// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ProducerManager: the live producers of each producer group, from their
// heartbeats (RocketMQ's ProducerManager). The broker needs them to ask a
// producer about a transaction it left open; members leave as consumers do
// (unregister, channel closed, no heartbeat for channelExpiredTimeout).

#ifndef RMQ_BROKER_PRODUCER_MANAGER_H_
#define RMQ_BROKER_PRODUCER_MANAGER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "broker/client_channel_info.h"
#include "rmq/clock.h"

namespace rmq::internal {

class ProducerManager {
 public:
  ProducerManager(const Clock& clock, int64_t channel_expired_timeout_ms);

  void RegisterProducer(std::string_view group, ClientChannelInfo info);
  void UnregisterProducer(std::string_view group, const std::shared_ptr<Channel>& channel);
  void OnChannelClosed(const std::shared_ptr<Channel>& channel);
  // Removes producers silent for longer than channelExpiredTimeout; returns how many.
  int ScanNotActiveChannels();

  // The channels of a group's live producers.
  std::vector<std::shared_ptr<Channel>> GetChannels(std::string_view group) const;

 private:
  const Clock& clock_;
  const int64_t channel_expired_timeout_ms_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::flat_hash_map<const Channel*, ClientChannelInfo>> groups_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_PRODUCER_MANAGER_H_
