// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The commands of rmq-admin, one function each, named as mqadmin's. Each
// returns what it found both as a readable table (text) and as JSON (for
// --json); rmq_admin.cc parses the command line and prints one of them.

#ifndef RMQ_TOOLS_ADMIN_COMMANDS_H_
#define RMQ_TOOLS_ADMIN_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "admin/admin_client.h"
#include "nlohmann/json.hpp"

namespace rmq::tools {

struct AdminOutput {
  std::string text;     // Ends with a newline.
  nlohmann::json json;
};

using internal::AdminClient;

// Where a command acts: one broker by address, or every master of a cluster.
struct BrokerTarget {
  std::string broker_addr;
  std::string cluster;
};

struct TopicOptions {
  BrokerTarget target;
  internal::TopicConfig config;  // the command line fills it in
};

struct GroupOptions {
  BrokerTarget target;
  internal::SubscriptionGroupConfig config;  // the command line fills it in
};

struct SendOptions {
  std::string topic;
  std::string body;
  std::string keys;
  std::string tags;
  std::string broker_name;  // with queue_id: send to that queue
  std::optional<int32_t> queue_id;
};

struct ConsumeOptions {
  std::string topic;
  std::string broker_name;        // "": every broker of the route
  std::optional<int32_t> queue_id;  // none: every queue
  std::optional<int64_t> offset;  // none: from each queue's min offset
  int64_t count = 128;
};

absl::StatusOr<AdminOutput> UpdateTopic(AdminClient& admin, const TopicOptions& options);
absl::StatusOr<AdminOutput> DeleteTopic(AdminClient& admin, const std::string& topic,
                                        const std::string& cluster);
absl::StatusOr<AdminOutput> TopicList(AdminClient& admin);
absl::StatusOr<AdminOutput> TopicRoute(AdminClient& admin, const std::string& topic);
absl::StatusOr<AdminOutput> TopicStatus(AdminClient& admin, const std::string& topic);
absl::StatusOr<AdminOutput> ClusterList(AdminClient& admin, const std::string& cluster);
absl::StatusOr<AdminOutput> BrokerStatus(AdminClient& admin, const BrokerTarget& target);
absl::StatusOr<AdminOutput> UpdateSubGroup(AdminClient& admin, const GroupOptions& options);
absl::StatusOr<AdminOutput> ConsumerProgress(AdminClient& admin, const std::string& group,
                                             const std::optional<std::string>& topic);
absl::StatusOr<AdminOutput> ConsumerConnection(AdminClient& admin, const std::string& group);
// `msg_id`: an offset msgId; with `topic`, a UNIQ_KEY (client msgId) too.
absl::StatusOr<AdminOutput> QueryMsgById(AdminClient& admin, const std::string& msg_id,
                                         const std::optional<std::string>& topic);
absl::StatusOr<AdminOutput> QueryMsgByKey(AdminClient& admin, const std::string& topic,
                                          const std::string& key, int32_t max_num,
                                          int64_t begin_ms, int64_t end_ms);
absl::StatusOr<AdminOutput> QueryMsgByOffset(AdminClient& admin, const std::string& topic,
                                             const std::string& broker_name, int32_t queue_id,
                                             int64_t offset);
absl::StatusOr<AdminOutput> ResetOffsetByTime(AdminClient& admin, const std::string& group,
                                              const std::string& topic, int64_t timestamp_ms,
                                              bool force);
absl::StatusOr<AdminOutput> SendMessage(const std::string& namesrv, const SendOptions& options);
absl::StatusOr<AdminOutput> ConsumeMessage(AdminClient& admin, const ConsumeOptions& options);

// A time for resetOffsetByTime -s: milliseconds since the epoch (-1: the end
// of each queue), "now", or mqadmin's "yyyy-MM-dd#HH:mm:ss:SSS" (local
// time), each field within its range (a month 13 is refused, not made next
// January). InvalidArgument quotes the text and says what is wrong.
absl::StatusOr<int64_t> ParseTimestamp(const std::string& text);

}  // namespace rmq::tools

#endif  // RMQ_TOOLS_ADMIN_COMMANDS_H_
