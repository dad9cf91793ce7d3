// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Asynchronous sends (RocketMQ's send with a SendCallback): the send starts
// on the caller's thread when the topic's route is cached (on the
// producer's executor when it must be fetched), the request goes out with
// InvokeAsync, and the answer (or the transport's failure) is queued for the
// executor, where one task takes every answer queued so far: a burst of
// answers costs one wake-up, not one each. The application's callback
// always runs on the executor, never inside SendAsync. As RocketMQ 4.9 (MQClientAPIImpl.onExceptionImpl), a request
// that got no answer is retried on another broker up to
// retryTimesWhenSendAsyncFailed times, within sendMsgTimeout; an error the
// broker answered is not retried. The callback is called exactly once.

#include <thread>
#include <utility>

#include "client/producer_impl.h"
#include "client/send_validators.h"
#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

// One async send, shared by its steps; it owns the message, so the request
// body can borrow from it for as long as the request lives.
struct ProducerImpl::AsyncSend {
  AsyncSend(ProducerImpl* p, Message m, Producer::SendCallback cb, std::shared_ptr<InFlight> f)
      : producer(p), msg(std::move(m)), callback(std::move(cb)), in_flight(std::move(f)) {}

  // The attempt on the wire. A send has one at a time (a retry starts after
  // the previous attempt's answer or failure), so its state lives here and
  // the transport's callback carries only the send: small enough for the
  // callback's inline storage, no allocation per attempt.
  // `mq` and `addr` point into `route` below, which only a retry replaces,
  // and it sets a new attempt right after.
  struct Attempt {
    const MessageQueue* mq = nullptr;
    const std::string* addr = nullptr;  // Into `route`'s addresses, or `learned_addr`.
    std::string learned_addr;  // An address the route did not have.
    int64_t start_ms = 0;
  };

  ProducerImpl* const producer;  // Outlives the send: Shutdown waits for it.
  Message msg;
  Producer::SendCallback callback;
  std::shared_ptr<InFlight> in_flight;
  int64_t begin_ms = 0;
  PreparedSend send;
  std::shared_ptr<const PublishRoute> route;
  Attempt attempt;
  std::string last_broker;
  std::vector<std::string> tried;
  int retries = 0;
};

SendExecutor& ProducerImpl::Executor() {
  if (SendExecutor* ready = executor_ready_.load(std::memory_order_acquire)) return *ready;
  absl::MutexLock lock(&executor_mu_);
  if (executor_ == nullptr) {
    // As RocketMQ's asyncSenderExecutor: one thread per processor.
    executor_ = std::make_unique<SendExecutor>(std::max(1u, std::thread::hardware_concurrency()));
    executor_ready_.store(executor_.get(), std::memory_order_release);
  }
  return *executor_;
}

void ProducerImpl::SendAsync(Message msg, Producer::SendCallback callback) {
  if (!callback) callback = [](absl::StatusOr<SendResult>) {};
  bool accepted;
  {
    absl::MutexLock lock(&in_flight_->mu);
    accepted = in_flight_->accepting;
    if (accepted) ++in_flight_->count;
  }
  if (!accepted) {
    // No executor to hand this to: the caller hears at once.
    absl::Status state = CheckRunning();
    callback(state.ok() ? absl::FailedPreconditionError(StrCat("producer group '", config_.group_name,
                                                               "' is shutting down"))
                        : state);
    return;
  }
  auto send = std::make_shared<AsyncSend>(this, std::move(msg), std::move(callback), in_flight_);
  send->begin_ms = clock_->NowMillis();
  if (RouteKnown(send->msg.topic(), send->begin_ms)) {
    // Nothing to wait for: the request goes out from this thread, with no
    // hand-off to the executor.
    StartAsync(send, /*on_caller=*/true, send->begin_ms);
    return;
  }
  if (!Executor().Submit(
          [this, send] { StartAsync(send, /*on_caller=*/false, clock_->NowMillis()); })) {
    FinishAsync(send, absl::FailedPreconditionError("the producer's sender threads have stopped"));
  }
}

void ProducerImpl::FailAsync(const std::shared_ptr<AsyncSend>& send, absl::Status error,
                             bool on_caller) {
  if (on_caller) {
    // Never call the application back from inside its own SendAsync.
    auto shared = std::make_shared<absl::Status>(std::move(error));
    if (Executor().Submit([this, send, shared] { FinishAsync(send, std::move(*shared)); })) return;
    error = std::move(*shared);
  }
  FinishAsync(send, std::move(error));
}

void ProducerImpl::StartAsync(const std::shared_ptr<AsyncSend>& send, bool on_caller,
                              int64_t now) {
  const std::string& topic = send->msg.topic();
  const int64_t waited = now - send->begin_ms;
  if (waited >= config_.send_msg_timeout) {
    FailAsync(send, absl::DeadlineExceededError(StrCat(
                          "async send to topic '", topic, "' waited ", waited,
                          " ms for a sender thread, over sendMsgTimeout ", config_.send_msg_timeout, " ms")),
              on_caller);
    return;
  }
  if (absl::Status valid = CheckMessage(send->msg, config_.max_message_size); !valid.ok()) {
    FailAsync(send, std::move(valid), on_caller);
    return;
  }
  auto route = CachedRoute(topic, now);
  if (!route.ok()) {
    FailAsync(send, route.status(), on_caller);
    return;
  }
  send->route = **route;
  if (absl::Status prepared = send->send.PrepareMessage(send->msg, config_, *ids_, now);
      !prepared.ok()) {
    FailAsync(send, std::move(prepared), on_caller);
    return;
  }
  AttemptAsync(send, on_caller, now);
}

void ProducerImpl::AttemptAsync(const std::shared_ptr<AsyncSend>& send, bool on_caller,
                                int64_t start_ms) {
  // Held here too: a retry may replace the attempt's route (on another
  // thread) while this thread is still inside InvokeAsync with `addr`.
  std::shared_ptr<const PublishRoute> route = send->route;
  const MessageQueue& mq = fault_->SelectOneMessageQueue(*route->info, send->last_broker);
  const std::string* addr =
      &route->queue_addrs[static_cast<size_t>(&mq - route->info->queues().data())];
  std::string learned;
  if (addr->empty()) {
    learned = BrokerAddress(mq.broker_name, send->send.topic());
    addr = &learned;
  }
  const int64_t remaining = config_.send_msg_timeout - (start_ms - send->begin_ms);
  if (remaining <= 0) {
    FailAsync(send, absl::DeadlineExceededError(StrCat(
                          "async send to topic '", send->send.topic(), "' timed out: sendMsgTimeout ",
                          config_.send_msg_timeout, " ms spent after ", send->retries,
                          " attempt(s) (brokers tried: ", JoinBrokers(send->tried), ")")),
              on_caller);
    return;
  }
  if (addr->empty()) {
    fault_->UpdateFaultItem(mq.broker_name, 0, true);
    send->last_broker = mq.broker_name;
    send->tried.push_back(mq.broker_name);
    RetryAsyncOrFail(send, absl::NotFoundError(StrCat("broker '", mq.broker_name,
                                                      "' has no known master address")),
                     on_caller);
    return;
  }
  // Over TCP the request becomes a frame during InvokeAsync, on this
  // thread, so it borrows this thread's header (no header or strings
  // allocated per send). An in-process broker may take an async request on
  // its own thread after the call: that one owns its header.
  const LentSendHeader lent(instance_->transport().DoneWithHeaderOnReturn(*addr));
  RemotingCommand request = send->send.BuildRequest(mq, config_, start_ms,
                                                    send->send.BodyFor(*addr, send), lent.get());
  AsyncSend::Attempt& attempt = send->attempt;
  attempt.mq = &mq;
  if (addr == &learned) {
    attempt.learned_addr = learned;
    attempt.addr = &attempt.learned_addr;
  } else {
    attempt.addr = addr;
  }
  attempt.start_ms = start_ms;
  instance_->transport().InvokeAsync(
      *addr, std::move(request), absl::Milliseconds(remaining),
      [send](absl::StatusOr<RemotingCommand> response) mutable {
        // Off the transport's thread (over TCP, its io thread): the
        // application's callback may be slow or send again synchronously, as
        // RocketMQ runs callbacks on the producer's executor.
        AsyncSend& self = *send;
        self.producer->QueueAsyncResponse(std::move(send), std::move(response));
      });
}

void ProducerImpl::QueueAsyncResponse(std::shared_ptr<AsyncSend> send,
                                      absl::StatusOr<RemotingCommand> response) {
  if (Executor().InExecutorThread()) {
    OnAsyncResponse(send, std::move(response));
    return;
  }
  bool submit = false;
  {
    absl::MutexLock lock(&responses_mu_);
    responses_.push_back({std::move(send), std::move(response)});
    if (!responses_draining_) submit = responses_draining_ = true;
  }
  if (submit && !Executor().Submit([this] { DrainAsyncResponses(); })) DrainAsyncResponses();
}

void ProducerImpl::DrainAsyncResponses() {
  // draining_ and responses_ trade buffers, both kept: no allocation per burst.
  for (;;) {
    draining_.clear();
    {
      absl::MutexLock lock(&responses_mu_);
      if (responses_.empty()) {
        responses_draining_ = false;
        return;
      }
      draining_.swap(responses_);
    }
    for (AsyncResponse& r : draining_) OnAsyncResponse(r.send, std::move(r.response));
  }
}

void ProducerImpl::OnAsyncResponse(const std::shared_ptr<AsyncSend>& send,
                                   absl::StatusOr<RemotingCommand> response) {
  const MessageQueue& mq = *send->attempt.mq;
  const std::string& addr = *send->attempt.addr;
  // The latency only feeds the fault strategy: no clock read without it.
  const int64_t latency =
      fault_->enabled() ? clock_->NowMillis() - send->attempt.start_ms : 0;
  if (!response.ok()) {
    fault_->UpdateFaultItem(mq.broker_name, latency, true);
    send->last_broker = mq.broker_name;
    send->tried.push_back(mq.broker_name);
    RetryAsyncOrFail(send, response.status(), /*on_caller=*/false);
    return;
  }
  int32_t broker_code = -1;
  absl::StatusOr<SendResult> result = ParseSendResponse(*response, send->send, mq, addr, &broker_code);
  fault_->UpdateFaultItem(mq.broker_name, latency, !result.ok());
  if (!result.ok()) {
    send->tried.push_back(mq.broker_name);
    result = absl::Status(result.status().code(),
                          StrCat("async send to topic '", send->send.topic(), "' failed on ",
                                 mq.broker_name, " (brokers tried: ", JoinBrokers(send->tried),
                                 "): ", StdView(result.status().message())));
  }
  FinishAsync(send, std::move(result));
}

void ProducerImpl::RetryAsyncOrFail(const std::shared_ptr<AsyncSend>& send, absl::Status error,
                                    bool on_caller) {
  if (send->retries < config_.retry_times_when_send_async_failed) {
    ++send->retries;
    // Retried from the executor, not from the thread that reported the
    // failure (it may be the clock's timer thread).
    bool queued = Executor().Submit([this, send] {
      if (auto fresh = RefreshRoute(send->send.topic()); fresh != nullptr && fresh->info->ok()) {
        send->route = std::move(fresh);
      }
      AttemptAsync(send, /*on_caller=*/false, clock_->NowMillis());
    });
    if (queued) return;
  }
  FailAsync(send,
            absl::Status(error.code(),
                         StrCat("async send to topic '", send->send.topic(), "' failed after ",
                                send->retries + 1, " attempt(s) (brokers tried: ",
                                JoinBrokers(send->tried), "): ", StdView(error.message()))),
            on_caller);
}

void ProducerImpl::FinishAsync(const std::shared_ptr<AsyncSend>& send,
                               absl::StatusOr<SendResult> result) {
  Producer::SendCallback callback = std::move(send->callback);
  try {
    callback(std::move(result));
  } catch (...) {
    // As RocketMQ: what the callback throws is the application's problem.
    spdlog::warn("producer {}: a send callback threw; ignored", config_.group_name);
  }
  // After this the producer may be destroyed (Shutdown was waiting): touch
  // only what the send itself holds.
  std::shared_ptr<InFlight> in_flight = send->in_flight;
  absl::MutexLock lock(&in_flight->mu);
  --in_flight->count;
}

}  // namespace rmq::internal
