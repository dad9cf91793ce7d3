// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Delayed messages in the store: a put with a DELAY level waits in
// SCHEDULE_TOPIC_XXXX and reaches its topic when the (virtual) clock passes
// its due time; the delivery offsets survive a restart; messageDelayLevel
// and bad DELAY values are checked.

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "rmq/store.h"
#include "store/default_message_store.h"
#include "store/delay_levels.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"
#include "support/virtual_time_store.h"

namespace rmq {
namespace {

using internal::DefaultMessageStore;
using internal::DelayLevels;
using internal::kScheduleTopic;
using testing::MakeMessage;

struct Fixture : testing::VirtualTimeStore {
  PutMessageResult PutDelayed(const std::string& topic, int queue_id, const std::string& body,
                              const std::string& level) {
    MessageExt msg = MakeMessage(topic, queue_id, body);
    msg.PutProperty(property::kDelayTimeLevel, level);
    auto put = store->Put(msg);
    INFO(put.status().ToString());
    REQUIRE(put.ok());
    return *put;
  }


  std::vector<MessageExt> Messages(std::string_view topic, int queue_id) {
    store->WaitForDispatch();
    GetMessageResult got = store->Get(topic, queue_id, 0, 64, nullptr);
    std::vector<MessageExt> msgs;
    for (size_t i = 0; i < got.message_count(); ++i) {
      auto msg = DecodeMessage(got.record(i));
      REQUIRE(msg.ok());
      msgs.push_back(*std::move(msg));
    }
    return msgs;
  }
};

// Writes a delayOffset.json as another broker (or a bad disk) left it.
void WriteOffsets(const testing::TempDir& dir, const std::string& content) {
  std::filesystem::create_directories(dir.Sub("config"));
  std::ofstream(dir.Sub("config/delayOffset.json")) << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("messageDelayLevel: RocketMQ's 18 default levels, units s m h d, errors name the item") {
  auto levels = DelayLevels::Parse(MessageStoreConfig().message_delay_level);
  REQUIRE(levels.ok());
  CHECK(levels->max_level() == 18);
  CHECK(levels->DelayMillis(1) == 1000);
  CHECK(levels->DelayMillis(3) == 10000);
  CHECK(levels->DelayMillis(5) == 60000);
  CHECK(levels->DelayMillis(18) == 2 * 3600 * 1000);
  CHECK(levels->DelayMillis(40) == 2 * 3600 * 1000);
  CHECK(levels->DeliverTimestamp(3, 1000) == 11000);

  auto custom = DelayLevels::Parse("  2s 1d ");
  REQUIRE(custom.ok());
  CHECK(custom->max_level() == 2);
  CHECK(custom->DelayMillis(2) == 24LL * 3600 * 1000);

  auto bad = DelayLevels::Parse("1s 5x 10s");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("level 2 '5x'"));
  CHECK_FALSE(DelayLevels::Parse("").ok());
  CHECK_FALSE(DelayLevels::Parse("s").ok());
  CHECK_FALSE(DelayLevels::Parse("0s").ok());
  CHECK_FALSE(DelayLevels::Parse("-1m").ok());

  CHECK(*levels->LevelOf("") == 0);
  CHECK(*levels->LevelOf("0") == 0);
  CHECK(*levels->LevelOf("-3") == 0);
  CHECK(*levels->LevelOf("4") == 4);
  CHECK(*levels->LevelOf("99") == 18);
  CHECK_FALSE(levels->LevelOf("3a").ok());
}

TEST_CASE("messageDelayLevel in a broker.conf: a bad value is refused naming the key and line") {
  testing::TempDir dir;
  const std::string path = dir.Sub("broker.conf");
  std::ofstream(path) << "flushDiskType=ASYNC_FLUSH\nmessageDelayLevel=1s 2q\n";
  MessageStoreConfig config;
  absl::Status loaded = LoadMessageStoreConfig(path, &config);
  REQUIRE_FALSE(loaded.ok());
  CHECK_THAT(std::string(loaded.message()), Catch::Contains("messageDelayLevel"));
  CHECK_THAT(std::string(loaded.message()), Catch::Contains("2"));

  std::ofstream(path) << "messageDelayLevel=1s 3s\nflushDelayOffsetInterval=500\n";
  MessageStoreConfig good;
  REQUIRE(LoadMessageStoreConfig(path, &good).ok());
  CHECK(good.message_delay_level == "1s 3s");
  CHECK(good.flush_delay_offset_interval == 500);
}

TEST_CASE("A delayed message waits in SCHEDULE_TOPIC_XXXX and reaches its topic when due") {
  Fixture f;
  const int64_t t0 = f.clock->NowMillis();
  MessageExt msg = MakeMessage("DelayTopic", 2, "later");
  msg.PutProperty(property::kDelayTimeLevel, "3");  // 10 s
  msg.PutProperty(property::kKeys, "k1");
  msg.reconsume_times = 4;
  auto put = f.store->Put(msg);
  REQUIRE(put.ok());

  // Stored in the level's queue, with the real topic and queue kept.
  auto stored = f.store->LookMessageByOffset(put->wrote_offset);
  REQUIRE(stored.ok());
  CHECK(stored->topic() == kScheduleTopic);
  CHECK(stored->queue_id == 2);  // level 3 - 1
  CHECK(stored->GetProperty(property::kRealTopic) == "DelayTopic");
  CHECK(stored->GetProperty(property::kRealQueueId) == "2");
  CHECK(f.Messages("DelayTopic", 2).empty());
  StoreStats stats = f.store->Stats();
  CHECK(stats.delayed_messages == 1);
  CHECK(stats.next_delayed_delivery_ms == t0 + 10000);

  f.Advance(absl::Milliseconds(9999));
  CHECK(f.Messages("DelayTopic", 2).empty());
  f.Advance(absl::Milliseconds(1));
  std::vector<MessageExt> delivered = f.Messages("DelayTopic", 2);
  REQUIRE(delivered.size() == 1);
  const MessageExt& out = delivered[0];
  CHECK(out.body() == "later");
  CHECK(out.store_timestamp == t0 + 10000);
  CHECK(out.reconsume_times == 4);
  CHECK(out.keys() == "k1");
  CHECK(out.GetProperty(property::kDelayTimeLevel).empty());
  CHECK(out.GetProperty(property::kRealTopic) == "DelayTopic");  // Kept, as RocketMQ does.
  CHECK(out.born_timestamp == msg.born_timestamp);
  stats = f.store->Stats();
  CHECK(stats.delayed_messages == 0);
  CHECK(stats.next_delayed_delivery_ms == 0);
  // Delivered once only, however long time goes on.
  f.Advance(absl::Hours(3));
  CHECK(f.Messages("DelayTopic", 2).size() == 1);
}

TEST_CASE("PutEncoded with DELAY is delayed the same way") {
  Fixture f;
  const std::string props = std::string("DELAY\x01") + "1\x02" + "TAGS\x01TagA\x02";
  EncodedMessage msg;
  msg.topic = "EncTopic";
  msg.queue_id = 0;
  msg.body = "enc";
  msg.properties = props;
  msg.born_host = HostAddress::Ipv4(10, 0, 0, 1, 5555);
  auto put = f.store->PutEncoded(msg);
  REQUIRE(put.ok());
  auto stored = f.store->LookMessageByOffset(put->wrote_offset);
  REQUIRE(stored.ok());
  CHECK(stored->topic() == kScheduleTopic);
  CHECK(stored->queue_id == 0);
  f.Advance(absl::Seconds(1));
  std::vector<MessageExt> delivered = f.Messages("EncTopic", 0);
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].body() == "enc");
  CHECK(delivered[0].tags() == "TagA");
}

TEST_CASE("Levels run independently; within a level messages keep their order") {
  Fixture f;
  f.PutDelayed("Order", 0, "a-5s", "2");
  f.PutDelayed("Order", 0, "b-1s", "1");
  f.PutDelayed("Order", 0, "c-5s", "2");
  f.Advance(absl::Seconds(1));
  std::vector<MessageExt> got = f.Messages("Order", 0);
  REQUIRE(got.size() == 1);
  CHECK(got[0].body() == "b-1s");
  f.Advance(absl::Seconds(4));
  got = f.Messages("Order", 0);
  REQUIRE(got.size() == 3);
  CHECK(got[1].body() == "a-5s");
  CHECK(got[2].body() == "c-5s");
}

TEST_CASE("A level above the highest counts as the highest (2 h); DELAY <= 0 is no delay") {
  Fixture f;
  auto put = f.PutDelayed("High", 0, "max", "40");
  auto stored = f.store->LookMessageByOffset(put.wrote_offset);
  REQUIRE(stored.ok());
  CHECK(stored->queue_id == 17);
  CHECK(stored->GetProperty(property::kDelayTimeLevel) == "18");
  f.PutDelayed("Now", 0, "zero", "0");
  CHECK(f.Messages("Now", 0).size() == 1);
  f.Advance(absl::Hours(2) - absl::Milliseconds(1));
  CHECK(f.Messages("High", 0).empty());
  f.Advance(absl::Milliseconds(1));
  CHECK(f.Messages("High", 0).size() == 1);
}

TEST_CASE("Bad DELAY values and delayed messages in a batch are refused") {
  Fixture f;
  MessageExt msg = MakeMessage("Bad", 0, "x");
  msg.PutProperty(property::kDelayTimeLevel, "soon");
  auto put = f.store->Put(msg);
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(put.status().message()), Catch::Contains("DELAY property 'soon'"));

  std::vector<MessageExt> batch = {MakeMessage("Batch", 0, "1"), MakeMessage("Batch", 0, "2")};
  batch[1].PutProperty(property::kDelayTimeLevel, "2");
  auto batched = f.store->PutBatch(batch);
  REQUIRE_FALSE(batched.ok());
  CHECK_THAT(std::string(batched.status().message()), Catch::Contains("delayed"));
  CHECK(f.Messages("Batch", 0).empty());
}

TEST_CASE("A transaction half message is not delayed") {
  Fixture f;
  MessageExt msg = MakeMessage("Tx", 0, "half");
  msg.sys_flag = sysflag::kTransactionPreparedType;
  msg.PutProperty(property::kDelayTimeLevel, "3");
  auto put = f.store->Put(msg);
  REQUIRE(put.ok());
  auto stored = f.store->LookMessageByOffset(put->wrote_offset);
  REQUIRE(stored.ok());
  CHECK(stored->topic() == "Tx");
  CHECK(f.store->Stats().delayed_messages == 0);
}

TEST_CASE("Delivery offsets survive a restart: nothing lost, nothing delivered twice") {
  Fixture f;
  f.PutDelayed("Restart", 0, "first", "1");   // due +1 s
  f.PutDelayed("Restart", 0, "second", "3");  // due +10 s
  f.Advance(absl::Seconds(1));
  REQUIRE(f.Messages("Restart", 0).size() == 1);
  f.store.reset();  // Saves delayOffset.json.
  const std::string saved = ReadFile(f.dir.Sub("config/delayOffset.json"));
  CHECK_THAT(saved, Catch::Contains("\"offsetTable\""));
  CHECK_THAT(saved, Catch::Contains("\"1\": 1"));

  f.Open();
  CHECK(f.store->schedule_service().Offsets().at(1) == 1);
  CHECK(f.store->Stats().delayed_messages == 1);
  f.Advance(absl::Seconds(9));
  std::vector<MessageExt> got = f.Messages("Restart", 0);
  REQUIRE(got.size() == 2);
  CHECK(got[0].body() == "first");
  CHECK(got[1].body() == "second");
  f.Advance(absl::Hours(1));
  CHECK(f.Messages("Restart", 0).size() == 2);
}

TEST_CASE("Offsets are saved every flushDelayOffsetInterval while running") {
  Fixture f;
  f.store.reset();
  f.config.flush_delay_offset_interval = 1000;
  f.Open();
  f.PutDelayed("Periodic", 0, "m", "1");
  f.Advance(absl::Seconds(1));
  REQUIRE(f.Messages("Periodic", 0).size() == 1);
  f.Advance(absl::Seconds(1));
  CHECK_THAT(ReadFile(f.dir.Sub("config/delayOffset.json")), Catch::Contains("\"1\": 1"));
}

TEST_CASE("RocketMQ's own delayOffset.json (bare level keys) is read; offsets past the queue are corrected") {
  Fixture f;
  f.PutDelayed("Apache", 0, "m", "2");
  f.store.reset();
  // As a Java broker writes it, claiming more than the queue holds (its tail
  // lost in a crash): the offset comes back to the queue's end, so the next
  // delayed message is not skipped.
  WriteOffsets(f.dir, "{\"offsetTable\":{2:7,5:0}}");
  f.Open();
  CHECK(f.store->schedule_service().Offsets().at(2) == 1);
  f.store.reset();
  WriteOffsets(f.dir, "{\"offsetTable\":{2:0}}");
  f.Open();
  f.Advance(absl::Seconds(5));
  CHECK(f.Messages("Apache", 0).size() == 1);
}

TEST_CASE("A corrupt delayOffset.json with no backup fails Open, naming the file") {
  Fixture f;
  f.store.reset();
  WriteOffsets(f.dir, "{\"offsetTable\":{\"1\":\"x\"}}");
  auto opened = DefaultMessageStore::Open(f.config, f.clock);
  REQUIRE_FALSE(opened.ok());
  CHECK_THAT(std::string(opened.status().message()), Catch::Contains("delayOffset.json"));
}

TEST_CASE("Closing the store while a level delivers: every message delivered once, across the reopen") {
  // On the real clock: the delivery runs on the clock's thread while the
  // store closes on this one. Close must wait for the run and save the
  // offset it reached (no duplicate after the reopen, no use after free).
  testing::TempDir dir;
  MessageStoreConfig config = testing::SmallStoreConfig(dir.path());
  config.mapped_file_size_commit_log = 4 * 1024 * 1024;
  config.message_delay_level = "1s";
  constexpr int kMessages = 3000;
  auto open = [&] {
    auto opened = DefaultMessageStore::Open(config, nullptr);  // The system clock.
    REQUIRE(opened.ok());
    return *std::move(opened);
  };
  auto store = open();
  for (int i = 0; i < kMessages; ++i) {
    MessageExt msg = MakeMessage("Closing", 0, "m" + std::to_string(i));
    msg.PutProperty(property::kDelayTimeLevel, "1");
    REQUIRE(store->Put(msg).ok());
  }
  // Due in 1 s: close as the deliveries are going on.
  while (store->GetMaxOffsetInQueue("Closing", 0) == 0) absl::SleepFor(absl::Milliseconds(1));
  store.reset();

  store = open();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (store->GetMaxOffsetInQueue("Closing", 0) < kMessages && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  store->WaitForDispatch();
  CHECK(store->GetMaxOffsetInQueue("Closing", 0) == kMessages);
  CHECK(store->Stats().delayed_messages == 0);
  // Each body once.
  std::set<std::string> bodies;
  for (int64_t offset = 0; offset < store->GetMaxOffsetInQueue("Closing", 0); offset += 32) {
    GetMessageResult got = store->Get("Closing", 0, offset, 32, nullptr);
    for (size_t i = 0; i < got.message_count(); ++i) {
      auto msg = DecodeMessage(got.record(i));
      REQUIRE(msg.ok());
      bodies.insert(msg->body());
    }
  }
  CHECK(bodies.size() == kMessages);
}

}  // namespace
}  // namespace rmq
