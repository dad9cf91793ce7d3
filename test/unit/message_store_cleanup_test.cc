// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Cleanup: commit log segments older than fileReservedTime are deleted (at
// deleteWhen, or on demand), never the segment being written; consume
// queues and the index follow; offsets survive a reopen.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>

#include "absl/time/civil_time.h"
#include "rmq/store.h"
#include "store/default_message_store.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

namespace fs = std::filesystem;
using internal::DefaultMessageStore;

constexpr int64_t kSegment = 64 * 1024;
constexpr int64_t kHourMs = 3600 * 1000;

MessageStoreConfig CleanupConfig(const std::string& dir) {
  MessageStoreConfig config;
  config.store_path_root_dir = dir;
  config.mapped_file_size_commit_log = kSegment;
  config.mapped_file_size_consume_queue = 2000;  // 100 units.
  config.max_hash_slot_num = 64;
  config.max_index_num = 256;
  config.file_reserved_time = 1;
  // Only explicit DeleteExpiredFiles calls clean, unless a test says otherwise.
  config.clean_resource_interval = 24 * kHourMs;
  return config;
}

MessageExt MakeMessage(const std::string& topic, int queue_id, std::string body,
                       std::string keys = "") {
  return testing::MakeKeyedMessage(topic, queue_id, std::move(body), std::move(keys));
}

struct Fixture {
  testing::TempDir dir;
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  MessageStoreConfig config = CleanupConfig(dir.path());
  std::unique_ptr<DefaultMessageStore> store;
  int64_t puts_a = 0;  // Messages put to TopicA/0 and TopicA/1 each.

  void Open() {
    auto opened = DefaultMessageStore::Open(config, clock);
    REQUIRE(opened.ok());
    store = *std::move(opened);
    store->SetDiskUsageProbe([](const std::string&) { return 0.1; });
  }

  // Puts TopicA messages, alternating queues 0 and 1, until the commit log
  // has `segments` segments, the last one holding a few messages of each queue.
  void FillSegments(int segments) {
    while (store->Stats().max_phy_offset < (segments - 1) * kSegment + 2000) {
      for (int q = 0; q < 2; ++q) {
        auto put = store->Put(MakeMessage("TopicA", q, "a-" + std::to_string(puts_a) + std::string(200, '.')));
        REQUIRE(put.ok());
        REQUIRE(put->queue_offset == puts_a);
      }
      ++puts_a;
    }
    store->WaitForDispatch();
    REQUIRE(store->Stats().commit_log_files == segments);
  }

  size_t FilesIn(const std::string& sub) const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir.Sub(sub))) n += e.is_regular_file() ? 1 : 0;
    return n;
  }
};

// Spins (yielding, never sleeping) until `done` holds; false if it never does.
template <typename F>
bool Eventually(F done) {
  for (int64_t i = 0; i < 30'000'000; ++i) {
    if (done()) return true;
    std::this_thread::yield();
  }
  return done();
}

TEST_CASE("expired commit log segments are deleted, never the current one") {
  Fixture f;
  f.Open();
  f.FillSegments(5);
  const int64_t max_phy = f.store->Stats().max_phy_offset;
  const size_t cq_files = f.FilesIn("consumequeue/TopicA/0");
  REQUIRE(cq_files >= 3);

  // Not expired yet.
  CHECK(f.store->DeleteExpiredFiles(false) == 0);
  f.clock->Advance(absl::Minutes(59));
  CHECK(f.store->DeleteExpiredFiles(false) == 0);
  CHECK(f.store->Stats().commit_log_files == 5);

  f.clock->Advance(absl::Hours(1));
  CHECK(f.store->DeleteExpiredFiles(false) == 4);
  StoreStats stats = f.store->Stats();
  CHECK(stats.commit_log_files == 1);
  CHECK(stats.min_phy_offset == 4 * kSegment);
  CHECK(stats.max_phy_offset == max_phy);
  CHECK(f.FilesIn("commitlog") <= 2);  // The current one (and maybe one preallocated).
  CHECK(fs::exists(f.dir.Sub("commitlog/" + internal::MappedFile::FileNameForOffset(4 * kSegment))));
  CHECK_FALSE(fs::exists(f.dir.Sub("commitlog/" + internal::MappedFile::FileNameForOffset(0))));
  // Again: the current segment stays whatever its age.
  f.clock->Advance(absl::Hours(10));
  CHECK(f.store->DeleteExpiredFiles(false) == 0);
  CHECK(f.store->DeleteExpiredFiles(true) == 0);
  CHECK(f.store->Stats().commit_log_files == 1);

  // Consume queues lost their old segments and start at the first message
  // still in the commit log.
  CHECK(f.FilesIn("consumequeue/TopicA/0") < cq_files);
  for (int q = 0; q < 2; ++q) {
    INFO("queue " << q);
    const int64_t min = f.store->GetMinOffsetInQueue("TopicA", q);
    CHECK(min > 0);
    CHECK(f.store->GetMaxOffsetInQueue("TopicA", q) == f.puts_a);
    GetMessageResult too_small = f.store->Get("TopicA", q, min - 1, 32, nullptr);
    CHECK(too_small.status == GetStatus::kOffsetTooSmall);
    CHECK(too_small.next_begin_offset == min);
    CHECK(f.store->Get("TopicA", q, 0, 32, nullptr).status == GetStatus::kOffsetTooSmall);
    GetMessageResult got = f.store->Get("TopicA", q, min, 32, nullptr);
    REQUIRE(got.status == GetStatus::kFound);
    auto first = DecodeMessage(got.record(0));
    REQUIRE(first.ok());
    CHECK(first->commit_log_offset >= 4 * kSegment);
    CHECK(first->body().rfind("a-" + std::to_string(min) + ".", 0) == 0);
    // The message before it was in a deleted segment.
    CHECK(f.store->GetMessageStoreTimestamp("TopicA", q, min - 1) == -1);
  }
}

TEST_CASE("only segments older than fileReservedTime go, oldest first") {
  Fixture f;
  f.Open();
  f.FillSegments(3);                    // Segments 0, 1 (and 2) at t0.
  f.clock->Advance(absl::Minutes(90));
  f.FillSegments(5);                    // Segment 2 ends, 3 and 4 at t0 + 90 min.
  f.clock->Advance(absl::Minutes(45));  // Now t0 + 135 min: only t0 is older than 1 h.
  CHECK(f.store->DeleteExpiredFiles(false) == 2);
  CHECK(f.store->Stats().min_phy_offset == 2 * kSegment);
  f.clock->Advance(absl::Minutes(60));
  CHECK(f.store->DeleteExpiredFiles(false) == 2);
  CHECK(f.store->Stats().min_phy_offset == 4 * kSegment);
}

// RocketMQ deletes at most 10 segments per pass; force ignores the age.
TEST_CASE("a forced pass deletes unexpired segments, at most 10 per pass") {
  Fixture f;
  f.Open();
  f.FillSegments(13);
  CHECK(f.store->DeleteExpiredFiles(true) == 10);
  CHECK(f.store->Stats().min_phy_offset == 10 * kSegment);
  CHECK(f.store->DeleteExpiredFiles(true) == 2);
  CHECK(f.store->Stats().commit_log_files == 1);
  CHECK(f.store->GetMinOffsetInQueue("TopicA", 0) > 0);
}

TEST_CASE("index entries of deleted records are not returned") {
  Fixture f;
  f.Open();
  REQUIRE(f.store->Put(MakeMessage("TopicK", 0, "old", "old-key shared-key")).ok());
  f.FillSegments(3);
  f.clock->Advance(absl::Hours(2));
  REQUIRE(f.store->Put(MakeMessage("TopicK", 0, "new", "new-key shared-key")).ok());
  f.store->WaitForDispatch();
  const int64_t all = std::numeric_limits<int64_t>::max();
  REQUIRE(f.store->QueryMessage("TopicK", "old-key", 32, 0, all).size() == 1);
  REQUIRE(f.store->QueryMessage("TopicK", "shared-key", 32, 0, all).size() == 2);

  REQUIRE(f.store->DeleteExpiredFiles(false) == 2);
  CHECK(f.store->QueryMessage("TopicK", "old-key", 32, 0, all).empty());
  auto shared = f.store->QueryMessage("TopicK", "shared-key", 32, 0, all);
  REQUIRE(shared.size() == 1);
  CHECK(shared[0].body() == "new");
  CHECK(f.store->QueryMessage("TopicK", "new-key", 32, 0, all).size() == 1);
}

TEST_CASE("after cleanup and reopen, queue offsets continue") {
  Fixture f;
  f.Open();
  REQUIRE(f.store->Put(MakeMessage("TopicOld", 0, "only in segment 0")).ok());
  REQUIRE(f.store->Put(MakeMessage("TopicOld", 0, "also in segment 0")).ok());
  f.FillSegments(4);
  f.clock->Advance(absl::Hours(2));
  REQUIRE(f.store->DeleteExpiredFiles(false) == 3);
  const int64_t min0 = f.store->GetMinOffsetInQueue("TopicA", 0);
  const int64_t min_phy = f.store->Stats().min_phy_offset;
  REQUIRE(min0 > 0);
  // Every message of TopicOld is gone: its queue is empty but keeps its end.
  CHECK(f.store->GetMinOffsetInQueue("TopicOld", 0) == 2);
  CHECK(f.store->GetMaxOffsetInQueue("TopicOld", 0) == 2);
  CHECK(f.store->Get("TopicOld", 0, 0, 32, nullptr).status == GetStatus::kOffsetTooSmall);
  CHECK(f.store->Get("TopicOld", 0, 2, 32, nullptr).status == GetStatus::kOffsetOverflowOne);

  f.store.reset();
  f.Open();
  CHECK(f.store->Stats().min_phy_offset == min_phy);
  CHECK(f.store->GetMinOffsetInQueue("TopicA", 0) == min0);
  CHECK(f.store->GetMaxOffsetInQueue("TopicA", 0) == f.puts_a);
  CHECK(f.store->Get("TopicA", 0, 0, 32, nullptr).status == GetStatus::kOffsetTooSmall);
  CHECK(f.store->Get("TopicA", 0, min0, 32, nullptr).status == GetStatus::kFound);
  CHECK(f.store->GetMaxOffsetInQueue("TopicOld", 0) == 2);

  auto put = f.store->Put(MakeMessage("TopicA", 0, "after reopen"));
  REQUIRE(put.ok());
  CHECK(put->queue_offset == f.puts_a);
  auto old = f.store->Put(MakeMessage("TopicOld", 0, "after reopen"));
  REQUIRE(old.ok());
  CHECK(old->queue_offset == 2);
  f.store->WaitForDispatch();
  GetMessageResult got = f.store->Get("TopicOld", 0, 2, 32, nullptr);
  REQUIRE(got.status == GetStatus::kFound);
  CHECK(DecodeMessage(got.record(0))->body() == "after reopen");
}

// Segment ages must survive a restart even though the virtual clock is far
// from the files' real modification times.
TEST_CASE("segment expiry survives a reopen") {
  Fixture f;
  f.Open();
  f.FillSegments(6);
  f.store.reset();
  f.clock->Advance(absl::Hours(2));
  f.Open();
  CHECK(f.store->DeleteExpiredFiles(false) == 5);
  CHECK(f.store->Stats().min_phy_offset == 5 * kSegment);
}

// The periodic pass (every cleanResourceInterval, on a worker thread)
// deletes expired segments when the local hour is listed in deleteWhen.
TEST_CASE("the periodic cleanup runs at deleteWhen") {
  Fixture f;
  const absl::Time when = f.clock->Now() + absl::Hours(2);
  const int hour = absl::ToCivilHour(when, absl::LocalTimeZone()).hour();
  f.config.delete_when = (hour < 10 ? "0" : "") + std::to_string(hour);
  f.config.clean_resource_interval = 10000;
  f.Open();
  f.FillSegments(4);
  f.clock->Advance(absl::Hours(2));
  CHECK(Eventually([&] { return f.store->Stats().commit_log_files == 1; }));
  CHECK(f.store->Stats().min_phy_offset == 3 * kSegment);
  CHECK(Eventually([&] { return f.store->GetMinOffsetInQueue("TopicA", 0) > 0; }));
}

// Reads the checkpoint's logicsMsgTimestamp (bytes 8..15, big-endian).
int64_t CheckpointLogicsTimestamp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[16] = {};
  if (!in.read(reinterpret_cast<char*>(b), sizeof(b))) return -1;
  int64_t v = 0;
  for (int i = 8; i < 16; ++i) v = (v << 8) | b[i];
  return v;
}

// Returns once the background worker has finished every job posted so far.
// Each thorough consume queue flush job (one a flushConsumeQueueThoroughInterval)
// writes the checkpoint's queue timestamp; a job that records a message put
// after the call started after all earlier jobs had finished, and a second
// such job proves that one finished too.
void DrainWorker(Fixture& f) {
  for (int round = 0; round < 2; ++round) {
    auto put = f.store->Put(MakeMessage("TopicDrain", 0, "drain"));
    REQUIRE(put.ok());
    f.store->WaitForDispatch();
    f.clock->Advance(absl::Milliseconds(f.config.flush_consume_queue_thorough_interval));
    REQUIRE(Eventually([&] {
      return CheckpointLogicsTimestamp(f.dir.Sub("checkpoint")) >= put->store_timestamp;
    }));
  }
}

TEST_CASE("the periodic cleanup deletes nothing outside deleteWhen") {
  Fixture f;
  const int hour = absl::ToCivilHour(f.clock->Now(), absl::LocalTimeZone()).hour();
  f.config.delete_when = std::to_string((hour + 12) % 24);  // Not reached here.
  f.config.clean_resource_interval = 10000;
  f.Open();
  f.FillSegments(4);
  f.clock->Advance(absl::Hours(2));  // Expired, and many periodic passes.
  DrainWorker(f);
  CHECK(f.store->Stats().commit_log_files == 4);
  // A manual pass ignores the hour.
  CHECK(f.store->DeleteExpiredFiles(false) == 3);
}

// Above diskMaxUsedSpaceRatio the periodic pass deletes expired segments
// whatever the hour; above diskSpaceCleanForciblyRatio even unexpired ones.
TEST_CASE("disk pressure deletes outside deleteWhen") {
  Fixture f;
  const int hour = absl::ToCivilHour(f.clock->Now(), absl::LocalTimeZone()).hour();
  f.config.delete_when = std::to_string((hour + 12) % 24);  // Never reached here.
  f.config.clean_resource_interval = 10000;
  f.Open();
  f.FillSegments(4);
  f.store->SetDiskUsageProbe([](const std::string&) { return 0.87; });  // > 85 %.
  f.clock->Advance(absl::Seconds(10));
  CHECK(Eventually([&] { return f.store->Stats().commit_log_files == 1; }));
  // 87 % is below the 90 % warning level: puts go on.
  CHECK(f.store->Put(MakeMessage("TopicA", 0, "still writable")).ok());
}

}  // namespace
}  // namespace rmq
