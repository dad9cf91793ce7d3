// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullConsumerImpl: lifecycle, direct pulls and offsets (RocketMQ's
// DefaultMQPullConsumerImpl). Lite mode is in pull_consumer_lite.cc.

#include "client/pull_consumer_impl.h"

#include <algorithm>

#include "client/consumer_common.h"
#include "client/pull_api.h"
#include "client/queue_offset_api.h"
#include "client/subscription.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/protocol_headers.h"

namespace rmq::internal {
namespace {

// RocketMQ caps a pull at 1024 messages (the broker then at maxMsgsNumBatch).
constexpr int32_t kMaxPullNums = 1024;

}  // namespace

PullConsumerImpl::PullConsumerImpl(PullConsumerConfig config) : config_(std::move(config)) {}

PullConsumerImpl::~PullConsumerImpl() { Shutdown(); }

absl::Status PullConsumerImpl::CheckConfig() const {
  RMQ_RETURN_IF_ERROR(ValidateGroupName(config_.group_name, "pull consumer group_name"));
  if (config_.group_name == "DEFAULT_CONSUMER") {
    return absl::InvalidArgumentError(
        "pull consumer group_name DEFAULT_CONSUMER is reserved; choose a name for your group");
  }
  RMQ_RETURN_IF_ERROR(CheckRange("pull_batch_size", config_.pull_batch_size, 1, kMaxPullNums));
  RMQ_RETURN_IF_ERROR(
      CheckRange("pull_threshold_for_queue", config_.pull_threshold_for_queue, 1, 65535));
  RMQ_RETURN_IF_ERROR(CheckRange("poll_timeout_millis", config_.poll_timeout_millis, 0, INT32_MAX));
  RMQ_RETURN_IF_ERROR(CheckRange("broker_suspend_max_time_millis",
                                 config_.broker_suspend_max_time_millis, 1, INT32_MAX));
  RMQ_RETURN_IF_ERROR(CheckRange("consumer_pull_timeout_millis",
                                 config_.consumer_pull_timeout_millis, 1, INT32_MAX));
  // A held pull must be answered by the broker before the client gives up on it.
  if (config_.consumer_timeout_millis_when_suspend <= config_.broker_suspend_max_time_millis) {
    return absl::InvalidArgumentError(StrCat(
        "consumer_timeout_millis_when_suspend (", config_.consumer_timeout_millis_when_suspend,
        ") must exceed broker_suspend_max_time_millis (", config_.broker_suspend_max_time_millis,
        "): the client would give up on a pull the broker still holds"));
  }
  if (config_.consume_from_where == ConsumeFromWhere::kTimestamp &&
      !config_.consume_timestamp.empty()) {
    auto parsed = ParseConsumeTimestamp(config_.consume_timestamp);
    if (!parsed.ok()) return parsed.status();
  }
  return absl::OkStatus();
}

absl::Status PullConsumerImpl::CheckRunning() const {
  switch (state_) {
    case State::kRunning: return absl::OkStatus();
    case State::kCreated:
      return absl::FailedPreconditionError(StrCat("pull consumer of group '", config_.group_name,
                                                  "' is not started; call Start first"));
    case State::kShutDown: break;
  }
  return absl::FailedPreconditionError(StrCat("pull consumer of group '", config_.group_name,
                                              "' is shut down; create a new one"));
}

absl::Status PullConsumerImpl::CheckRunningNow() const {
  absl::MutexLock lock(&mu_);
  return CheckRunning();
}

absl::Status PullConsumerImpl::Start() {
  std::map<std::string, MessageSelector> subscriptions;
  {
    absl::MutexLock lock(&mu_);
    if (state_ == State::kRunning) {
      return absl::FailedPreconditionError(
          StrCat("pull consumer of group '", config_.group_name, "' is already started"));
    }
    if (state_ == State::kShutDown) {
      return absl::FailedPreconditionError(StrCat("pull consumer of group '", config_.group_name,
                                                  "' was shut down; create a new one"));
    }
    subscriptions = subscriptions_;
  }
  RMQ_RETURN_IF_ERROR(CheckConfig());
  auto instance = ClientInstance::GetOrCreate(config_);
  if (!instance.ok()) return instance.status();
  instance_ = std::move(*instance);
  if (config_.consume_from_where == ConsumeFromWhere::kTimestamp &&
      config_.consume_timestamp.empty()) {
    config_.consume_timestamp = absl::FormatTime(
        "%Y%m%d%H%M%S", instance_->clock().Now() - absl::Minutes(30), absl::UTCTimeZone());
  }
  offset_store_ = config_.message_model == MessageModel::kClustering
                      ? NewRemoteBrokerOffsetStore(*instance_, config_.group_name)
                      : NewLocalFileOffsetStore(*instance_, config_.group_name);
  RMQ_RETURN_IF_ERROR(offset_store_->Load());
  rebalance_ = std::make_unique<RebalanceImpl>(*instance_, config_.group_name,
                                               config_.message_model, config_.allocate_strategy,
                                               *this);
  const int64_t now = instance_->clock().NowMillis();
  for (const auto& [topic, selector] : subscriptions) {
    auto sub = BuildSubscriptionData(topic, selector, now);
    if (!sub.ok()) return sub.status();
    rebalance_->PutSubscription(std::move(*sub));
  }
  {
    absl::MutexLock guard_lock(&guard_->mu);
    guard_->self = this;
  }
  {
    absl::MutexLock lock(&mu_);
    state_ = State::kRunning;
  }
  if (absl::Status registered = instance_->RegisterConsumer(this); !registered.ok()) {
    {
      // As RocketMQ (CREATE_JUST): Start may be tried again, e.g. once the
      // member of the group holding the instance has left.
      absl::MutexLock lock(&mu_);
      state_ = State::kCreated;
    }
    absl::MutexLock guard_lock(&guard_->mu);
    guard_->self = nullptr;
    return registered;
  }
  if (!subscriptions.empty()) instance_->RebalanceNow();
  return absl::OkStatus();
}

void PullConsumerImpl::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    State previous = state_;
    state_ = State::kShutDown;
    if (previous != State::kRunning) return;
    // Kafka-style close: what Poll handed out counts as consumed.
    if (config_.auto_commit) CommitPolledLocked();
  }
  // Waits for a pull task that is running; later ones find no consumer.
  {
    absl::MutexLock guard_lock(&guard_->mu);
    guard_->self = nullptr;
  }
  PersistConsumerOffsets();
  instance_->UnregisterConsumer(this);
  rebalance_->DropAll();
  absl::MutexLock lock(&mu_);
  lite_queues_.clear();
  buffer_.clear();
}

std::set<MessageQueue> PullConsumerImpl::QueuesToPersist() {
  std::set<MessageQueue> queues = rebalance_->AssignedQueues();
  absl::MutexLock lock(&mu_);
  queues.insert(updated_queues_.begin(), updated_queues_.end());
  return queues;
}

void PullConsumerImpl::PersistConsumerOffsets() {
  if (rebalance_ == nullptr || offset_store_ == nullptr) return;
  offset_store_->PersistAll(QueuesToPersist());
}

ConsumerData PullConsumerImpl::BuildConsumerData() const {
  return MakeConsumerData(config_.group_name, "CONSUME_ACTIVELY", config_.message_model,
                          config_.consume_from_where, rebalance_.get());
}

std::vector<std::string> PullConsumerImpl::SubscribedTopics() const {
  return SubscribedTopicsOf(rebalance_.get());
}

void PullConsumerImpl::OnSubscribeQueuesChanged(const std::string& topic,
                                                const std::vector<MessageQueue>& queues) {
  if (rebalance_) rebalance_->SetTopicQueues(topic, queues);
}

void PullConsumerImpl::DoRebalance() {
  if (!CheckRunningNow().ok()) return;
  rebalance_->DoRebalance();
}

absl::StatusOr<std::vector<MessageQueue>> PullConsumerImpl::FetchSubscribeMessageQueues(
    std::string_view topic) {
  RMQ_RETURN_IF_ERROR(CheckRunningNow());
  if (topic.empty()) return absl::InvalidArgumentError("topic is empty");
  // Always from the name server, as MQAdminImpl does: the caller wants the
  // queues as they are now, not as the last refresh saw them.
  RMQ_RETURN_IF_ERROR(instance_->UpdateTopicRoute(std::string(topic)));
  auto queues = instance_->GetSubscribeQueues(std::string(topic));
  if (!queues.ok()) return queues.status();
  if (queues->empty()) {
    return absl::NotFoundError(StrCat("topic '", topic, "' has no readable queue on any broker"));
  }
  std::sort(queues->begin(), queues->end());
  return queues;
}

absl::StatusOr<std::string> PullConsumerImpl::BrokerAddressFor(const MessageQueue& queue) {
  std::string addr = instance_->FindBrokerAddressInSubscribe(queue.broker_name);
  if (!addr.empty()) return addr;
  absl::Status updated = instance_->UpdateTopicRoute(queue.topic);
  addr = instance_->FindBrokerAddressInSubscribe(queue.broker_name);
  if (!addr.empty()) return addr;
  return absl::NotFoundError(StrCat(
      "broker '", queue.broker_name, "' of ", queue.ToString(), " is unknown",
      updated.ok() ? std::string(": the route of topic '") + queue.topic + "' does not name it"
                   : StrCat(": ", StdView(updated.message()))));
}

absl::StatusOr<PullResult> PullConsumerImpl::Pull(const MessageQueue& queue,
                                                  const MessageSelector& selector, int64_t offset,
                                                  int32_t max_nums, bool block) {
  RMQ_RETURN_IF_ERROR(CheckRunningNow());
  if (offset < 0) {
    return absl::InvalidArgumentError(
        StrCat("pull of ", queue.ToString(), ": offset is ", offset, "; it must be >= 0"));
  }
  if (max_nums < 1 || max_nums > kMaxPullNums) {
    return absl::InvalidArgumentError(StrCat("pull of ", queue.ToString(), ": max_nums is ",
                                             max_nums, "; it must be within [1, ", kMaxPullNums,
                                             "]"));
  }
  auto sub = BuildSubscriptionData(queue.topic, selector, instance_->clock().NowMillis());
  if (!sub.ok()) return sub.status();
  auto addr = BrokerAddressFor(queue);
  if (!addr.ok()) return addr.status();

  // The expression travels with the pull (subscription flag), so the broker
  // filters without needing this group's heartbeat.
  PullRequestArgs args;
  args.group = config_.group_name;
  args.queue = queue;
  args.subscription = &*sub;
  args.offset = offset;
  args.max_nums = max_nums;
  args.sys_flag = pull_sysflag::kSubscription;
  int64_t timeout = config_.consumer_pull_timeout_millis;
  if (block) {
    args.sys_flag |= pull_sysflag::kSuspend;
    args.suspend_timeout_millis = config_.broker_suspend_max_time_millis;
    timeout = config_.consumer_timeout_millis_when_suspend;
  }
  auto response = instance_->transport().InvokeSync(*addr, BuildPullRequest(args),
                                                    absl::Milliseconds(timeout));
  if (!response.ok()) return response.status();
  return ProcessPullResponse(*response, queue, *sub);
}

absl::StatusOr<int64_t> PullConsumerImpl::FetchConsumeOffset(const MessageQueue& queue,
                                                             bool from_store) {
  RMQ_RETURN_IF_ERROR(CheckRunningNow());
  const int64_t offset = offset_store_->ReadOffset(
      queue, from_store ? ReadOffsetType::kReadFromStore : ReadOffsetType::kMemoryFirstThenStore);
  if (offset == kOffsetReadError) {
    return absl::UnavailableError(StrCat("cannot read the committed offset of ", queue.ToString(),
                                         " for group '", config_.group_name, "' from ",
                                         config_.message_model == MessageModel::kClustering
                                             ? StrCat("broker ", queue.broker_name)
                                             : std::string("the local offset file")));
  }
  return offset;
}

absl::Status PullConsumerImpl::UpdateConsumeOffset(const MessageQueue& queue, int64_t offset) {
  absl::MutexLock lock(&mu_);
  RMQ_RETURN_IF_ERROR(CheckRunning());
  if (offset < 0) {
    return absl::InvalidArgumentError(StrCat("consume offset of ", queue.ToString(), " is ",
                                             offset, "; it must be >= 0"));
  }
  offset_store_->UpdateOffset(queue, offset, /*increase_only=*/false);
  updated_queues_.insert(queue);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> PullConsumerImpl::ComputePullFromWhere(const MessageQueue& queue) {
  return ComputeStartOffset(*instance_, *offset_store_, config_.group_name,
                            config_.consume_from_where, config_.consume_timestamp, queue);
}

}  // namespace rmq::internal
