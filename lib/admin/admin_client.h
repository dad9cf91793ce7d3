// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// AdminClient: what RocketMQ's DefaultMQAdminExt does for mqadmin, for
// rmq-admin and tests: cluster, topic and group administration and
// inspection through the name servers and brokers, over any transport
// ("host:port" or "inproc://"). Each call is one or a few blocking requests;
// a call that needs several brokers asks each master and merges the answers.
// Errors say which request, to which address, failed and why.

#ifndef RMQ_ADMIN_ADMIN_CLIENT_H_
#define RMQ_ADMIN_ADMIN_CLIENT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "remoting/protocol_bodies.h"
#include "remoting/remoting_command.h"
#include "remoting/transport.h"
#include "rmq/consumer.h"
#include "rmq/message.h"

namespace rmq::internal {

class AdminClient {
 public:
  // `namesrv_addr`: "host:port", several separated by ';'.
  static absl::StatusOr<std::unique_ptr<AdminClient>> Create(const std::string& namesrv_addr,
                                                             absl::Duration timeout = absl::Seconds(5));
  ~AdminClient();

  // ---- Name server ----
  absl::StatusOr<ClusterInfo> GetClusterInfo();
  absl::StatusOr<std::set<std::string>> GetTopicList();
  absl::StatusOr<TopicRouteData> GetTopicRoute(const std::string& topic);
  // The master addresses of `cluster`'s brokers ("" = every cluster), by broker name.
  absl::StatusOr<std::map<std::string, std::string>> GetMasterAddresses(const std::string& cluster);

  // ---- Topics and groups ----
  absl::Status CreateOrUpdateTopic(const std::string& broker_addr, const TopicConfig& config);
  // Deletes the topic from every master of `cluster` and from the name servers.
  absl::Status DeleteTopic(const std::string& topic, const std::string& cluster);
  // Every queue of the topic on every broker of its route.
  absl::StatusOr<TopicStatsTable> GetTopicStats(const std::string& topic);
  absl::Status CreateOrUpdateSubscriptionGroup(const std::string& broker_addr,
                                               const SubscriptionGroupConfig& config);

  // ---- Brokers and consumers ----
  absl::StatusOr<KVTable> GetBrokerRuntimeInfo(const std::string& broker_addr);
  // The group's progress on every master (one topic, or all it consumed);
  // NotFound if no master has any (an unknown group, as RocketMQ's
  // examineConsumeStats).
  absl::StatusOr<ConsumeStats> GetConsumeStats(const std::string& group,
                                               const std::optional<std::string>& topic);
  // The group's members as the masters know them (merged); NotFound if none
  // is online.
  absl::StatusOr<ConsumerConnection> GetConsumerConnection(const std::string& group);
  // Moves the group's offsets in `topic` to those of `timestamp_ms` (-1: the
  // end), only backwards unless `force`. Online members are told by their
  // brokers (INVOKE_BROKER_TO_RESET_OFFSET); for a group with none online the
  // offsets are committed directly, as mqadmin's resetOffsetByTime falls
  // back to. Returns each queue's new offset.
  absl::StatusOr<std::map<MessageQueue, int64_t>> ResetOffsetByTime(const std::string& group,
                                                                   const std::string& topic,
                                                                   int64_t timestamp_ms, bool force);

  // ---- Messages ----
  // The message with this offset msgId (its broker's address is in it).
  absl::StatusOr<MessageExt> ViewMessage(const std::string& offset_msg_id);
  // The message of `topic` with this msgId, either kind: by offset msgId
  // first, then by UNIQ_KEY (the client msgId a send returns), as RocketMQ's
  // viewMessage(topic, msgId) falls back to queryMessageByUniqKey.
  absl::StatusOr<MessageExt> ViewMessage(const std::string& topic, const std::string& msg_id);
  // The message of `topic` whose UNIQ_KEY is `uniq_key`, found through the
  // brokers' index (which holds UNIQ_KEYs as keys); NotFound if none.
  absl::StatusOr<MessageExt> QueryMessageByUniqKey(const std::string& topic,
                                                   const std::string& uniq_key);
  // Messages of `topic` with key `key` stored in [begin_ms, end_ms], from
  // every broker of the topic's route, newest first, at most `max_num` each.
  absl::StatusOr<std::vector<MessageExt>> QueryMessageByKey(const std::string& topic,
                                                            const std::string& key, int32_t max_num,
                                                            int64_t begin_ms, int64_t end_ms);
  // Up to `max_nums` messages of `queue` from `offset`, read without a
  // consumer group's bookkeeping (no offset is committed).
  absl::StatusOr<PullResult> Pull(const MessageQueue& queue, int64_t offset, int32_t max_nums);
  // The address of the master of broker `broker_name` (from `topic`'s route).
  absl::StatusOr<std::string> MasterOf(const std::string& topic, const std::string& broker_name);

 private:
  AdminClient(std::vector<std::string> namesrvs, absl::Duration timeout);

  // Sends `request` and checks that the answer is SUCCESS (errors name the
  // request and the address).
  absl::StatusOr<RemotingCommand> Call(const std::string& address, RemotingCommand request);
  absl::StatusOr<RemotingCommand> CallAny(const std::string& address, RemotingCommand request);
  // The first name server that answers.
  absl::StatusOr<RemotingCommand> CallNamesrv(RemotingCommand request);
  template <typename Body>
  absl::StatusOr<Body> CallForBody(const std::string& address, RemotingCommand request);

  const std::vector<std::string> namesrvs_;
  const absl::Duration timeout_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace rmq::internal

#endif  // RMQ_ADMIN_ADMIN_CLIENT_H_
