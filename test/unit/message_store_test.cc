// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "rmq/store.h"
#include "store/default_message_store.h"
#include "store/index_service.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

MessageStoreConfig SmallConfig(const std::string& dir) { return testing::SmallStoreConfig(dir); }

MessageExt MakeMessage(const std::string& topic, int queue_id, int i) {
  MessageExt msg(topic, "TagA", "key-" + std::to_string(i), "body-" + std::to_string(i));
  msg.queue_id = queue_id;
  msg.born_timestamp = 1000 + i;
  msg.born_host = HostAddress::Ipv4(10, 0, 0, 1, 5555);
  return msg;
}

TEST_CASE("put then get returns the stored messages in order") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  auto store = MessageStore::Open(SmallConfig(dir.path()), clock);
  REQUIRE(store.ok());
  for (int i = 0; i < 1000; ++i) {
    auto put = (*store)->Put(MakeMessage("TopicA", i % 4, i));
    REQUIRE(put.ok());
    CHECK(put->queue_offset == i / 4);
  }
  (*store)->WaitForDispatch();
  for (int q = 0; q < 4; ++q) {
    CHECK((*store)->GetMaxOffsetInQueue("TopicA", q) == 250);
    int64_t offset = 0;
    int seen = 0;
    while (offset < 250) {
      GetMessageResult got = (*store)->Get("TopicA", q, offset, 32, nullptr);
      REQUIRE(got.status == GetStatus::kFound);
      for (size_t k = 0; k < got.message_count(); ++k) {
        auto msg = DecodeMessage(got.record(k));
        REQUIRE(msg.ok());
        int i = (seen++) * 4 + q;
        CHECK(msg->body() == "body-" + std::to_string(i));
        CHECK(msg->queue_offset == got.queue_offset(k));
      }
      offset = got.next_begin_offset;
    }
    CHECK(seen == 250);
  }
}

TEST_CASE("a new store creates its first index file ahead of the first message") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  auto store = internal::DefaultMessageStore::Open(SmallConfig(dir.path()), clock);
  REQUIRE(store.ok());
  internal::IndexService* index = (*store)->index_service();
  REQUIRE(index != nullptr);
  // On a background thread: wait until it is in use (its name appears in
  // the directory a while before that, while it is allocated and synced).
  for (int i = 0; i < 3000 && index->Counts().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string index_dir = dir.path() + "/index";
  auto index_files = [&] {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(index_dir)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  };
  const std::vector<std::string> before = index_files();
  CHECK(before.size() == 1);
  // The first message's keys go into that file: no other is made, and the
  // key is found.
  REQUIRE((*store)->Put(MakeMessage("TopicA", 0, 7)).ok());
  (*store)->WaitForDispatch();
  CHECK(index_files() == before);
  CHECK(index->Counts().size() == 1);
  CHECK((*store)->QueryMessage("TopicA", "key-7", 10, 0, INT64_MAX).size() == 1);
}

TEST_CASE("messages survive reopen") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  {
    auto store = MessageStore::Open(SmallConfig(dir.path()), clock);
    REQUIRE(store.ok());
    for (int i = 0; i < 500; ++i) REQUIRE((*store)->Put(MakeMessage("TopicB", 0, i)).ok());
  }
  auto store = MessageStore::Open(SmallConfig(dir.path()), clock);
  REQUIRE(store.ok());
  CHECK((*store)->GetMaxOffsetInQueue("TopicB", 0) == 500);
  auto put = (*store)->Put(MakeMessage("TopicB", 0, 500));
  REQUIRE(put.ok());
  CHECK(put->queue_offset == 500);
  (*store)->WaitForDispatch();
  GetMessageResult got = (*store)->Get("TopicB", 0, 499, 32, nullptr);
  REQUIRE(got.status == GetStatus::kFound);
  REQUIRE(got.message_count() == 2);
  CHECK(DecodeMessage(got.record(1))->body() == "body-500");
  auto by_id = (*store)->ViewMessageById(put->offset_msg_id());
  REQUIRE(by_id.ok());
  CHECK(by_id->body() == "body-500");
  auto by_key = (*store)->QueryMessage("TopicB", "key-42", 10, 0, INT64_MAX);
  REQUIRE(by_key.size() == 1);
  CHECK(by_key[0].body() == "body-42");
}

}  // namespace
}  // namespace rmq
