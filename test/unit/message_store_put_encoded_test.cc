// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// MessageStore::PutEncoded: a message given as views, its properties already
// encoded (the broker's send path).

#include <catch2/catch.hpp>

#include <string>

#include "common/properties_codec.h"
#include "rmq/store.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

struct EncodedFixture {
  testing::TempDir dir;
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  std::unique_ptr<MessageStore> store;

  EncodedFixture() {
    auto opened = MessageStore::Open(testing::SmallStoreConfig(dir.path()), clock);
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }
};

// "TAGS=TagA, KEYS=k1 k2, UNIQ_KEY=…" encoded as a producer would.
std::string ProducerProperties() {
  return internal::EncodeProperties(Message::Properties{
      {"TAGS", "TagA"}, {"KEYS", "k1 k2"}, {"UNIQ_KEY", "0A0000011F4018B4AAC2000000000001"}});
}

EncodedMessage MakeEncoded(std::string_view topic, std::string_view body,
                           std::string_view properties) {
  EncodedMessage msg;
  msg.topic = topic;
  msg.queue_id = 2;
  msg.flag = 7;
  msg.body = body;
  msg.properties = properties;
  msg.born_timestamp = 1234;
  msg.born_host = HostAddress::Ipv4(10, 0, 0, 1, 5555);
  msg.reconsume_times = 3;
  return msg;
}

TEST_CASE("PutEncoded stores the message as Put would, readable by offset, queue and key") {
  EncodedFixture f;
  const std::string props = ProducerProperties();
  auto put = f.store->PutEncoded(MakeEncoded("TopicA", "hello", props));
  REQUIRE(put.ok());
  CHECK(put->status == PutStatus::kPutOk);
  CHECK(put->queue_offset == 0);

  auto stored = f.store->LookMessageByOffset(put->wrote_offset);
  REQUIRE(stored.ok());
  CHECK(stored->topic() == "TopicA");
  CHECK(stored->body() == "hello");
  CHECK(stored->queue_id == 2);
  CHECK(stored->flag() == 7);
  CHECK(stored->tags() == "TagA");
  CHECK(stored->keys() == "k1 k2");
  CHECK(stored->reconsume_times == 3);
  CHECK(stored->born_host == HostAddress::Ipv4(10, 0, 0, 1, 5555));
  CHECK(stored->store_timestamp > 0);

  f.store->WaitForDispatch();
  auto got = f.store->Get("TopicA", 2, 0, 32, nullptr);
  CHECK(got.status == GetStatus::kFound);
  CHECK(got.message_count() == 1);
  CHECK(f.store->QueryMessage("TopicA", "k2", 32, 0, INT64_MAX).size() == 1);
}

TEST_CASE("PutEncoded refuses malformed properties, naming the byte") {
  EncodedFixture f;
  SECTION("a property without its name/value separator") {
    auto put = f.store->PutEncoded(MakeEncoded("TopicA", "x", "TAGS\x01" "a\x02" "oops\x02"));
    REQUIRE(put.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(put.status().message()), Catch::Contains("byte 7"));
  }
  SECTION("an empty name") {
    auto put = f.store->PutEncoded(MakeEncoded("TopicA", "x", "\x01value\x02"));
    REQUIRE(put.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(put.status().message()), Catch::Contains("empty property name"));
  }
  SECTION("a value not closed by a property separator") {
    auto put = f.store->PutEncoded(MakeEncoded("TopicA", "x", "TAGS\x01" "a"));
    REQUIRE(put.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(put.status().message()), Catch::Contains("'TAGS'"));
  }
  CHECK(f.store->GetMaxOffsetInQueue("TopicA", 2) == 0);  // Nothing was stored.
}

TEST_CASE("PutEncoded applies Put's limits: body size, topic name, queue id") {
  EncodedFixture f;
  const std::string big(static_cast<size_t>(MessageStoreConfig().max_message_size) + 1, 'x');
  CHECK(f.store->PutEncoded(MakeEncoded("TopicA", big, "")).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(f.store->PutEncoded(MakeEncoded("bad topic", "x", "")).status().code() ==
        absl::StatusCode::kInvalidArgument);
  EncodedMessage negative = MakeEncoded("TopicA", "x", "");
  negative.queue_id = -1;
  CHECK(f.store->PutEncoded(negative).status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rmq
