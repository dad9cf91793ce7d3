// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullConsumerImpl: the two pull consumers of RocketMQ in one object.
//
//   Direct pulls (DefaultMQPullConsumer): the caller names queue and offset;
//   each Pull is one synchronous PULL_MESSAGE carrying its own expression
//   (the subscription flag), so the broker needs no heartbeat subscription.
//   Progress is whatever the caller records with UpdateConsumeOffset.
//
//   Lite mode (DefaultLitePullConsumer): Subscribe puts topics into a
//   RebalanceImpl; each queue assigned to this member gets a background pull
//   loop on the client instance's PullMessageService (one pull in flight,
//   held at the broker up to brokerSuspendMaxTimeMillis when nothing is new)
//   that appends what it finds to a buffer Poll takes from, one pull result
//   at a time. A queue's loop pauses while more than pullThresholdForQueue of
//   its messages wait in the buffer, and Poll resumes it.
//
// Offsets (clustering: at the broker; broadcasting: a local file) are kept in
// an OffsetStore, written out by the client instance every
// persistConsumerOffsetInterval and at Shutdown.
//
// Lifetime: background tasks never own the consumer. They reach it through a
// shared Guard that Shutdown clears (waiting for a task that is running), so
// the consumer and its client instance are always destroyed by their owner's
// thread, never by the pull service thread they would have to join.

#ifndef RMQ_CLIENT_PULL_CONSUMER_IMPL_H_
#define RMQ_CLIENT_PULL_CONSUMER_IMPL_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/client_instance.h"
#include "client/offset_store.h"
#include "client/rebalance_impl.h"
#include "remoting/remoting_command.h"
#include "rmq/consumer.h"

namespace rmq::internal {

class PullConsumerImpl final : public ConsumerInner, public RebalanceImpl::Hooks {
 public:
  explicit PullConsumerImpl(PullConsumerConfig config);
  ~PullConsumerImpl() override;

  absl::Status Start();
  void Shutdown();
  const PullConsumerConfig& config() const { return config_; }

  // ---- Direct pulls (pull_consumer_impl.cc)
  absl::StatusOr<std::vector<MessageQueue>> FetchSubscribeMessageQueues(std::string_view topic);
  absl::StatusOr<PullResult> Pull(const MessageQueue& queue, const MessageSelector& selector,
                                  int64_t offset, int32_t max_nums, bool block);
  absl::StatusOr<int64_t> FetchConsumeOffset(const MessageQueue& queue, bool from_store);
  absl::Status UpdateConsumeOffset(const MessageQueue& queue, int64_t offset);

  // ---- Lite mode (pull_consumer_lite.cc)
  absl::Status Subscribe(std::string_view topic, const MessageSelector& selector);
  absl::StatusOr<std::vector<MessageExt>> Poll(absl::Duration timeout);
  absl::Status Seek(const MessageQueue& queue, int64_t offset);
  absl::Status CommitSync();
  absl::StatusOr<std::vector<MessageQueue>> Assignment();

  // ConsumerInner
  const std::string& group() const override { return config_.group_name; }
  ConsumerData BuildConsumerData() const override;
  std::vector<std::string> SubscribedTopics() const override;
  void OnSubscribeQueuesChanged(const std::string& topic,
                                const std::vector<MessageQueue>& queues) override;
  void DoRebalance() override;
  void PersistConsumerOffsets() override;

  // RebalanceImpl::Hooks (lite mode)
  absl::StatusOr<int64_t> ComputePullFromWhere(const MessageQueue& queue) override;
  void OnQueueAdded(const MessageQueue& queue, std::shared_ptr<ProcessQueue> pq,
                    int64_t offset) override;
  bool RemoveUnnecessaryQueue(const MessageQueue& queue, ProcessQueue& pq) override;

 private:
  enum class State { kCreated, kRunning, kShutDown };

  // How background tasks reach the consumer: `self` is null once it shut down.
  struct Guard {
    absl::Mutex mu;
    PullConsumerImpl* self ABSL_GUARDED_BY(mu) = nullptr;
  };

  // An assigned queue in lite mode.
  struct LiteQueue {
    std::shared_ptr<ProcessQueue> pq;  // Its dropped flag is the rebalance's verdict.
    // Seek and re-assignment start a new loop; results of older loops are dropped.
    uint64_t generation = 0;
    int64_t next_pull_offset = 0;
    // One past what Poll has handed out: the offset to commit.
    int64_t consume_offset = -1;
    int64_t buffered = 0;      // Its messages waiting in buffer_.
    bool flow_paused = false;  // Its loop stopped for flow control; Poll restarts it.
  };

  // One pull's messages, as Poll returns them (RocketMQ's ConsumeRequest).
  struct ConsumeRequest {
    MessageQueue queue;
    uint64_t generation = 0;
    std::vector<MessageExt> msgs;
    int64_t next_offset = 0;  // The pull's nextBeginOffset.
  };

  absl::Status CheckConfig() const;
  // OK while running; FailedPrecondition before Start and after Shutdown.
  absl::Status CheckRunning() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckRunningNow() const ABSL_LOCKS_EXCLUDED(mu_);
  // The broker serving `queue`, refreshing the topic's route once if unknown.
  absl::StatusOr<std::string> BrokerAddressFor(const MessageQueue& queue);
  // Every queue whose offset this consumer is responsible for writing out.
  std::set<MessageQueue> QueuesToPersist() ABSL_LOCKS_EXCLUDED(mu_);

  // Lite mode internals (pull_consumer_lite.cc).
  // Moves the consume offsets of polled messages into the offset store.
  void CommitPolledLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropBufferedLocked(const MessageQueue& queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LitePullNow(const MessageQueue& queue, uint64_t generation);
  void LitePullLater(const MessageQueue& queue, uint64_t generation, absl::Duration delay);
  // One step of a queue's loop: issue its next pull (on the pull service thread).
  void LitePull(const MessageQueue& queue, uint64_t generation);
  void OnLitePullResponse(const MessageQueue& queue, uint64_t generation,
                          absl::StatusOr<RemotingCommand> response);
  bool IsCurrentLocked(const MessageQueue& queue, uint64_t generation) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  PullConsumerConfig config_;
  std::shared_ptr<Guard> guard_ = std::make_shared<Guard>();
  // Set by Start, read-only afterwards.
  std::shared_ptr<ClientInstance> instance_;
  std::unique_ptr<OffsetStore> offset_store_;
  std::unique_ptr<RebalanceImpl> rebalance_;

  mutable absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kCreated;
  // Lite subscriptions (topic → selector), kept for the heartbeat and restarts.
  std::map<std::string, MessageSelector> subscriptions_ ABSL_GUARDED_BY(mu_);
  // Queues given to UpdateConsumeOffset: written out with the assigned ones.
  std::set<MessageQueue> updated_queues_ ABSL_GUARDED_BY(mu_);
  std::map<MessageQueue, LiteQueue> lite_queues_ ABSL_GUARDED_BY(mu_);
  std::deque<ConsumeRequest> buffer_ ABSL_GUARDED_BY(mu_);
  uint64_t next_generation_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_PULL_CONSUMER_IMPL_H_
