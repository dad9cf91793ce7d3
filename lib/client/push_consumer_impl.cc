// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/push_consumer_impl.h"

#include "absl/time/clock.h"
#include "client/consumer_common.h"
#include "client/pull_api.h"
#include "client/pull_message_service.h"
#include "client/queue_offset_api.h"
#include "client/send_request.h"
#include "client/subscription.h"
#include "client/trace/trace_hooks.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// RocketMQ's DefaultMQPushConsumerImpl delays.
constexpr absl::Duration kDelayWhenFlowControl = absl::Milliseconds(50);
constexpr absl::Duration kDelayWhenException = absl::Milliseconds(3000);
constexpr absl::Duration kDelayBeforeOffsetReset = absl::Milliseconds(10000);
constexpr int32_t kDefaultMaxReconsumeTimes = 16;
// RebalancePushImpl.UNLOCK_DELAY_TIME_MILLS.
constexpr absl::Duration kUnlockDelay = absl::Milliseconds(20000);
// MixAll.CLIENT_INNER_PRODUCER_GROUP: the group of a consumer's own sends.
constexpr const char* kClientInnerProducerGroup = "CLIENT_INNER_PRODUCER";

}  // namespace

PushConsumerImpl::PushConsumerImpl(PushConsumerConfig config)
    : config_(std::move(config)),
      batch_pool_(MessageBatchPool::ForFlowControl(config_.pull_threshold_for_queue)) {}

PushConsumerImpl::~PushConsumerImpl() { Shutdown(); }

absl::Status PushConsumerImpl::Subscribe(std::string_view topic, const MessageSelector& selector) {
  // Validate now, so the caller learns of a bad topic or expression here.
  auto sub = BuildSubscriptionData(topic, selector, 0);
  if (!sub.ok()) return sub.status();
  bool running;
  {
    absl::MutexLock lock(&mu_);
    if (state_ == State::kShutDown) return absl::FailedPreconditionError("the consumer is shut down");
    pending_subscriptions_.insert_or_assign(std::string(topic), selector);
    running = state_ == State::kRunning;
  }
  if (running) {
    sub->sub_version = instance_->clock().NowMillis();
    rebalance_->PutSubscription(std::move(*sub));
    (void)instance_->UpdateTopicRoute(std::string(topic));
    instance_->SendHeartbeatToAllBrokers();
  }
  return absl::OkStatus();
}

void PushConsumerImpl::Unsubscribe(std::string_view topic) {
  bool running;
  {
    absl::MutexLock lock(&mu_);
    pending_subscriptions_.erase(std::string(topic));
    running = state_ == State::kRunning;
  }
  if (running) rebalance_->RemoveSubscription(std::string(topic));
}

void PushConsumerImpl::RegisterMessageListener(MessageListenerConcurrently listener) {
  absl::MutexLock lock(&mu_);
  listener_ = std::move(listener);
  orderly_listener_ = nullptr;
}

void PushConsumerImpl::RegisterMessageListener(MessageListenerOrderly listener) {
  absl::MutexLock lock(&mu_);
  orderly_listener_ = std::move(listener);
  listener_ = nullptr;
}

absl::Status PushConsumerImpl::CheckConfig() const {
  RMQ_RETURN_IF_ERROR(ValidateGroupName(config_.group_name, "consumer group_name"));
  if (config_.group_name == "DEFAULT_CONSUMER") {
    return absl::InvalidArgumentError(
        "consumer group_name DEFAULT_CONSUMER is reserved; choose a name for your group");
  }
  RMQ_RETURN_IF_ERROR(CheckRange("consume_thread_min", config_.consume_thread_min, 1, 1000));
  RMQ_RETURN_IF_ERROR(CheckRange("consume_thread_max", config_.consume_thread_max, 1, 1000));
  if (config_.consume_thread_min > config_.consume_thread_max) {
    return absl::InvalidArgumentError(StrCat("consume_thread_min ", config_.consume_thread_min,
                                             " exceeds consume_thread_max ",
                                             config_.consume_thread_max));
  }
  RMQ_RETURN_IF_ERROR(CheckRange("consume_concurrently_max_span",
                                 config_.consume_concurrently_max_span, 1, 65535));
  RMQ_RETURN_IF_ERROR(CheckRange("pull_threshold_for_queue", config_.pull_threshold_for_queue, 1, 65535));
  RMQ_RETURN_IF_ERROR(CheckRange("pull_threshold_size_for_queue",
                                 config_.pull_threshold_size_for_queue, 1, 1024));
  RMQ_RETURN_IF_ERROR(CheckRange("pull_interval", config_.pull_interval, 0, 65535));
  RMQ_RETURN_IF_ERROR(CheckRange("consume_message_batch_max_size",
                                 config_.consume_message_batch_max_size, 1, 1024));
  RMQ_RETURN_IF_ERROR(CheckRange("pull_batch_size", config_.pull_batch_size, 1, 1024));
  if (config_.consume_from_where == ConsumeFromWhere::kTimestamp &&
      !config_.consume_timestamp.empty()) {
    auto parsed = ParseConsumeTimestamp(config_.consume_timestamp);
    if (!parsed.ok()) return parsed.status();
  }
  return absl::OkStatus();
}

absl::Status PushConsumerImpl::Start() {
  MessageListenerConcurrently listener;
  MessageListenerOrderly orderly_listener;
  std::map<std::string, MessageSelector> subscriptions;
  {
    absl::MutexLock lock(&mu_);
    if (state_ == State::kRunning) return absl::FailedPreconditionError("the consumer is already started");
    if (state_ == State::kShutDown) {
      return absl::FailedPreconditionError("the consumer was shut down; create a new one");
    }
    if (!listener_ && !orderly_listener_) {
      return absl::FailedPreconditionError(
          StrCat("consumer group '", config_.group_name,
                 "': no message listener; call RegisterMessageListener before Start"));
    }
    if (pending_subscriptions_.empty()) {
      return absl::FailedPreconditionError(StrCat("consumer group '", config_.group_name,
                                                  "': no subscription; call Subscribe before Start"));
    }
    listener = listener_;
    orderly_listener = orderly_listener_;
    subscriptions = pending_subscriptions_;
  }
  RMQ_RETURN_IF_ERROR(CheckConfig());
  if (config_.enable_msg_trace) {
    if (!trace_) {
      auto trace =
          TraceDispatcher::Start(config_, config_.group_name, config_.customized_trace_topic);
      if (!trace.ok()) return trace.status();
      trace_ = std::move(*trace);
    }
    if (listener) listener = TracedListener(std::move(listener), trace_.get(), config_.group_name);
    if (orderly_listener) {
      orderly_listener =
          TracedListener(std::move(orderly_listener), trace_.get(), config_.group_name);
    }
  }
  consume_orderly_ = orderly_listener != nullptr;
  auto instance = ClientInstance::GetOrCreate(config_);
  if (!instance.ok()) return instance.status();
  instance_ = std::move(*instance);
  if (config_.consume_from_where == ConsumeFromWhere::kTimestamp && config_.consume_timestamp.empty()) {
    config_.consume_timestamp = absl::FormatTime(
        "%Y%m%d%H%M%S", instance_->clock().Now() - absl::Minutes(30), absl::UTCTimeZone());
  }
  offset_store_ = config_.message_model == MessageModel::kClustering
                      ? NewRemoteBrokerOffsetStore(*instance_, config_.group_name)
                      : NewLocalFileOffsetStore(*instance_, config_.group_name);
  RMQ_RETURN_IF_ERROR(offset_store_->Load());
  rebalance_ = std::make_unique<RebalanceImpl>(*instance_, config_.group_name, config_.message_model,
                                               config_.allocate_strategy, *this);
  rebalance_->set_consume_orderly(consume_orderly_);
  const int64_t now = instance_->clock().NowMillis();
  std::vector<SubscriptionData> to_check;
  for (const auto& [topic, selector] : subscriptions) {
    auto sub = BuildSubscriptionData(topic, selector, now);
    if (!sub.ok()) return sub.status();
    if (sub->expression_type != "TAG") to_check.push_back(*sub);
    rebalance_->PutSubscription(std::move(*sub));
  }
  // Before anything runs: a broker that cannot serve a SQL92 subscription
  // fails Start (RocketMQ's checkClientInBroker).
  RMQ_RETURN_IF_ERROR(CheckClientInBroker(*instance_, config_.group_name, to_check));
  if (config_.message_model == MessageModel::kClustering) {
    // Messages sent back for redelivery come through the group's retry topic.
    auto retry = BuildSubscriptionData(RetryTopic(config_.group_name), kSubAll, now);
    if (retry.ok()) rebalance_->PutSubscription(std::move(*retry));
  }
  if (consume_orderly_) {
    dlq_ids_ = std::make_unique<UniqKeyGenerator>(instance_->clock(),
                                                  HostAddress::Ipv4(127, 0, 0, 1, 0));
    ConsumeOrderlyService::Options options;
    options.threads = config_.consume_thread_min;
    options.batch_size = config_.consume_message_batch_max_size;
    options.suspend_millis = config_.suspend_current_queue_time_millis;
    options.max_reconsume_times = config_.max_reconsume_times;
    orderly_service_ = std::make_unique<ConsumeOrderlyService>(
        *this, std::move(orderly_listener), instance_->shared_clock(), options);
    orderly_service_->Start();
  } else {
    consume_service_ = std::make_unique<ConsumeConcurrentlyService>(
        *this, std::move(listener), instance_->shared_clock(), config_.consume_thread_min,
        config_.consume_message_batch_max_size);
    consume_service_->Start();
  }
  {
    absl::MutexLock lock(&mu_);
    state_ = State::kRunning;
  }
  if (absl::Status registered = instance_->RegisterConsumer(this); !registered.ok()) {
    // As RocketMQ (CREATE_JUST): Start may be tried again, e.g. once the
    // member of the group holding the instance has left.
    absl::MutexLock lock(&mu_);
    state_ = State::kCreated;
    if (consume_service_) consume_service_->Shutdown();
    if (orderly_service_) orderly_service_->Shutdown();
    return registered;
  }
  instance_->RebalanceNow();
  return absl::OkStatus();
}

void PushConsumerImpl::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    State previous = state_;
    state_ = State::kShutDown;
    if (previous != State::kRunning) return;
  }
  if (consume_service_) consume_service_->Shutdown();
  if (orderly_service_) orderly_service_->Shutdown();
  PersistConsumerOffsets();
  // An orderly member releases its queue locks once its offsets are
  // committed, so the next owner starts from them.
  if (orderly_service_ && config_.message_model == MessageModel::kClustering) {
    rebalance_->UnlockAll(/*oneway=*/false);
  }
  instance_->UnregisterConsumer(this);
  rebalance_->DropAll();
  // After the listeners: their SubAfter records are queued; these go out now.
  if (trace_) trace_->Shutdown();
}

ConsumerData PushConsumerImpl::BuildConsumerData() const {
  return MakeConsumerData(config_.group_name, "CONSUME_PASSIVELY", config_.message_model,
                          config_.consume_from_where, rebalance_.get());
}

std::vector<std::string> PushConsumerImpl::SubscribedTopics() const {
  return SubscribedTopicsOf(rebalance_.get());
}

void PushConsumerImpl::OnSubscribeQueuesChanged(const std::string& topic,
                                                const std::vector<MessageQueue>& queues) {
  if (rebalance_) rebalance_->SetTopicQueues(topic, queues);
}

void PushConsumerImpl::DoRebalance() {
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kRunning) return;
  }
  rebalance_->DoRebalance();
}

void PushConsumerImpl::PersistConsumerOffsets() {
  if (rebalance_ && offset_store_) offset_store_->PersistAll(rebalance_->AssignedQueues());
}

absl::StatusOr<int64_t> PushConsumerImpl::ComputePullFromWhere(const MessageQueue& queue) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = reset_offsets_.find(queue); it != reset_offsets_.end()) {
      const int64_t offset = it->second;
      reset_offsets_.erase(it);
      return offset;
    }
  }
  return ComputeStartOffset(*instance_, *offset_store_, config_.group_name,
                            config_.consume_from_where, config_.consume_timestamp, queue);
}

void PushConsumerImpl::ResetOffset(const std::string& topic,
                                   const std::map<MessageQueue, int64_t>& offsets) {
  // As MQClientInstance.resetOffset: stop the queues (their pulls and
  // commits see them dropped), record the new offsets and forget the queues;
  // the rebalance that follows assigns them again, from these offsets.
  auto assigned = rebalance_->ProcessQueues();
  for (const auto& [queue, offset] : offsets) {
    if (queue.topic != topic) continue;
    auto it = assigned.find(queue);
    if (it == assigned.end()) continue;  // another member's
    it->second->set_dropped(true);
    offset_store_->UpdateOffset(queue, offset, /*increase_only=*/false);
    offset_store_->Persist(queue);
    {
      absl::MutexLock lock(&mu_);
      reset_offsets_[queue] = offset;
    }
    rebalance_->RemoveProcessQueue(queue);
  }
}

void PushConsumerImpl::OnQueueAdded(const MessageQueue& queue, std::shared_ptr<ProcessQueue> pq,
                                    int64_t offset) {
  PullNow(PullRequest{queue, std::move(pq), offset});
}

bool PushConsumerImpl::RemoveUnnecessaryQueue(const MessageQueue& queue, ProcessQueue& pq) {
  offset_store_->Persist(queue);
  offset_store_->RemoveOffset(queue);
  if (!consume_orderly_ || config_.message_model != MessageModel::kClustering) return true;
  // RebalancePushImpl: release the broker's lock once no batch of the queue
  // is being consumed (waiting up to 1 s; else keep the queue and try again
  // at the next rebalance). With messages still cached, the lock is kept
  // 20 s more, so a slow listener's batch cannot overlap the next owner's.
  // (A real-time wait, as RocketMQ's tryLock(1000 ms): it waits for a
  // listener, not for a timer.)
  const absl::Time deadline = absl::Now() + absl::Seconds(1);
  while (!pq.consume_lock().TryLock()) {
    if (absl::Now() >= deadline) {
      spdlog::warn("group {}: {} is being consumed; unlocking it later", config_.group_name,
                   queue.ToString());
      return false;
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  const bool delay = pq.HasTempMessage();
  pq.consume_lock().Unlock();
  if (delay) {
    std::weak_ptr<PushConsumerImpl> weak = weak_from_this();
    instance_->clock().ScheduleAfter(kUnlockDelay, [weak, queue] {
      if (auto self = weak.lock()) self->rebalance_->Unlock(queue, /*oneway=*/true);
    });
  } else {
    rebalance_->Unlock(queue, /*oneway=*/true);
  }
  return true;
}

void PushConsumerImpl::SetProgress(const MessageQueue& queue, int64_t offset) {
  offset_store_->UpdateOffset(queue, offset, /*increase_only=*/false);
}

bool PushConsumerImpl::LockQueue(const MessageQueue& queue) {
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kRunning) return false;
  }
  return rebalance_->Lock(queue);
}

void PushConsumerImpl::LockAllQueues() {
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kRunning) return;
  }
  rebalance_->LockAll();
}

absl::Status PushConsumerImpl::SendToDeadLetter(const MessageExt& msg, const MessageQueue& queue,
                                                int32_t max_reconsume_times) {
  // ConsumeMessageOrderlyService.sendMessageBack: the message goes to the
  // retry topic as a new send carrying its reconsume count; at or past
  // maxReconsumeTimes the broker stores it in %DLQ%group instead.
  std::string addr = instance_->FindBrokerAddressInPublish(queue.broker_name);
  if (addr.empty()) return absl::UnavailableError(StrCat("broker ", queue.broker_name, " is unknown"));
  Message copy;
  copy.set_topic(RetryTopic(config_.group_name));
  copy.set_body(msg.body());
  copy.set_flag(msg.flag());
  copy.mutable_properties() = msg.properties();
  std::string origin(msg.GetProperty(property::kOriginMessageId));
  if (origin.empty()) origin = std::string(msg.GetProperty(property::kUniqKey));
  if (origin.empty()) origin = msg.OffsetMsgId();
  copy.PutProperty(property::kOriginMessageId, std::move(origin));
  copy.PutProperty(property::kRetryTopic, msg.topic());
  copy.PutProperty(property::kReconsumeTime, std::to_string(msg.reconsume_times));
  copy.PutProperty(property::kMaxReconsumeTimes, std::to_string(max_reconsume_times));
  copy.set_delay_time_level(3 + msg.reconsume_times);
  ProducerConfig producer_config;
  producer_config.group_name = kClientInnerProducerGroup;
  PreparedSend send;
  RMQ_RETURN_IF_ERROR(send.PrepareMessage(copy, producer_config, *dlq_ids_));
  MessageQueue target{copy.topic(), queue.broker_name, 0};
  auto response = instance_->transport().InvokeSync(
      addr, send.BuildRequest(target, producer_config, instance_->clock().NowMillis(),
                              send.BodyFor(addr, nullptr)),
      absl::Milliseconds(instance_->config().mq_client_api_timeout));
  if (!response.ok()) return response.status();
  int32_t broker_code = 0;
  auto result = ParseSendResponse(*response, send, target, addr, &broker_code);
  return result.ok() ? absl::OkStatus() : result.status();
}

void PushConsumerImpl::CommitProgress(const MessageQueue& queue, int64_t offset) {
  offset_store_->UpdateOffset(queue, offset, /*increase_only=*/true);
}

absl::Status PushConsumerImpl::SendMessageBack(const MessageExt& msg, const MessageQueue& queue,
                                               int32_t delay_level) {
  std::string addr = instance_->FindBrokerAddressInPublish(queue.broker_name);
  if (addr.empty()) return absl::UnavailableError(StrCat("broker ", queue.broker_name, " is unknown"));
  auto header = std::make_unique<ConsumerSendMsgBackRequestHeader>();
  header->offset = msg.commit_log_offset;
  header->group = config_.group_name;
  header->delay_level = delay_level;
  header->origin_msg_id = std::string(msg.GetProperty(property::kUniqKey));
  header->origin_topic = msg.topic();
  header->max_reconsume_times = config_.max_reconsume_times < 0 ? kDefaultMaxReconsumeTimes
                                                                : config_.max_reconsume_times;
  auto response = instance_->transport().InvokeSync(
      addr, RemotingCommand::Request(request_code::kConsumerSendMsgBack, std::move(header)),
      absl::Milliseconds(instance_->config().mq_client_api_timeout));
  if (!response.ok()) return response.status();
  return ResponseToStatus(*response, "send message back");
}

void PushConsumerImpl::PullNow(PullRequest request) {
  std::weak_ptr<PushConsumerImpl> weak = weak_from_this();
  instance_->pull_service().Execute([weak, request = std::move(request)]() mutable {
    if (auto self = weak.lock()) self->PullMessage(std::move(request));
  });
}

void PushConsumerImpl::PullLater(PullRequest request, absl::Duration delay) {
  std::weak_ptr<PushConsumerImpl> weak = weak_from_this();
  instance_->pull_service().ExecuteLater(
      [weak, request = std::move(request)]() mutable {
        if (auto self = weak.lock()) self->PullMessage(std::move(request));
      },
      delay);
}

void PushConsumerImpl::PullMessage(PullRequest request) {
  ProcessQueue& pq = *request.pq;
  if (pq.dropped()) return;
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kRunning) return;
  }
  pq.set_last_pull_ms(instance_->clock().NowMillis());
  // Flow control: let the listeners catch up before pulling more.
  const int64_t threshold_bytes = int64_t{config_.pull_threshold_size_for_queue} * 1024 * 1024;
  if (pq.cached_count() > config_.pull_threshold_for_queue ||
      pq.cached_bytes() > threshold_bytes ||
      (!consume_orderly_ && pq.MaxSpan() > config_.consume_concurrently_max_span)) {
    if (consume_orderly_) {
      PullLater(std::move(request), kDelayWhenFlowControl);
      return;
    }
    // RocketMQ tries again 50 ms later, and so do we; but a listener that
    // brings the queue back to half its limits first (room for a few pulls)
    // resumes it at once. Without that, a fast consumer spent most of a
    // burst waiting: at full speed the 50 ms pauses halved what one push
    // consumer received.
    std::weak_ptr<PushConsumerImpl> weak = weak_from_this();
    std::weak_ptr<ProcessQueue> weak_pq = request.pq;
    const ProcessQueue::ResumeBelow below{config_.pull_threshold_for_queue / 2, threshold_bytes / 2,
                                          config_.consume_concurrently_max_span / 2};
    pq.ParkPull(below, [weak, request = std::move(request)]() mutable {
      if (auto self = weak.lock()) self->PullNow(std::move(request));
    });
    instance_->pull_service().ExecuteLater(
        [weak_pq] {
          auto parked_pq = weak_pq.lock();
          if (!parked_pq) return;
          if (auto parked = parked_pq->TakeParked()) std::move(parked)();
        },
        kDelayWhenFlowControl);
    return;
  }
  if (consume_orderly_) {
    // An orderly queue is pulled only while locked at the broker; the first
    // pull after the lock was taken starts from the committed offset (the
    // previous owner's progress).
    if (!pq.locked()) {
      PullLater(std::move(request), kDelayWhenException);
      return;
    }
    if (!request.previously_locked) {
      auto offset = ComputePullFromWhere(request.queue);
      if (!offset.ok()) {
        PullLater(std::move(request), kDelayWhenException);
        return;
      }
      request.previously_locked = true;
      request.next_offset = *offset;
    }
  }
  std::shared_ptr<const SubscriptionData> sub = rebalance_->FindSubscription(request.queue.topic);
  if (sub == nullptr) {
    PullLater(std::move(request), kDelayWhenException);
    return;
  }
  std::string addr = instance_->FindBrokerAddressInSubscribe(request.queue.broker_name);
  if (addr.empty()) {
    (void)instance_->UpdateTopicRoute(request.queue.topic);
    PullLater(std::move(request), kDelayWhenException);
    return;
  }
  PullRequestArgs args;
  args.group = config_.group_name;
  args.queue = request.queue;
  args.offset = request.next_offset;
  args.max_nums = config_.pull_batch_size;
  args.suspend_timeout_millis = kBrokerSuspendMaxTimeMillis;
  args.sys_flag = pull_sysflag::kSuspend;
  if (config_.message_model == MessageModel::kClustering) {
    int64_t committed = offset_store_->ReadOffset(request.queue, ReadOffsetType::kReadFromMemory);
    if (committed > 0) {
      args.sys_flag |= pull_sysflag::kCommitOffset;
      args.commit_offset = committed;
    }
  }
  if (config_.post_subscription_when_pull && !sub->class_filter_mode) {
    args.sys_flag |= pull_sysflag::kSubscription;
  }
  args.subscription = sub.get();  // Its subVersion goes with every pull.
  std::weak_ptr<PushConsumerImpl> weak = weak_from_this();
  instance_->transport().InvokeAsync(
      addr, BuildPullRequest(args), absl::Milliseconds(kConsumerTimeoutMillisWhenSuspend),
      [weak, request = std::move(request)](absl::StatusOr<RemotingCommand> response) mutable {
        auto self = weak.lock();
        if (!self) return;
        // Back to the pull service thread: this may be a broker's thread.
        self->instance_->pull_service().Execute(
            [weak, request = std::move(request), response = std::move(response)]() mutable {
              if (auto self = weak.lock()) self->OnPullResponse(std::move(request), std::move(response));
            });
      });
}

void PushConsumerImpl::OnPullResponse(PullRequest request, absl::StatusOr<RemotingCommand> response) {
  if (request.pq->dropped()) return;
  std::shared_ptr<const SubscriptionData> sub = rebalance_->FindSubscription(request.queue.topic);
  if (!response.ok() || sub == nullptr) {
    if (!response.ok()) {
      spdlog::debug("pull of {} failed: {}", request.queue.ToString(), response.status().ToString());
    }
    PullLater(std::move(request), kDelayWhenException);
    return;
  }
  auto result = ProcessPullResponse(*response, request.queue, *sub, batch_pool_->Take());
  if (!result.ok()) {
    spdlog::warn("group {}: pull of {}: {}", config_.group_name, request.queue.ToString(),
                 result.status().ToString());
    PullLater(std::move(request), kDelayWhenException);
    return;
  }
  request.next_offset = result->next_begin_offset;
  switch (result->pull_status) {
    case PullStatus::kFound: {
      if (result->msgs.empty()) break;  // All filtered out on the client.
      const std::string retry_topic = RetryTopic(config_.group_name);
      for (MessageExt& msg : result->msgs) {
        // A redelivered message shows its original topic to the listener.
        std::string_view original = msg.GetProperty(property::kRetryTopic);
        if (!original.empty() && msg.topic() == retry_topic) msg.set_topic(std::string(original));
      }
      if (consume_orderly_) {
        const bool dispatch = request.pq->PutMessagesOrderly(result->msgs);
        batch_pool_->Recycle(std::move(result->msgs));  // The process queue has copies.
        orderly_service_->Submit(request.pq, request.queue, dispatch);
      } else {
        auto msgs = batch_pool_->Share(std::move(result->msgs));
        request.pq->PutMessages(*msgs);
        consume_service_->Submit(std::move(msgs), request.pq, request.queue);
      }
      if (config_.pull_interval > 0) {
        PullLater(std::move(request), absl::Milliseconds(config_.pull_interval));
        return;
      }
      break;
    }
    case PullStatus::kNoNewMsg:
    case PullStatus::kNoMatchedMsg:
      // Nothing to consume up to next_offset: that is progress too.
      if (request.pq->cached_count() == 0) {
        offset_store_->UpdateOffset(request.queue, request.next_offset, /*increase_only=*/true);
      }
      break;
    case PullStatus::kOffsetIllegal: {
      spdlog::warn("group {}: offset {} of {} is illegal; restarting at {}", config_.group_name,
                   request.next_offset, request.queue.ToString(), result->next_begin_offset);
      request.pq->set_dropped(true);
      std::weak_ptr<PushConsumerImpl> weak = weak_from_this();
      MessageQueue queue = request.queue;
      int64_t next = result->next_begin_offset;
      instance_->pull_service().ExecuteLater(
          [weak, queue, next] {
            auto self = weak.lock();
            if (!self) return;
            self->offset_store_->UpdateOffset(queue, next, /*increase_only=*/false);
            self->offset_store_->Persist(queue);
            self->rebalance_->RemoveProcessQueue(queue);
            self->instance_->RebalanceSoon();
          },
          kDelayBeforeOffsetReset);
      return;
    }
  }
  PullNow(std::move(request));
}

}  // namespace rmq::internal
