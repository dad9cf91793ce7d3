// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The public PullConsumer forwards to PullConsumerImpl.

#include "client/pull_consumer_impl.h"
#include "rmq/consumer.h"

namespace rmq {

PullConsumer::PullConsumer(PullConsumerConfig config)
    : impl_(std::make_shared<internal::PullConsumerImpl>(std::move(config))) {}

PullConsumer::~PullConsumer() { impl_->Shutdown(); }

absl::Status PullConsumer::Start() { return impl_->Start(); }

void PullConsumer::Shutdown() { impl_->Shutdown(); }

absl::StatusOr<std::vector<MessageQueue>> PullConsumer::FetchSubscribeMessageQueues(
    std::string_view topic) {
  return impl_->FetchSubscribeMessageQueues(topic);
}

absl::StatusOr<PullResult> PullConsumer::Pull(const MessageQueue& queue,
                                              std::string_view expression, int64_t offset,
                                              int32_t max_nums) {
  return impl_->Pull(queue, MessageSelector::ByTag(expression), offset, max_nums, /*block=*/false);
}

absl::StatusOr<PullResult> PullConsumer::PullBlockIfNotFound(const MessageQueue& queue,
                                                             std::string_view expression,
                                                             int64_t offset, int32_t max_nums) {
  return impl_->Pull(queue, MessageSelector::ByTag(expression), offset, max_nums, /*block=*/true);
}

absl::StatusOr<PullResult> PullConsumer::Pull(const MessageQueue& queue,
                                              const MessageSelector& selector, int64_t offset,
                                              int32_t max_nums) {
  return impl_->Pull(queue, selector, offset, max_nums, /*block=*/false);
}

absl::StatusOr<PullResult> PullConsumer::PullBlockIfNotFound(const MessageQueue& queue,
                                                             const MessageSelector& selector,
                                                             int64_t offset, int32_t max_nums) {
  return impl_->Pull(queue, selector, offset, max_nums, /*block=*/true);
}

absl::StatusOr<int64_t> PullConsumer::FetchConsumeOffset(const MessageQueue& queue,
                                                         bool from_store) {
  return impl_->FetchConsumeOffset(queue, from_store);
}

absl::Status PullConsumer::UpdateConsumeOffset(const MessageQueue& queue, int64_t offset) {
  return impl_->UpdateConsumeOffset(queue, offset);
}

absl::Status PullConsumer::Subscribe(std::string_view topic, std::string_view expression) {
  return impl_->Subscribe(topic, MessageSelector::ByTag(expression));
}

absl::Status PullConsumer::Subscribe(std::string_view topic, const MessageSelector& selector) {
  return impl_->Subscribe(topic, selector);
}

absl::StatusOr<std::vector<MessageExt>> PullConsumer::Poll(absl::Duration timeout) {
  return impl_->Poll(timeout);
}

absl::Status PullConsumer::Seek(const MessageQueue& queue, int64_t offset) {
  return impl_->Seek(queue, offset);
}

absl::Status PullConsumer::CommitSync() { return impl_->CommitSync(); }

absl::StatusOr<std::vector<MessageQueue>> PullConsumer::Assignment() {
  return impl_->Assignment();
}

const PullConsumerConfig& PullConsumer::config() const { return impl_->config(); }

}  // namespace rmq
