// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PushConsumerImpl (RocketMQ's DefaultMQPushConsumerImpl): the pull loop
// behind a PushConsumer. Each assigned queue has one pull in flight at a
// time: issued from the client instance's PullMessageService, held at the
// broker up to 15 s when there is nothing new (long polling), and on return
// its messages go to the consume service and the next pull is issued. Flow
// control delays a queue's next pull while too many of its messages wait.

#ifndef RMQ_CLIENT_PUSH_CONSUMER_IMPL_H_
#define RMQ_CLIENT_PUSH_CONSUMER_IMPL_H_

#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "client/client_instance.h"
#include "client/consume_concurrently_service.h"
#include "client/consume_orderly_service.h"
#include "client/message_batch_pool.h"
#include "client/offset_store.h"
#include "common/msg_id.h"
#include "client/rebalance_impl.h"
#include "rmq/consumer.h"

namespace rmq::internal {

class TraceDispatcher;

class PushConsumerImpl final : public ConsumerInner,
                               public RebalanceImpl::Hooks,
                               public OrderlyConsumeOwner,
                               public std::enable_shared_from_this<PushConsumerImpl> {
 public:
  explicit PushConsumerImpl(PushConsumerConfig config);
  ~PushConsumerImpl() override;

  absl::Status Subscribe(std::string_view topic, const MessageSelector& selector);
  void Unsubscribe(std::string_view topic);
  void RegisterMessageListener(MessageListenerConcurrently listener);
  void RegisterMessageListener(MessageListenerOrderly listener);
  absl::Status Start();
  void Shutdown();
  const PushConsumerConfig& config() const { return config_; }

  // ConsumerInner
  const std::string& group() const override { return config_.group_name; }
  ConsumerData BuildConsumerData() const override;
  std::vector<std::string> SubscribedTopics() const override;
  void OnSubscribeQueuesChanged(const std::string& topic,
                                const std::vector<MessageQueue>& queues) override;
  void DoRebalance() override;
  void PersistConsumerOffsets() override;
  void ResetOffset(const std::string& topic,
                   const std::map<MessageQueue, int64_t>& offsets) override;

  // RebalanceImpl::Hooks
  absl::StatusOr<int64_t> ComputePullFromWhere(const MessageQueue& queue) override;
  void OnQueueAdded(const MessageQueue& queue, std::shared_ptr<ProcessQueue> pq,
                    int64_t offset) override;
  bool RemoveUnnecessaryQueue(const MessageQueue& queue, ProcessQueue& pq) override;

  // ConsumeOwner
  MessageModel message_model() const override { return config_.message_model; }
  void CommitProgress(const MessageQueue& queue, int64_t offset) override;
  absl::Status SendMessageBack(const MessageExt& msg, const MessageQueue& queue,
                               int32_t delay_level) override;

  // OrderlyConsumeOwner
  void SetProgress(const MessageQueue& queue, int64_t offset) override;
  bool LockQueue(const MessageQueue& queue) override;
  void LockAllQueues() override;
  absl::Status SendToDeadLetter(const MessageExt& msg, const MessageQueue& queue,
                                int32_t max_reconsume_times) override;

 private:
  struct PullRequest {
    MessageQueue queue;
    std::shared_ptr<ProcessQueue> pq;
    int64_t next_offset = 0;
    // Orderly: the queue was locked when this request last pulled (the
    // first pull after locking rereads the committed offset).
    bool previously_locked = false;
  };

  absl::Status CheckConfig() const;
  // Issues the pull of `request` (on the pull service thread).
  void PullMessage(PullRequest request);
  void OnPullResponse(PullRequest request, absl::StatusOr<RemotingCommand> response);
  void PullLater(PullRequest request, absl::Duration delay);
  void PullNow(PullRequest request);

  PushConsumerConfig config_;
  std::shared_ptr<ClientInstance> instance_;
  std::unique_ptr<RebalanceImpl> rebalance_;
  std::unique_ptr<OffsetStore> offset_store_;
  std::unique_ptr<ConsumeConcurrentlyService> consume_service_;
  std::unique_ptr<ConsumeOrderlyService> orderly_service_;
  // Consumed pull results, decoded into again by the next pulls. Sized by
  // the flow-control limits, which bound what is in flight.
  std::shared_ptr<MessageBatchPool> batch_pool_;
  // enableMsgTrace: created by Start, flushed and stopped by Shutdown.
  std::unique_ptr<TraceDispatcher> trace_;
  bool consume_orderly_ = false;  // Set at Start.
  std::unique_ptr<UniqKeyGenerator> dlq_ids_;  // For SendToDeadLetter (orderly workers).

  absl::Mutex mu_;
  MessageListenerConcurrently listener_ ABSL_GUARDED_BY(mu_);
  MessageListenerOrderly orderly_listener_ ABSL_GUARDED_BY(mu_);
  // Subscriptions given before Start (topic → selector).
  std::map<std::string, MessageSelector> pending_subscriptions_ ABSL_GUARDED_BY(mu_);
  enum class State { kCreated, kRunning, kShutDown };
  State state_ ABSL_GUARDED_BY(mu_) = State::kCreated;
  // Offsets from a reset, used once when the queue is next assigned (ahead
  // of the broker's copy, which the oneway commit may not have reached yet).
  absl::flat_hash_map<MessageQueue, int64_t> reset_offsets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_PUSH_CONSUMER_IMPL_H_
