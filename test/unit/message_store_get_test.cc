// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The read side of MessageStore: every GetStatus with RocketMQ's
// next_begin_offset, filters, transfer limits, lookups by time, offset, id
// and key.

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "rmq/store.h"
#include "store/default_message_store.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

using internal::DefaultMessageStore;

constexpr int64_t kSegment = 64 * 1024;

MessageStoreConfig SmallConfig(const std::string& dir) {
  MessageStoreConfig config = testing::SmallStoreConfig(dir);
  config.mapped_file_size_commit_log = kSegment;
  config.file_reserved_time = 1;
  // No periodic cleanup while a test advances the clock.
  config.clean_resource_interval = 24 * 3600 * 1000;
  return config;
}

using testing::MakeMessage;

struct Fixture {
  testing::TempDir dir;
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  std::unique_ptr<DefaultMessageStore> store;

  explicit Fixture(MessageStoreConfig config) {
    config.store_path_root_dir = dir.path();
    Open(config);
  }
  Fixture() : Fixture(SmallConfig("")) {}

  void Open(const MessageStoreConfig& config) {
    auto opened = DefaultMessageStore::Open(config, clock);
    REQUIRE(opened.ok());
    store = *std::move(opened);
    store->SetDiskUsageProbe([](const std::string&) { return 0.1; });
  }

  PutMessageResult Put(const MessageExt& msg) {
    auto put = store->Put(msg);
    REQUIRE(put.ok());
    return *put;
  }

  // n messages "<prefix>-i" to topic/queue.
  void PutN(const std::string& topic, int queue_id, int n, const std::string& prefix = "m",
            size_t padding = 0) {
    for (int i = 0; i < n; ++i) {
      Put(MakeMessage(topic, queue_id, prefix + "-" + std::to_string(i) + std::string(padding, '.')));
    }
  }
};

std::string BodyOf(const GetMessageResult& got, size_t i) {
  auto msg = DecodeMessage(got.record(i));
  REQUIRE(msg.ok());
  return msg->body();
}

TEST_CASE("Get on an unknown topic or queue: NO_MATCHED_LOGIC_QUEUE") {
  Fixture f;
  f.PutN("TopicA", 0, 3);
  f.store->WaitForDispatch();
  CHECK(f.store->Get("NoSuchTopic", 0, 0, 32, nullptr).status == GetStatus::kNoMatchedLogicQueue);
  GetMessageResult got = f.store->Get("TopicA", 1, 0, 32, nullptr);
  CHECK(got.status == GetStatus::kNoMatchedLogicQueue);
  CHECK(got.message_count() == 0);
  CHECK(got.next_begin_offset == 0);
  CHECK(f.store->GetMinOffsetInQueue("TopicA", 1) == 0);
  CHECK(f.store->GetMaxOffsetInQueue("TopicA", 1) == 0);
  CHECK(f.store->GetMaxOffsetInQueue("NoSuchTopic", 0) == 0);
}

// A queue becomes known when its first message is dispatched, so an empty
// queue exists only when created ahead (internally) or found on disk empty.
TEST_CASE("Get on an existing empty queue: NO_MESSAGE_IN_QUEUE") {
  Fixture f;
  SECTION("created through the consume queue table") {
    REQUIRE(f.store->consume_queues().FindOrCreate("TopicE", 0).ok());
  }
  SECTION("an empty queue directory found on open") {
    f.store.reset();
    std::filesystem::create_directories(f.dir.Sub("consumequeue/TopicE/0"));
    f.Open(SmallConfig(f.dir.path()));
  }
  for (int64_t offset : {0, 5}) {
    GetMessageResult got = f.store->Get("TopicE", 0, offset, 32, nullptr);
    CHECK(got.status == GetStatus::kNoMessageInQueue);
    CHECK(got.next_begin_offset == 0);
    CHECK(got.min_offset == 0);
    CHECK(got.max_offset == 0);
  }
  // The first message makes it a normal queue.
  f.Put(MakeMessage("TopicE", 0, "first"));
  f.store->WaitForDispatch();
  GetMessageResult got = f.store->Get("TopicE", 0, 0, 32, nullptr);
  REQUIRE(got.status == GetStatus::kFound);
  CHECK(BodyOf(got, 0) == "first");
}

TEST_CASE("Get at and past the end: OFFSET_OVERFLOW_ONE and OFFSET_OVERFLOW_BADLY") {
  Fixture f;
  f.PutN("TopicA", 0, 10);
  f.store->WaitForDispatch();

  GetMessageResult one = f.store->Get("TopicA", 0, 10, 32, nullptr);
  CHECK(one.status == GetStatus::kOffsetOverflowOne);
  CHECK(one.next_begin_offset == 10);
  CHECK(one.message_count() == 0);
  CHECK(one.min_offset == 0);
  CHECK(one.max_offset == 10);

  // RocketMQ 4.9: badly past the end goes to the end, even when min is 0
  // (older releases went back to 0; a 4.9.7 broker answers the max).
  GetMessageResult badly = f.store->Get("TopicA", 0, 11, 32, nullptr);
  CHECK(badly.status == GetStatus::kOffsetOverflowBadly);
  CHECK(badly.next_begin_offset == 10);
  CHECK(f.store->Get("TopicA", 0, 1000000, 32, nullptr).next_begin_offset == 10);
}

// Fills two commit log segments of TopicA/0 at the start time, then one more
// segment two hours later, and runs a cleanup pass: the first segments are
// older than fileReservedTime (1 h) and go.
void FillAndClean(Fixture& f, int64_t* old_count) {
  while (f.store->Stats().max_phy_offset < 2 * kSegment + 100) {
    f.Put(MakeMessage("TopicA", 0, "old-" + std::to_string((*old_count)++) + std::string(1000, '.')));
  }
  f.clock->Advance(absl::Hours(2));
  while (f.store->Stats().max_phy_offset < 3 * kSegment + 100) {
    f.Put(MakeMessage("TopicB", 0, std::string(1000, 'n')));
  }
  f.store->WaitForDispatch();
  REQUIRE(f.store->DeleteExpiredFiles(false) >= 2);
}

TEST_CASE("Get below the minimum after cleanup: OFFSET_TOO_SMALL; badly past the end goes to max") {
  Fixture f;
  int64_t count = 0;
  FillAndClean(f, &count);
  const int64_t min = f.store->GetMinOffsetInQueue("TopicA", 0);
  const int64_t max = f.store->GetMaxOffsetInQueue("TopicA", 0);
  REQUIRE(min > 0);
  REQUIRE(max == count);

  GetMessageResult small = f.store->Get("TopicA", 0, 0, 32, nullptr);
  CHECK(small.status == GetStatus::kOffsetTooSmall);
  CHECK(small.next_begin_offset == min);
  CHECK(small.min_offset == min);
  CHECK(f.store->Get("TopicA", 0, min - 1, 32, nullptr).status == GetStatus::kOffsetTooSmall);

  GetMessageResult badly = f.store->Get("TopicA", 0, max + 1, 32, nullptr);
  CHECK(badly.status == GetStatus::kOffsetOverflowBadly);
  CHECK(badly.next_begin_offset == max);

  GetMessageResult found = f.store->Get("TopicA", 0, min, 32, nullptr);
  REQUIRE(found.status == GetStatus::kFound);
  CHECK(BodyOf(found, 0).rfind("old-" + std::to_string(min) + ".", 0) == 0);
}

TEST_CASE("Get on a queue whose records were deleted under it: MESSAGE_WAS_REMOVING") {
  Fixture f;
  f.PutN("TopicA", 0, 5);
  while (f.store->Stats().max_phy_offset < kSegment + 100) {
    f.Put(MakeMessage("TopicB", 0, std::string(1000, 'b')));
  }
  f.store->WaitForDispatch();
  // Delete segment 0 directly, without the cleanup pass correcting the queues.
  REQUIRE(f.store->commit_log().DeleteExpiredSegments(std::numeric_limits<int64_t>::max(), true,
                                                      std::numeric_limits<int64_t>::max(), 1) == 1);
  GetMessageResult got = f.store->Get("TopicA", 0, 0, 32, nullptr);
  CHECK(got.status == GetStatus::kMessageWasRemoving);
  CHECK(got.message_count() == 0);
  CHECK(got.next_begin_offset == 5);
}

TEST_CASE("Get returns FOUND messages in order with their queue offsets") {
  Fixture f;
  f.PutN("TopicA", 2, 10);
  f.store->WaitForDispatch();
  GetMessageResult got = f.store->Get("TopicA", 2, 3, 4, nullptr);
  REQUIRE(got.status == GetStatus::kFound);
  REQUIRE(got.message_count() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(got.queue_offset(i) == 3 + static_cast<int64_t>(i));
    CHECK(BodyOf(got, i) == "m-" + std::to_string(3 + i));
  }
  CHECK(got.next_begin_offset == 7);
  CHECK(got.min_offset == 0);
  CHECK(got.max_offset == 10);
  int64_t bytes = 0;
  for (size_t i = 0; i < 4; ++i) bytes += static_cast<int64_t>(got.record(i).size());
  CHECK(got.total_bytes() == bytes);

  // To the end.
  got = f.store->Get("TopicA", 2, 7, 32, nullptr);
  REQUIRE(got.message_count() == 3);
  CHECK(got.next_begin_offset == 10);
}

TEST_CASE("a tag filter: NO_MATCHED_MESSAGE when nothing matches, else only matches") {
  Fixture f;
  std::unique_ptr<MessageFilter> filter = MessageFilter::ForTags("TagB || TagC");
  for (int i = 0; i < 6; ++i) f.Put(MakeMessage("TopicA", 0, "a-" + std::to_string(i), "TagA"));
  f.store->WaitForDispatch();

  GetMessageResult none = f.store->Get("TopicA", 0, 0, 32, filter.get());
  CHECK(none.status == GetStatus::kNoMatchedMessage);
  CHECK(none.message_count() == 0);
  CHECK(none.next_begin_offset == 6);  // The scanned units are skipped.

  f.Put(MakeMessage("TopicA", 0, "b", "TagB"));
  f.Put(MakeMessage("TopicA", 0, "a", "TagA"));
  f.Put(MakeMessage("TopicA", 0, "c", "TagC"));
  f.Put(MakeMessage("TopicA", 0, "d", "TagD"));
  f.store->WaitForDispatch();
  GetMessageResult got = f.store->Get("TopicA", 0, 0, 32, filter.get());
  REQUIRE(got.status == GetStatus::kFound);
  REQUIRE(got.message_count() == 2);
  CHECK(BodyOf(got, 0) == "b");
  CHECK(got.queue_offset(0) == 6);
  CHECK(BodyOf(got, 1) == "c");
  CHECK(got.queue_offset(1) == 8);
  CHECK(got.next_begin_offset == 10);

  for (const char* all : {"*", "", " * "}) {
    auto everything = MessageFilter::ForTags(all);
    CHECK(f.store->Get("TopicA", 0, 0, 32, everything.get()).message_count() == 10);
  }
}

TEST_CASE("Get returns at most maxTransferCountOnMessageInMemory messages") {
  Fixture f;
  f.PutN("TopicA", 0, 100);
  f.store->WaitForDispatch();
  GetMessageResult got = f.store->Get("TopicA", 0, 0, 1000, nullptr);
  REQUIRE(got.status == GetStatus::kFound);
  CHECK(got.message_count() == 32);
  CHECK(got.next_begin_offset == 32);
  CHECK(BodyOf(got, 31) == "m-31");
  CHECK(f.store->Get("TopicA", 0, 0, 5, nullptr).message_count() == 5);
  CHECK(f.store->Get("TopicA", 0, 90, 1000, nullptr).message_count() == 10);
}

TEST_CASE("a configured transfer count and byte limit cap Get") {
  MessageStoreConfig config = SmallConfig("");
  config.max_transfer_count_on_message_in_memory = 7;
  config.max_transfer_bytes_on_message_in_memory = 4096;
  Fixture f(config);
  f.PutN("TopicA", 0, 20, "small");
  f.PutN("TopicA", 1, 20, "big", 1000);
  f.store->WaitForDispatch();
  CHECK(f.store->Get("TopicA", 0, 0, 32, nullptr).message_count() == 7);

  GetMessageResult big = f.store->Get("TopicA", 1, 0, 32, nullptr);
  REQUIRE(big.status == GetStatus::kFound);
  const int64_t record = static_cast<int64_t>(big.record(0).size());
  REQUIRE(record > 1000);
  // Records are added while fewer than 4096 bytes were collected.
  CHECK(static_cast<int64_t>(big.message_count()) == (4096 + record - 1) / record);
  CHECK(big.next_begin_offset == static_cast<int64_t>(big.message_count()));
}

TEST_CASE("GetOffsetInQueueByTime finds the message stored at, else nearest to, a time (RocketMQ 4.9)") {
  Fixture f;
  const int64_t t0 = f.clock->NowMillis();
  f.PutN("TopicA", 0, 3);            // Offsets 0..2 at t0.
  f.clock->Advance(absl::Seconds(1));
  f.PutN("TopicA", 0, 3);            // 3..5 at t0 + 1 s.
  f.clock->Advance(absl::Seconds(1));
  f.PutN("TopicA", 0, 4);            // 6..9 at t0 + 2 s.
  f.store->WaitForDispatch();

  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, 0) == 0);
  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, t0) == 0);
  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, t0 + 1) == 2);     // nearer to t0
  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, t0 + 500) == 2);   // a tie: the earlier
  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, t0 + 501) == 3);
  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, t0 + 1000) == 3);  // the first at that time
  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, t0 + 1999) == 6);
  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, t0 + 2000) == 6);
  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, t0 + 2001) == 9);  // after all: the last
  CHECK(f.store->GetOffsetInQueueByTime("NoSuchTopic", 0, t0) == 0);

  CHECK(f.store->GetMessageStoreTimestamp("TopicA", 0, 0) == t0);
  CHECK(f.store->GetMessageStoreTimestamp("TopicA", 0, 4) == t0 + 1000);
  CHECK(f.store->GetMessageStoreTimestamp("TopicA", 0, 9) == t0 + 2000);
  CHECK(f.store->GetMessageStoreTimestamp("TopicA", 0, 10) == -1);
  CHECK(f.store->GetMessageStoreTimestamp("TopicA", 0, -1) == -1);
  CHECK(f.store->GetMessageStoreTimestamp("TopicA", 1, 0) == -1);
}

TEST_CASE("GetOffsetInQueueByTime after cleanup starts at the minimum") {
  Fixture f;
  int64_t count = 0;
  FillAndClean(f, &count);
  const int64_t min = f.store->GetMinOffsetInQueue("TopicA", 0);
  REQUIRE(min > 0);
  CHECK(f.store->GetOffsetInQueueByTime("TopicA", 0, 0) == min);
  CHECK(f.store->GetMessageStoreTimestamp("TopicA", 0, 0) == -1);
}

TEST_CASE("LookMessageByOffset and ViewMessageById") {
  Fixture f;
  f.PutN("TopicA", 0, 3);
  PutMessageResult put = f.Put(MakeMessage("TopicA", 1, "the one", "TagZ"));
  f.PutN("TopicA", 0, 3);

  auto msg = f.store->LookMessageByOffset(put.wrote_offset);
  REQUIRE(msg.ok());
  CHECK(msg->body() == "the one");
  CHECK(msg->tags() == "TagZ");
  CHECK(msg->queue_id == 1);
  CHECK(msg->commit_log_offset == put.wrote_offset);

  auto by_id = f.store->ViewMessageById(put.offset_msg_id());
  REQUIRE(by_id.ok());
  CHECK(*by_id == *msg);
  CHECK(put.offset_msg_id().size() == 32);

  // Not the start of a record, past the end, negative, malformed ids.
  CHECK_FALSE(f.store->LookMessageByOffset(put.wrote_offset + 1).ok());
  CHECK_FALSE(f.store->LookMessageByOffset(f.store->Stats().max_phy_offset).ok());
  CHECK_FALSE(f.store->LookMessageByOffset(10 * kSegment).ok());
  CHECK_FALSE(f.store->LookMessageByOffset(-1).ok());
  CHECK_FALSE(f.store->ViewMessageById("not-an-id").ok());
  CHECK_FALSE(f.store->ViewMessageById(std::string(32, 'Z')).ok());
}

TEST_CASE("QueryMessage by any of several KEYS and by UNIQ_KEY, within a time range") {
  Fixture f;
  const int64_t t0 = f.clock->NowMillis();
  MessageExt keyed = MakeMessage("TopicK", 0, "keyed");
  keyed.set_keys("order-1 customer-7 region-eu");
  f.Put(keyed);
  MessageExt uniq = MakeMessage("TopicK", 1, "uniq");
  uniq.PutProperty(property::kUniqKey, "0A0000010000ABCDEF");
  f.Put(uniq);
  MessageExt other_topic = MakeMessage("TopicL", 0, "other topic");
  other_topic.set_keys("order-1");
  f.Put(other_topic);
  f.PutN("TopicK", 0, 5);
  f.store->WaitForDispatch();
  const int64_t all = std::numeric_limits<int64_t>::max();

  for (const char* key : {"order-1", "customer-7", "region-eu"}) {
    INFO("key " << key);
    auto found = f.store->QueryMessage("TopicK", key, 32, 0, all);
    REQUIRE(found.size() == 1);
    CHECK(found[0].body() == "keyed");
  }
  CHECK(f.store->QueryMessage("TopicK", "order", 32, 0, all).empty());
  CHECK(f.store->QueryMessage("TopicK", "order-1 customer-7", 32, 0, all).empty());

  auto by_uniq = f.store->QueryMessage("TopicK", "0A0000010000ABCDEF", 32, 0, all);
  REQUIRE(by_uniq.size() == 1);
  CHECK(by_uniq[0].body() == "uniq");

  auto other = f.store->QueryMessage("TopicL", "order-1", 32, 0, all);
  REQUIRE(other.size() == 1);
  CHECK(other[0].body() == "other topic");

  // A range around the store time finds it; ranges before or after do not.
  CHECK(f.store->QueryMessage("TopicK", "order-1", 32, t0 - 60000, t0 + 60000).size() == 1);
  CHECK(f.store->QueryMessage("TopicK", "order-1", 32, t0 + 3600000, t0 + 7200000).empty());
  CHECK(f.store->QueryMessage("TopicK", "order-1", 32, t0 - 7200000, t0 - 3600000).empty());
}

TEST_CASE("QueryMessage returns the newest first, at most max_num") {
  Fixture f;
  const int64_t t0 = f.clock->NowMillis();
  for (int i = 0; i < 4; ++i) {
    MessageExt msg = MakeMessage("TopicK", 0, "v" + std::to_string(i));
    msg.set_keys("same-key");
    f.Put(msg);
    f.clock->Advance(absl::Seconds(10));
  }
  f.store->WaitForDispatch();
  auto found = f.store->QueryMessage("TopicK", "same-key", 32, 0, std::numeric_limits<int64_t>::max());
  REQUIRE(found.size() == 4);
  for (int i = 0; i < 4; ++i) CHECK(found[i].body() == "v" + std::to_string(3 - i));
  auto two = f.store->QueryMessage("TopicK", "same-key", 2, 0, std::numeric_limits<int64_t>::max());
  REQUIRE(two.size() == 2);
  CHECK(two[0].body() == "v3");
  CHECK(two[1].body() == "v2");
  // Only the ones stored in [t0 + 10 s, t0 + 20 s].
  auto middle = f.store->QueryMessage("TopicK", "same-key", 32, t0 + 10000, t0 + 20000);
  REQUIRE(middle.size() == 2);
  CHECK(middle[0].body() == "v2");
  CHECK(middle[1].body() == "v1");
  CHECK(f.store->QueryMessage("TopicK", "same-key", 0, 0, std::numeric_limits<int64_t>::max()).empty());
}

TEST_CASE("status names are RocketMQ's") {
  CHECK(GetStatusName(GetStatus::kFound) == "FOUND");
  CHECK(GetStatusName(GetStatus::kNoMatchedMessage) == "NO_MATCHED_MESSAGE");
  CHECK(GetStatusName(GetStatus::kMessageWasRemoving) == "MESSAGE_WAS_REMOVING");
  CHECK(GetStatusName(GetStatus::kOffsetFoundNull) == "OFFSET_FOUND_NULL");
  CHECK(GetStatusName(GetStatus::kOffsetOverflowBadly) == "OFFSET_OVERFLOW_BADLY");
  CHECK(GetStatusName(GetStatus::kOffsetOverflowOne) == "OFFSET_OVERFLOW_ONE");
  CHECK(GetStatusName(GetStatus::kOffsetTooSmall) == "OFFSET_TOO_SMALL");
  CHECK(GetStatusName(GetStatus::kNoMatchedLogicQueue) == "NO_MATCHED_LOGIC_QUEUE");
  CHECK(GetStatusName(GetStatus::kNoMessageInQueue) == "NO_MESSAGE_IN_QUEUE");
  CHECK(PutStatusName(PutStatus::kFlushDiskTimeout) == "FLUSH_DISK_TIMEOUT");
}

TEST_CASE("min and max offsets per queue") {
  Fixture f;
  f.PutN("TopicA", 0, 7);
  f.PutN("TopicA", 3, 2);
  f.store->WaitForDispatch();
  CHECK(f.store->GetMinOffsetInQueue("TopicA", 0) == 0);
  CHECK(f.store->GetMaxOffsetInQueue("TopicA", 0) == 7);
  CHECK(f.store->GetMaxOffsetInQueue("TopicA", 3) == 2);
  CHECK(f.store->GetMaxOffsetInQueue("TopicA", 1) == 0);
  StoreStats stats = f.store->Stats();
  CHECK(stats.min_phy_offset == 0);
  CHECK(stats.dispatched_phy_offset == stats.max_phy_offset);
  CHECK(stats.put_count == 9);
}

}  // namespace
}  // namespace rmq
