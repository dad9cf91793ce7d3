// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "admin/admin_client.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <utility>

#include "absl/strings/str_split.h"
#include "client/pull_api.h"
#include "common/big_endian.h"
#include "common/msg_id.h"
#include "common/str_cat.h"
#include "remoting/client_transport.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/clock.h"
#include "rmq/store.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;
namespace rq = request_code;

// The group pulls are made under: mqadmin's tools consumer group.
constexpr char kToolsConsumerGroup[] = "TOOLS_CONSUMER";

std::atomic<int> instance_counter{0};

template <typename H>
RemotingCommand RequestWith(int32_t code, std::unique_ptr<H> header) {
  return RemotingCommand::Request(code, std::move(header));
}

// Decodes the records of a pull or query body, back to back.
absl::StatusOr<std::vector<MessageExt>> DecodeRecords(const std::string& body, std::string_view what) {
  std::vector<MessageExt> out;
  size_t pos = 0;
  while (pos < body.size()) {
    if (body.size() - pos < 4) {
      return absl::DataLossError(StrCat(what, ": a truncated record at byte ", pos));
    }
    const auto size = static_cast<size_t>(GetBig32(body.data() + pos));
    if (size == 0 || size > body.size() - pos) {
      return absl::DataLossError(StrCat(what, ": record at byte ", pos, " claims ", size,
                                        " bytes, ", body.size() - pos, " left"));
    }
    auto msg = DecodeMessage(std::string_view(body).substr(pos, size));
    if (!msg.ok()) {
      return absl::DataLossError(
          StrCat(what, ": record at byte ", pos, ": ", StdView(msg.status().message())));
    }
    out.push_back(*std::move(msg));
    pos += size;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AdminClient>> AdminClient::Create(const std::string& namesrv_addr,
                                                                 absl::Duration timeout) {
  std::vector<std::string> namesrvs;
  for (absl::string_view part : absl::StrSplit(namesrv_addr, ';', absl::SkipWhitespace())) {
    namesrvs.emplace_back(part);
  }
  if (namesrvs.empty()) {
    return absl::InvalidArgumentError(
        StrCat("no name server address in \"", namesrv_addr, "\" (want host:port[;host:port])"));
  }
  return std::unique_ptr<AdminClient>(new AdminClient(std::move(namesrvs), timeout));
}

AdminClient::AdminClient(std::vector<std::string> namesrvs, absl::Duration timeout)
    : namesrvs_(std::move(namesrvs)),
      timeout_(timeout),
      transport_(NewClientTransport(StrCat("rmq-admin-", instance_counter.fetch_add(1)), nullptr,
                                    SystemClock::Default())) {}

AdminClient::~AdminClient() { transport_->Shutdown(); }

absl::StatusOr<RemotingCommand> AdminClient::CallAny(const std::string& address,
                                                     RemotingCommand request) {
  // Its errors already name the request and the address (transport.h).
  return transport_->InvokeSync(address, std::move(request), timeout_);
}

absl::StatusOr<RemotingCommand> AdminClient::Call(const std::string& address,
                                                  RemotingCommand request) {
  const int32_t code = request.code;
  auto response = CallAny(address, std::move(request));
  if (response.ok() && response->code != rc::kSuccess) {
    return ResponseToStatus(*response, StrCat(RequestCodeName(code), " to ", address));
  }
  return response;
}

absl::StatusOr<RemotingCommand> AdminClient::CallNamesrv(RemotingCommand request) {
  request.EncodeHeaderFields();  // each attempt sends a copy of the fields
  absl::Status last;
  for (const std::string& namesrv : namesrvs_) {
    RemotingCommand attempt = RemotingCommand::Request(request.code);
    attempt.ext_fields = request.ext_fields;
    auto response = CallAny(namesrv, std::move(attempt));
    if (!response.ok()) {
      last = response.status();  // unreachable: try the next one
      continue;
    }
    if (response->code != rc::kSuccess) {
      return ResponseToStatus(*response, StrCat(RequestCodeName(request.code), " to ", namesrv));
    }
    return response;
  }
  return last;
}

template <typename Body>
absl::StatusOr<Body> AdminClient::CallForBody(const std::string& address, RemotingCommand request) {
  const int32_t code = request.code;
  auto response = address.empty() ? CallNamesrv(std::move(request))
                                  : Call(address, std::move(request));
  if (!response.ok()) return response.status();
  return FromJson<Body>(response->body.ToString(), StrCat(RequestCodeName(code), " answer"));
}

// ---- Name server ----

absl::StatusOr<ClusterInfo> AdminClient::GetClusterInfo() {
  return CallForBody<ClusterInfo>("", RemotingCommand::Request(rq::kGetBrokerClusterInfo));
}

absl::StatusOr<std::set<std::string>> AdminClient::GetTopicList() {
  auto list =
      CallForBody<TopicList>("", RemotingCommand::Request(rq::kGetAllTopicListFromNameServer));
  if (!list.ok()) return list.status();
  return std::move(list->topic_list);
}

absl::StatusOr<TopicRouteData> AdminClient::GetTopicRoute(const std::string& topic) {
  auto header = std::make_unique<GetRouteInfoRequestHeader>();
  header->topic = topic;
  return CallForBody<TopicRouteData>("", RequestWith(rq::kGetRouteInfoByTopic, std::move(header)));
}

absl::StatusOr<std::map<std::string, std::string>> AdminClient::GetMasterAddresses(
    const std::string& cluster) {
  auto info = GetClusterInfo();
  if (!info.ok()) return info.status();
  std::map<std::string, std::string> masters;
  for (const auto& [name, data] : info->broker_addr_table) {
    if (!cluster.empty() && data.cluster != cluster) continue;
    if (std::string addr = data.MasterAddress(); !addr.empty()) masters[name] = addr;
  }
  if (!cluster.empty() && masters.empty()) {
    return absl::NotFoundError(StrCat("cluster ", cluster, " has no master broker"));
  }
  return masters;
}

absl::StatusOr<std::string> AdminClient::MasterOf(const std::string& topic,
                                                  const std::string& broker_name) {
  auto route = GetTopicRoute(topic);
  if (!route.ok()) return route.status();
  for (const BrokerData& broker : route->broker_datas) {
    if (broker.broker_name == broker_name && !broker.MasterAddress().empty()) {
      return broker.MasterAddress();
    }
  }
  return absl::NotFoundError(
      StrCat("broker ", broker_name, " has no master in the route of topic ", topic));
}

// ---- Topics and groups ----

absl::Status AdminClient::CreateOrUpdateTopic(const std::string& broker_addr,
                                              const TopicConfig& config) {
  auto header = std::make_unique<CreateTopicRequestHeader>();
  header->topic = config.topic_name;
  header->read_queue_nums = config.read_queue_nums;
  header->write_queue_nums = config.write_queue_nums;
  header->perm = config.perm;
  header->topic_filter_type = config.topic_filter_type;
  header->topic_sys_flag = config.topic_sys_flag;
  header->order = config.order;
  return Call(broker_addr, RequestWith(rq::kUpdateAndCreateTopic, std::move(header))).status();
}

absl::Status AdminClient::DeleteTopic(const std::string& topic, const std::string& cluster) {
  auto masters = GetMasterAddresses(cluster);
  if (!masters.ok()) return masters.status();
  for (const auto& [name, addr] : *masters) {
    auto header = std::make_unique<DeleteTopicRequestHeader>();
    header->topic = topic;
    if (auto r = Call(addr, RequestWith(rq::kDeleteTopicInBroker, std::move(header))); !r.ok()) {
      return r.status();
    }
  }
  // Every name server forgets it (not just the first that answers).
  for (const std::string& namesrv : namesrvs_) {
    auto header = std::make_unique<DeleteTopicFromNamesrvRequestHeader>();
    header->topic = topic;
    if (!cluster.empty()) header->cluster_name = cluster;
    if (auto r = Call(namesrv, RequestWith(rq::kDeleteTopicInNamesrv, std::move(header)));
        !r.ok()) {
      return r.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TopicStatsTable> AdminClient::GetTopicStats(const std::string& topic) {
  auto route = GetTopicRoute(topic);
  if (!route.ok()) return route.status();
  TopicStatsTable merged;
  for (const BrokerData& broker : route->broker_datas) {
    const std::string addr = broker.MasterAddress();
    if (addr.empty()) continue;
    auto header = std::make_unique<GetTopicStatsInfoRequestHeader>();
    header->topic = topic;
    auto stats =
        CallForBody<TopicStatsTable>(addr, RequestWith(rq::kGetTopicStatsInfo, std::move(header)));
    if (!stats.ok()) return stats.status();
    merged.offset_table.merge(stats->offset_table);
  }
  return merged;
}

absl::Status AdminClient::CreateOrUpdateSubscriptionGroup(const std::string& broker_addr,
                                                          const SubscriptionGroupConfig& config) {
  RemotingCommand request = RemotingCommand::Request(rq::kUpdateAndCreateSubscriptionGroup);
  request.body = Payload(ToJson(config));
  return Call(broker_addr, std::move(request)).status();
}

// ---- Brokers and consumers ----

absl::StatusOr<KVTable> AdminClient::GetBrokerRuntimeInfo(const std::string& broker_addr) {
  return CallForBody<KVTable>(broker_addr, RemotingCommand::Request(rq::kGetBrokerRuntimeInfo));
}

absl::StatusOr<ConsumeStats> AdminClient::GetConsumeStats(const std::string& group,
                                                          const std::optional<std::string>& topic) {
  auto masters = GetMasterAddresses("");
  if (!masters.ok()) return masters.status();
  ConsumeStats merged;
  for (const auto& [name, addr] : *masters) {
    auto header = std::make_unique<GetConsumeStatsRequestHeader>();
    header->consumer_group = group;
    header->topic = topic;
    auto stats =
        CallForBody<ConsumeStats>(addr, RequestWith(rq::kGetConsumeStats, std::move(header)));
    if (!stats.ok()) return stats.status();
    merged.offset_table.merge(stats->offset_table);
    merged.consume_tps += stats->consume_tps;
  }
  // An empty table is most often a misspelt group: as RocketMQ's
  // examineConsumeStats, an error rather than an empty answer.
  if (merged.offset_table.empty()) {
    return absl::NotFoundError(StrCat("consumer group ", group, " has no consume stats on any broker",
                                      topic ? StrCat(" for topic ", *topic) : std::string(),
                                      " (no offset committed): is the group name right?"));
  }
  return merged;
}

absl::StatusOr<ConsumerConnection> AdminClient::GetConsumerConnection(const std::string& group) {
  auto masters = GetMasterAddresses("");
  if (!masters.ok()) return masters.status();
  std::optional<ConsumerConnection> merged;
  for (const auto& [name, addr] : *masters) {
    auto header = std::make_unique<GetConsumerConnectionListRequestHeader>();
    header->consumer_group = group;
    auto response = CallAny(addr, RequestWith(rq::kGetConsumerConnectionList, std::move(header)));
    if (!response.ok()) return response.status();
    if (response->code == rc::kConsumerNotOnline) continue;
    if (response->code != rc::kSuccess) {
      return ResponseToStatus(*response, StrCat("GET_CONSUMER_CONNECTION_LIST to ", addr));
    }
    auto connection = FromJson<ConsumerConnection>(response->body.ToString(),
                                                   "GET_CONSUMER_CONNECTION_LIST answer");
    if (!connection.ok()) return connection.status();
    if (!merged) {
      merged = *std::move(connection);
      continue;
    }
    // A client connected to several brokers is one member.
    for (Connection& c : connection->connection_set) {
      auto same = [&](const Connection& m) { return m.client_id == c.client_id; };
      if (std::none_of(merged->connection_set.begin(), merged->connection_set.end(), same)) {
        merged->connection_set.push_back(std::move(c));
      }
    }
    merged->subscription_table.merge(connection->subscription_table);
  }
  if (!merged) return absl::NotFoundError(StrCat("the consumer group ", group, " is not online"));
  return *std::move(merged);
}

absl::StatusOr<std::map<MessageQueue, int64_t>> AdminClient::ResetOffsetByTime(
    const std::string& group, const std::string& topic, int64_t timestamp_ms, bool force) {
  auto route = GetTopicRoute(topic);
  if (!route.ok()) return route.status();
  std::map<MessageQueue, int64_t> result;
  for (const BrokerData& broker : route->broker_datas) {
    const std::string addr = broker.MasterAddress();
    if (addr.empty()) continue;
    auto header = std::make_unique<ResetOffsetRequestHeader>();
    header->topic = topic;
    header->group = group;
    header->timestamp = timestamp_ms;
    header->is_force = force;
    auto response = CallAny(addr, RequestWith(rq::kInvokeBrokerToResetOffset, std::move(header)));
    if (!response.ok()) return response.status();
    if (response->code == rc::kSuccess) {
      auto body = FromJson<ResetOffsetBody>(response->body.ToString(),
                                            "INVOKE_BROKER_TO_RESET_OFFSET answer");
      if (!body.ok()) return body.status();
      result.merge(body->offset_table);
      continue;
    }
    if (response->code != rc::kConsumerNotOnline) {
      return ResponseToStatus(*response, StrCat("INVOKE_BROKER_TO_RESET_OFFSET to ", addr));
    }
    // No member online: commit the offsets for the time ourselves.
    auto stats_header = std::make_unique<GetConsumeStatsRequestHeader>();
    stats_header->consumer_group = group;
    stats_header->topic = topic;
    auto stats = CallForBody<ConsumeStats>(
        addr, RequestWith(rq::kGetConsumeStats, std::move(stats_header)));
    if (!stats.ok()) return stats.status();
    for (const auto& [queue, progress] : stats->offset_table) {
      int64_t target = progress.broker_offset;
      if (timestamp_ms != -1) {
        auto search = std::make_unique<SearchOffsetRequestHeader>();
        search->topic = topic;
        search->queue_id = queue.queue_id;
        search->timestamp = timestamp_ms;
        auto found = Call(addr, RequestWith(rq::kSearchOffsetByTimestamp, std::move(search)));
        if (!found.ok()) return found.status();
        auto offset = found->DecodeHeader<OffsetResponseHeader>();
        if (!offset.ok()) return offset.status();
        target = (*offset)->offset;
      }
      if (!force && target >= progress.consumer_offset) target = progress.consumer_offset;
      auto commit = std::make_unique<UpdateConsumerOffsetRequestHeader>();
      commit->consumer_group = group;
      commit->topic = topic;
      commit->queue_id = queue.queue_id;
      commit->commit_offset = target;
      if (auto r = Call(addr, RequestWith(rq::kUpdateConsumerOffset, std::move(commit))); !r.ok()) {
        return r.status();
      }
      result[queue] = target;
    }
  }
  return result;
}

// ---- Messages ----

absl::StatusOr<MessageExt> AdminClient::ViewMessage(const std::string& offset_msg_id) {
  auto id = DecodeOffsetMsgId(offset_msg_id);
  if (!id.ok()) return id.status();
  auto header = std::make_unique<ViewMessageRequestHeader>();
  header->offset = id->commit_log_offset;
  const std::string addr = id->store_host.ToString();
  auto response = Call(addr, RequestWith(rq::kViewMessageById, std::move(header)));
  if (!response.ok()) return response.status();
  auto msgs = DecodeRecords(response->body.ToString(), StrCat("VIEW_MESSAGE_BY_ID from ", addr));
  if (!msgs.ok()) return msgs.status();
  if (msgs->size() != 1) {
    return absl::DataLossError(StrCat("VIEW_MESSAGE_BY_ID from ", addr, ": ", msgs->size(),
                                      " messages in the answer, not 1"));
  }
  return std::move(msgs->front());
}

absl::StatusOr<MessageExt> AdminClient::ViewMessage(const std::string& topic,
                                                    const std::string& msg_id) {
  if (!DecodeOffsetMsgId(msg_id).ok()) return QueryMessageByUniqKey(topic, msg_id);
  auto by_offset = ViewMessage(msg_id);
  if (by_offset.ok()) return by_offset;
  // A UNIQ_KEY may happen to decode as an offset msgId; if it is not one
  // either, the offset lookup's error says more.
  auto by_uniq_key = QueryMessageByUniqKey(topic, msg_id);
  return by_uniq_key.ok() ? by_uniq_key : by_offset;
}

absl::StatusOr<MessageExt> AdminClient::QueryMessageByUniqKey(const std::string& topic,
                                                              const std::string& uniq_key) {
  // Every time: an id from a client whose clock or month reckoning differs
  // from ours still finds its message (RocketMQ starts at the id's time).
  auto found = QueryMessageByKey(topic, uniq_key, /*max_num=*/32, 0,
                                 std::numeric_limits<int64_t>::max());
  if (!found.ok()) return found.status();
  // The index also holds KEYS: only a message whose UNIQ_KEY it is counts.
  for (MessageExt& m : *found) {
    if (m.GetProperty(property::kUniqKey) == uniq_key) return std::move(m);
  }
  return absl::NotFoundError(
      StrCat("no message of topic ", topic, " has msgId (UNIQ_KEY) ", uniq_key));
}

absl::StatusOr<std::vector<MessageExt>> AdminClient::QueryMessageByKey(const std::string& topic,
                                                                       const std::string& key,
                                                                       int32_t max_num,
                                                                       int64_t begin_ms,
                                                                       int64_t end_ms) {
  auto route = GetTopicRoute(topic);
  if (!route.ok()) return route.status();
  std::vector<MessageExt> found;
  for (const BrokerData& broker : route->broker_datas) {
    const std::string addr = broker.MasterAddress();
    if (addr.empty()) continue;
    auto header = std::make_unique<QueryMessageRequestHeader>();
    header->topic = topic;
    header->key = key;
    header->max_num = max_num;
    header->begin_timestamp = begin_ms;
    header->end_timestamp = end_ms;
    auto response = CallAny(addr, RequestWith(rq::kQueryMessage, std::move(header)));
    if (!response.ok()) return response.status();
    if (response->code == rc::kQueryNotFound) continue;
    if (response->code != rc::kSuccess) {
      return ResponseToStatus(*response, StrCat("QUERY_MESSAGE to ", addr));
    }
    auto msgs = DecodeRecords(response->body.ToString(), StrCat("QUERY_MESSAGE from ", addr));
    if (!msgs.ok()) return msgs.status();
    for (MessageExt& m : *msgs) found.push_back(std::move(m));
  }
  std::sort(found.begin(), found.end(), [](const MessageExt& a, const MessageExt& b) {
    return a.store_timestamp > b.store_timestamp;
  });
  return found;
}

absl::StatusOr<PullResult> AdminClient::Pull(const MessageQueue& queue, int64_t offset,
                                             int32_t max_nums) {
  auto addr = MasterOf(queue.topic, queue.broker_name);
  if (!addr.ok()) return addr.status();
  SubscriptionData all;
  all.topic = queue.topic;
  PullRequestArgs args;
  args.group = kToolsConsumerGroup;
  args.queue = queue;
  args.subscription = &all;
  args.offset = offset;
  args.max_nums = max_nums;
  args.sys_flag = pull_sysflag::kSubscription;
  auto response = CallAny(*addr, BuildPullRequest(args));
  if (!response.ok()) return response.status();
  auto result = ProcessPullResponse(*response, queue, all);
  if (!result.ok()) {
    return absl::Status(result.status().code(), StrCat("PULL_MESSAGE to ", *addr, ": ",
                                                       StdView(result.status().message())));
  }
  return result;
}

}  // namespace rmq::internal
