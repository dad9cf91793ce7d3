// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Small stores and messages shared by the store tests.

#ifndef RMQ_TEST_SUPPORT_STORE_FIXTURES_H_
#define RMQ_TEST_SUPPORT_STORE_FIXTURES_H_

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rmq/store.h"

namespace rmq::testing {

// Segments small enough that a test crosses commit log (64 KiB) and consume
// queue (100 units) segment boundaries with a few hundred messages, and a
// tiny index.
inline MessageStoreConfig SmallStoreConfig(const std::string& dir) {
  MessageStoreConfig config;
  config.store_path_root_dir = dir;
  config.mapped_file_size_commit_log = 64 * 1024;
  config.mapped_file_size_consume_queue = 100 * 20;
  config.max_hash_slot_num = 64;
  config.max_index_num = 256;
  return config;
}

// Sizes for the store of a broker under test (EmbeddedCluster): segments
// still fit the largest message (maxMessageSize 4 MiB plus its header), but
// not RocketMQ's 1 GiB commit log segment and 420 MB index file, which the
// store allocates on disk up front; FakeCluster uses the same.
inline void UseTestSizedStore(MessageStoreConfig* config) {
  config->mapped_file_size_commit_log = 8 * 1024 * 1024;
  config->mapped_file_size_consume_queue = 20000 * 20;
  config->max_hash_slot_num = 4096;
  config->max_index_num = 16384;
}

// A message for topic/queue_id with an IPv4 born host, ready to put.
inline MessageExt MakeMessage(const std::string& topic, int queue_id, std::string body,
                              std::string tags = "TagA") {
  MessageExt msg(topic, std::move(tags), std::move(body));
  msg.queue_id = queue_id;
  msg.born_timestamp = 1234;
  msg.born_host = HostAddress::Ipv4(10, 0, 0, 1, 5555);
  return msg;
}

// The same, with tag "TagA" and the given KEYS (space-separated; "" for none).
inline MessageExt MakeKeyedMessage(const std::string& topic, int queue_id, std::string body,
                                   std::string keys) {
  MessageExt msg = MakeMessage(topic, queue_id, std::move(body));
  if (!keys.empty()) msg.set_keys(std::move(keys));
  return msg;
}

// The messages of topic/queue_id from `offset` (at most `max`), once the
// store has dispatched everything it holds. Throws if a record does not decode.
inline std::vector<MessageExt> ReadQueue(MessageStore& store, std::string_view topic,
                                         int32_t queue_id, int64_t offset = 0, int32_t max = 64) {
  store.WaitForDispatch();
  GetMessageResult got = store.Get(topic, queue_id, offset, max, nullptr);
  std::vector<MessageExt> out;
  for (size_t i = 0; i < got.message_count(); ++i) {
    auto msg = DecodeMessage(got.record(i));
    if (!msg.ok()) throw std::runtime_error("ReadQueue: " + msg.status().ToString());
    out.push_back(*std::move(msg));
  }
  return out;
}

}  // namespace rmq::testing

#endif  // RMQ_TEST_SUPPORT_STORE_FIXTURES_H_
