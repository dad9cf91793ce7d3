// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/topic_queue_key.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using rmq::internal::HashTopicQueue;
using rmq::internal::TopicQueueKey;
using rmq::internal::TopicQueueMap;
using rmq::internal::TopicQueueRef;

TEST_CASE("every byte of the topic and the queue id reach the hash", "[topic_queue_key]") {
  // Topics of every length up to 40 differing in one byte at every position:
  // a hash that skipped a tail byte or a whole chunk would repeat itself.
  std::set<size_t> seen;
  size_t keys = 0;
  for (size_t len = 1; len <= 40; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (char c : {'a', 'b'}) {
        std::string topic(len, 'T');
        topic[at] = c;
        for (int32_t queue = 0; queue < 4; ++queue) {
          seen.insert(HashTopicQueue(topic, queue));
          ++keys;
        }
      }
    }
  }
  // ('T'*len with 'a' or 'b' at each position) are all distinct topics.
  CHECK(seen.size() == keys);
  CHECK(HashTopicQueue("", 0) != HashTopicQueue("", 1));
  CHECK(HashTopicQueue("BenchTopic", 0) != HashTopicQueue("BenchTopic", -1));
  // A zero byte at the end is part of the topic, not padding.
  CHECK(HashTopicQueue(std::string_view("abc\0", 4), 0) != HashTopicQueue("abc", 0));
}

TEST_CASE("the bits a flat_hash_map uses are spread", "[topic_queue_key]") {
  // absl's flat_hash_map takes 7 low bits as a control byte and the rest for
  // the probe position: similar topics must not share them.
  std::set<size_t> low7;
  std::set<size_t> high;
  for (int i = 0; i < 1000; ++i) {
    const size_t h = HashTopicQueue("%RETRY%group_" + std::to_string(i), 0);
    low7.insert(h & 0x7F);
    high.insert((h >> 7) & 0x3FF);
  }
  CHECK(low7.size() == 128);
  CHECK(high.size() > 600);  // 1,000 keys into 1,024 buckets: about 630 expected.
}

TEST_CASE("a map keyed by (topic, queue) is found by a view of it", "[topic_queue_key]") {
  TopicQueueMap<int> map;
  map.emplace(TopicQueueKey{"TopicA", 3}, 7);
  map.emplace(TopicQueueKey{"TopicA", 4}, 8);
  const std::string name = "TopicA";
  auto it = map.find(TopicQueueRef{name, 3});
  REQUIRE(it != map.end());
  CHECK(it->second == 7);
  CHECK(map.find(TopicQueueRef{name, 5}) == map.end());
  CHECK(map.find(TopicQueueRef{"TopicB", 3}) == map.end());
}
