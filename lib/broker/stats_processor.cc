// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/stats_processor.h"

#include <filesystem>
#include <set>
#include <string>
#include <system_error>

#include "broker/broker_stats.h"
#include "broker/processor_util.h"
#include "common/str_cat.h"
#include "fmt/format.h"
#include "remoting/protocol_headers.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;
namespace rq = request_code;

RemotingCommand WithBody(std::string json) {
  RemotingCommand response = Reply(rc::kSuccess);
  response.body = Payload(std::move(json));
  return response;
}

// "[ 0 days, 1 hours, 2 minutes, 3 seconds ]", as the broker's "runtime".
std::string FormatRuntime(int64_t elapsed_ms) {
  int64_t s = elapsed_ms / 1000;
  return fmt::format("[ {} days, {} hours, {} minutes, {} seconds ]", s / 86400, s / 3600 % 24,
                     s / 60 % 60, s % 60);
}

// The used fraction of the file system holding `path` (commitLogDiskRatio),
// or -1 if it cannot be read.
double DiskUsedRatio(const std::string& path) {
  std::error_code error;
  const std::filesystem::space_info space = std::filesystem::space(path, error);
  if (error || space.capacity == 0) return -1;
  return static_cast<double>(space.capacity - space.free) / static_cast<double>(space.capacity);
}

}  // namespace

RemotingCommand StatsProcessor::Process(RemotingCommand& request) {
  switch (request.code) {
    case rq::kGetTopicStatsInfo: return GetTopicStatsInfo(request);
    case rq::kGetBrokerRuntimeInfo: return WithBody(ToJson(RuntimeInfo()));
    case rq::kGetConsumeStats: return GetConsumeStats(request);
    default:
      return Reply(rc::kRequestCodeNotSupported,
                   StrCat("request code ", request.code, " not supported"));
  }
}

RemotingCommand StatsProcessor::GetTopicStatsInfo(RemotingCommand& request) {
  auto header = request.DecodeHeader<GetTopicStatsInfoRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const std::string& topic = (*header)->topic;
  auto config = ctx_.topics->Find(topic);
  if (!config) return Reply(rc::kTopicNotExist, StrCat("topic[", topic, "] not exist"));
  TopicStatsTable table;
  for (int32_t queue = 0; queue < config->write_queue_nums; ++queue) {
    TopicOffset& offsets = table.offset_table[MessageQueue(topic, ctx_.config->broker_name, queue)];
    offsets.min_offset = ctx_.store->GetMinOffsetInQueue(topic, queue);
    offsets.max_offset = ctx_.store->GetMaxOffsetInQueue(topic, queue);
    if (offsets.max_offset > 0) {
      offsets.last_update_timestamp =
          ctx_.store->GetMessageStoreTimestamp(topic, queue, offsets.max_offset - 1);
    }
  }
  return WithBody(ToJson(table));
}

RemotingCommand StatsProcessor::GetConsumeStats(RemotingCommand& request) {
  auto header = request.DecodeHeader<GetConsumeStatsRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const std::string& group = (*header)->consumer_group;
  const std::set<std::string> topics =
      (*header)->topic && !(*header)->topic->empty() ? std::set<std::string>{*(*header)->topic}
                                                     : ctx_.offsets->TopicsOfGroup(group);
  const auto connection = ctx_.consumers->GetConnection(group);
  ConsumeStats stats;
  for (const std::string& topic : topics) {
    auto config = ctx_.topics->Find(topic);
    if (!config) continue;  // deleted since the group consumed it
    // An online group that no longer subscribes to the topic: its old offsets
    // are not progress (as RocketMQ's getConsumeStats).
    if (connection && !connection->subscription_table.empty() &&
        !connection->subscription_table.contains(topic)) {
      continue;
    }
    for (int32_t queue = 0; queue < config->write_queue_nums; ++queue) {
      OffsetWrapper& offsets =
          stats.offset_table[MessageQueue(topic, ctx_.config->broker_name, queue)];
      offsets.broker_offset = ctx_.store->GetMaxOffsetInQueue(topic, queue);
      offsets.consumer_offset = std::max<int64_t>(0, ctx_.offsets->QueryOffset(group, topic, queue));
      if (offsets.consumer_offset > 0) {
        offsets.last_timestamp =
            ctx_.store->GetMessageStoreTimestamp(topic, queue, offsets.consumer_offset - 1);
      }
    }
    stats.consume_tps += ctx_.stats->GroupGetTps(group, topic);
  }
  return WithBody(ToJson(stats));
}

KVTable StatsProcessor::RuntimeInfo() const {
  const StoreStats store = ctx_.store->Stats();
  const int64_t now = ctx_.clock->NowMillis();
  const BrokerStats& stats = *ctx_.stats;
  KVTable kv;
  auto& t = kv.table;
  t["brokerVersion"] = std::to_string(RemotingCommand::kVersion);
  t["brokerVersionDesc"] = "V4_9_4";  // the version rmq speaks (remoting_command.h)
  t["bootTimestamp"] = std::to_string(ctx_.boot_timestamp_ms);
  t["runtime"] = FormatRuntime(now - ctx_.boot_timestamp_ms);
  t["msgPutTotalTodayNow"] = std::to_string(store.put_count);  // live, not the last sample
  t["msgGetTotalTodayNow"] = std::to_string(stats.get().total());
  t["msgPutTotalTodayMorning"] = std::to_string(stats.put_today_morning());
  t["msgGetTotalTodayMorning"] = std::to_string(stats.get_today_morning());
  t["msgPutTotalYesterdayMorning"] = std::to_string(stats.put_yesterday_morning());
  t["msgGetTotalYesterdayMorning"] = std::to_string(stats.get_yesterday_morning());
  t["putTps"] = BrokerStats::FormatRates(stats.put());
  t["getTransferedTps"] = BrokerStats::FormatRates(stats.get());
  t["commitLogMinOffset"] = std::to_string(store.min_phy_offset);
  t["commitLogMaxOffset"] = std::to_string(store.max_phy_offset);
  t["dispatchBehindBytes"] = std::to_string(store.max_phy_offset - store.dispatched_phy_offset);
  t["commitLogDiskRatio"] =
      fmt::format("{}", DiskUsedRatio(ctx_.config->store.store_path_root_dir));
  int64_t earliest = 0;
  if (store.max_phy_offset > store.min_phy_offset) {
    if (auto first = ctx_.store->LookMessageByOffset(store.min_phy_offset); first.ok()) {
      earliest = first->store_timestamp;
    }
  }
  t["earliestMessageTimeStamp"] = std::to_string(earliest);
  return kv;
}

}  // namespace rmq::internal
