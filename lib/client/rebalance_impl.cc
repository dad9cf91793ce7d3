// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/rebalance_impl.h"

#include <algorithm>

#include "client/client_instance.h"
#include "common/str_cat.h"
#include "remoting/request_code.h"
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
    if (consume_orderly_ && model_ == MessageModel::kClustering && !Lock(queue)) {
      spdlog::warn("rebalance of group {}: {} not added: its lock is held by another member",
                   group_, queue.ToString());
      continue;
    }
    auto offset = hooks_.ComputePullFromWhere(queue);
    if (!offset.ok()) {
      spdlog::warn("group {}: cannot start {}: {}", group_, queue.ToString(), offset.status().ToString());
      continue;
    }
    auto pq = std::make_shared<ProcessQueue>();
    if (consume_orderly_) {
      pq->set_locked(true);
      pq->set_last_lock_ms(instance_.clock().NowMillis());
    }
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

absl::StatusOr<std::set<MessageQueue>> RebalanceImpl::LockBatch(
    const std::string& broker_name, const std::set<MessageQueue>& queues) {
  std::string addr = instance_.FindBrokerAddressInPublish(broker_name);
  if (addr.empty()) return absl::UnavailableError(StrCat("broker ", broker_name, " is unknown"));
  LockBatchRequestBody body;
  body.consumer_group = group_;
  body.client_id = instance_.client_id();
  body.mq_set = queues;
  RemotingCommand request = RemotingCommand::Request(request_code::kLockBatchMq);
  request.body = Payload(ToJson(body));
  auto response = instance_.transport().InvokeSync(addr, std::move(request), absl::Seconds(1));
  if (!response.ok()) return response.status();
  if (response->code != response_code::kSuccess) {
    return absl::UnavailableError(StrCat("LOCK_BATCH_MQ to ", addr, ": code ", response->code, " ",
                                         response->remark));
  }
  auto answer = FromJson<LockBatchResponseBody>(response->body.ToString(), "LOCK_BATCH_MQ answer");
  if (!answer.ok()) return answer.status();
  return std::move(answer->lock_ok_mq_set);
}

void RebalanceImpl::UnlockBatch(const std::string& broker_name,
                                const std::set<MessageQueue>& queues, bool oneway) {
  std::string addr = instance_.FindBrokerAddressInPublish(broker_name);
  if (addr.empty()) return;
  UnlockBatchRequestBody body;
  body.consumer_group = group_;
  body.client_id = instance_.client_id();
  body.mq_set = queues;
  RemotingCommand request = RemotingCommand::Request(request_code::kUnlockBatchMq);
  request.body = Payload(ToJson(body));
  if (oneway) {
    (void)instance_.transport().InvokeOneway(addr, std::move(request));
    return;
  }
  auto response = instance_.transport().InvokeSync(addr, std::move(request), absl::Seconds(1));
  if (!response.ok()) {
    spdlog::warn("group {}: UNLOCK_BATCH_MQ to {} failed: {}", group_, addr,
                 response.status().ToString());
  }
}

bool RebalanceImpl::Lock(const MessageQueue& queue) {
  auto locked = LockBatch(queue.broker_name, {queue});
  if (!locked.ok()) {
    spdlog::warn("group {}: locking {} failed: {}", group_, queue.ToString(),
                 locked.status().ToString());
    return false;
  }
  const int64_t now = instance_.clock().NowMillis();
  {
    absl::MutexLock lock(&mu_);
    for (const MessageQueue& held : *locked) {
      if (auto it = process_queues_.find(held); it != process_queues_.end()) {
        it->second->set_locked(true);
        it->second->set_last_lock_ms(now);
      }
    }
  }
  return locked->contains(queue);
}

void RebalanceImpl::LockAll() {
  std::map<std::string, std::set<MessageQueue>> by_broker;
  for (const auto& [queue, pq] : ProcessQueues()) by_broker[queue.broker_name].insert(queue);
  for (const auto& [broker, queues] : by_broker) {
    auto locked = LockBatch(broker, queues);
    if (!locked.ok()) {
      spdlog::warn("group {}: renewing queue locks at {} failed: {}", group_, broker,
                   locked.status().ToString());
      continue;
    }
    const int64_t now = instance_.clock().NowMillis();
    absl::MutexLock lock(&mu_);
    for (const MessageQueue& queue : queues) {
      auto it = process_queues_.find(queue);
      if (it == process_queues_.end()) continue;
      if (locked->contains(queue)) {
        it->second->set_locked(true);
        it->second->set_last_lock_ms(now);
      } else {
        it->second->set_locked(false);
        spdlog::warn("group {}: the lock of {} was refused", group_, queue.ToString());
      }
    }
  }
}

void RebalanceImpl::Unlock(const MessageQueue& queue, bool oneway) {
  UnlockBatch(queue.broker_name, {queue}, oneway);
}

void RebalanceImpl::UnlockAll(bool oneway) {
  std::map<std::string, std::set<MessageQueue>> by_broker;
  auto queues = ProcessQueues();
  for (const auto& [queue, pq] : queues) by_broker[queue.broker_name].insert(queue);
  for (const auto& [broker, set] : by_broker) UnlockBatch(broker, set, oneway);
  for (const auto& [queue, pq] : queues) pq->set_locked(false);
}

}  // namespace rmq::internal
