// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/consume_concurrently_service.h"

#include <algorithm>
#include <span>

#include "common/this_thread.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// How long a message whose send-back failed waits before it is consumed again here.
constexpr absl::Duration kLocalRetryDelay = absl::Seconds(5);

}  // namespace

ConsumeConcurrentlyService::ConsumeConcurrentlyService(ConsumeOwner& owner,
                                                       MessageListenerConcurrently listener,
                                                       std::shared_ptr<Clock> clock, int threads,
                                                       int batch_size)
    : owner_(owner),
      listener_(std::move(listener)),
      clock_(std::move(clock)),
      threads_(std::max(1, threads)),
      batch_size_(std::max(1, batch_size)) {}

ConsumeConcurrentlyService::~ConsumeConcurrentlyService() { Shutdown(); }

void ConsumeConcurrentlyService::Start() {
  for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { Work(); });
}

void ConsumeConcurrentlyService::Shutdown() {
  std::deque<Task> dropped;
  {
    absl::MutexLock lock(&queue_->mu);
    queue_->stopped = true;
    dropped.swap(queue_->tasks);
  }
  workers_.clear();  // Joins.
}

void ConsumeConcurrentlyService::Submit(std::shared_ptr<std::vector<MessageExt>> msgs,
                                        std::shared_ptr<ProcessQueue> pq,
                                        const MessageQueue& queue) {
  absl::MutexLock lock(&queue_->mu);
  if (queue_->stopped) return;
  queue_->tasks.push_back(Task{std::move(msgs), std::move(pq), queue});
}

void ConsumeConcurrentlyService::Work() {
  NameThisThread("rmq-consume");
  RequestShortSlice();
  Queue& q = *queue_;
  while (true) {
    Task task;
    {
      absl::MutexLock lock(&q.mu);
      auto ready = [&q]() ABSL_SHARED_LOCKS_REQUIRED(q.mu) { return q.stopped || !q.tasks.empty(); };
      q.mu.Await(absl::Condition(&ready));
      if (q.stopped) return;
      task = std::move(q.tasks.front());
      q.tasks.pop_front();
    }
    Consume(task);
  }
}

void ConsumeConcurrentlyService::Consume(Task& task) {
  std::vector<MessageExt>& msgs = *task.msgs;
  for (size_t begin = 0; begin < msgs.size(); begin += static_cast<size_t>(batch_size_)) {
    if (task.pq->dropped()) return;  // The queue went to another member.
    size_t end = std::min(msgs.size(), begin + static_cast<size_t>(batch_size_));
    ConsumeConcurrentlyContext context;
    context.message_queue = task.queue;
    ConsumeConcurrentlyStatus status;
    try {
      status = listener_(std::span<const MessageExt>(msgs.data() + begin, end - begin), context);
    } catch (const std::exception& e) {
      spdlog::warn("consume listener threw on {}: {}", task.queue.ToString(), e.what());
      status = ConsumeConcurrentlyStatus::kReconsumeLater;
    } catch (...) {
      spdlog::warn("consume listener threw on {}", task.queue.ToString());
      status = ConsumeConcurrentlyStatus::kReconsumeLater;
    }
    ProcessResult(task, begin, end, status, context);
  }
}

void ConsumeConcurrentlyService::ProcessResult(Task& task, size_t begin, size_t end,
                                               ConsumeConcurrentlyStatus status,
                                               const ConsumeConcurrentlyContext& context) {
  std::vector<MessageExt>& msgs = *task.msgs;
  const int64_t count = static_cast<int64_t>(end - begin);
  // Messages [begin, begin + acked) succeeded; the rest failed.
  int64_t acked = 0;
  if (status == ConsumeConcurrentlyStatus::kConsumeSuccess) {
    acked = std::clamp<int64_t>(static_cast<int64_t>(context.ack_index) + 1, 0, count);
  }
  std::vector<MessageExt> retry_here;
  if (acked < count) {
    if (owner_.message_model() == MessageModel::kBroadcasting) {
      for (size_t i = begin + static_cast<size_t>(acked); i < end; ++i) {
        spdlog::warn("BROADCASTING: consume of message {} failed, dropped",
                     msgs[i].GetProperty(property::kUniqKey));
      }
    } else {
      for (size_t i = begin + static_cast<size_t>(acked); i < end; ++i) {
        absl::Status sent =
            owner_.SendMessageBack(msgs[i], task.queue, context.delay_level_when_next_consume);
        if (!sent.ok()) {
          spdlog::debug("send back of {} failed ({}); consuming it again here later",
                        msgs[i].GetProperty(property::kUniqKey), sent.ToString());
          MessageExt again = msgs[i];
          again.reconsume_times++;
          retry_here.push_back(std::move(again));
        }
      }
    }
  }
  // Everything not retried here is done with, as far as this queue's progress goes.
  std::vector<MessageExt> finished;
  std::span<const MessageExt> done(msgs.data() + begin, end - begin);
  if (!retry_here.empty()) {
    for (size_t i = begin; i < end; ++i) {
      bool retried = std::any_of(retry_here.begin(), retry_here.end(), [&](const MessageExt& m) {
        return m.queue_offset == msgs[i].queue_offset;
      });
      if (!retried) finished.push_back(msgs[i]);
    }
    done = finished;
  }
  int64_t offset = task.pq->RemoveMessages(done);
  if (offset >= 0 && !task.pq->dropped()) owner_.CommitProgress(task.queue, offset);
  if (!retry_here.empty()) {
    auto again = std::make_shared<std::vector<MessageExt>>(std::move(retry_here));
    std::weak_ptr<Queue> weak = queue_;
    auto pq = task.pq;
    MessageQueue queue = task.queue;
    clock_->ScheduleAfter(kLocalRetryDelay, [weak, again, pq, queue] {
      auto q = weak.lock();
      if (!q) return;
      absl::MutexLock lock(&q->mu);
      if (!q->stopped) q->tasks.push_back(Task{again, pq, queue});
    });
  }
}

}  // namespace rmq::internal
