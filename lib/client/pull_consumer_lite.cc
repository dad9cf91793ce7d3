// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullConsumerImpl's lite mode (RocketMQ's DefaultLitePullConsumerImpl):
// subscriptions, the per-queue background pull loops (its PullTaskImpl),
// the buffer Poll takes from, Seek and commits.
//
// Offsets: each assigned queue has a consume offset, one past the last pull
// result Poll handed out. With auto_commit, each Poll first moves those into
// the offset store (so what a Poll returned is committed by the next one, as
// RocketMQ does); CommitSync moves them and writes them out at once. A pull
// that finds nothing to hand out while nothing of the queue is buffered moves
// the consume offset to its next offset: the messages skipped were filtered
// out, and a group that consumes a rare tag still makes progress.

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/time/clock.h"
#include "client/pull_api.h"
#include "client/pull_consumer_impl.h"
#include "client/pull_message_service.h"
#include "client/queue_offset_api.h"
#include "client/subscription.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/protocol_headers.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// RocketMQ's DefaultLitePullConsumer pullTimeDelayMillsWhenException.
constexpr absl::Duration kLitePullDelayWhenException = absl::Milliseconds(1000);

}  // namespace

absl::Status PullConsumerImpl::Subscribe(std::string_view topic, const MessageSelector& selector) {
  // Validate now, so the caller learns of a bad topic or expression here.
  auto sub = BuildSubscriptionData(topic, selector, 0);
  if (!sub.ok()) return sub.status();
  bool running;
  {
    absl::MutexLock lock(&mu_);
    if (state_ == State::kShutDown) return CheckRunning();
    subscriptions_.insert_or_assign(std::string(topic), selector);
    running = state_ == State::kRunning;
  }
  if (running) {
    sub->sub_version = instance_->clock().NowMillis();
    rebalance_->PutSubscription(std::move(*sub));
    absl::Status routed = instance_->UpdateTopicRoute(std::string(topic));
    if (!routed.ok()) spdlog::warn("group {}: {}", config_.group_name, routed.ToString());
    instance_->SendHeartbeatToAllBrokers();
    // Take this member's share now rather than at the next 20 s rebalance.
    instance_->RebalanceNow();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<MessageQueue>> PullConsumerImpl::Assignment() {
  RMQ_RETURN_IF_ERROR(CheckRunningNow());
  std::set<MessageQueue> assigned = rebalance_->AssignedQueues();
  return std::vector<MessageQueue>(assigned.begin(), assigned.end());
}

void PullConsumerImpl::CommitPolledLocked() {
  for (const auto& [queue, lq] : lite_queues_) {
    if (lq.consume_offset >= 0) {
      offset_store_->UpdateOffset(queue, lq.consume_offset, /*increase_only=*/false);
    }
  }
}

void PullConsumerImpl::DropBufferedLocked(const MessageQueue& queue) {
  std::erase_if(buffer_, [&queue](const ConsumeRequest& r) { return r.queue == queue; });
  auto it = lite_queues_.find(queue);
  if (it != lite_queues_.end()) it->second.buffered = 0;
}

bool PullConsumerImpl::IsCurrentLocked(const MessageQueue& queue, uint64_t generation) const {
  if (state_ != State::kRunning) return false;
  auto it = lite_queues_.find(queue);
  return it != lite_queues_.end() && it->second.generation == generation &&
         !it->second.pq->dropped();
}

absl::StatusOr<std::vector<MessageExt>> PullConsumerImpl::Poll(absl::Duration timeout) {
  if (timeout < absl::ZeroDuration()) timeout = absl::Milliseconds(config_.poll_timeout_millis);
  // The caller's wait is in real time, whatever clock drives the pulls.
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<MessageExt> msgs;
  std::optional<std::pair<MessageQueue, uint64_t>> resume;
  {
    absl::MutexLock lock(&mu_);
    RMQ_RETURN_IF_ERROR(CheckRunning());
    if (subscriptions_.empty()) {
      return absl::FailedPreconditionError(StrCat("pull consumer of group '", config_.group_name,
                                                  "' has no subscription; call Subscribe first"));
    }
    if (config_.auto_commit) CommitPolledLocked();
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !buffer_.empty() || state_ != State::kRunning;
    };
    mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
    RMQ_RETURN_IF_ERROR(CheckRunning());
    if (buffer_.empty()) return msgs;
    ConsumeRequest request = std::move(buffer_.front());
    buffer_.pop_front();
    // Seek and queue removal purge the buffer, so the request is current.
    LiteQueue& lq = lite_queues_.at(request.queue);
    lq.buffered -= static_cast<int64_t>(request.msgs.size());
    lq.consume_offset = request.next_offset;
    if (lq.flow_paused && lq.buffered <= config_.pull_threshold_for_queue) {
      lq.flow_paused = false;
      resume.emplace(request.queue, lq.generation);
    }
    msgs = std::move(request.msgs);
  }
  if (resume) LitePullNow(resume->first, resume->second);
  return msgs;
}

absl::Status PullConsumerImpl::Seek(const MessageQueue& queue, int64_t offset) {
  RMQ_RETURN_IF_ERROR(CheckRunningNow());
  if (!rebalance_->AssignedQueues().contains(queue)) {
    return absl::InvalidArgumentError(
        StrCat("seek: ", queue.ToString(), " is not assigned to this member of group '",
               config_.group_name, "' (subscribe to its topic; a rebalance may have moved it)"));
  }
  auto min = QueryMinOffset(*instance_, queue);
  if (!min.ok()) return min.status();
  auto max = QueryMaxOffset(*instance_, queue);
  if (!max.ok()) return max.status();
  if (offset < *min || offset > *max) {
    return absl::InvalidArgumentError(StrCat("seek: offset ", offset, " of ", queue.ToString(),
                                             " is outside [", *min, ", ", *max, "]"));
  }
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    RMQ_RETURN_IF_ERROR(CheckRunning());
    auto it = lite_queues_.find(queue);
    if (it == lite_queues_.end()) {
      return absl::InvalidArgumentError(StrCat("seek: ", queue.ToString(),
                                               " was just taken from this member by a rebalance"));
    }
    DropBufferedLocked(queue);
    LiteQueue& lq = it->second;
    // A pull still in flight belongs to the old generation: its result is dropped.
    lq.generation = next_generation_++;
    lq.next_pull_offset = offset;
    lq.consume_offset = offset;
    lq.flow_paused = false;
    generation = lq.generation;
  }
  LitePullNow(queue, generation);
  return absl::OkStatus();
}

absl::Status PullConsumerImpl::CommitSync() {
  std::set<MessageQueue> queues;
  {
    absl::MutexLock lock(&mu_);
    RMQ_RETURN_IF_ERROR(CheckRunning());
    CommitPolledLocked();
    for (const auto& [queue, lq] : lite_queues_) queues.insert(queue);
  }
  offset_store_->PersistAll(queues);
  return absl::OkStatus();
}

void PullConsumerImpl::OnQueueAdded(const MessageQueue& queue, std::shared_ptr<ProcessQueue> pq,
                                    int64_t offset) {
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kRunning) return;
    DropBufferedLocked(queue);
    LiteQueue& lq = lite_queues_[queue];
    lq = LiteQueue{};
    lq.pq = std::move(pq);
    lq.generation = next_generation_++;
    lq.next_pull_offset = offset;
    lq.consume_offset = offset;
    generation = lq.generation;
  }
  LitePullNow(queue, generation);
}

bool PullConsumerImpl::RemoveUnnecessaryQueue(const MessageQueue& queue, ProcessQueue& pq) {
  (void)pq;  // Already marked dropped: its loop stops at its next step.
  {
    absl::MutexLock lock(&mu_);
    auto it = lite_queues_.find(queue);
    if (it != lite_queues_.end()) {
      if (config_.auto_commit && it->second.consume_offset >= 0) {
        offset_store_->UpdateOffset(queue, it->second.consume_offset, /*increase_only=*/false);
      }
      DropBufferedLocked(queue);
      lite_queues_.erase(it);
    }
  }
  // The next owner starts where this member's committed progress ends.
  offset_store_->Persist(queue);
  offset_store_->RemoveOffset(queue);
  return true;
}

void PullConsumerImpl::LitePullNow(const MessageQueue& queue, uint64_t generation) {
  instance_->pull_service().Execute([guard = guard_, queue, generation] {
    absl::ReaderMutexLock lock(&guard->mu);
    if (guard->self != nullptr) guard->self->LitePull(queue, generation);
  });
}

void PullConsumerImpl::LitePullLater(const MessageQueue& queue, uint64_t generation,
                                     absl::Duration delay) {
  instance_->pull_service().ExecuteLater(
      [guard = guard_, queue, generation] {
        absl::ReaderMutexLock lock(&guard->mu);
        if (guard->self != nullptr) guard->self->LitePull(queue, generation);
      },
      delay);
}

void PullConsumerImpl::LitePull(const MessageQueue& queue, uint64_t generation) {
  PullRequestArgs args;
  {
    absl::MutexLock lock(&mu_);
    if (!IsCurrentLocked(queue, generation)) return;  // Seeked, removed or shut down.
    LiteQueue& lq = lite_queues_.at(queue);
    lq.pq->set_last_pull_ms(instance_->clock().NowMillis());
    // Flow control: stop until Poll has taken enough of this queue's messages.
    if (lq.buffered > config_.pull_threshold_for_queue) {
      lq.flow_paused = true;
      return;
    }
    args.offset = lq.next_pull_offset;
  }
  std::shared_ptr<const SubscriptionData> sub = rebalance_->FindSubscription(queue.topic);
  if (sub == nullptr) return;  // Unsubscribed: the next rebalance drops the queue.
  auto addr = BrokerAddressFor(queue);
  if (!addr.ok()) {
    spdlog::warn("group {}: pull of {}: {}", config_.group_name, queue.ToString(),
                 addr.status().ToString());
    LitePullLater(queue, generation, kLitePullDelayWhenException);
    return;
  }
  args.group = config_.group_name;
  args.queue = queue;
  args.subscription = sub.get();
  args.max_nums = config_.pull_batch_size;
  // Held at the broker while there is nothing new (long polling); the
  // expression travels with the pull, as in RocketMQ's lite consumer.
  args.sys_flag = pull_sysflag::kSuspend | pull_sysflag::kSubscription;
  args.suspend_timeout_millis = config_.broker_suspend_max_time_millis;
  // The response may complete on a broker's or the clock's thread: hand it
  // back to the pull service. The callback may outlive this consumer, so it
  // holds the instance weakly; it never runs the instance's last reference
  // out on the pull service thread (there it runs inside this task, which
  // the guard keeps this consumer, and so the instance, alive for).
  std::weak_ptr<ClientInstance> weak_instance = instance_;
  instance_->transport().InvokeAsync(
      *addr, BuildPullRequest(args),
      absl::Milliseconds(config_.consumer_timeout_millis_when_suspend),
      [weak_instance, guard = guard_, queue, generation](absl::StatusOr<RemotingCommand> response) {
        std::shared_ptr<ClientInstance> instance = weak_instance.lock();
        if (instance == nullptr) return;
        instance->pull_service().Execute([guard, queue, generation,
                                          response = std::move(response)]() mutable {
          absl::ReaderMutexLock lock(&guard->mu);
          if (guard->self != nullptr) {
            guard->self->OnLitePullResponse(queue, generation, std::move(response));
          }
        });
      });
}

void PullConsumerImpl::OnLitePullResponse(const MessageQueue& queue, uint64_t generation,
                                          absl::StatusOr<RemotingCommand> response) {
  std::shared_ptr<const SubscriptionData> sub = rebalance_->FindSubscription(queue.topic);
  if (sub == nullptr) return;
  absl::StatusOr<PullResult> result =
      response.ok() ? ProcessPullResponse(*response, queue, *sub) : response.status();
  if (!result.ok()) {
    spdlog::debug("group {}: pull of {}: {}", config_.group_name, queue.ToString(),
                  result.status().ToString());
    {
      absl::MutexLock lock(&mu_);
      if (!IsCurrentLocked(queue, generation)) return;
    }
    LitePullLater(queue, generation, kLitePullDelayWhenException);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (!IsCurrentLocked(queue, generation)) return;
    LiteQueue& lq = lite_queues_.at(queue);
    if (result->pull_status == PullStatus::kOffsetIllegal) {
      spdlog::warn("group {}: offset {} of {} is illegal; continuing at {}", config_.group_name,
                   lq.next_pull_offset, queue.ToString(), result->next_begin_offset);
    }
    lq.next_pull_offset = result->next_begin_offset;
    if (!result->msgs.empty()) {
      lq.buffered += static_cast<int64_t>(result->msgs.size());
      buffer_.push_back(
          ConsumeRequest{queue, generation, std::move(result->msgs), result->next_begin_offset});
    } else if (lq.buffered == 0) {
      lq.consume_offset = result->next_begin_offset;
    }
  }
  LitePullNow(queue, generation);
}

}  // namespace rmq::internal
