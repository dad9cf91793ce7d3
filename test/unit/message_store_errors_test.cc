// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What the store refuses, and how it says so: bad messages, a full disk, a
// stalled dispatcher, a store already in use, bad configuration.

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "rmq/store.h"
#include "store/default_message_store.h"
#include "store/mapped_file.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

using internal::DefaultMessageStore;

using testing::MakeMessage;
using testing::SmallStoreConfig;

std::unique_ptr<MessageStore> OpenStore(const MessageStoreConfig& config) {
  auto store = MessageStore::Open(config, std::make_shared<VirtualClock>());
  REQUIRE(store.ok());
  return *std::move(store);
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// A rejected put must leave nothing behind.
void CheckNothingStored(MessageStore& store) {
  store.WaitForDispatch();
  CHECK(store.Stats().max_phy_offset == 0);
  CHECK(store.Stats().put_count == 0);
}

TEST_CASE("a body above maxMessageSize is rejected naming both sizes") {
  testing::TempDir dir;
  MessageStoreConfig config = SmallStoreConfig(dir.path());
  config.max_message_size = 1024;
  auto store = OpenStore(config);
  auto put = store->Put(MakeMessage("TopicA", 0, std::string(1025, 'x')));
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(put.status()), Catch::Contains("1025") && Catch::Contains("1024"));
  CheckNothingStored(*store);
  // Exactly the limit is fine.
  auto ok = store->Put(MakeMessage("TopicA", 0, std::string(1024, 'x')));
  REQUIRE(ok.ok());
  CHECK(ok->queue_offset == 0);
}

TEST_CASE("bad topic names are rejected") {
  testing::TempDir dir;
  auto store = OpenStore(SmallStoreConfig(dir.path()));
  std::string topic = GENERATE(std::string(""), std::string(128, 'T'), std::string("Topic A"),
                               std::string("Topic/A"), std::string("Topic.A"),
                               std::string("T\xc3\xa9"), std::string("A\0B", 3));
  INFO("topic '" << topic << "'");
  auto put = store->Put(MakeMessage(topic, 0, "body"));
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(put.status()), Catch::Contains("topic"));
  CheckNothingStored(*store);
}

TEST_CASE("the longest and all allowed topic characters are accepted") {
  testing::TempDir dir;
  auto store = OpenStore(SmallStoreConfig(dir.path()));
  CHECK(store->Put(MakeMessage(std::string(127, 'T'), 0, "b")).ok());
  CHECK(store->Put(MakeMessage("%RETRY%group_1-a|B", 0, "b")).ok());
}

TEST_CASE("maxTopicLength limits topic names") {
  testing::TempDir dir;
  MessageStoreConfig config = SmallStoreConfig(dir.path());
  config.max_topic_length = 10;
  auto store = OpenStore(config);
  CHECK(store->Put(MakeMessage(std::string(10, 'T'), 0, "b")).ok());
  auto put = store->Put(MakeMessage(std::string(11, 'T'), 0, "b"));
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("property keys and values must not contain the separators") {
  testing::TempDir dir;
  auto store = OpenStore(SmallStoreConfig(dir.path()));
  MessageExt msg = MakeMessage("TopicA", 0, "body");
  SECTION("\\x01 in a key") { msg.PutProperty("a\x01" "b", "v"); }
  SECTION("\\x02 in a key") { msg.PutProperty("a\x02" "b", "v"); }
  SECTION("\\x01 in a value") { msg.PutProperty("k", "v\x01" "w"); }
  SECTION("\\x02 in a value") { msg.PutProperty("k", "v\x02" "w"); }
  SECTION("\\x02 in the tags") { msg.set_tags("TagA\x02" "TagB"); }
  SECTION("\\x01 in the keys") { msg.set_keys("k1\x01" "k2"); }
  auto put = store->Put(msg);
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
  CheckNothingStored(*store);
}

TEST_CASE("properties longer than 32767 encoded bytes are rejected") {
  testing::TempDir dir;
  auto store = OpenStore(SmallStoreConfig(dir.path()));
  MessageExt msg = MakeMessage("TopicA", 0, "body");
  msg.PutProperty("big", std::string(40000, 'p'));
  auto put = store->Put(msg);
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(put.status()), Catch::Contains("32767"));
  CheckNothingStored(*store);
}

TEST_CASE("a negative queue id is rejected") {
  testing::TempDir dir;
  auto store = OpenStore(SmallStoreConfig(dir.path()));
  auto put = store->Put(MakeMessage("TopicA", -1, "body"));
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(put.status()), Catch::Contains("-1"));
  CheckNothingStored(*store);
}

// The cleanup pass measures the disk; above diskSpaceWarningLevelRatio puts
// are refused until a later pass finds room again. Reads go on meanwhile.
TEST_CASE("a full disk refuses puts until cleanup finds room") {
  testing::TempDir dir;
  MessageStoreConfig config = SmallStoreConfig(dir.path());
  auto opened = DefaultMessageStore::Open(config, std::make_shared<VirtualClock>());
  REQUIRE(opened.ok());
  DefaultMessageStore& store = **opened;
  std::atomic<double> usage{0.5};
  store.SetDiskUsageProbe([&usage](const std::string&) { return usage.load(); });

  REQUIRE(store.Put(MakeMessage("TopicA", 0, "before")).ok());
  store.DeleteExpiredFiles(false);
  REQUIRE(store.Put(MakeMessage("TopicA", 0, "still fine")).ok());

  usage = 0.95;
  store.DeleteExpiredFiles(false);
  auto put = store.Put(MakeMessage("TopicA", 0, "refused"));
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK_THAT(Message(put.status()), Catch::Contains("diskSpaceWarningLevelRatio"));
  std::vector<MessageExt> batch = {MakeMessage("TopicA", 0, "batch")};
  CHECK(store.PutBatch(batch).status().code() == absl::StatusCode::kResourceExhausted);

  // Reads still work.
  store.WaitForDispatch();
  GetMessageResult got = store.Get("TopicA", 0, 0, 32, nullptr);
  REQUIRE(got.status == GetStatus::kFound);
  CHECK(got.message_count() == 2);
  CHECK(store.GetMaxOffsetInQueue("TopicA", 0) == 2);

  // Exactly at the ratio is not above it.
  usage = 0.90;
  store.DeleteExpiredFiles(false);
  auto again = store.Put(MakeMessage("TopicA", 0, "after"));
  REQUIRE(again.ok());
  CHECK(again->queue_offset == 2);
}

// A store whose dispatcher is stalled can only be waited on attempt by
// attempt: WaitForDispatch returns at each failed one.
void WaitUntilDispatched(MessageStore& store) {
  while (store.Stats().dispatched_phy_offset < store.Stats().max_phy_offset) {
    store.WaitForDispatch();
  }
}

// Queue 0 of `topic` holds exactly `bodies`, at offsets 0, 1, ...
void CheckQueue(MessageStore& store, const std::string& topic,
                const std::vector<std::string>& bodies) {
  INFO("queue " << topic << "/0");
  store.WaitForDispatch();
  const auto n = static_cast<int64_t>(bodies.size());
  REQUIRE(store.GetMaxOffsetInQueue(topic, 0) == n);
  std::vector<std::string> got;
  for (int64_t offset = 0; offset < n;) {
    GetMessageResult result = store.Get(topic, 0, offset, 32, nullptr);
    REQUIRE(result.status == GetStatus::kFound);
    for (size_t i = 0; i < result.message_count(); ++i) {
      REQUIRE(result.queue_offset(i) == offset + static_cast<int64_t>(i));
      auto msg = DecodeMessage(result.record(i));
      REQUIRE(msg.ok());
      got.push_back(msg->body());
    }
    offset = result.next_begin_offset;
  }
  CHECK(got == bodies);
}

// Puts the next message of topic/0 (body "<topic>-<n>"), checking its queue offset.
void PutNext(MessageStore& store, const std::string& topic, std::vector<std::string>* bodies) {
  std::string body = topic + "-" + std::to_string(bodies->size());
  auto put = store.Put(MakeMessage(topic, 0, body));
  REQUIRE(put.ok());
  CHECK(put->queue_offset == static_cast<int64_t>(bodies->size()));
  bodies->push_back(std::move(body));
}

// Where a file the dispatcher must create cannot be (tests run as root, so
// no chmod): a file where a queue's directory goes, a directory where its
// next segment goes. Creating them fails as on a full disk or fd table.
TEST_CASE("a consume queue file that cannot be created stalls dispatch and refuses puts until it can") {
  testing::TempDir dir;
  auto store = OpenStore(SmallStoreConfig(dir.path()));
  std::vector<std::string> a, b;
  std::string blocked;
  SECTION("a new queue's directory") {
    PutNext(*store, "TopicA", &a);
    blocked = dir.Sub("consumequeue/TopicB");
    std::ofstream(blocked) << "in the way";
    PutNext(*store, "TopicB", &b);  // Stored; its dispatch fails.
  }
  SECTION("a queue's next segment") {
    for (int i = 0; i < 100; ++i) PutNext(*store, "TopicA", &a);  // Fills segment 0.
    store->WaitForDispatch();
    blocked = dir.Sub("consumequeue/TopicA/0/" + internal::MappedFile::FileNameForOffset(2000));
    std::filesystem::create_directories(blocked);
    PutNext(*store, "TopicA", &a);  // Stored; its dispatch fails.
  }
  const int64_t stuck_at = store->Stats().max_phy_offset;
  store->WaitForDispatch();  // Returns at the failed attempt.
  CHECK(store->Stats().dispatched_phy_offset < stuck_at);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto refused = store->Put(MakeMessage("TopicA", 0, "refused"));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == absl::StatusCode::kUnavailable);
    CHECK_THAT(Message(refused.status()),
               Catch::Contains(blocked) && Catch::Contains("dispatch stalled"));
    std::vector<MessageExt> batch = {MakeMessage("TopicA", 0, "batch")};
    CHECK(store->PutBatch(batch).status().code() == absl::StatusCode::kUnavailable);
    store->WaitForDispatch();  // The next retry, which fails too.
  }
  CHECK(store->Stats().max_phy_offset == stuck_at);

  std::filesystem::remove_all(blocked);
  WaitUntilDispatched(*store);
  PutNext(*store, "TopicA", &a);
  PutNext(*store, "TopicB", &b);
  CheckQueue(*store, "TopicA", a);
  CheckQueue(*store, "TopicB", b);
}

TEST_CASE("a store closed while dispatch is stalled opens again once the cause is removed") {
  testing::TempDir dir;
  const std::string blocked = dir.Sub("consumequeue/TopicB");
  std::vector<std::string> a, b;
  {
    auto store = OpenStore(SmallStoreConfig(dir.path()));
    PutNext(*store, "TopicA", &a);
    std::ofstream(blocked) << "in the way";
    PutNext(*store, "TopicB", &b);
    store->WaitForDispatch();
    REQUIRE_FALSE(store->Put(MakeMessage("TopicA", 0, "refused")).ok());
    // Closing ends the wait for the next retry.
  }
  // Not a clean shutdown: the next open re-dispatches and fails the same way.
  CHECK(std::filesystem::exists(dir.Sub("abort")));
  auto failed = MessageStore::Open(SmallStoreConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE_FALSE(failed.ok());
  CHECK_THAT(Message(failed.status()),
             Catch::Contains(blocked) && Catch::Contains("dispatch stalled"));

  std::filesystem::remove(blocked);
  auto store = OpenStore(SmallStoreConfig(dir.path()));
  CheckQueue(*store, "TopicA", a);
  CheckQueue(*store, "TopicB", b);
  PutNext(*store, "TopicB", &b);
  CheckQueue(*store, "TopicB", b);
}

TEST_CASE("an index file that cannot be created does not stall dispatch; the index catches up later") {
  testing::TempDir dir;
  const std::string index_dir = dir.Sub("index");
  auto keyed = [](int i) {
    return testing::MakeKeyedMessage("TopicA", 0, "m" + std::to_string(i), "k" + std::to_string(i));
  };
  auto found = [](MessageStore& store, int i) {
    return store.QueryMessage("TopicA", "k" + std::to_string(i), 8, 0, INT64_MAX).size();
  };
  {
    auto store = OpenStore(SmallStoreConfig(dir.path()));
    // maxIndexNum 256: the first file is full with 255 keys.
    for (int i = 0; i < 255; ++i) REQUIRE(store->Put(keyed(i)).ok());
    store->WaitForDispatch();
    // A file where the index directory was: the next index file cannot be created.
    std::filesystem::rename(index_dir, dir.Sub("index.away"));
    std::ofstream(index_dir) << "in the way";
    for (int i = 255; i < 260; ++i) REQUIRE(store->Put(keyed(i)).ok());
    store->WaitForDispatch();
    // Consumers see them; lookups by key do not.
    CHECK(store->GetMaxOffsetInQueue("TopicA", 0) == 260);
    CHECK(found(*store, 257) == 0);
    CHECK(found(*store, 254) == 1);

    const bool heal = GENERATE(true, false);
    if (!heal) {
      // Closed while the index is behind: the next open rebuilds it.
      store.reset();
      REQUIRE(std::filesystem::exists(dir.Sub("abort")));
      std::filesystem::remove(index_dir);
      std::filesystem::rename(dir.Sub("index.away"), index_dir);
    } else {
      // The index retries (once a second) and catches up: nothing is lost.
      std::filesystem::remove(index_dir);
      std::filesystem::rename(dir.Sub("index.away"), index_dir);
      REQUIRE(store->Put(keyed(260)).ok());
      store->WaitForDispatch();
      for (int64_t i = 0; i < 1'000'000'000 && found(*store, 260) == 0; ++i) std::this_thread::yield();
      for (int i = 0; i <= 260; ++i) {
        INFO("key k" << i);
        CHECK(found(*store, i) == 1);
      }
      store.reset();
      CHECK_FALSE(std::filesystem::exists(dir.Sub("abort")));  // Caught up: a clean close.
    }
  }
  // Reopened (after the crash-like close: the index catches up in the background).
  auto store = OpenStore(SmallStoreConfig(dir.path()));
  for (int64_t i = 0; i < 1'000'000'000 && found(*store, 259) == 0; ++i) std::this_thread::yield();
  for (int i = 0; i < 260; ++i) {
    INFO("key k" << i);
    CHECK(found(*store, i) == 1);
  }
}

TEST_CASE("a second store on the same directory cannot open") {
  testing::TempDir dir;
  auto first = OpenStore(SmallStoreConfig(dir.path()));
  auto second = MessageStore::Open(SmallStoreConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(Message(second.status()), Catch::Contains(dir.path()));
  // The first one is unaffected.
  REQUIRE(first->Put(MakeMessage("TopicA", 0, "x")).ok());
  first.reset();
  // Once closed, the directory can be opened again.
  auto third = MessageStore::Open(SmallStoreConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE(third.ok());
  CHECK((*third)->GetMaxOffsetInQueue("TopicA", 0) == 1);
}

TEST_CASE("a commit log with a missing segment does not open, and leaves the store unlocked") {
  testing::TempDir dir;
  {
    auto store = OpenStore(SmallStoreConfig(dir.path()));
    while (store->Stats().commit_log_files < 3) {
      REQUIRE(store->Put(MakeMessage("TopicA", 0, std::string(1000, 'x'))).ok());
    }
  }
  std::filesystem::remove(dir.Sub("commitlog/00000000000000065536"));
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto store = MessageStore::Open(SmallStoreConfig(dir.path()), std::make_shared<VirtualClock>());
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().code() == absl::StatusCode::kDataLoss);  // Not "locked".
    CHECK_THAT(Message(store.status()), Catch::Contains("00000000000000131072"));
  }
}

TEST_CASE("a store host that is not host:port is rejected") {
  testing::TempDir dir;
  MessageStoreConfig config = SmallStoreConfig(dir.path());
  config.store_host = "localhost";
  auto store = MessageStore::Open(config, std::make_shared<VirtualClock>());
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("bad configuration values are rejected naming the key") {
  testing::TempDir dir;
  MessageStoreConfig config = SmallStoreConfig(dir.path());
  std::string key;
  SECTION("consume queue segment not a multiple of 20") {
    config.mapped_file_size_consume_queue = 100 * 20 + 1;
    key = "mappedFileSizeConsumeQueue";
  }
  SECTION("deleteWhen hour out of range") {
    config.delete_when = "25";
    key = "deleteWhen";
  }
  SECTION("deleteWhen not a number") {
    config.delete_when = "04;ab";
    key = "deleteWhen";
  }
  SECTION("commit log segment too small") {
    config.mapped_file_size_commit_log = 100;
    key = "mappedFileSizeCommitLog";
  }
  SECTION("non-positive maxMessageSize") {
    config.max_message_size = 0;
    key = "maxMessageSize";
  }
  SECTION("diskMaxUsedSpaceRatio out of range") {
    config.disk_max_used_space_ratio = 99;
    key = "diskMaxUsedSpaceRatio";
  }
  auto store = MessageStore::Open(config, std::make_shared<VirtualClock>());
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(store.status()), Catch::Contains(key));
}

TEST_CASE("LoadMessageStoreConfig reads RocketMQ's keys and rejects unknown ones") {
  testing::TempDir dir;
  std::string path = dir.Sub("broker.conf");
  MessageStoreConfig config;

  SECTION("known keys") {
    std::ofstream(path) << "# store\nstorePathRootDir=" << dir.Sub("store")
                        << "\nmappedFileSizeCommitLog=65536\nflushDiskType=SYNC_FLUSH\n"
                           "deleteWhen=03;15\nfileReservedTime = 48\nmessageIndexEnable=false\n";
    REQUIRE(LoadMessageStoreConfig(path, &config).ok());
    CHECK(config.store_path_root_dir == dir.Sub("store"));
    CHECK(config.mapped_file_size_commit_log == 65536);
    CHECK(config.flush_disk_type == FlushDiskType::kSyncFlush);
    CHECK(config.delete_when == "03;15");
    CHECK(config.file_reserved_time == 48);
    CHECK_FALSE(config.message_index_enable);
    CHECK(config.max_message_size == 4 * 1024 * 1024);  // Untouched default.
  }
  SECTION("an unknown key") {
    std::ofstream(path) << "mappedFileSizeCommitLog=65536\nflushDiskTyp=SYNC_FLUSH\n";
    absl::Status s = LoadMessageStoreConfig(path, &config);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(s), Catch::Contains("flushDiskTyp"));
  }
  SECTION("a bad value") {
    std::ofstream(path) << "maxMessageSize=big\n";
    absl::Status s = LoadMessageStoreConfig(path, &config);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(s), Catch::Contains("maxMessageSize"));
  }
  SECTION("a bad flushDiskType") {
    std::ofstream(path) << "flushDiskType=SOMETIMES\n";
    absl::Status s = LoadMessageStoreConfig(path, &config);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(s), Catch::Contains("flushDiskType"));
  }
  SECTION("a value that parses but cannot work") {
    std::ofstream(path) << "# queues\nmappedFileSizeConsumeQueue=1001\n";
    absl::Status s = LoadMessageStoreConfig(path, &config);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(s), Catch::Contains("broker.conf:2: mappedFileSizeConsumeQueue 1001"));
  }
  SECTION("deleteWhen 25") {
    std::ofstream(path) << "deleteWhen=25\n";
    absl::Status s = LoadMessageStoreConfig(path, &config);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(s), Catch::Contains("broker.conf:1: deleteWhen '25'"));
  }
}

}  // namespace
}  // namespace rmq
