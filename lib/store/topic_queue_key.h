// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_STORE_TOPIC_QUEUE_KEY_H_
#define RMQ_STORE_TOPIC_QUEUE_KEY_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"

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

// The hash of (topic, queue id). Every message is looked up by it several
// times (its queue offset on append, its consume queue on dispatch, the pulls
// held on its queue), so it is cheap: the topic eight bytes at a time, each
// step a 64x64->128-bit multiply folded to 64 bits (the mixing absl's own
// hash uses; the high bits flat_hash_map takes for its control bytes are as
// good as the low). absl::HashOf spent about 130 instructions on a 10-byte
// topic; this, about 30.
inline size_t HashTopicQueue(std::string_view topic, int32_t queue_id) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;  // 2^64 / golden ratio, odd
  const auto mix = [](uint64_t a, uint64_t b) {
    const absl::uint128 m = absl::uint128(a) * b;
    return absl::Uint128Low64(m) ^ absl::Uint128High64(m);
  };
  uint64_t h = mix(topic.size() ^ kMul, static_cast<uint32_t>(queue_id) | (uint64_t{1} << 63));
  const char* p = topic.data();
  size_t left = topic.size();
  for (; left >= 8; p += 8, left -= 8) {
    uint64_t chunk;
    std::memcpy(&chunk, p, 8);
    h = mix(h ^ chunk, kMul);
  }
  if (left > 0) {
    uint64_t chunk = 0;
    std::memcpy(&chunk, p, left);
    h = mix(h ^ chunk, kMul);
  }
  return static_cast<size_t>(h);
}

struct TopicQueueHash {
  using is_transparent = void;
  size_t operator()(const TopicQueueKey& k) const { return HashTopicQueue(k.topic, k.queue_id); }
  size_t operator()(const TopicQueueRef& k) const { return HashTopicQueue(k.topic, k.queue_id); }
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
