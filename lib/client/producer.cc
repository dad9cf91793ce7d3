// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq::Producer: the public face of ProducerImpl.

#include "rmq/producer.h"

#include <utility>

#include "client/producer_impl.h"

namespace rmq {

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

absl::StatusOr<SendResult> Producer::Send(const Message& msg) { return impl_->Send(msg); }

absl::StatusOr<SendResult> Producer::Send(const Message& msg, const MessageQueue& queue) {
  return impl_->Send(msg, queue);
}

absl::StatusOr<SendResult> Producer::Send(const Message& msg, const MessageQueueSelector& selector,
                                          std::string_view arg) {
  return impl_->Send(msg, selector, arg);
}

void Producer::SendAsync(Message msg, SendCallback callback) {
  impl_->SendAsync(std::move(msg), std::move(callback));
}

std::future<absl::StatusOr<SendResult>> Producer::SendAsync(Message msg) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<SendResult>>>();
  std::future<absl::StatusOr<SendResult>> future = promise->get_future();
  impl_->SendAsync(std::move(msg), [promise](absl::StatusOr<SendResult> result) {
    promise->set_value(std::move(result));
  });
  return future;
}

absl::Status Producer::SendOneway(const Message& msg) { return impl_->SendOneway(msg); }

absl::StatusOr<SendResult> Producer::SendBatch(std::span<const Message> msgs) {
  return impl_->SendBatch(msgs);
}

absl::StatusOr<SendResult> Producer::SendBatch(std::span<const Message> msgs,
                                               const MessageQueue& queue) {
  return impl_->SendBatch(msgs, queue);
}

absl::StatusOr<std::vector<MessageQueue>> Producer::FetchPublishMessageQueues(
    std::string_view topic) {
  return impl_->FetchPublishMessageQueues(topic);
}

const ProducerConfig& Producer::config() const { return impl_->config(); }

}  // namespace rmq
