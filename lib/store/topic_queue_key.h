// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_STORE_TOPIC_QUEUE_KEY_H_
#define RMQ_STORE_TOPIC_QUEUE_KEY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"

namespace rmq::internal {

// (topic, queue id) as a hash map key that can be looked up by
// (string_view, int) without building a string: the append path does one
// lookup per message and must not allocate.
struct TopicQueueKey {
  std::string topic;
  int32_t queue_id = 0;
};

struct TopicQueueRef {
  std::string_view topic;
  int32_t queue_id = 0;
};

struct TopicQueueHash {
  using is_transparent = void;
  size_t operator()(const TopicQueueKey& k) const { return absl::HashOf(std::string_view(k.topic), k.queue_id); }
  size_t operator()(const TopicQueueRef& k) const { return absl::HashOf(k.topic, k.queue_id); }
};

struct TopicQueueEq {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return a.queue_id == b.queue_id && std::string_view(a.topic) == std::string_view(b.topic);
  }
};

template <typename V>
using TopicQueueMap = absl::flat_hash_map<TopicQueueKey, V, TopicQueueHash, TopicQueueEq>;

}  // namespace rmq::internal

#endif  // RMQ_STORE_TOPIC_QUEUE_KEY_H_
