// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/rebalance_impl.h"

#include <algorithm>

#include "client/client_instance.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

RebalanceImpl::RebalanceImpl(ClientInstance& instance, std::string group, MessageModel model,
                             std::shared_ptr<const AllocateMessageQueueStrategy> strategy,
                             Hooks& hooks)
    : instance_(instance),
      group_(std::move(group)),
      model_(model),
      strategy_(strategy ? std::move(strategy)
                         : std::make_shared<const AllocateMessageQueueAveragely>()),
      hooks_(hooks) {}

void RebalanceImpl::PutSubscription(SubscriptionData subscription) {
  absl::MutexLock lock(&mu_);
  std::string topic = subscription.topic;
  subscriptions_[topic] = std::make_shared<const SubscriptionData>(std::move(subscription));
}

void RebalanceImpl::RemoveSubscription(const std::string& topic) {
  absl::MutexLock lock(&mu_);
  subscriptions_.erase(topic);
}

std::vector<SubscriptionData> RebalanceImpl::Subscriptions() const {
  absl::MutexLock lock(&mu_);
  std::vector<SubscriptionData> out;
  for (const auto& [topic, sub] : subscriptions_) out.push_back(*sub);
  return out;
}

std::shared_ptr<const SubscriptionData> RebalanceImpl::FindSubscription(const std::string& topic) {
  absl::MutexLock lock(&mu_);
  auto it = subscriptions_.find(topic);
  return it == subscriptions_.end() ? nullptr : it->second;
}

void RebalanceImpl::SetTopicQueues(const std::string& topic, std::vector<MessageQueue> queues) {
  absl::MutexLock lock(&mu_);
  topic_queues_[topic] = std::move(queues);
}

void RebalanceImpl::DoRebalance() {
  std::vector<std::string> topics;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [topic, sub] : subscriptions_) topics.push_back(topic);
  }
  for (const std::string& topic : topics) RebalanceTopic(topic);
  // Queues of topics no longer subscribed go too.
  std::set<MessageQueue> orphans;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [queue, pq] : process_queues_) {
      if (!subscriptions_.contains(queue.topic)) orphans.insert(queue);
    }
  }
  for (const MessageQueue& queue : orphans) UpdateProcessQueues(queue.topic, {});
}

void RebalanceImpl::RebalanceTopic(const std::string& topic) {
  std::vector<MessageQueue> queues;
  {
    absl::MutexLock lock(&mu_);
    auto it = topic_queues_.find(topic);
    if (it != topic_queues_.end()) queues = it->second;
  }
  if (queues.empty()) {
    auto fetched = instance_.GetSubscribeQueues(topic);
    if (!fetched.ok()) {
      // RocketMQ skips a retry topic without a route silently; others are worth a warning.
      if (!topic.starts_with("%RETRY%")) {
        spdlog::warn("rebalance of group {}: topic {}: {}", group_, topic, fetched.status().ToString());
      }
      return;
    }
    queues = std::move(*fetched);
    absl::MutexLock lock(&mu_);
    topic_queues_[topic] = queues;
  }
  std::sort(queues.begin(), queues.end());
  std::set<MessageQueue> assigned;
  if (model_ == MessageModel::kBroadcasting) {
    assigned.insert(queues.begin(), queues.end());
  } else {
    auto cids = instance_.FindConsumerIdList(topic, group_);
    if (!cids.ok() || cids->empty()) {
      spdlog::warn("rebalance of group {}: topic {}: no member list ({})", group_, topic,
                   cids.ok() ? std::string("empty") : cids.status().ToString());
      return;
    }
    std::sort(cids->begin(), cids->end());
    auto mine = strategy_->Allocate(group_, instance_.client_id(), queues, *cids);
    if (!mine.ok()) {
      spdlog::warn("rebalance of group {}: {}: {}", group_, strategy_->name(), mine.status().ToString());
      return;
    }
    assigned.insert(mine->begin(), mine->end());
  }
  if (UpdateProcessQueues(topic, assigned)) {
    spdlog::info("rebalance of group {} ({}): topic {}: {} of {} queues", group_, instance_.client_id(),
                 topic, assigned.size(), queues.size());
  }
}

bool RebalanceImpl::UpdateProcessQueues(const std::string& topic,
                                        const std::set<MessageQueue>& assigned) {
  bool changed = false;
  // Drop what is no longer ours.
  std::vector<std::pair<MessageQueue, std::shared_ptr<ProcessQueue>>> current;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [queue, pq] : process_queues_) {
      if (queue.topic == topic) current.emplace_back(queue, pq);
    }
  }
  for (auto& [queue, pq] : current) {
    if (assigned.contains(queue)) continue;
    pq->set_dropped(true);
    if (hooks_.RemoveUnnecessaryQueue(queue, *pq)) {
      absl::MutexLock lock(&mu_);
      process_queues_.erase(queue);
      changed = true;
    }
  }
  // Add what is new.
  for (const MessageQueue& queue : assigned) {
    {
      absl::MutexLock lock(&mu_);
      if (process_queues_.contains(queue)) continue;
    }
    auto offset = hooks_.ComputePullFromWhere(queue);
    if (!offset.ok()) {
      spdlog::warn("group {}: cannot start {}: {}", group_, queue.ToString(), offset.status().ToString());
      continue;
    }
    auto pq = std::make_shared<ProcessQueue>();
    {
      absl::MutexLock lock(&mu_);
      process_queues_[queue] = pq;
    }
    changed = true;
    hooks_.OnQueueAdded(queue, pq, *offset);
  }
  return changed;
}

std::map<MessageQueue, std::shared_ptr<ProcessQueue>> RebalanceImpl::ProcessQueues() {
  absl::MutexLock lock(&mu_);
  return process_queues_;
}

std::set<MessageQueue> RebalanceImpl::AssignedQueues() {
  absl::MutexLock lock(&mu_);
  std::set<MessageQueue> queues;
  for (const auto& [queue, pq] : process_queues_) queues.insert(queue);
  return queues;
}

void RebalanceImpl::RemoveProcessQueue(const MessageQueue& queue) {
  absl::MutexLock lock(&mu_);
  process_queues_.erase(queue);
}

void RebalanceImpl::DropAll() {
  for (auto& [queue, pq] : ProcessQueues()) {
    pq->set_dropped(true);
    hooks_.RemoveUnnecessaryQueue(queue, *pq);
  }
  absl::MutexLock lock(&mu_);
  process_queues_.clear();
}

}  // namespace rmq::internal
