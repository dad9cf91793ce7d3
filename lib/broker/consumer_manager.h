// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumerManager: the live members of each consumer group, from their
// heartbeats (RocketMQ's ConsumerManager and ConsumerGroupInfo): each
// member's channel and client id, and the group's subscriptions, message
// model and consume-from-where. A member leaves when it unregisters, when its
// channel closes, or when it has not sent a heartbeat for
// channelExpiredTimeout. Whenever the membership or the subscriptions of a
// group change, every member is told with a oneway
// NOTIFY_CONSUMER_IDS_CHANGED (so that it rebalances now rather than at its
// next 20 s rebalance), unless the group's notifyConsumerIdsChangedEnable is
// off. Notifications are sent after the table's lock is released.
//
// A SubscriptionListener (the broker's ConsumerFilterManager) is told each
// group's subscriptions after every heartbeat of it, and none once the group
// has no member left (RocketMQ's ConsumerIdsChangeListener REGISTER and
// UNREGISTER events). It is called under the table's lock, so it sees the
// changes in the order they happened.

#ifndef RMQ_BROKER_CONSUMER_MANAGER_H_
#define RMQ_BROKER_CONSUMER_MANAGER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "broker/client_channel_info.h"
#include "remoting/protocol_bodies.h"
#include "rmq/clock.h"

namespace rmq::internal {

// `subscriptions` are all of `group`'s now (none: the group is gone).
using SubscriptionListener = std::function<void(
    std::string_view group, const std::vector<const SubscriptionData*>& subscriptions)>;

class ConsumerManager {
 public:
  // `notify_enabled(group)` says whether a group's members are notified of
  // changes (the group's notifyConsumerIdsChangedEnable); `listener` may be
  // null.
  ConsumerManager(const Clock& clock, int64_t channel_expired_timeout_ms,
                  std::function<bool(std::string_view group)> notify_enabled,
                  SubscriptionListener listener = nullptr);

  // A heartbeat's ConsumerData for `info`'s channel. Returns true if the
  // group gained a member or its subscriptions changed (members notified).
  bool RegisterConsumer(const ConsumerData& data, ClientChannelInfo info);
  // UNREGISTER_CLIENT: `channel` leaves `group`.
  void UnregisterConsumer(std::string_view group, const std::shared_ptr<Channel>& channel);
  // The channel's peer is gone: it leaves every group.
  void OnChannelClosed(const std::shared_ptr<Channel>& channel);
  // Removes members silent for longer than channelExpiredTimeout (run every
  // 10 s). Returns how many were removed.
  int ScanNotActiveChannels();

  // The client ids of a group's members (GET_CONSUMER_LIST_BY_GROUP), empty
  // if the group has none.
  std::vector<std::string> GetAllClientIds(std::string_view group) const;

  // The group's members and subscriptions (GET_CONSUMER_CONNECTION_LIST), or
  // nullopt if it has no member.
  std::optional<ConsumerConnection> GetConnection(std::string_view group) const;
  // The channel of member `client_id` of `group`, or null.
  std::shared_ptr<Channel> FindChannel(std::string_view group, std::string_view client_id) const;
  // The channels of a group's members, to send them requests.
  std::vector<std::shared_ptr<Channel>> GetChannels(std::string_view group) const;
  enum class Lookup { kNoGroup, kNoSubscription, kFound };
  // The group's subscription to `topic` (for pulls that carry none), and
  // whether the group consumes by broadcast.
  Lookup FindSubscription(std::string_view group, std::string_view topic,
                          SubscriptionData* subscription, bool* broadcasting) const;

 private:
  struct GroupInfo {
    std::string consume_type;
    std::string message_model;
    std::string consume_from_where;
    absl::flat_hash_map<const Channel*, ClientChannelInfo> channels;
    std::map<std::string, SubscriptionData, std::less<>> subscriptions;
  };
  struct Notification {
    std::string group;
    std::vector<std::shared_ptr<Channel>> channels;
  };

  // The group's channels, to notify, if notifications are enabled for it.
  void CollectNotification(const std::string& group, const GroupInfo& info,
                           std::vector<Notification>* out) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Sends NOTIFY_CONSUMER_IDS_CHANGED to each channel; call without mu_.
  void Notify(std::vector<Notification> notifications) ABSL_LOCKS_EXCLUDED(mu_);
  // Tells the listener `group`'s subscriptions (`info` null: the group is gone).
  void TellListener(std::string_view group, const GroupInfo* info) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const int64_t channel_expired_timeout_ms_;
  const std::function<bool(std::string_view)> notify_enabled_;
  const SubscriptionListener listener_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, GroupInfo> groups_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_CONSUMER_MANAGER_H_
