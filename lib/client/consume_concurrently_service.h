// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumeConcurrentlyService: runs a push consumer's concurrent listener on
// consumeThreadMin threads (RocketMQ's ConsumeMessageConcurrentlyService).
//
// One pull result is one task: a worker calls the listener on successive
// slices of consumeMessageBatchMaxSize messages, and several pull results (of
// the same or other queues) are consumed in parallel. A task per pull rather
// than per message keeps the hand-off cost off each message. After each
// slice, the outcome is applied as RocketMQ does: consumed messages leave the
// ProcessQueue and the queue's offset advances to the smallest unfinished
// one; failed ones (RECONSUME_LATER or an exception) go back to the broker
// (CONSUMER_SEND_MSG_BACK) to return through the retry topic, or, if that
// fails, are consumed again here after 5 s.

#ifndef RMQ_CLIENT_CONSUME_CONCURRENTLY_SERVICE_H_
#define RMQ_CLIENT_CONSUME_CONCURRENTLY_SERVICE_H_

#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "client/process_queue.h"
#include "rmq/clock.h"
#include "rmq/consumer.h"

namespace rmq::internal {

// What the service needs from its consumer.
class ConsumeOwner {
 public:
  virtual ~ConsumeOwner() = default;
  virtual MessageModel message_model() const = 0;
  // Records that everything before `offset` in `queue` is consumed.
  virtual void CommitProgress(const MessageQueue& queue, int64_t offset) = 0;
  // Sends `msg` back for later redelivery (CONSUMER_SEND_MSG_BACK).
  virtual absl::Status SendMessageBack(const MessageExt& msg, const MessageQueue& queue,
                                       int32_t delay_level) = 0;
};

class ConsumeConcurrentlyService {
 public:
  ConsumeConcurrentlyService(ConsumeOwner& owner, MessageListenerConcurrently listener,
                             std::shared_ptr<Clock> clock, int threads, int batch_size);
  ~ConsumeConcurrentlyService();  // Shutdown()

  void Start();
  // Lets running listeners finish, drops queued work, joins the threads.
  void Shutdown();

  // Consumes `msgs` (all of `queue`, already in `pq`).
  void Submit(std::shared_ptr<std::vector<MessageExt>> msgs, std::shared_ptr<ProcessQueue> pq,
              const MessageQueue& queue);

 private:
  struct Task {
    std::shared_ptr<std::vector<MessageExt>> msgs;
    std::shared_ptr<ProcessQueue> pq;
    MessageQueue queue;
  };
  void Work();
  void Consume(Task& task);
  // Applies the listener's verdict on msgs[begin, end).
  void ProcessResult(Task& task, size_t begin, size_t end, ConsumeConcurrentlyStatus status,
                     const ConsumeConcurrentlyContext& context);

  ConsumeOwner& owner_;
  const MessageListenerConcurrently listener_;
  std::shared_ptr<Clock> clock_;
  const int threads_;
  const int batch_size_;

  struct Queue {
    absl::Mutex mu;
    std::deque<Task> tasks ABSL_GUARDED_BY(mu);
    bool stopped ABSL_GUARDED_BY(mu) = false;
  };
  std::shared_ptr<Queue> queue_ = std::make_shared<Queue>();
  std::vector<std::jthread> workers_;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_CONSUME_CONCURRENTLY_SERVICE_H_
