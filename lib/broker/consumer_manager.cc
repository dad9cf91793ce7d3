// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/consumer_manager.h"

#include <utility>

#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

ConsumerManager::ConsumerManager(const Clock& clock, int64_t channel_expired_timeout_ms,
                                 std::function<bool(std::string_view group)> notify_enabled,
                                 SubscriptionListener listener)
    : clock_(clock),
      channel_expired_timeout_ms_(channel_expired_timeout_ms),
      notify_enabled_(std::move(notify_enabled)),
      listener_(std::move(listener)) {}

bool ConsumerManager::RegisterConsumer(const ConsumerData& data, ClientChannelInfo info) {
  std::vector<Notification> notifications;
  bool changed = false;
  {
    absl::MutexLock lock(&mu_);
    GroupInfo& group = groups_[data.group_name];
    group.consume_type = data.consume_type;
    group.message_model = data.message_model;
    group.consume_from_where = data.consume_from_where;

    // The channel (ConsumerGroupInfo.updateChannel): a new one is a new member.
    const Channel* key = info.channel.get();
    auto it = group.channels.find(key);
    if (it == group.channels.end()) {
      spdlog::info("consumer {} joined group {} ({}, {})", info.client_id, data.group_name,
                   data.consume_type, data.message_model);
      group.channels.emplace(key, std::move(info));
      changed = true;
    } else {
      if (it->second.client_id != info.client_id) {
        spdlog::warn("group {}: channel of {} now heartbeats as {}", data.group_name,
                     it->second.client_id, info.client_id);
        it->second.client_id = std::move(info.client_id);
      }
      it->second.last_update_ms = info.last_update_ms;
    }

    // The subscriptions (ConsumerGroupInfo.updateSubscription): a new or
    // dropped topic is a change; a newer version of a known one replaces it
    // quietly, as in RocketMQ.
    for (const SubscriptionData& sub : data.subscription_data_set) {
      auto [sit, inserted] = group.subscriptions.try_emplace(sub.topic, sub);
      if (inserted) {
        changed = true;
      } else if (sub.sub_version > sit->second.sub_version) {
        sit->second = sub;
      }
    }
    for (auto sit = group.subscriptions.begin(); sit != group.subscriptions.end();) {
      bool kept = false;
      for (const SubscriptionData& sub : data.subscription_data_set) kept |= sub.topic == sit->first;
      if (kept) {
        ++sit;
      } else {
        spdlog::info("group {} no longer subscribes to {}", data.group_name, sit->first);
        sit = group.subscriptions.erase(sit);
        changed = true;
      }
    }
    TellListener(data.group_name, &group);
    if (changed) CollectNotification(data.group_name, group, &notifications);
  }
  Notify(std::move(notifications));
  return changed;
}

void ConsumerManager::UnregisterConsumer(std::string_view group_name,
                                         const std::shared_ptr<Channel>& channel) {
  std::vector<Notification> notifications;
  {
    absl::MutexLock lock(&mu_);
    auto it = groups_.find(AbslView(group_name));
    if (it == groups_.end()) return;
    if (it->second.channels.erase(channel.get()) == 0) return;
    spdlog::info("a consumer of group {} unregistered", group_name);
    if (it->second.channels.empty()) {
      TellListener(it->first, nullptr);
      groups_.erase(it);
    } else {
      CollectNotification(it->first, it->second, &notifications);
    }
  }
  Notify(std::move(notifications));
}

void ConsumerManager::OnChannelClosed(const std::shared_ptr<Channel>& channel) {
  std::vector<Notification> notifications;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = groups_.begin(); it != groups_.end();) {
      if (it->second.channels.erase(channel.get()) == 0) {
        ++it;
        continue;
      }
      spdlog::info("consumer channel {} of group {} closed", channel->remote_address(), it->first);
      if (it->second.channels.empty()) {
        TellListener(it->first, nullptr);
        groups_.erase(it++);
      } else {
        CollectNotification(it->first, it->second, &notifications);
        ++it;
      }
    }
  }
  Notify(std::move(notifications));
}

int ConsumerManager::ScanNotActiveChannels() {
  std::vector<Notification> notifications;
  int removed = 0;
  const int64_t now = clock_.NowMillis();
  {
    absl::MutexLock lock(&mu_);
    for (auto it = groups_.begin(); it != groups_.end();) {
      GroupInfo& group = it->second;
      bool group_changed = false;
      for (auto cit = group.channels.begin(); cit != group.channels.end();) {
        if (now - cit->second.last_update_ms > channel_expired_timeout_ms_) {
          spdlog::warn("consumer {} of group {} sent no heartbeat for {} ms: removed",
                       cit->second.client_id, it->first, now - cit->second.last_update_ms);
          group.channels.erase(cit++);
          group_changed = true;
          ++removed;
        } else {
          ++cit;
        }
      }
      if (group.channels.empty()) {
        TellListener(it->first, nullptr);
        groups_.erase(it++);
        continue;
      }
      // RocketMQ closes an expired channel and the close tells the rest of
      // the group; here the channel stays open, so tell them directly.
      if (group_changed) CollectNotification(it->first, group, &notifications);
      ++it;
    }
  }
  Notify(std::move(notifications));
  return removed;
}

std::vector<std::string> ConsumerManager::GetAllClientIds(std::string_view group) const {
  std::vector<std::string> ids;
  absl::ReaderMutexLock lock(&mu_);
  auto it = groups_.find(AbslView(group));
  if (it == groups_.end()) return ids;
  ids.reserve(it->second.channels.size());
  for (const auto& [channel, info] : it->second.channels) ids.push_back(info.client_id);
  return ids;
}

std::optional<ConsumerConnection> ConsumerManager::GetConnection(std::string_view group) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = groups_.find(AbslView(group));
  if (it == groups_.end() || it->second.channels.empty()) return std::nullopt;
  const GroupInfo& info = it->second;
  ConsumerConnection out;
  for (const auto& [key, member] : info.channels) {
    out.connection_set.push_back(
        {member.client_id, member.channel->remote_address(), member.language, member.version});
  }
  for (const auto& [topic, subscription] : info.subscriptions) {
    out.subscription_table.emplace(topic, subscription);
  }
  out.consume_type = info.consume_type;
  out.message_model = info.message_model;
  out.consume_from_where = info.consume_from_where;
  return out;
}

std::shared_ptr<Channel> ConsumerManager::FindChannel(std::string_view group,
                                                      std::string_view client_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = groups_.find(AbslView(group));
  if (it == groups_.end()) return nullptr;
  for (const auto& [key, member] : it->second.channels) {
    if (member.client_id == client_id) return member.channel;
  }
  return nullptr;
}

std::vector<std::shared_ptr<Channel>> ConsumerManager::GetChannels(std::string_view group) const {
  std::vector<std::shared_ptr<Channel>> channels;
  absl::ReaderMutexLock lock(&mu_);
  auto it = groups_.find(AbslView(group));
  if (it == groups_.end()) return channels;
  for (const auto& [key, member] : it->second.channels) channels.push_back(member.channel);
  return channels;
}

ConsumerManager::Lookup ConsumerManager::FindSubscription(std::string_view group,
                                                          std::string_view topic,
                                                          SubscriptionData* subscription,
                                                          bool* broadcasting) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = groups_.find(AbslView(group));
  if (it == groups_.end()) return Lookup::kNoGroup;
  *broadcasting = it->second.message_model == "BROADCASTING";
  auto sub = it->second.subscriptions.find(topic);
  if (sub == it->second.subscriptions.end()) return Lookup::kNoSubscription;
  *subscription = sub->second;
  return Lookup::kFound;
}

void ConsumerManager::CollectNotification(const std::string& group, const GroupInfo& info,
                                          std::vector<Notification>* out) const {
  Notification n;
  n.group = group;
  n.channels.reserve(info.channels.size());
  for (const auto& [key, channel_info] : info.channels) n.channels.push_back(channel_info.channel);
  out->push_back(std::move(n));
}

void ConsumerManager::TellListener(std::string_view group, const GroupInfo* info) const {
  if (!listener_) return;
  std::vector<const SubscriptionData*> subscriptions;
  if (info != nullptr) {
    subscriptions.reserve(info->subscriptions.size());
    for (const auto& [topic, sub] : info->subscriptions) subscriptions.push_back(&sub);
  }
  listener_(group, subscriptions);
}

void ConsumerManager::Notify(std::vector<Notification> notifications) {
  for (Notification& n : notifications) {
    if (notify_enabled_ && !notify_enabled_(n.group)) continue;
    for (const std::shared_ptr<Channel>& channel : n.channels) {
      if (!channel->active()) continue;
      auto header = std::make_unique<NotifyConsumerIdsChangedRequestHeader>();
      header->consumer_group = n.group;
      channel->InvokeOneway(
          RemotingCommand::Request(request_code::kNotifyConsumerIdsChanged, std::move(header)));
    }
  }
}

}  // namespace rmq::internal
