// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq::Producer: the public face of ProducerImpl.

#include "rmq/producer.h"

#include <utility>

#include "client/producer_impl.h"
#include "client/trace/trace_hooks.h"

namespace rmq {
namespace {

// With enableMsgTrace: the time a send begins, for its Pub record.
int64_t TraceBegin(const internal::ProducerImpl& impl) {
  internal::TraceDispatcher* d = impl.trace_dispatcher();
  return d == nullptr ? 0 : d->clock().NowMillis();
}

// With enableMsgTrace: Pub records for a send that got a result (RocketMQ
// traces no send that failed outright). Returns `result`.
absl::StatusOr<SendResult> TraceSent(const internal::ProducerImpl& impl,
                                     std::span<const Message> msgs, int64_t begin_ms,
                                     absl::StatusOr<SendResult> result) {
  internal::TraceDispatcher* d = impl.trace_dispatcher();
  if (d != nullptr && result.ok()) {
    internal::TraceSendResult(*d, impl.group(), msgs, begin_ms, *result);
  }
  return result;
}

}  // namespace

std::string_view SendStatusName(SendStatus status) {
  switch (status) {
    case SendStatus::kSendOk:
      return "SEND_OK";
    case SendStatus::kFlushDiskTimeout:
      return "FLUSH_DISK_TIMEOUT";
    case SendStatus::kFlushSlaveTimeout:
      return "FLUSH_SLAVE_TIMEOUT";
    case SendStatus::kSlaveNotAvailable:
      return "SLAVE_NOT_AVAILABLE";
  }
  return "UNKNOWN";
}

Producer::Producer(ProducerConfig config)
    : impl_(std::make_unique<internal::ProducerImpl>(std::move(config))) {}

Producer::~Producer() = default;

absl::Status Producer::Start() { return impl_->Start(); }

void Producer::Shutdown() { impl_->Shutdown(); }

absl::StatusOr<SendResult> Producer::Send(const Message& msg) {
  // Untraced, the result is returned as made (passing it through TraceSent
  // moves it twice).
  if (impl_->trace_dispatcher() == nullptr) return impl_->Send(msg);
  const int64_t begin = TraceBegin(*impl_);
  return TraceSent(*impl_, {&msg, 1}, begin, impl_->Send(msg));
}

absl::StatusOr<SendResult> Producer::Send(const Message& msg, const MessageQueue& queue) {
  const int64_t begin = TraceBegin(*impl_);
  return TraceSent(*impl_, {&msg, 1}, begin, impl_->Send(msg, queue));
}

absl::StatusOr<SendResult> Producer::Send(const Message& msg, const MessageQueueSelector& selector,
                                          std::string_view arg) {
  const int64_t begin = TraceBegin(*impl_);
  return TraceSent(*impl_, {&msg, 1}, begin, impl_->Send(msg, selector, arg));
}

void Producer::SendAsync(Message msg, SendCallback callback) {
  if (impl_->trace_dispatcher() == nullptr) {
    impl_->SendAsync(std::move(msg), std::move(callback));
    return;
  }
  // The Pub record is made before the callback runs, as RocketMQ's hook in
  // the async send's response handling; Shutdown waits for both.
  const int64_t begin = TraceBegin(*impl_);
  auto traced = std::make_shared<Message>(msg);
  internal::ProducerImpl* impl = impl_.get();
  impl_->SendAsync(std::move(msg), [impl, traced, begin, callback = std::move(callback)](
                                       absl::StatusOr<SendResult> result) {
    callback(TraceSent(*impl, {traced.get(), 1}, begin, std::move(result)));
  });
}

std::future<absl::StatusOr<SendResult>> Producer::SendAsync(Message msg) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<SendResult>>>();
  std::future<absl::StatusOr<SendResult>> future = promise->get_future();
  SendAsync(std::move(msg), [promise](absl::StatusOr<SendResult> result) {
    promise->set_value(std::move(result));
  });
  return future;
}

absl::Status Producer::SendOneway(const Message& msg) { return impl_->SendOneway(msg); }

absl::StatusOr<SendResult> Producer::SendBatch(std::span<const Message> msgs) {
  const int64_t begin = TraceBegin(*impl_);
  return TraceSent(*impl_, msgs, begin, impl_->SendBatch(msgs));
}

absl::StatusOr<SendResult> Producer::SendBatch(std::span<const Message> msgs,
                                               const MessageQueue& queue) {
  const int64_t begin = TraceBegin(*impl_);
  return TraceSent(*impl_, msgs, begin, impl_->SendBatch(msgs, queue));
}

absl::StatusOr<std::vector<MessageQueue>> Producer::FetchPublishMessageQueues(
    std::string_view topic) {
  return impl_->FetchPublishMessageQueues(topic);
}

const ProducerConfig& Producer::config() const { return impl_->config(); }

}  // namespace rmq
