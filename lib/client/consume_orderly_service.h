// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumeOrderlyService: runs a push consumer's orderly listener (RocketMQ
// 4.9's ConsumeMessageOrderlyService).
//
// A consume request is per queue, not per pull: it takes the queue's oldest
// cached messages, consumeMessageBatchMaxSize at a time, and calls the
// listener until the queue is empty, under a per-queue mutex so that one
// batch of a queue is consumed at a time however many workers there are. In
// CLUSTERING mode it consumes only while the ProcessQueue holds the broker's
// lock (taken at assignment, renewed every 20 s, trusted for 30 s); without
// it the request retries the lock later. After 60 s of continuous consuming a
// request yields to let other queues' requests run.
//
// kSuccess commits the batch (the offset moves past it). A suspension hands
// the batch back to the ProcessQueue and resumes the queue after the suspend
// time with reconsume_times one higher; messages that reached
// maxReconsumeTimes (unlimited unless configured) are sent to the group's
// retry topic with their reconsume count, which the broker turns into the
// dead-letter queue, and then count as consumed.

#ifndef RMQ_CLIENT_CONSUME_ORDERLY_SERVICE_H_
#define RMQ_CLIENT_CONSUME_ORDERLY_SERVICE_H_

#include <deque>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "client/consume_concurrently_service.h"
#include "client/process_queue.h"
#include "common/periodic_timer.h"
#include "rmq/clock.h"
#include "rmq/consumer.h"

namespace rmq::internal {

// What the orderly service needs from its consumer, beyond ConsumeOwner.
class OrderlyConsumeOwner : public ConsumeOwner {
 public:
  // Sets the queue's offset (it may move backwards).
  virtual void SetProgress(const MessageQueue& queue, int64_t offset) = 0;
  // Locks `queue` at its broker; true if this member holds it now.
  virtual bool LockQueue(const MessageQueue& queue) = 0;
  // Renews the locks of every assigned queue (RebalanceImpl.lockAll).
  virtual void LockAllQueues() = 0;
  // Sends `msg`, out of retries, on to the dead-letter queue.
  virtual absl::Status SendToDeadLetter(const MessageExt& msg, const MessageQueue& queue,
                                        int32_t max_reconsume_times) = 0;
};

class ConsumeOrderlyService {
 public:
  struct Options {
    int threads = 20;
    int batch_size = 1;
    int64_t suspend_millis = 1000;      // suspendCurrentQueueTimeMillis
    int32_t max_reconsume_times = -1;   // -1: unlimited (Integer.MAX_VALUE)
  };
  ConsumeOrderlyService(OrderlyConsumeOwner& owner, MessageListenerOrderly listener,
                        std::shared_ptr<Clock> clock, Options options);
  ~ConsumeOrderlyService();  // Shutdown()

  // Starts the workers and, in CLUSTERING mode, the periodic lock renewal.
  void Start();
  // Stops the renewal, lets running listeners finish, drops queued work.
  void Shutdown();

  // After a pull cached messages in `pq`: starts a consume request for the
  // queue if `dispatch` (none was running).
  void Submit(std::shared_ptr<ProcessQueue> pq, const MessageQueue& queue, bool dispatch);

 private:
  struct Task {
    std::shared_ptr<ProcessQueue> pq;
    MessageQueue queue;
    bool lock_first = false;  // Lock the queue at the broker, then consume.
  };
  struct Shared {
    absl::Mutex mu;
    std::deque<Task> tasks ABSL_GUARDED_BY(mu);
    bool stopped ABSL_GUARDED_BY(mu) = false;
    void Push(Task task) {
      absl::MutexLock lock(&mu);
      if (!stopped) tasks.push_back(std::move(task));
    }
  };

  void Work();
  bool Stopped();
  void Run(const Task& task);
  void Consume(const Task& task);
  // Resubmits the queue's request after `millis` (-1: the suspend time).
  void SubmitLater(const std::shared_ptr<ProcessQueue>& pq, const MessageQueue& queue,
                   int64_t millis);
  // Tries the broker's lock after `millis`, then consumes again (soon if locked).
  void TryLockLaterAndReconsume(const std::shared_ptr<ProcessQueue>& pq,
                                const MessageQueue& queue, int64_t millis);
  // Applies the listener's verdict; false stops this request.
  bool ProcessResult(std::vector<MessageExt>& msgs, ConsumeOrderlyStatus status,
                     const ConsumeOrderlyContext& context, const Task& task);
  // RocketMQ's checkReconsumeTimes: true if the batch must be consumed again.
  bool CheckReconsumeTimes(std::vector<MessageExt>& msgs, const MessageQueue& queue);
  int32_t MaxReconsumeTimes() const;
  // The mutex serializing consumption of `queue` (MessageQueueLock).
  std::shared_ptr<absl::Mutex> QueueMutex(const MessageQueue& queue);

  OrderlyConsumeOwner& owner_;
  const MessageListenerOrderly listener_;
  std::shared_ptr<Clock> clock_;
  const Options options_;

  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::vector<std::jthread> workers_;
  std::unique_ptr<PeriodicTimer> lock_timer_;
  absl::Mutex queue_mutexes_mu_;
  std::map<MessageQueue, std::shared_ptr<absl::Mutex>> queue_mutexes_
      ABSL_GUARDED_BY(queue_mutexes_mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_CONSUME_ORDERLY_SERVICE_H_
