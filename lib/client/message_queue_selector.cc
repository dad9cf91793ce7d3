// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The stock queue selectors (SelectMessageQueueByHash, SelectMessageQueueByRandom).

#include <cstdint>
#include <random>

#include "common/tag_hash.h"
#include "rmq/producer.h"

namespace rmq {

size_t SelectMessageQueueByHash::Select(std::span<const MessageQueue> queues, const Message& msg,
                                        std::string_view arg) const {
  (void)msg;
  // RocketMQ: Math.abs(arg.hashCode() % size), in Java int arithmetic. C++'s
  // % truncates toward zero as Java's does, and |remainder| < size, so even
  // Integer.MIN_VALUE's hash takes no overflowing abs.
  const auto hash = static_cast<int32_t>(internal::TagsStringToTagsCode(arg));
  const int64_t rem = static_cast<int64_t>(hash) % static_cast<int64_t>(queues.size());
  return static_cast<size_t>(rem < 0 ? -rem : rem);
}

size_t SelectMessageQueueByRandom::Select(std::span<const MessageQueue> queues, const Message& msg,
                                          std::string_view arg) const {
  (void)msg;
  (void)arg;
  thread_local std::minstd_rand random{std::random_device{}()};
  return std::uniform_int_distribution<size_t>(0, queues.size() - 1)(random);
}

}  // namespace rmq
