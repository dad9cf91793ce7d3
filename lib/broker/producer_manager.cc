// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/producer_manager.h"

#include <utility>

#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

ProducerManager::ProducerManager(const Clock& clock, int64_t channel_expired_timeout_ms)
    : clock_(clock), channel_expired_timeout_ms_(channel_expired_timeout_ms) {}

void ProducerManager::RegisterProducer(std::string_view group, ClientChannelInfo info) {
  absl::MutexLock lock(&mu_);
  auto& channels = groups_[AbslView(group)];
  auto [it, inserted] = channels.try_emplace(info.channel.get(), info);
  if (inserted) {
    spdlog::info("producer {} joined group {}", info.client_id, group);
  } else {
    it->second.client_id = std::move(info.client_id);
    it->second.last_update_ms = info.last_update_ms;
  }
}

void ProducerManager::UnregisterProducer(std::string_view group,
                                         const std::shared_ptr<Channel>& channel) {
  absl::MutexLock lock(&mu_);
  auto it = groups_.find(AbslView(group));
  if (it == groups_.end()) return;
  it->second.erase(channel.get());
  if (it->second.empty()) groups_.erase(it);
}

void ProducerManager::OnChannelClosed(const std::shared_ptr<Channel>& channel) {
  absl::MutexLock lock(&mu_);
  for (auto it = groups_.begin(); it != groups_.end();) {
    it->second.erase(channel.get());
    if (it->second.empty()) {
      groups_.erase(it++);
    } else {
      ++it;
    }
  }
}

int ProducerManager::ScanNotActiveChannels() {
  const int64_t now = clock_.NowMillis();
  int removed = 0;
  absl::MutexLock lock(&mu_);
  for (auto it = groups_.begin(); it != groups_.end();) {
    for (auto cit = it->second.begin(); cit != it->second.end();) {
      if (now - cit->second.last_update_ms > channel_expired_timeout_ms_) {
        spdlog::warn("producer {} of group {} sent no heartbeat for {} ms: removed",
                     cit->second.client_id, it->first, now - cit->second.last_update_ms);
        it->second.erase(cit++);
        ++removed;
      } else {
        ++cit;
      }
    }
    if (it->second.empty()) {
      groups_.erase(it++);
    } else {
      ++it;
    }
  }
  return removed;
}

std::vector<std::shared_ptr<Channel>> ProducerManager::GetChannels(std::string_view group) const {
  std::vector<std::shared_ptr<Channel>> channels;
  absl::ReaderMutexLock lock(&mu_);
  auto it = groups_.find(AbslView(group));
  if (it == groups_.end()) return channels;
  for (const auto& [key, info] : it->second) channels.push_back(info.channel);
  return channels;
}

}  // namespace rmq::internal
