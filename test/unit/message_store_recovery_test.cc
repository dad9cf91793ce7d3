// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Opening a store after a clean close, after a crash (abort file present),
// with a torn or corrupt commit log tail, without consume queues, and with a
// missing or damaged checkpoint.

#include <catch2/catch.hpp>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/durable_dir.h"
#include "common/record_codec.h"
#include "rmq/store.h"
#include "store/consume_queue.h"
#include "store/default_message_store.h"
#include "store/store_files.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

namespace fs = std::filesystem;
using internal::DefaultMessageStore;

constexpr int64_t kSegment = 64 * 1024;

MessageExt MakeMessage(const std::string& topic, int queue_id, std::string body,
                       std::string keys = "") {
  return testing::MakeKeyedMessage(topic, queue_id, std::move(body), std::move(keys));
}

struct Fixture {
  testing::TempDir dir;
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  MessageStoreConfig config;
  std::unique_ptr<DefaultMessageStore> store;
  std::vector<std::string> bodies[2];  // TopicR queues 0 and 1, by queue offset.
  PutMessageResult last;

  Fixture() {
    config.store_path_root_dir = dir.path();
    config.mapped_file_size_commit_log = kSegment;
    config.mapped_file_size_consume_queue = 100 * 20;
    config.max_hash_slot_num = 64;
    config.max_index_num = 256;
    config.file_reserved_time = 1;
    config.clean_resource_interval = 24 * 3600 * 1000;
  }

  void Open() {
    auto opened = DefaultMessageStore::Open(config, clock);
    REQUIRE(opened.ok());
    store = *std::move(opened);
    store->SetDiskUsageProbe([](const std::string&) { return 0.1; });
  }
  void Close() { store.reset(); }
  void Crash() {  // What a crash leaves: the abort file (and flushed data).
    Close();
    std::ofstream(dir.Sub("abort"));
  }
  const internal::OpenReport& report() const { return store->open_report(); }

  void Put(int queue_id, const std::string& keys = "") {
    std::vector<std::string>& q = bodies[queue_id];
    std::string body = "r" + std::to_string(queue_id) + "-" + std::to_string(q.size()) +
                       std::string(300, '.');
    auto put = store->Put(MakeMessage("TopicR", queue_id, body, keys));
    REQUIRE(put.ok());
    REQUIRE(put->queue_offset == static_cast<int64_t>(q.size()));
    q.push_back(body);
    last = *put;
  }
  // Alternating queues until the log reaches `end`.
  void PutUntil(int64_t end) {
    while (store->Stats().max_phy_offset < end) Put(static_cast<int>(bodies[0].size() + bodies[1].size()) % 2);
  }

  // Every message is where it should be, once: queue offsets 0..n-1 hold
  // exactly the bodies put, in order.
  void CheckAll() {
    store->WaitForDispatch();
    for (int q = 0; q < 2; ++q) {
      INFO("queue " << q);
      const auto n = static_cast<int64_t>(bodies[q].size());
      REQUIRE(store->GetMaxOffsetInQueue("TopicR", q) == n);
      int64_t offset = store->GetMinOffsetInQueue("TopicR", q);
      REQUIRE(offset == 0);
      while (offset < n) {
        GetMessageResult got = store->Get("TopicR", q, offset, 32, nullptr);
        REQUIRE(got.status == GetStatus::kFound);
        for (size_t i = 0; i < got.message_count(); ++i) {
          REQUIRE(got.queue_offset(i) == offset + static_cast<int64_t>(i));
          auto msg = DecodeMessage(got.record(i));
          REQUIRE(msg.ok());
          REQUIRE(msg->body() == bodies[q][static_cast<size_t>(got.queue_offset(i))]);
        }
        offset = got.next_begin_offset;
      }
      CHECK(store->Get("TopicR", q, n, 32, nullptr).status == GetStatus::kOffsetOverflowOne);
    }
  }
  // Waits for the index to catch up with the log, then finds each of
  // key-0 .. key-(keys-1) exactly once.
  void CheckEveryKeyOnceAfterCatchUp(int keys) {
    store->WaitForDispatch();
    for (int64_t i = 0; i < 100'000'000 && store->indexed_offset() < store->Stats().max_phy_offset; ++i) {
      std::this_thread::yield();
    }
    REQUIRE(store->indexed_offset() == store->Stats().max_phy_offset);
    const int64_t all = std::numeric_limits<int64_t>::max();
    for (int i = 0; i < keys; ++i) {
      INFO("key-" << i);
      CHECK(store->QueryMessage("TopicR", "key-" + std::to_string(i), 32, 0, all).size() == 1);
    }
  }
  // New puts continue both queues' offsets.
  void CheckContinues() {
    Put(0);
    Put(1);
    CheckAll();
  }

  std::string SegmentPath(int64_t offset) const {
    return dir.Sub("commitlog/" + internal::MappedFile::FileNameForOffset(offset - offset % kSegment));
  }
  // Overwrites bytes of the (closed) commit log at `offset`.
  void Overwrite(int64_t offset, const std::string& bytes) const {
    std::fstream file(SegmentPath(offset), std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(file.is_open());
    file.seekp(offset % kSegment);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(file.good());
  }
};

// Position of the body of the record at `offset` (IPv4 hosts).
int64_t BodyPos(int64_t offset) {
  return offset + static_cast<int64_t>(internal::RecordLayout::ForSysFlag(0).body_length_pos) + 4;
}

TEST_CASE("a clean reopen trusts the queues and continues offsets") {
  Fixture f;
  f.Open();
  CHECK(fs::exists(f.dir.Sub("abort")));  // Present while open.
  CHECK_FALSE(f.report().abnormal);
  f.PutUntil(2 * kSegment + 5000);
  const int64_t end = f.store->Stats().max_phy_offset;
  f.Close();
  CHECK_FALSE(fs::exists(f.dir.Sub("abort")));
  CHECK(fs::file_size(f.dir.Sub("checkpoint")) == 4096);

  f.Open();
  CHECK_FALSE(f.report().abnormal);
  CHECK(f.report().recovery.end_offset == end);
  CHECK(f.report().recovery.truncation_reason.empty());
  CHECK(f.report().redispatch_from == end);  // Nothing to re-dispatch.
  CHECK(f.store->Stats().max_phy_offset == end);
  f.CheckAll();
  f.CheckContinues();
}

TEST_CASE("reopen after a crash: everything present once, offsets continue") {
  Fixture f;
  f.config.message_index_enable = GENERATE(true, false);
  INFO("index " << f.config.message_index_enable);
  f.Open();
  f.PutUntil(2 * kSegment + 100);      // Segments 0, 1 and the start of 2 at t0.
  f.clock->Advance(absl::Seconds(10));
  f.PutUntil(4 * kSegment + 100);      // The rest at t0 + 10 s.
  const int64_t end = f.store->Stats().max_phy_offset;
  f.Crash();

  f.Open();
  CHECK(f.report().abnormal);
  CHECK(f.report().recovery.end_offset == end);
  CHECK(f.report().recovery.truncation_reason.empty());
  // The checkpoint vouches for everything stored up to t0 + 10 s - 3 s:
  // recovery starts at the newest segment beginning before that. (The
  // index's own timestamp is not waited for: it catches up by itself.)
  CHECK(f.report().recovery.scan_start == 2 * kSegment);
  CHECK(f.report().redispatch_from == f.report().recovery.scan_start);
  // The dead process may not have synced what it wrote, and the page cache
  // is no disk: the first flush covers every segment the scan went through,
  // not only the last (async flush, and the clock has not moved: no flush yet).
  CHECK(f.store->Stats().flushed_phy_offset == f.report().recovery.scan_start);
  REQUIRE(f.store->Flush().ok());
  CHECK(f.store->Stats().flushed_phy_offset == end);
  f.CheckAll();
  f.CheckContinues();
  // Crash again right away: still consistent.
  f.Crash();
  f.Open();
  CHECK(f.report().abnormal);
  f.CheckAll();
}

TEST_CASE("after a crash the index catches up from its own end once the store is open") {
  Fixture f;
  // One index file that never fills: after a crash it is deleted (never
  // synced), so the index starts from nothing, while the queues' checkpoint
  // vouches for the first two segments. Or small files that fill and are
  // synced: the index starts at the end of the last of them kept, and that
  // record is checked key by key, not indexed twice.
  const bool one_file = GENERATE(true, false);
  INFO("one index file " << one_file);
  f.config.max_index_num = one_file ? 100000 : 256;
  f.config.max_hash_slot_num = one_file ? 4096 : 64;
  f.Open();
  int keys = 0;
  auto put_until = [&](int64_t end) {
    for (; f.store->Stats().max_phy_offset < end; ++keys) f.Put(keys % 2, "key-" + std::to_string(keys));
  };
  put_until(2 * kSegment + 100);
  f.clock->Advance(absl::Seconds(10));
  put_until(4 * kSegment + 100);
  f.Crash();

  f.Open();
  REQUIRE(f.report().abnormal);
  CHECK(f.report().recovery.scan_start == 2 * kSegment);
  CHECK(f.report().redispatch_from == 2 * kSegment);
  if (one_file) {
    CHECK(f.report().index_from == 0);
  } else {
    // Where the kept files end depends on whether the index thread synced
    // the second full file before the close: before or at the queues' start.
    CHECK(f.report().index_from <= f.report().redispatch_from);
  }
  f.CheckAll();  // The queues are complete when Open returns.
  // Every key once: those of the rescanned segments indexed again after the
  // catch-up, none twice.
  f.CheckEveryKeyOnceAfterCatchUp(keys);
  f.Put(0, "key-new");
  f.store->WaitForDispatch();
  CHECK(f.store->QueryMessage("TopicR", "key-new", 32, 0, std::numeric_limits<int64_t>::max()).size() == 1);
  f.Close();
  CHECK_FALSE(fs::exists(f.dir.Sub("abort")));  // Caught up: a clean shutdown.
}

// While in scope, a disk that refuses to sync the index directory: no index
// file can be created (MappedFile syncs a new file's name), so the index
// cannot catch up.
class IndexDirectorySyncsFail {
 public:
  IndexDirectorySyncsFail() { internal::SetDirectorySyncFunctionForTesting(&Sync); }
  ~IndexDirectorySyncsFail() { internal::SetDirectorySyncFunctionForTesting(nullptr); }

 private:
  static int Sync(int fd, const char* path) {
    if (std::string_view(path).ends_with("/index")) {
      errno = EIO;
      return -1;
    }
    return ::fsync(fd);
  }
};

TEST_CASE("a store closed before its index caught up rebuilds the rest at the next open") {
  Fixture f;
  // One index file that never fills: after the crash it is deleted, and the
  // index must start again from the commit log's first record.
  f.config.max_index_num = 100000;
  f.config.max_hash_slot_num = 4096;
  f.Open();
  int keys = 0;
  for (; f.store->Stats().max_phy_offset < 2 * kSegment + 100; ++keys) {
    f.Put(keys % 2, "key-" + std::to_string(keys));
  }
  f.Crash();

  {
    // Open, then close while the index is held back: the close is not clean.
    IndexDirectorySyncsFail failing;
    f.Open();
    REQUIRE(f.report().abnormal);
    REQUIRE(f.report().index_from == 0);
    f.store->WaitForDispatch();
    CHECK(f.store->indexed_offset() == 0);
    f.Close();
  }
  CHECK(fs::exists(f.dir.Sub("abort")));

  // The next open catches up from where the index really ends.
  f.Open();
  CHECK(f.report().abnormal);
  CHECK(f.report().index_from == 0);
  f.CheckAll();
  f.CheckEveryKeyOnceAfterCatchUp(keys);
  f.Close();
  CHECK_FALSE(fs::exists(f.dir.Sub("abort")));
}

TEST_CASE("a corrupt last record is dropped on reopen and appends go on from there") {
  Fixture f;
  const bool crashed = GENERATE(false, true);
  const bool torn = GENERATE(false, true);
  INFO("crashed " << crashed << ", torn " << torn);
  f.Open();
  f.PutUntil(kSegment + 3000);
  f.Put(1, "lost-key");
  const PutMessageResult lost = f.last;
  f.bodies[1].pop_back();
  if (crashed) {
    f.Crash();
  } else {
    f.Close();
  }
  if (torn) {
    // A torn write: the record's second half never reached the disk.
    const int64_t mid = BodyPos(lost.wrote_offset) + 100;
    f.Overwrite(mid, std::string(static_cast<size_t>(lost.wrote_offset + lost.wrote_bytes - mid), '\0'));
  } else {
    // One flipped bit in the body: a CRC mismatch.
    f.Overwrite(BodyPos(lost.wrote_offset) + 10, "X");
  }

  f.Open();
  CHECK(f.report().abnormal == crashed);
  CHECK(f.report().recovery.end_offset == lost.wrote_offset);
  CHECK_FALSE(f.report().recovery.truncation_reason.empty());
  CHECK(f.store->Stats().max_phy_offset == lost.wrote_offset);
  CHECK_FALSE(f.store->LookMessageByOffset(lost.wrote_offset).ok());
  f.CheckAll();

  // The next message takes the dropped one's place in the log and queue.
  MessageExt replacement = MakeMessage("TopicR", 1, "replacement", "new-key");
  auto put = f.store->Put(replacement);
  REQUIRE(put.ok());
  CHECK(put->wrote_offset == lost.wrote_offset);
  CHECK(put->queue_offset == lost.queue_offset);
  f.bodies[1].push_back("replacement");
  f.CheckAll();
  // The index may still hold the dropped record's key; it must not match
  // the record now at that offset.
  const int64_t all = std::numeric_limits<int64_t>::max();
  CHECK(f.store->QueryMessage("TopicR", "lost-key", 32, 0, all).empty());
  CHECK(f.store->QueryMessage("TopicR", "new-key", 32, 0, all).size() == 1);

  f.Close();
  f.Open();
  CHECK(f.report().recovery.truncation_reason.empty());
  f.CheckAll();
  f.CheckContinues();
}

TEST_CASE("a batch whose copy was cut short before its head went in disappears whole") {
  // The commit log copies an append's first 8 bytes (size and magic of its
  // first record) last; a process killed during the copy leaves the rest of
  // the batch's bytes, complete records among them, behind a zero head.
  Fixture f;
  f.Open();
  for (int i = 0; i < 6; ++i) f.Put(i % 2);
  std::vector<MessageExt> batch;
  for (int i = 0; i < 4; ++i) batch.push_back(MakeMessage("TopicR", 1, "batch-" + std::to_string(i)));
  auto put = f.store->PutBatch(batch);
  REQUIRE(put.ok());
  REQUIRE(put->msg_num == 4);
  f.Crash();
  f.Overwrite(put->wrote_offset, std::string(8, '\0'));

  f.Open();
  CHECK(f.report().recovery.end_offset == put->wrote_offset);
  CHECK(f.store->Stats().max_phy_offset == put->wrote_offset);
  CHECK_FALSE(f.store->LookMessageByOffset(put->wrote_offset).ok());
  f.CheckAll();  // Queue 1 holds the three single puts only.
  f.CheckContinues();
}

TEST_CASE("garbage after the last record is cut off") {
  Fixture f;
  f.Open();
  f.PutUntil(3000);
  const int64_t end = f.store->Stats().max_phy_offset;
  f.Crash();
  // A size field (256) followed by no valid magic code.
  f.Overwrite(end, std::string("\x00\x00\x01\x00garbage garbage", 19));
  f.Open();
  CHECK(f.report().recovery.end_offset == end);
  CHECK_FALSE(f.report().recovery.truncation_reason.empty());
  {
    // The garbage is gone from the file, not just ignored.
    std::ifstream in(f.SegmentPath(0), std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(data.find("garbage") == std::string::npos);
  }
  f.CheckAll();
  f.CheckContinues();
}

TEST_CASE("a deleted consumequeue directory is rebuilt from the commit log") {
  Fixture f;
  const bool crashed = GENERATE(false, true);
  INFO("crashed " << crashed);
  f.Open();
  f.PutUntil(2 * kSegment + 100);
  REQUIRE(f.store->Put(MakeMessage("TopicOther", 5, "other")).ok());
  const int64_t end = f.store->Stats().max_phy_offset;
  if (crashed) {
    f.Crash();
  } else {
    f.Close();
  }
  fs::remove_all(f.dir.Sub("consumequeue"));

  f.Open();
  CHECK(f.report().redispatch_from == 0);
  CHECK(f.report().recovery.end_offset == end);
  f.CheckAll();
  GetMessageResult other = f.store->Get("TopicOther", 5, 0, 32, nullptr);
  REQUIRE(other.status == GetStatus::kFound);
  CHECK(DecodeMessage(other.record(0))->body() == "other");
  f.CheckContinues();
}

// After cleanup the rebuilt queues start part-way: below the first message
// still in the commit log the offsets are gone, and they stay where they were.
TEST_CASE("consume queues rebuilt after cleanup keep their offsets") {
  Fixture f;
  f.Open();
  f.PutUntil(3 * kSegment + 3000);  // Both queues have messages in segment 3.
  // Cleanup never deletes what the dispatcher has not read yet: on a busy
  // machine it may still be behind here.
  f.store->WaitForDispatch();
  f.clock->Advance(absl::Hours(2));
  REQUIRE(f.store->DeleteExpiredFiles(false) == 3);
  int64_t min[2];
  for (int q = 0; q < 2; ++q) min[q] = f.store->GetMinOffsetInQueue("TopicR", q);
  REQUIRE(min[0] > 0);
  f.Close();
  fs::remove_all(f.dir.Sub("consumequeue"));

  f.Open();
  for (int q = 0; q < 2; ++q) {
    INFO("queue " << q);
    const auto n = static_cast<int64_t>(f.bodies[q].size());
    CHECK(f.store->GetMinOffsetInQueue("TopicR", q) == min[q]);
    CHECK(f.store->GetMaxOffsetInQueue("TopicR", q) == n);
    CHECK(f.store->Get("TopicR", q, 0, 32, nullptr).status == GetStatus::kOffsetTooSmall);
    GetMessageResult got = f.store->Get("TopicR", q, min[q], 32, nullptr);
    REQUIRE(got.status == GetStatus::kFound);
    CHECK(got.queue_offset(0) == min[q]);
    CHECK(DecodeMessage(got.record(0))->body() == f.bodies[q][static_cast<size_t>(min[q])]);
    auto put = f.store->Put(MakeMessage("TopicR", q, "next"));
    REQUIRE(put.ok());
    CHECK(put->queue_offset == n);
  }
  // A rebuilt queue that starts part-way keeps its bounds over a clean reopen.
  f.Close();
  f.Open();
  for (int q = 0; q < 2; ++q) {
    INFO("queue " << q);
    const auto n = static_cast<int64_t>(f.bodies[q].size());
    CHECK(f.store->GetMinOffsetInQueue("TopicR", q) == min[q]);
    CHECK(f.store->GetMaxOffsetInQueue("TopicR", q) == n + 1);
    CHECK(f.store->Get("TopicR", q, min[q] - 1, 32, nullptr).status == GetStatus::kOffsetTooSmall);
    CHECK(f.store->Get("TopicR", q, min[q], 32, nullptr).status == GetStatus::kFound);
  }
}

// A consume queue unit as an earlier build could leave it when killed while
// writing it: size set, another field not (yet) written. Load takes it as
// written; only the comparison with the record on re-dispatch finds it.
TEST_CASE("after a crash, re-dispatch rewrites queue units that differ from the commit log") {
  Fixture f;
  f.Open();
  f.PutUntil(8000);  // ~20 messages: units 3 and 5 of queue 0 exist.
  f.Crash();
  const std::string queue_file =
      f.dir.Sub("consumequeue/TopicR/0/" + internal::MappedFile::FileNameForOffset(0));
  auto damage = [&](int64_t pos) {
    std::fstream file(queue_file, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(file.is_open());
    file.seekp(pos);
    file.write(std::string(8, '\0').data(), 8);
    REQUIRE(file.good());
  };
  constexpr int64_t kUnit = internal::ConsumeQueue::kUnitSize;
  damage(3 * kUnit + 12);  // Unit 3's tagsCode.
  damage(5 * kUnit);       // Unit 5's commit log offset.
  {
    auto damaged = internal::VerifyStore(f.dir.path(), "");
    REQUIRE(damaged.ok());
    // Two each: the unit does not match the log, and its message is missing.
    CHECK(damaged->queue_errors == 4);
  }

  f.Open();
  REQUIRE(f.report().abnormal);
  REQUIRE(f.report().redispatch_from == 0);
  f.CheckAll();  // Unit 5 leads to its own message again.
  std::unique_ptr<MessageFilter> tag_a = MessageFilter::ForTags("TagA");
  GetMessageResult got = f.store->Get("TopicR", 0, 3, 1, tag_a.get());
  REQUIRE(got.status == GetStatus::kFound);
  CHECK(got.queue_offset(0) == 3);
  CHECK(DecodeMessage(got.record(0))->body() == f.bodies[0][3]);
  f.Close();
  auto repaired = internal::VerifyStore(f.dir.path(), "");
  REQUIRE(repaired.ok());
  for (const std::string& problem : repaired->problems) UNSCOPED_INFO("verify: " << problem);
  CHECK(repaired->queue_errors == 0);
  CHECK(repaired->corrupt == 0);
}

TEST_CASE("a crash without a checkpoint recovers from the first segment") {
  Fixture f;
  f.config.message_index_enable = false;
  f.Open();
  f.PutUntil(2 * kSegment + 100);
  f.clock->Advance(absl::Seconds(10));
  f.PutUntil(4 * kSegment + 100);
  f.Crash();
  fs::remove(f.dir.Sub("checkpoint"));

  f.Open();
  CHECK(f.report().abnormal);
  CHECK(f.report().recovery.scan_start == 0);
  CHECK(f.report().redispatch_from == 0);
  CHECK(f.report().recovery.end_offset == f.last.wrote_offset + f.last.wrote_bytes);
  f.CheckAll();
  f.CheckContinues();
  f.Close();
  CHECK(fs::file_size(f.dir.Sub("checkpoint")) == 4096);
}

TEST_CASE("a checkpoint of the wrong size does not prevent opening") {
  Fixture f;
  const bool crashed = GENERATE(false, true);
  INFO("crashed " << crashed);
  f.config.message_index_enable = false;
  f.Open();
  f.PutUntil(2 * kSegment + 100);
  if (crashed) {
    f.Crash();
  } else {
    f.Close();
  }
  std::ofstream(f.dir.Sub("checkpoint"), std::ios::trunc) << "short";

  f.Open();
  CHECK(f.report().abnormal == crashed);
  if (crashed) CHECK(f.report().recovery.scan_start == 0);
  f.CheckAll();
  f.CheckContinues();
  f.Close();
  CHECK(fs::file_size(f.dir.Sub("checkpoint")) == 4096);
}

}  // namespace
}  // namespace rmq
