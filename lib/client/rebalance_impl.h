// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RebalanceImpl: decides which queues this member of a consumer group
// consumes (RocketMQ's RebalanceImpl). For each subscribed topic:
//   CLUSTERING    the topic's queues and the group's member ids, both sorted,
//                 go through the allocate strategy; every member computes the
//                 same split, so each queue has exactly one owner once all
//                 members have seen the same membership;
//   BROADCASTING  every queue.
// Queues no longer assigned are dropped (their offsets committed first);
// new ones get a ProcessQueue and start at the offset the consumer computes.
// The consumer type (push, lite pull) supplies those steps as Hooks.

#ifndef RMQ_CLIENT_REBALANCE_IMPL_H_
#define RMQ_CLIENT_REBALANCE_IMPL_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "client/process_queue.h"
#include "remoting/protocol_bodies.h"
#include "rmq/allocate_strategy.h"
#include "rmq/consumer.h"
#include "rmq/message_queue.h"

namespace rmq::internal {

class ClientInstance;

class RebalanceImpl {
 public:
  class Hooks {
   public:
    virtual ~Hooks() = default;
    // Where consumption of a newly assigned queue starts; an error skips the
    // queue until the next rebalance.
    virtual absl::StatusOr<int64_t> ComputePullFromWhere(const MessageQueue& queue) = 0;
    // A queue was assigned; start consuming it from `offset`.
    virtual void OnQueueAdded(const MessageQueue& queue, std::shared_ptr<ProcessQueue> pq,
                              int64_t offset) = 0;
    // A queue is being taken away: commit its progress. False keeps it for
    // now (e.g. an orderly consumer still holds its lock).
    virtual bool RemoveUnnecessaryQueue(const MessageQueue& queue, ProcessQueue& pq) = 0;
  };

  RebalanceImpl(ClientInstance& instance, std::string group, MessageModel model,
                std::shared_ptr<const AllocateMessageQueueStrategy> strategy, Hooks& hooks);

  void PutSubscription(SubscriptionData subscription);
  void RemoveSubscription(const std::string& topic);
  std::vector<SubscriptionData> Subscriptions() const;
  // The subscription of `topic`, or nullptr (the returned pointer stays
  // valid until the subscription is replaced or removed).
  std::shared_ptr<const SubscriptionData> FindSubscription(const std::string& topic);

  // The readable queues of a subscribed topic (from route updates).
  void SetTopicQueues(const std::string& topic, std::vector<MessageQueue> queues);

  // Recomputes the assignment of every subscribed topic.
  void DoRebalance();

  // The queues assigned now, with their process queues.
  std::map<MessageQueue, std::shared_ptr<ProcessQueue>> ProcessQueues();
  std::set<MessageQueue> AssignedQueues();
  // Forgets `queue` (already dropped) so the next rebalance starts it afresh.
  void RemoveProcessQueue(const MessageQueue& queue);
  // Drops every queue (shutdown), after committing through the hooks.
  void DropAll();

  // ---- Queue locks of an orderly consumer (CLUSTERING). With
  // set_consume_orderly(true), a newly assigned queue is added only once
  // locked at its broker (else it is tried again at the next rebalance).
  void set_consume_orderly(bool orderly) { consume_orderly_ = orderly; }
  // LOCK_BATCH_MQ for `queue`; marks its ProcessQueue locked. True if held.
  bool Lock(const MessageQueue& queue);
  // Renews the locks of every assigned queue, broker by broker; a queue
  // refused is marked not locked (its consumption pauses).
  void LockAll();
  // UNLOCK_BATCH_MQ for `queue` (oneway: without waiting for the answer).
  void Unlock(const MessageQueue& queue, bool oneway);
  // Unlocks every assigned queue and marks them not locked.
  void UnlockAll(bool oneway);

 private:
  void RebalanceTopic(const std::string& topic);
  // Applies the new assignment of `topic`. True if it changed.
  bool UpdateProcessQueues(const std::string& topic, const std::set<MessageQueue>& assigned);
  // LOCK_BATCH_MQ of `queues` (all of `broker_name`); the queues now held.
  absl::StatusOr<std::set<MessageQueue>> LockBatch(const std::string& broker_name,
                                                   const std::set<MessageQueue>& queues);
  void UnlockBatch(const std::string& broker_name, const std::set<MessageQueue>& queues,
                   bool oneway);

  ClientInstance& instance_;
  const std::string group_;
  const MessageModel model_;
  std::shared_ptr<const AllocateMessageQueueStrategy> strategy_;
  Hooks& hooks_;
  bool consume_orderly_ = false;

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const SubscriptionData>> subscriptions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<MessageQueue>> topic_queues_ ABSL_GUARDED_BY(mu_);
  std::map<MessageQueue, std::shared_ptr<ProcessQueue>> process_queues_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_REBALANCE_IMPL_H_
