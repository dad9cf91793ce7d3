// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/consume_orderly_service.h"

#include <algorithm>
#include <climits>
#include <span>

#include "common/this_thread.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// rocketmq.client.maxTimeConsumeContinuously: a request yields after this long.
constexpr int64_t kMaxTimeConsumeContinuouslyMs = 60000;

}  // namespace

ConsumeOrderlyService::ConsumeOrderlyService(OrderlyConsumeOwner& owner,
                                             MessageListenerOrderly listener,
                                             std::shared_ptr<Clock> clock, Options options)
    : owner_(owner), listener_(std::move(listener)), clock_(std::move(clock)), options_(options) {}

ConsumeOrderlyService::~ConsumeOrderlyService() { Shutdown(); }

void ConsumeOrderlyService::Start() {
  const int threads = std::max(1, options_.threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  if (owner_.message_model() == MessageModel::kClustering) {
    lock_timer_ = std::make_unique<PeriodicTimer>(
        *clock_, absl::Milliseconds(ProcessQueue::kLockIntervalMs), [this] { owner_.LockAllQueues(); });
    lock_timer_->Start();
  }
}

void ConsumeOrderlyService::Shutdown() {
  if (lock_timer_) lock_timer_->Stop();
  std::deque<Task> dropped;
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->stopped = true;
    dropped.swap(shared_->tasks);
  }
  workers_.clear();  // Joins.
}

void ConsumeOrderlyService::Submit(std::shared_ptr<ProcessQueue> pq, const MessageQueue& queue,
                                   bool dispatch) {
  if (dispatch) shared_->Push(Task{std::move(pq), queue, false});
}

void ConsumeOrderlyService::Work() {
  NameThisThread("rmq-consume-ord");
  RequestShortSlice();
  Shared& s = *shared_;
  while (true) {
    Task task;
    {
      absl::MutexLock lock(&s.mu);
      auto ready = [&s]() ABSL_SHARED_LOCKS_REQUIRED(s.mu) { return s.stopped || !s.tasks.empty(); };
      s.mu.Await(absl::Condition(&ready));
      if (s.stopped) return;
      task = std::move(s.tasks.front());
      s.tasks.pop_front();
    }
    Run(task);
  }
}

void ConsumeOrderlyService::Run(const Task& task) {
  if (task.lock_first) {
    // tryLockLaterAndReconsume's second half.
    if (task.pq->dropped()) return;
    const bool locked = owner_.LockQueue(task.queue);
    SubmitLater(task.pq, task.queue, locked ? 10 : 3000);
    return;
  }
  Consume(task);
}

bool ConsumeOrderlyService::Stopped() {
  absl::MutexLock lock(&shared_->mu);
  return shared_->stopped;
}

std::shared_ptr<absl::Mutex> ConsumeOrderlyService::QueueMutex(const MessageQueue& queue) {
  absl::MutexLock lock(&queue_mutexes_mu_);
  auto& mutex = queue_mutexes_[queue];
  if (!mutex) mutex = std::make_shared<absl::Mutex>();
  return mutex;
}

void ConsumeOrderlyService::Consume(const Task& task) {
  ProcessQueue& pq = *task.pq;
  if (pq.dropped()) return;
  const bool clustering = owner_.message_model() == MessageModel::kClustering;
  std::shared_ptr<absl::Mutex> queue_mutex = QueueMutex(task.queue);
  absl::MutexLock queue_lock(queue_mutex.get());
  if (clustering && (!pq.locked() || pq.IsLockExpired(clock_->NowMillis()))) {
    if (pq.dropped()) return;
    TryLockLaterAndReconsume(task.pq, task.queue, 100);
    return;
  }
  const int64_t begin_ms = clock_->NowMillis();
  for (bool more = true; more;) {
    if (pq.dropped() || Stopped()) break;
    const int64_t now = clock_->NowMillis();
    if (clustering && (!pq.locked() || pq.IsLockExpired(now))) {
      TryLockLaterAndReconsume(task.pq, task.queue, 10);
      break;
    }
    if (now - begin_ms > kMaxTimeConsumeContinuouslyMs) {
      SubmitLater(task.pq, task.queue, 10);
      break;
    }
    std::vector<MessageExt> msgs = pq.TakeMessages(options_.batch_size);
    if (msgs.empty()) break;
    ConsumeOrderlyContext context;
    context.message_queue = task.queue;
    ConsumeOrderlyStatus status = ConsumeOrderlyStatus::kSuspendCurrentQueueAMoment;
    {
      absl::MutexLock consume_lock(&pq.consume_lock());
      if (pq.dropped()) {
        spdlog::warn("orderly consume of {}: the queue was dropped, stopping", task.queue.ToString());
        break;
      }
      try {
        status = listener_(std::span<const MessageExt>(msgs), context);
      } catch (const std::exception& e) {
        spdlog::warn("orderly listener threw on {}: {}", task.queue.ToString(), e.what());
        status = ConsumeOrderlyStatus::kSuspendCurrentQueueAMoment;
      } catch (...) {
        spdlog::warn("orderly listener threw on {}", task.queue.ToString());
        status = ConsumeOrderlyStatus::kSuspendCurrentQueueAMoment;
      }
    }
    more = ProcessResult(msgs, status, context, task);
  }
}

bool ConsumeOrderlyService::ProcessResult(std::vector<MessageExt>& msgs,
                                          ConsumeOrderlyStatus status,
                                          const ConsumeOrderlyContext& context, const Task& task) {
  ProcessQueue& pq = *task.pq;
  bool more = true;
  int64_t commit_offset = -1;
  if (status == ConsumeOrderlyStatus::kSuccess) {
    if (context.auto_commit) commit_offset = pq.Commit();
  } else if (CheckReconsumeTimes(msgs, task.queue)) {
    pq.MakeMessagesToConsumeAgain(msgs);
    SubmitLater(task.pq, task.queue, context.suspend_current_queue_time_millis);
    more = false;
  } else if (context.auto_commit) {
    commit_offset = pq.Commit();
  }
  if (commit_offset >= 0 && !pq.dropped()) owner_.SetProgress(task.queue, commit_offset);
  return more;
}

int32_t ConsumeOrderlyService::MaxReconsumeTimes() const {
  return options_.max_reconsume_times == -1 ? INT32_MAX : options_.max_reconsume_times;
}

bool ConsumeOrderlyService::CheckReconsumeTimes(std::vector<MessageExt>& msgs,
                                                const MessageQueue& queue) {
  bool again = false;
  const int32_t max = MaxReconsumeTimes();
  for (MessageExt& msg : msgs) {
    if (msg.reconsume_times >= max) {
      absl::Status sent = owner_.SendToDeadLetter(msg, queue, max);
      if (sent.ok()) continue;
      spdlog::warn("orderly: sending {} to the dead-letter queue failed ({}); consuming it again",
                   msg.GetProperty(property::kUniqKey), sent.ToString());
    }
    again = true;
    msg.reconsume_times++;
  }
  return again;
}

void ConsumeOrderlyService::SubmitLater(const std::shared_ptr<ProcessQueue>& pq,
                                        const MessageQueue& queue, int64_t millis) {
  if (millis == -1) millis = options_.suspend_millis;
  millis = std::clamp<int64_t>(millis, 10, 30000);
  std::weak_ptr<Shared> weak = shared_;
  clock_->ScheduleAfter(absl::Milliseconds(millis), [weak, pq, queue] {
    if (auto s = weak.lock()) s->Push(Task{pq, queue, false});
  });
}

void ConsumeOrderlyService::TryLockLaterAndReconsume(const std::shared_ptr<ProcessQueue>& pq,
                                                     const MessageQueue& queue, int64_t millis) {
  std::weak_ptr<Shared> weak = shared_;
  clock_->ScheduleAfter(absl::Milliseconds(millis), [weak, pq, queue] {
    if (auto s = weak.lock()) s->Push(Task{pq, queue, true});
  });
}

}  // namespace rmq::internal
