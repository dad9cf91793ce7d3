// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/topic_publish_info.h"

#include <algorithm>
#include <charconv>
#include <random>

#include "absl/strings/str_split.h"

namespace rmq::internal {
uint32_t RandomIndexStart() {
  static thread_local std::minstd_rand rng{std::random_device{}()};
  return static_cast<uint32_t>(rng());
}

TopicPublishInfo::TopicPublishInfo(const std::string& topic, TopicRouteData route)
    : route_(std::move(route)), send_which_queue_(RandomIndexStart()) {
  if (route_.order_topic_conf.has_value() && !route_.order_topic_conf->empty()) {
    // "brokerA:4;brokerB:4": queue counts per broker, in this order.
    order_topic_ = true;
    for (absl::string_view item : absl::StrSplit(*route_.order_topic_conf, ';')) {
      std::vector<absl::string_view> parts = absl::StrSplit(item, ':');
      if (parts.size() != 2) continue;
      int32_t nums = 0;
      auto [ptr, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), nums);
      if (ec != std::errc()) continue;
      for (int32_t i = 0; i < nums; ++i) queues_.emplace_back(topic, std::string(parts[0]), i);
    }
    return;
  }
  std::vector<QueueData> sorted = route_.queue_datas;
  std::sort(sorted.begin(), sorted.end(),
            [](const QueueData& a, const QueueData& b) { return a.broker_name < b.broker_name; });
  for (const QueueData& qd : sorted) {
    if (!perm::IsWriteable(qd.perm)) continue;
    auto broker = std::find_if(route_.broker_datas.begin(), route_.broker_datas.end(),
                               [&](const BrokerData& bd) { return bd.broker_name == qd.broker_name; });
    // Only a broker with a live master takes writes.
    if (broker == route_.broker_datas.end() || broker->MasterAddress().empty()) continue;
    for (int32_t i = 0; i < qd.write_queue_nums; ++i) queues_.emplace_back(topic, qd.broker_name, i);
  }
}

const MessageQueue& TopicPublishInfo::SelectOneMessageQueue(std::string_view last_broker) const {
  const size_t n = queues_.size();
  if (!last_broker.empty()) {
    for (size_t i = 0; i < n; ++i) {
      const MessageQueue& mq = queues_[NextIndex() % n];
      if (mq.broker_name != last_broker) return mq;
    }
  }
  return queues_[NextIndex() % n];
}

std::vector<MessageQueue> SubscribeQueuesFromRoute(const std::string& topic,
                                                   const TopicRouteData& route) {
  std::vector<MessageQueue> queues;
  for (const QueueData& qd : route.queue_datas) {
    if (!perm::IsReadable(qd.perm)) continue;
    for (int32_t i = 0; i < qd.read_queue_nums; ++i) queues.emplace_back(topic, qd.broker_name, i);
  }
  return queues;
}

}  // namespace rmq::internal
