// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The batch body (MessageDecoder.encodeMessages), the batch rules
// (MessageBatch.generateFromList) and SplitBatch (the ListSplitter example),
// and a producer's SendBatch against fake brokers.

#include "client/batch_encoder.h"

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "broker/message_batch_codec.h"
#include "unit/client/producer_test_cluster.h"

namespace rmq::testing {
namespace {

using internal::GetBig32;

struct Entry {
  int32_t total = 0;
  int32_t magic = -1;
  int32_t body_crc = -1;
  int32_t flag = 0;
  std::string body;
  Message::Properties properties;
};

// Decodes a batch body field by field, independently of the encoder.
std::vector<Entry> DecodeEntries(const std::string& data) {
  std::vector<Entry> entries;
  size_t pos = 0;
  while (pos < data.size()) {
    REQUIRE(data.size() - pos >= 22);
    const char* p = data.data() + pos;
    Entry e;
    e.total = GetBig32(p);
    e.magic = GetBig32(p + 4);
    e.body_crc = GetBig32(p + 8);
    e.flag = GetBig32(p + 12);
    const int32_t body_len = GetBig32(p + 16);
    e.body.assign(p + 20, static_cast<size_t>(body_len));
    const auto props_len = static_cast<uint16_t>(internal::GetBig<int16_t>(p + 20 + body_len));
    std::string props(p + 22 + body_len, props_len);
    REQUIRE(internal::DecodeProperties(props, &e.properties).ok());
    CHECK(e.total == 20 + body_len + 2 + props_len);
    pos += static_cast<size_t>(e.total);
    entries.push_back(std::move(e));
  }
  CHECK(pos == data.size());
  return entries;
}

TEST_CASE("EncodeBatch writes RocketMQ's entries, adding UNIQ_KEY where missing") {
  std::vector<Message> msgs = {Message("T", "TagA", "first"), Message("T", "second body")};
  msgs[0].set_flag(9);
  msgs[0].set_keys("k1");
  msgs[1].PutProperty("UNIQ_KEY", "OWNKEY");
  std::vector<std::string> keys = {"0123456789ABCDEF0123456789ABCDEF", "OWNKEY"};
  std::string out = "prefix";
  REQUIRE(internal::EncodeBatch(msgs, keys, &out).ok());
  REQUIRE(out.starts_with("prefix"));
  auto entries = DecodeEntries(out.substr(6));
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].magic == 0);
  CHECK(entries[0].body_crc == 0);
  CHECK(entries[0].flag == 9);
  CHECK(entries[0].body == "first");
  CHECK(entries[0].properties == Message::Properties{{"TAGS", "TagA"}, {"KEYS", "k1"},
                                                     {"UNIQ_KEY", keys[0]}});
  CHECK(entries[1].flag == 0);
  CHECK(entries[1].body == "second body");
  CHECK(entries[1].properties == Message::Properties{{"UNIQ_KEY", "OWNKEY"}});

  // The broker's decoder reads it back.
  std::vector<internal::BatchEntry> decoded;
  REQUIRE(internal::DecodeMessageBatch(std::string_view(out).substr(6), &decoded).ok());
  REQUIRE(decoded.size() == 2);
  CHECK(decoded[1].body == "second body");
}

TEST_CASE("EncodeBatch refuses properties longer than a batch entry's int16 length") {
  std::vector<Message> msgs = {Message("T", "a"), Message("T", "b")};
  msgs[1].PutProperty("big", std::string(32767, 'v'));
  std::vector<std::string> keys = {std::string(32, 'A'), std::string(32, 'B')};
  std::string out;
  absl::Status status = internal::EncodeBatch(msgs, keys, &out);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()), Catch::Contains("batch message 1"));
}

TEST_CASE("CheckBatchRules: one topic, one waitStoreMsgOK, no delay, no retry topic, no half message") {
  CHECK(internal::CheckBatchRules({}).code() == absl::StatusCode::kInvalidArgument);
  auto error_for = [](std::vector<Message> msgs) {
    absl::Status status = internal::CheckBatchRules(msgs);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    return std::string(status.message());
  };
  std::vector<Message> ok = {Message("T", "a"), Message("T", "b")};
  CHECK(internal::CheckBatchRules(ok).ok());

  std::vector<Message> topics = {Message("T", "a"), Message("T", "b"), Message("U", "c")};
  CHECK_THAT(error_for(topics), Catch::Contains("batch message 2") && Catch::Contains("'U'"));
  std::vector<Message> delayed = {Message("T", "a"), Message("T", "b")};
  delayed[1].set_delay_time_level(3);
  CHECK_THAT(error_for(delayed), Catch::Contains("batch message 1") && Catch::Contains("delay"));
  std::vector<Message> retry = {Message("%RETRY%G", "a")};
  CHECK_THAT(error_for(retry), Catch::Contains("batch message 0") && Catch::Contains("retry"));
  std::vector<Message> wait = {Message("T", "a"), Message("T", "b")};
  wait[1].set_wait_store_msg_ok(false);
  CHECK_THAT(error_for(wait), Catch::Contains("batch message 1"));
  std::vector<Message> half = {Message("T", "a")};
  half[0].PutProperty("TRAN_MSG", "true");
  CHECK_THAT(error_for(half), Catch::Contains("batch message 0"));
}

TEST_CASE("EncodedBatchEntrySize is what EncodeBatch writes for the message") {
  Message with_key("Topic", "TagA", "0123456789");
  with_key.PutProperty("UNIQ_KEY", std::string(32, 'A'));
  Message without_key("Topic", "TagA", "0123456789");
  std::string encoded;
  const std::vector<std::string> keys = {std::string(32, 'B')};
  REQUIRE(internal::EncodeBatch(std::span(&with_key, 1), keys, &encoded).ok());
  CHECK(internal::EncodedBatchEntrySize(with_key) == encoded.size());
  encoded.clear();
  REQUIRE(internal::EncodeBatch(std::span(&without_key, 1), keys, &encoded).ok());
  CHECK(internal::EncodedBatchEntrySize(without_key) == encoded.size());  // UNIQ_KEY counted
}

TEST_CASE("SplitBatch cuts runs at the size limit; an oversized message is a run of its own") {
  // Each message: 22 bytes of entry fields + body 36 + UNIQ_KEY property 42 = 100 bytes.
  std::vector<Message> msgs;
  for (int i = 0; i < 7; ++i) msgs.emplace_back("T", std::string(36, static_cast<char>('a' + i)));
  REQUIRE(internal::EncodedBatchEntrySize(msgs[0]) == 100);

  auto sizes = [](const std::vector<std::span<const Message>>& runs) {
    std::vector<size_t> out;
    for (const auto& run : runs) out.push_back(run.size());
    return out;
  };
  CHECK(sizes(SplitBatch(msgs, 300)) == std::vector<size_t>{3, 3, 1});  // Exactly full runs.
  CHECK(sizes(SplitBatch(msgs, 299)) == std::vector<size_t>{2, 2, 2, 1});
  CHECK(sizes(SplitBatch(msgs, 10000)) == std::vector<size_t>{7});
  CHECK(sizes(SplitBatch(msgs, 100)) == std::vector<size_t>{1, 1, 1, 1, 1, 1, 1});
  CHECK(SplitBatch({}, 100).empty());

  // The runs cover the input in order.
  auto runs = SplitBatch(msgs, 240);
  size_t next = 0;
  for (const auto& run : runs) {
    CHECK(run.data() == msgs.data() + next);
    next += run.size();
  }
  CHECK(next == msgs.size());

  std::vector<Message> mixed = {Message("T", std::string(36, 'a')), Message("T", std::string(500, 'b')),
                                Message("T", std::string(36, 'c')), Message("T", std::string(36, 'd'))};
  CHECK(sizes(SplitBatch(mixed, 200)) == std::vector<size_t>{1, 1, 2});
  std::vector<Message> big_first = {Message("T", std::string(500, 'b')), Message("T", std::string(36, 'c'))};
  CHECK(sizes(SplitBatch(big_first, 200)) == std::vector<size_t>{1, 1});
  // The default limit is 4 MiB.
  CHECK(sizes(SplitBatch(msgs)) == std::vector<size_t>{7});
}

// ---- A producer's SendBatch -----------------------------------------------------

TEST_CASE("SendBatch sends one SEND_BATCH_MESSAGE with the encoded messages") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA", 2);
  ProducerConfig config = cluster.Config("PG_Batch");
  config.compress_msg_body_over_howmuch = 10;  // A batch is never compressed.
  auto producer = StartedProducer(config);
  std::vector<Message> msgs;
  for (int i = 0; i < 3; ++i) {
    msgs.emplace_back("TopicA", "Tag" + std::to_string(i), "batch body number " + std::to_string(i));
    msgs.back().set_flag(i);
  }
  auto result = producer->SendBatch(msgs);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  auto sends = cluster.broker(0).sends();
  REQUIRE(sends.size() == 1);
  const ReceivedSend& got = sends[0];
  CHECK(got.code == rq::kSendBatchMessage);
  CHECK(got.v2_header);  // RocketMQ's brokers read this code's header in V2 form only.
  CHECK(got.header.batch == true);
  CHECK(got.header.topic == "TopicA");
  CHECK(got.header.producer_group == "PG_Batch");
  CHECK(got.header.sys_flag == 0);
  CHECK(got.header.queue_id == result->message_queue.queue_id);
  CHECK(got.properties == Message::Properties{{"WAIT", "true"}});
  auto entries = DecodeEntries(got.body);
  REQUIRE(entries.size() == 3);
  std::string joined;
  for (int i = 0; i < 3; ++i) {
    CHECK(entries[i].body == msgs[i].body());
    CHECK(entries[i].flag == i);
    CHECK(entries[i].properties.at("TAGS") == "Tag" + std::to_string(i));
    const std::string& key = entries[i].properties.at("UNIQ_KEY");
    CHECK(key.size() == 32);
    joined += (i > 0 ? "," : "") + key;
  }
  CHECK(result->msg_id == joined);
  // The broker's offset msgIds, comma-separated, one per message.
  CHECK(std::count(result->offset_msg_id.begin(), result->offset_msg_id.end(), ',') == 2);
  CHECK(result->queue_offset == 0);
}

TEST_CASE("SendBatch rejects what RocketMQ rejects, naming the message") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA", 2);
  ProducerConfig config = cluster.Config();
  config.max_message_size = 200;
  auto producer = StartedProducer(config);
  auto error_for = [&](const std::vector<Message>& msgs) {
    auto result = producer->SendBatch(msgs);
    INFO(result.status().ToString());
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(result.status().message());
  };
  CHECK_THAT(error_for({}), Catch::Contains("no message"));
  CHECK_THAT(error_for({Message("TopicA", "a"), Message("TopicB", "b")}),
             Catch::Contains("batch message 1"));
  CHECK_THAT(error_for({Message("TopicA", "a"), Message("TopicA", "")}),
             Catch::Contains("batch message 1") && Catch::Contains("empty"));
  CHECK_THAT(error_for({Message("SCHEDULE_TOPIC_XXXX", "a")}), Catch::Contains("batch message 0"));
  // Each fits, the encoding does not.
  std::vector<Message> large = {Message("TopicA", std::string(90, 'a')),
                                Message("TopicA", std::string(90, 'b'))};
  CHECK_THAT(error_for(large), Catch::Contains("maxMessageSize 200"));
  CHECK(cluster.broker(0).send_count() == 0);
}

TEST_CASE("SendBatch retries on another broker; SendBatch to a queue does not") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 1);
  auto producer = StartedProducer(cluster.Config());
  cluster.server(0).SetReachable(false);
  std::vector<Message> msgs = {Message("TopicA", "a"), Message("TopicA", "b")};
  for (int i = 0; i < 3; ++i) {
    auto result = producer->SendBatch(msgs);
    REQUIRE(result.ok());
    CHECK(result->message_queue.broker_name == "broker-b");
  }
  auto to_queue = producer->SendBatch(msgs, MessageQueue("TopicA", "broker-a", 0));
  CHECK(to_queue.status().code() == absl::StatusCode::kUnavailable);
  auto to_b = producer->SendBatch(msgs, MessageQueue("TopicA", "broker-b", 0));
  REQUIRE(to_b.ok());
  CHECK(to_b->queue_offset == 6);
  auto wrong = producer->SendBatch(msgs, MessageQueue("TopicB", "broker-b", 0));
  CHECK(wrong.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rmq::testing
