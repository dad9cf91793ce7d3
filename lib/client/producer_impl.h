// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ProducerImpl: what rmq::Producer does (RocketMQ's DefaultMQProducerImpl).
//
// The sync send (the hot path) validates the message, finds the topic's
// queues in a per-thread cache, builds one request (the body borrowed, not
// copied, when the broker is in this process) and retries on another broker
// as sendDefaultImpl does. Async sends start on the caller's thread when the
// topic's route is known (else on a small executor the producer owns), and
// their responses, with the application's callback, run on that executor;
// Shutdown waits for them (so it must not be called from a send callback). SendAsync on a producer that is not running calls the callback
// at once, on the caller's thread, with FailedPrecondition: there is no
// executor to hand it to.

#ifndef RMQ_CLIENT_PRODUCER_IMPL_H_
#define RMQ_CLIENT_PRODUCER_IMPL_H_

#include <any>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "client/client_instance.h"
#include "client/latency_fault_tolerance.h"
#include "client/send_executor.h"
#include "client/send_request.h"
#include "common/msg_id.h"
#include "rmq/producer.h"

namespace rmq::internal {

class TraceDispatcher;

// "a, b" (or "none"): the brokers a send tried, for its error message.
std::string JoinBrokers(const std::vector<std::string>& brokers);

class ProducerImpl final : public ProducerInner {
 public:
  explicit ProducerImpl(ProducerConfig config);
  ~ProducerImpl() override;  // Shuts down.

  const std::string& group() const override { return config_.group_name; }
  const ProducerConfig& config() const { return config_; }

  absl::Status Start();
  void Shutdown();

  absl::StatusOr<SendResult> Send(const Message& msg);
  absl::StatusOr<SendResult> Send(const Message& msg, const MessageQueue& queue);
  absl::StatusOr<SendResult> Send(const Message& msg, const MessageQueueSelector& selector,
                                  std::string_view arg);
  void SendAsync(Message msg, Producer::SendCallback callback);
  absl::Status SendOneway(const Message& msg);
  absl::StatusOr<SendResult> SendBatch(std::span<const Message> msgs);
  absl::StatusOr<SendResult> SendBatch(std::span<const Message> msgs, const MessageQueue& queue);
  absl::StatusOr<std::vector<MessageQueue>> FetchPublishMessageQueues(std::string_view topic);
  // enableMsgTrace's dispatcher while running; null when tracing is off.
  TraceDispatcher* trace_dispatcher() const { return trace_.get(); }

  // ---- Transactions (producer_transaction.cc)
  // Before Start: makes this a transactional producer (TransactionMQProducer).
  void SetTransactionListener(std::shared_ptr<TransactionListener> listener);
  absl::StatusOr<TransactionSendResult> SendMessageInTransaction(const Message& msg,
                                                                 const std::any& arg);
  // ProducerInner: queues the check for the check thread.
  void CheckTransactionState(const std::shared_ptr<Channel>& channel, MessageExt msg,
                             const CheckTransactionStateRequestHeader& header) override;

  // A topic's queues and the address of each queue's broker, as the hot
  // path needs them.
  struct PublishRoute {
    std::shared_ptr<const TopicPublishInfo> info;
    std::vector<std::string> queue_addrs;  // Of info->queues()[i]'s master; "" if unknown.
  };

 private:
  enum class State { kCreated, kRunning, kShuttingDown, kShutdown };
  struct AsyncSend;
  // Counts async sends from SendAsync until their callback has returned.
  // Shared with every send so that the last one may finish after the
  // producer is gone without touching freed memory.
  struct InFlight {
    absl::Mutex mu;
    bool accepting ABSL_GUARDED_BY(mu) = false;
    int count ABSL_GUARDED_BY(mu) = 0;
    bool Drained() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return count == 0; }
  };

  absl::Status CheckRunning() const;
  // The route of `topic` from this thread's cache (valid until the next call
  // on this thread), refreshed from the client instance every second of
  // clock time and after a failed send.
  absl::StatusOr<const std::shared_ptr<const PublishRoute>*> CachedRoute(const std::string& topic,
                                                                         int64_t now_ms);
  // The route from the client instance (fetched if needed).
  absl::StatusOr<std::shared_ptr<const PublishRoute>> LookupRoute(const std::string& topic);
  // After a failed send: asks the name server again; null if that fails.
  std::shared_ptr<const PublishRoute> RefreshRoute(const std::string& topic);
  // The master address of `broker`, learning `topic`'s route if unknown.
  std::string BrokerAddress(const std::string& broker, const std::string& topic);

  // sendDefaultImpl in SYNC mode: attempts on queues picked round-robin, the
  // next attempt on another broker, within sendMsgTimeout.
  absl::StatusOr<SendResult> SendDefault(const PreparedSend& send, const PublishRoute* route,
                                         int64_t begin_ms);
  // sendKernelImpl for one attempt (SYNC), its outcome into `*result`.
  // `*broker_code` is set if the broker answered with an error code.
  void SendKernel(const PreparedSend& send, const MessageQueue& mq, const std::string& addr,
                  int64_t timeout_ms, int64_t born_ms, int32_t* broker_code,
                  absl::StatusOr<SendResult>* result);
  // One attempt to a given queue, no retry (send to a queue, via a selector).
  absl::StatusOr<SendResult> SendToQueue(const PreparedSend& send, const MessageQueue& mq,
                                         const std::string& addr, int64_t begin_ms);

  // The async send's steps (producer_async.cc). `now_ms` is the clock's
  // reading the caller already took (one read serves a send's first steps).
  // `on_caller`: on SendAsync's caller's thread, where a failure must not
  // call the application back (it goes through the executor).
  void StartAsync(const std::shared_ptr<AsyncSend>& send, bool on_caller, int64_t now_ms);
  // Whether StartAsync would find `topic`'s route without a name server.
  bool RouteKnown(const std::string& topic, int64_t now_ms);
  void AttemptAsync(const std::shared_ptr<AsyncSend>& send, bool on_caller, int64_t now_ms);
  // FinishAsync, through the executor if `on_caller`.
  void FailAsync(const std::shared_ptr<AsyncSend>& send, absl::Status error, bool on_caller);
  // The answer (or failure) of the send's attempt in flight.
  void OnAsyncResponse(const std::shared_ptr<AsyncSend>& send,
                       absl::StatusOr<RemotingCommand> response);
  // A response (or failure) from the transport's thread: queued for the
  // executor, which takes every queued one per wake-up.
  void QueueAsyncResponse(std::shared_ptr<AsyncSend> send,
                          absl::StatusOr<RemotingCommand> response);
  void DrainAsyncResponses();
  void RetryAsyncOrFail(const std::shared_ptr<AsyncSend>& send, absl::Status error,
                        bool on_caller);
  void FinishAsync(const std::shared_ptr<AsyncSend>& send, absl::StatusOr<SendResult> result);
  SendExecutor& Executor();
  // Runs CheckLocalTransaction and answers the broker through `channel`.
  void RunTransactionCheck(const std::shared_ptr<Channel>& channel, const MessageExt& msg,
                           const CheckTransactionStateRequestHeader& header);

  const ProducerConfig config_;
  // Tells this producer's entries apart in the per-thread route caches.
  const uint64_t id_;

  absl::Mutex lifecycle_mu_;  // Serializes Start and Shutdown.
  std::atomic<State> state_{State::kCreated};
  // Set by Start, kept until destruction (sync sends racing Shutdown still use them).
  std::shared_ptr<ClientInstance> instance_;
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<UniqKeyGenerator> ids_;
  std::unique_ptr<FaultStrategy> fault_;
  // Bumped after a failed send: every thread's cached route goes stale.
  std::atomic<uint64_t> route_epoch_{0};

  absl::Mutex routes_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const PublishRoute>> routes_
      ABSL_GUARDED_BY(routes_mu_);

  std::shared_ptr<InFlight> in_flight_ = std::make_shared<InFlight>();
  // Async responses waiting for the executor, and whether a task to run them
  // is queued (one task takes them all: one wake-up per burst, not each).
  struct AsyncResponse {
    std::shared_ptr<AsyncSend> send;  // Its attempt in flight says what was asked of whom.
    absl::StatusOr<RemotingCommand> response;
  };
  absl::Mutex responses_mu_;
  std::vector<AsyncResponse> responses_ ABSL_GUARDED_BY(responses_mu_);
  bool responses_draining_ ABSL_GUARDED_BY(responses_mu_) = false;
  // The responses being run: only the one task draining (responses_draining_) touches it.
  std::vector<AsyncResponse> draining_;
  absl::Mutex executor_mu_;
  std::unique_ptr<SendExecutor> executor_ ABSL_GUARDED_BY(executor_mu_);  // Created on first use.
  // executor_ once created (it is never replaced): every async response
  // asks for it, and a lock each time showed in profiles.
  std::atomic<SendExecutor*> executor_ready_{nullptr};

  // A transactional producer's listener, and the thread its checks run on
  // (RocketMQ's checkExecutor): set before Start, stopped by Shutdown.
  std::shared_ptr<TransactionListener> transaction_listener_;
  std::unique_ptr<SendExecutor> check_executor_;
  // enableMsgTrace: created by Start, flushed and stopped by Shutdown.
  std::unique_ptr<TraceDispatcher> trace_;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_PRODUCER_IMPL_H_
