// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "admin_commands.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/msg_id.h"
#include "common/str_cat.h"
#include "fmt/format.h"
#include "rmq/producer.h"

namespace rmq::tools {
namespace {

using internal::StrCat;
using Json = nlohmann::json;

// Columns padded to their widest cell; the header row starts with '#', as
// mqadmin prints its tables.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : rows_{std::move(headers)} {
    for (std::string& h : rows_[0]) h.insert(0, "#");
  }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const {
    std::vector<size_t> widths(rows_[0].size(), 0);
    for (const auto& row : rows_) {
      for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
        widths[i] = std::max(widths[i], row[i].size());
      }
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
      }
      out += line + "\n";
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string FormatTime(int64_t ms) {
  if (ms <= 0) return "-";
  const time_t seconds = static_cast<time_t>(ms / 1000);
  struct tm local {};
  localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local);
  return fmt::format("{},{:03d}", text, ms % 1000);
}

Json QueueJson(const MessageQueue& q) {
  return {{"topic", q.topic}, {"brokerName", q.broker_name}, {"queueId", q.queue_id}};
}

// The masters a command acts on: one address, or those of a cluster.
absl::StatusOr<std::vector<std::string>> TargetAddresses(AdminClient& admin,
                                                         const BrokerTarget& target) {
  if (!target.broker_addr.empty()) return std::vector<std::string>{target.broker_addr};
  if (target.cluster.empty()) {
    return absl::InvalidArgumentError("give a broker address (-b) or a cluster (-c)");
  }
  auto masters = admin.GetMasterAddresses(target.cluster);
  if (!masters.ok()) return masters.status();
  std::vector<std::string> addrs;
  for (const auto& [name, addr] : *masters) addrs.push_back(addr);
  return addrs;
}

Json MessageJson(const MessageExt& m) {
  Json properties = Json::object();
  for (const auto& [name, value] : m.properties()) properties[name] = value;
  return {{"topic", m.topic()},
          {"msgId", std::string(m.GetProperty(property::kUniqKey))},
          {"offsetMsgId", m.OffsetMsgId()},
          {"tags", std::string(m.tags())},
          {"keys", std::string(m.keys())},
          {"queueId", m.queue_id},
          {"queueOffset", m.queue_offset},
          {"commitLogOffset", m.commit_log_offset},
          {"reconsumeTimes", m.reconsume_times},
          {"bornTimestamp", m.born_timestamp},
          {"storeTimestamp", m.store_timestamp},
          {"bornHost", m.born_host.ToString()},
          {"storeHost", m.store_host.ToString()},
          {"sysFlag", m.sys_flag},
          {"properties", properties},
          {"body", m.body()}};
}

// As mqadmin's queryMsgById prints one message.
std::string MessageText(const MessageExt& m) {
  std::string props;
  for (const auto& [name, value] : m.properties()) {
    props += StrCat(props.empty() ? "" : ", ", name, "=", value);
  }
  std::string out;
  auto line = [&](std::string_view name, const std::string& value) {
    out += fmt::format("{:<20} {}\n", StrCat(name, ":"), value);
  };
  line("OffsetID", m.OffsetMsgId());
  line("Topic", m.topic());
  line("Tags", StrCat("[", m.tags(), "]"));
  line("Keys", StrCat("[", m.keys(), "]"));
  line("Queue ID", std::to_string(m.queue_id));
  line("Queue Offset", std::to_string(m.queue_offset));
  line("CommitLog Offset", std::to_string(m.commit_log_offset));
  line("Reconsume Times", std::to_string(m.reconsume_times));
  line("Born Timestamp", FormatTime(m.born_timestamp));
  line("Store Timestamp", FormatTime(m.store_timestamp));
  line("Born Host", m.born_host.ToString());
  line("Store Host", m.store_host.ToString());
  line("System Flag", std::to_string(m.sys_flag));
  line("Properties", StrCat("{", props, "}"));
  line("Message Body", m.body());
  return out;
}

AdminOutput Messages(const std::vector<MessageExt>& msgs) {
  AdminOutput out;
  out.json = Json::array();
  for (size_t i = 0; i < msgs.size(); ++i) {
    out.json.push_back(MessageJson(msgs[i]));
    if (i > 0) out.text += "\n";
    out.text += MessageText(msgs[i]);
  }
  return out;
}

AdminOutput Done(std::string text, Json json) { return {std::move(text), std::move(json)}; }

struct DateTimeFields {
  int year, month, day, hour, minute, second, millis;
};

// The numbers of "yyyy-MM-dd#HH:mm:ss:SSS" (digits only, these separators);
// nullopt if the text has another form. Their ranges are not checked here.
std::optional<DateTimeFields> SplitDateTime(std::string_view text) {
  static constexpr char kSeparators[] = "--#:::";  // after each number but the last
  int numbers[7] = {};
  for (size_t i = 0; i < 7; ++i) {
    // from_chars takes a sign; a field is digits only.
    if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), numbers[i]);
    if (error != std::errc()) return std::nullopt;
    text.remove_prefix(static_cast<size_t>(end - text.data()));
    if (i == 6) break;
    if (text.empty() || text[0] != kSeparators[i]) return std::nullopt;
    text.remove_prefix(1);
  }
  if (!text.empty()) return std::nullopt;
  return DateTimeFields{numbers[0], numbers[1], numbers[2], numbers[3],
                        numbers[4], numbers[5], numbers[6]};
}

// The first field out of its range, said readably; "" if all are in range.
// Checked rather than normalized (mktime makes month 13 next January).
std::string OutOfRangeField(const DateTimeFields& f) {
  if (f.month < 1 || f.month > 12) return StrCat("month ", f.month, " is not 1 to 12");
  const absl::CivilMonth month(f.year, f.month);
  const int days = (absl::CivilDay(month + 1) - 1).day();
  struct Range {
    const char* name;
    int value, min, max;
  };
  for (const Range& r : {Range{"day", f.day, 1, days}, Range{"hour", f.hour, 0, 23},
                         Range{"minute", f.minute, 0, 59}, Range{"second", f.second, 0, 59},
                         Range{"millisecond", f.millis, 0, 999}}) {
    if (r.value < r.min || r.value > r.max) {
      return StrCat(r.name, " ", r.value, " is not ", r.min, " to ", r.max,
                    r.name == std::string_view("day") ? fmt::format(" in {}-{:02d}", f.year, f.month)
                                                      : "");
    }
  }
  return "";
}

// OK for "" (every cluster) or a cluster the name server knows; else an
// error naming the clusters it knows, since an empty table would hide the
// typo.
absl::Status CheckClusterKnown(const internal::ClusterInfo& info, const std::string& cluster) {
  if (cluster.empty() || info.cluster_addr_table.contains(cluster)) return absl::OkStatus();
  std::string known;
  for (const auto& [name, brokers] : info.cluster_addr_table) {
    known += StrCat(known.empty() ? "" : ", ", name);
  }
  return absl::NotFoundError(StrCat("the name server knows no cluster ", cluster,
                                    "; its clusters: ", known.empty() ? "none" : known));
}

}  // namespace

absl::StatusOr<AdminOutput> UpdateTopic(AdminClient& admin, const TopicOptions& o) {
  auto addrs = TargetAddresses(admin, o.target);
  if (!addrs.ok()) return addrs.status();
  const internal::TopicConfig& config = o.config;
  std::string text;
  Json done = Json::array();
  for (const std::string& addr : *addrs) {
    if (auto s = admin.CreateOrUpdateTopic(addr, config); !s.ok()) return s;
    text += StrCat("create topic to ", addr, " success.\n");
    done.push_back(addr);
  }
  Json json = Json::parse(internal::ToJson(config));
  text += json.dump() + "\n";
  json["brokers"] = done;
  return Done(std::move(text), json);
}

absl::StatusOr<AdminOutput> DeleteTopic(AdminClient& admin, const std::string& topic,
                                        const std::string& cluster) {
  if (auto s = admin.DeleteTopic(topic, cluster); !s.ok()) return s;
  return Done(StrCat("delete topic [", topic, "] from cluster [", cluster, "] success.\n"),
              {{"topic", topic}, {"cluster", cluster}, {"deleted", true}});
}

absl::StatusOr<AdminOutput> TopicList(AdminClient& admin) {
  auto topics = admin.GetTopicList();
  if (!topics.ok()) return topics.status();
  std::string text;
  for (const std::string& t : *topics) text += t + "\n";
  return Done(std::move(text), Json(*topics));
}

absl::StatusOr<AdminOutput> TopicRoute(AdminClient& admin, const std::string& topic) {
  auto route = admin.GetTopicRoute(topic);
  if (!route.ok()) return route.status();
  Json json = Json::parse(internal::ToJson(*route));
  return Done(json.dump(2) + "\n", json);
}

absl::StatusOr<AdminOutput> TopicStatus(AdminClient& admin, const std::string& topic) {
  auto stats = admin.GetTopicStats(topic);
  if (!stats.ok()) return stats.status();
  Table table({"Broker Name", "QID", "Min Offset", "Max Offset", "Last Updated"});
  Json json = Json::array();
  for (const auto& [q, o] : stats->offset_table) {
    table.Add({q.broker_name, std::to_string(q.queue_id), std::to_string(o.min_offset),
               std::to_string(o.max_offset), FormatTime(o.last_update_timestamp)});
    Json row = QueueJson(q);
    row["minOffset"] = o.min_offset;
    row["maxOffset"] = o.max_offset;
    row["lastUpdateTimestamp"] = o.last_update_timestamp;
    json.push_back(row);
  }
  return Done(table.Render(), json);
}

absl::StatusOr<AdminOutput> ClusterList(AdminClient& admin, const std::string& cluster) {
  auto info = admin.GetClusterInfo();
  if (!info.ok()) return info.status();
  if (auto known = CheckClusterKnown(*info, cluster); !known.ok()) return known;
  Table table({"Cluster Name", "Broker Name", "BID", "Addr", "Version", "InTPS", "OutTPS",
               "InTotalToday", "OutTotalToday", "Hour", "SPACE"});
  Json json = Json::array();
  for (const auto& [cluster_name, brokers] : info->cluster_addr_table) {
    if (!cluster.empty() && cluster_name != cluster) continue;
    for (const std::string& broker_name : brokers) {
      auto data = info->broker_addr_table.find(broker_name);
      if (data == info->broker_addr_table.end()) continue;
      for (const auto& [id, addr] : data->second.broker_addrs) {
        auto kv = admin.GetBrokerRuntimeInfo(addr);
        if (!kv.ok()) return kv.status();
        auto get = [&](const char* key) {
          auto it = kv->table.find(key);
          return it == kv->table.end() ? std::string() : it->second;
        };
        auto first = [](const std::string& rates) { return rates.substr(0, rates.find(' ')); };
        auto delta = [&](const char* now, const char* morning) {
          int64_t a = 0, b = 0;
          const std::string x = get(now), y = get(morning);
          std::from_chars(x.data(), x.data() + x.size(), a);
          std::from_chars(y.data(), y.data() + y.size(), b);
          return a - b;
        };
        int64_t earliest = 0;
        const std::string e = get("earliestMessageTimeStamp");
        std::from_chars(e.data(), e.data() + e.size(), earliest);
        const double hours =
            earliest > 0
                ? std::max(0.0, static_cast<double>(absl::ToUnixMillis(absl::Now()) - earliest) /
                                    3600000.0)
                : 0;
        const std::string ratio = get("commitLogDiskRatio");
        table.Add({cluster_name, broker_name, std::to_string(id), addr, get("brokerVersionDesc"),
                   first(get("putTps")), first(get("getTransferedTps")),
                   std::to_string(delta("msgPutTotalTodayNow", "msgPutTotalTodayMorning")),
                   std::to_string(delta("msgGetTotalTodayNow", "msgGetTotalTodayMorning")),
                   fmt::format("{:.2f}", hours), ratio});
        json.push_back({{"cluster", cluster_name},
                        {"brokerName", broker_name},
                        {"brokerId", id},
                        {"addr", addr},
                        {"runtimeInfo", kv->table}});
      }
    }
  }
  return Done(table.Render(), json);
}

absl::StatusOr<AdminOutput> BrokerStatus(AdminClient& admin, const BrokerTarget& target) {
  auto addrs = TargetAddresses(admin, target);
  if (!addrs.ok()) return addrs.status();
  std::string text;
  Json json = Json::object();
  for (const std::string& addr : *addrs) {
    auto kv = admin.GetBrokerRuntimeInfo(addr);
    if (!kv.ok()) return kv.status();
    for (const auto& [key, value] : kv->table) {
      text += addrs->size() > 1 ? fmt::format("{:<24}{:<32}: {}\n", addr, key, value)
                                : fmt::format("{:<32}: {}\n", key, value);
    }
    json[addr] = kv->table;
  }
  return Done(std::move(text), json);
}

absl::StatusOr<AdminOutput> UpdateSubGroup(AdminClient& admin, const GroupOptions& o) {
  auto addrs = TargetAddresses(admin, o.target);
  if (!addrs.ok()) return addrs.status();
  const internal::SubscriptionGroupConfig& config = o.config;
  std::string text;
  for (const std::string& addr : *addrs) {
    if (auto s = admin.CreateOrUpdateSubscriptionGroup(addr, config); !s.ok()) return s;
    text += StrCat("create subscription group to ", addr, " success.\n");
  }
  Json json = Json::parse(internal::ToJson(config));
  text += json.dump() + "\n";
  return Done(std::move(text), json);
}

absl::StatusOr<AdminOutput> ConsumerProgress(AdminClient& admin, const std::string& group,
                                             const std::optional<std::string>& topic) {
  auto stats = admin.GetConsumeStats(group, topic);
  if (!stats.ok()) return stats.status();
  Table table({"Topic", "Broker Name", "QID", "Broker Offset", "Consumer Offset", "Diff",
               "LastTime"});
  Json queues = Json::array();
  int64_t diff_total = 0;
  for (const auto& [q, o] : stats->offset_table) {
    const int64_t diff = o.broker_offset - o.consumer_offset;
    diff_total += diff;
    table.Add({q.topic, q.broker_name, std::to_string(q.queue_id), std::to_string(o.broker_offset),
               std::to_string(o.consumer_offset), std::to_string(diff),
               FormatTime(o.last_timestamp)});
    Json row = QueueJson(q);
    row["brokerOffset"] = o.broker_offset;
    row["consumerOffset"] = o.consumer_offset;
    row["diff"] = diff;
    row["lastTimestamp"] = o.last_timestamp;
    queues.push_back(row);
  }
  std::string text = table.Render();
  text += fmt::format("\nConsume TPS: {:.2f}\nDiff Total: {}\n", stats->consume_tps, diff_total);
  return Done(std::move(text), {{"group", group},
                                {"consumeTps", stats->consume_tps},
                                {"diffTotal", diff_total},
                                {"queues", queues}});
}

absl::StatusOr<AdminOutput> ConsumerConnection(AdminClient& admin, const std::string& group) {
  auto connection = admin.GetConsumerConnection(group);
  if (!connection.ok()) return connection.status();
  Table members({"ClientId", "ClientAddr", "Language", "Version"});
  for (const auto& c : connection->connection_set) {
    members.Add({c.client_id, c.client_addr, c.language, std::to_string(c.version)});
  }
  Table subscriptions({"Topic", "SubExpression"});
  for (const auto& [topic, sub] : connection->subscription_table) {
    subscriptions.Add({topic, sub.sub_string});
  }
  std::string text = members.Render() + "\n" + subscriptions.Render() + "\n";
  text += fmt::format("ConsumeType: {}\nMessageModel: {}\nConsumeFromWhere: {}\n",
                      connection->consume_type, connection->message_model,
                      connection->consume_from_where);
  return Done(std::move(text), Json::parse(internal::ToJson(*connection)));
}

absl::StatusOr<AdminOutput> QueryMsgById(AdminClient& admin, const std::string& msg_id,
                                         const std::optional<std::string>& topic) {
  if (!topic) {
    // Without a topic only an offset msgId can be looked up; the id users
    // most often have is the msgId sendMessage prints, a UNIQ_KEY.
    if (auto decoded = internal::DecodeOffsetMsgId(msg_id); !decoded.ok()) {
      return absl::InvalidArgumentError(
          StrCat(internal::StdView(decoded.status().message()),
                 ". For a msgId (UNIQ_KEY, as sendMessage prints) give its topic: queryMsgById -i ",
                 msg_id, " -t TOPIC (or queryMsgByKey -t TOPIC -k ", msg_id, ")"));
    }
  }
  auto msg = topic ? admin.ViewMessage(*topic, msg_id) : admin.ViewMessage(msg_id);
  if (!msg.ok()) return msg.status();
  AdminOutput out = Messages({*msg});
  out.json = out.json[0];
  return out;
}

absl::StatusOr<AdminOutput> QueryMsgByKey(AdminClient& admin, const std::string& topic,
                                          const std::string& key, int32_t max_num,
                                          int64_t begin_ms, int64_t end_ms) {
  auto msgs = admin.QueryMessageByKey(topic, key, max_num, begin_ms, end_ms);
  if (!msgs.ok()) return msgs.status();
  Table table({"Message ID", "QID", "Offset"});
  for (const MessageExt& m : *msgs) {
    table.Add({m.OffsetMsgId(), std::to_string(m.queue_id), std::to_string(m.queue_offset)});
  }
  AdminOutput out = Messages(*msgs);
  out.text = table.Render();
  return out;
}

absl::StatusOr<AdminOutput> QueryMsgByOffset(AdminClient& admin, const std::string& topic,
                                             const std::string& broker_name, int32_t queue_id,
                                             int64_t offset) {
  auto pulled = admin.Pull(MessageQueue(topic, broker_name, queue_id), offset, 1);
  if (!pulled.ok()) return pulled.status();
  if (pulled->msgs.empty()) {
    return absl::NotFoundError(StrCat("no message at offset ", offset, " of queue ", queue_id,
                                      " of ", topic, " on ", broker_name, " (the queue holds [",
                                      pulled->min_offset, ", ", pulled->max_offset, "))"));
  }
  AdminOutput out = Messages({pulled->msgs.front()});
  out.json = out.json[0];
  return out;
}

absl::StatusOr<AdminOutput> ResetOffsetByTime(AdminClient& admin, const std::string& group,
                                              const std::string& topic, int64_t timestamp_ms,
                                              bool force) {
  auto offsets = admin.ResetOffsetByTime(group, topic, timestamp_ms, force);
  if (!offsets.ok()) return offsets.status();
  Table table({"brokerName", "queueId", "offset"});
  Json json = Json::array();
  for (const auto& [q, offset] : *offsets) {
    table.Add({q.broker_name, std::to_string(q.queue_id), std::to_string(offset)});
    Json row = QueueJson(q);
    row["offset"] = offset;
    json.push_back(row);
  }
  std::string text = fmt::format("rollback consumer offset by specified group[{}], topic[{}], "
                                 "timestamp(ms)[{}], force[{}]\n",
                                 group, topic, timestamp_ms, force);
  return Done(text + table.Render(), json);
}

absl::StatusOr<AdminOutput> SendMessage(const std::string& namesrv, const SendOptions& o) {
  ProducerConfig config;
  config.namesrv_addr = namesrv;
  config.group_name = "PID_RMQ_ADMIN";
  config.instance_name = StrCat("rmq-admin-", ::getpid());
  Producer producer(config);
  if (auto s = producer.Start(); !s.ok()) return s;
  Message msg(o.topic, o.tags, o.keys, o.body);
  auto result = o.queue_id ? producer.Send(msg, MessageQueue(o.topic, o.broker_name, *o.queue_id))
                           : producer.Send(msg);
  producer.Shutdown();
  if (!result.ok()) return result.status();
  const MessageQueue& q = result->message_queue;
  Table table({"Broker Name", "QID", "Send Result", "MsgId"});
  table.Add({q.broker_name, std::to_string(q.queue_id),
             std::string(SendStatusName(result->send_status)), result->msg_id});
  return Done(table.Render(), {{"brokerName", q.broker_name},
                               {"queueId", q.queue_id},
                               {"queueOffset", result->queue_offset},
                               {"sendStatus", SendStatusName(result->send_status)},
                               {"msgId", result->msg_id},
                               {"offsetMsgId", result->offset_msg_id}});
}

absl::StatusOr<AdminOutput> ConsumeMessage(AdminClient& admin, const ConsumeOptions& o) {
  auto route = admin.GetTopicRoute(o.topic);
  if (!route.ok()) return route.status();
  std::vector<MessageQueue> queues;
  for (const auto& qd : route->queue_datas) {
    if (!o.broker_name.empty() && qd.broker_name != o.broker_name) continue;
    for (int32_t i = 0; i < qd.read_queue_nums; ++i) {
      if (!o.queue_id || *o.queue_id == i) queues.emplace_back(o.topic, qd.broker_name, i);
    }
  }
  if (queues.empty()) {
    return absl::NotFoundError(StrCat("topic ", o.topic, " has no such queue in its route"));
  }
  std::vector<MessageExt> msgs;
  for (const MessageQueue& q : queues) {
    int64_t offset = o.offset.value_or(-1);
    while (static_cast<int64_t>(msgs.size()) < o.count) {
      const int32_t want = static_cast<int32_t>(std::min<int64_t>(32, o.count - msgs.size()));
      auto pulled = admin.Pull(q, std::max<int64_t>(offset, 0), want);
      if (!pulled.ok()) return pulled.status();
      if (offset < 0) {  // no offset given: start at the queue's first message
        offset = pulled->min_offset;
        if (pulled->msgs.empty() && pulled->next_begin_offset != 0) continue;
      }
      if (pulled->msgs.empty()) break;
      for (MessageExt& m : pulled->msgs) msgs.push_back(std::move(m));
      offset = pulled->next_begin_offset;
    }
  }
  if (static_cast<int64_t>(msgs.size()) > o.count) msgs.resize(static_cast<size_t>(o.count));
  return Messages(msgs);
}

absl::StatusOr<int64_t> ParseTimestamp(const std::string& text) {
  if (text == "now") return absl::ToUnixMillis(absl::Now());
  int64_t ms = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (error == std::errc() && end == text.data() + text.size()) {
    if (ms >= -1) return ms;
    return absl::InvalidArgumentError(
        StrCat("'", text, "' is no time: milliseconds since the epoch are 0 or more (-1: the end "
                          "of each queue)"));
  }
  auto fields = SplitDateTime(text);
  if (!fields) {
    return absl::InvalidArgumentError(StrCat(
        "'", text, "' is neither milliseconds since the epoch, \"now\", nor yyyy-MM-dd#HH:mm:ss:SSS"));
  }
  if (std::string wrong = OutOfRangeField(*fields); !wrong.empty()) {
    return absl::InvalidArgumentError(StrCat("'", text, "': ", wrong));
  }
  const DateTimeFields& f = *fields;
  const absl::Time local = absl::FromCivil(
      absl::CivilSecond(f.year, f.month, f.day, f.hour, f.minute, f.second), absl::LocalTimeZone());
  return absl::ToUnixMillis(local) + f.millis;
}

}  // namespace rmq::tools
