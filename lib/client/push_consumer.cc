// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The public PushConsumer forwards to PushConsumerImpl.

#include "client/push_consumer_impl.h"
#include "rmq/consumer.h"

namespace rmq {

PushConsumer::PushConsumer(PushConsumerConfig config)
    : impl_(std::make_shared<internal::PushConsumerImpl>(std::move(config))) {}

PushConsumer::~PushConsumer() { impl_->Shutdown(); }

absl::Status PushConsumer::Subscribe(std::string_view topic, std::string_view expression) {
  return impl_->Subscribe(topic, MessageSelector::ByTag(expression));
}

absl::Status PushConsumer::Subscribe(std::string_view topic, const MessageSelector& selector) {
  return impl_->Subscribe(topic, selector);
}

void PushConsumer::Unsubscribe(std::string_view topic) { impl_->Unsubscribe(topic); }

void PushConsumer::RegisterMessageListener(MessageListenerConcurrently listener) {
  impl_->RegisterMessageListener(std::move(listener));
}

void PushConsumer::RegisterMessageListener(MessageListenerOrderly listener) {
  impl_->RegisterMessageListener(std::move(listener));
}

absl::Status PushConsumer::Start() { return impl_->Start(); }

void PushConsumer::Shutdown() { impl_->Shutdown(); }

const PushConsumerConfig& PushConsumer::config() const { return impl_->config(); }

std::string_view PullStatusName(PullStatus status) {
  switch (status) {
    case PullStatus::kFound: return "FOUND";
    case PullStatus::kNoNewMsg: return "NO_NEW_MSG";
    case PullStatus::kNoMatchedMsg: return "NO_MATCHED_MSG";
    case PullStatus::kOffsetIllegal: return "OFFSET_ILLEGAL";
  }
  return "UNKNOWN";
}

}  // namespace rmq
