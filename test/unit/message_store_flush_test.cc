// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Flushing the commit log: SYNC_FLUSH (group commit: a put returns once its
// record is on disk) and ASYNC_FLUSH (a timer wakes the flusher).

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rmq/store.h"
#include "store/mapped_file.h"
#include "store/store_checkpoint.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

MessageStoreConfig FlushConfig(const std::string& dir, FlushDiskType type) {
  MessageStoreConfig config = testing::SmallStoreConfig(dir);
  config.mapped_file_size_commit_log = 256 * 1024;
  config.mapped_file_size_consume_queue = 1000 * 20;
  config.flush_disk_type = type;
  // A slow disk must not turn into FLUSH_DISK_TIMEOUT in a test.
  config.sync_flush_timeout = 120000;
  config.clean_resource_interval = 24 * 3600 * 1000;
  return config;
}

using testing::MakeMessage;

std::unique_ptr<MessageStore> OpenStore(const MessageStoreConfig& config,
                                        std::shared_ptr<VirtualClock> clock) {
  auto store = MessageStore::Open(config, std::move(clock));
  REQUIRE(store.ok());
  return *std::move(store);
}

// Spins (yielding, never sleeping) until `done` holds; false if it never does.
template <typename F>
bool Eventually(F done) {
  for (int64_t i = 0; i < 100'000'000; ++i) {
    if (done()) return true;
    std::this_thread::yield();
  }
  return done();
}

TEST_CASE("SYNC_FLUSH: a put returns once its record is flushed") {
  testing::TempDir dir;
  auto store = OpenStore(FlushConfig(dir.path(), FlushDiskType::kSyncFlush),
                         std::make_shared<VirtualClock>());
  for (int i = 0; i < 20; ++i) {
    auto put = store->Put(MakeMessage("TopicA", 0, "sync-" + std::to_string(i)));
    REQUIRE(put.ok());
    CHECK(put->status == PutStatus::kPutOk);
    CHECK(PutStatusName(put->status) == "PUT_OK");
    CHECK(store->Stats().flushed_phy_offset >= put->wrote_offset + put->wrote_bytes);
  }
  std::vector<MessageExt> batch = {MakeMessage("TopicA", 0, "b1"), MakeMessage("TopicA", 0, "b2")};
  auto put = store->PutBatch(batch);
  REQUIRE(put.ok());
  CHECK(put->status == PutStatus::kPutOk);
  CHECK(store->Stats().flushed_phy_offset >= put->wrote_offset + put->wrote_bytes);
}

// Group commit under contention: every put is acknowledged as flushed, and
// the store hands out each queue offset exactly once.
TEST_CASE("SYNC_FLUSH: concurrent putters all succeed with unique, contiguous queue offsets") {
  testing::TempDir dir;
  auto store = OpenStore(FlushConfig(dir.path(), FlushDiskType::kSyncFlush),
                         std::make_shared<VirtualClock>());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 60;
  constexpr int kQueues = 3;
  std::mutex mu;
  std::map<int, std::vector<int64_t>> offsets;  // By queue.
  std::map<int64_t, std::string> bodies_by_offset[kQueues];
  std::vector<std::string> failures;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          int queue = (t + i) % kQueues;
          std::string body = "t" + std::to_string(t) + "-" + std::to_string(i);
          auto put = store->Put(MakeMessage("TopicC", queue, body));
          std::lock_guard<std::mutex> lock(mu);
          if (!put.ok()) {
            failures.push_back(put.status().ToString());
            continue;
          }
          if (put->status != PutStatus::kPutOk) failures.push_back("not PUT_OK: " + body);
          if (store->Stats().flushed_phy_offset < put->wrote_offset + put->wrote_bytes) {
            failures.push_back("returned before its flush: " + body);
          }
          offsets[queue].push_back(put->queue_offset);
          bodies_by_offset[queue][put->queue_offset] = body;
        }
      });
    }
  }
  CHECK(failures.empty());
  for (const std::string& failure : failures) UNSCOPED_INFO(failure);
  int64_t total = 0;
  store->WaitForDispatch();
  for (int q = 0; q < kQueues; ++q) {
    INFO("queue " << q);
    std::vector<int64_t>& got = offsets[q];
    std::sort(got.begin(), got.end());
    for (size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == static_cast<int64_t>(i));
    CHECK(store->GetMaxOffsetInQueue("TopicC", q) == static_cast<int64_t>(got.size()));
    total += static_cast<int64_t>(got.size());
    // Each offset holds the message its put reported.
    for (int64_t offset = 0; offset < static_cast<int64_t>(got.size());) {
      GetMessageResult r = store->Get("TopicC", q, offset, 32, nullptr);
      REQUIRE(r.status == GetStatus::kFound);
      for (size_t k = 0; k < r.message_count(); ++k) {
        CHECK(DecodeMessage(r.record(k))->body() == bodies_by_offset[q][r.queue_offset(k)]);
      }
      offset = r.next_begin_offset;
    }
  }
  CHECK(total == kThreads * kPerThread);
  CHECK(store->Stats().put_count == kThreads * kPerThread);
}

// WAIT=false: the producer does not wait for the disk. The put still
// succeeds, and the group-commit thread flushes the record on its own.
TEST_CASE("SYNC_FLUSH: WAIT=false returns PUT_OK and is flushed later anyway") {
  testing::TempDir dir;
  auto store = OpenStore(FlushConfig(dir.path(), FlushDiskType::kSyncFlush),
                         std::make_shared<VirtualClock>());
  MessageExt msg = MakeMessage("TopicA", 0, "no wait");
  msg.set_wait_store_msg_ok(false);
  REQUIRE_FALSE(msg.wait_store_msg_ok());
  int64_t end = 0;
  for (int i = 0; i < 10; ++i) {
    auto put = store->Put(msg);
    REQUIRE(put.ok());
    CHECK(put->status == PutStatus::kPutOk);
    end = put->wrote_offset + put->wrote_bytes;
  }
  CHECK(Eventually([&] { return store->Stats().flushed_phy_offset >= end; }));
  // The property is stored as sent.
  store->WaitForDispatch();
  GetMessageResult got = store->Get("TopicA", 0, 0, 1, nullptr);
  REQUIRE(got.status == GetStatus::kFound);
  CHECK(DecodeMessage(got.record(0))->GetProperty(property::kWaitStoreMsgOk) == "false");
}

// ASYNC_FLUSH: nothing triggers a flush until the flushIntervalCommitLog
// timer fires; then at least flushCommitLogLeastPages pages go to disk.
TEST_CASE("ASYNC_FLUSH: the interval timer wakes the flusher") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  MessageStoreConfig config = FlushConfig(dir.path(), FlushDiskType::kAsyncFlush);
  auto store = OpenStore(config, clock);
  int64_t end = 0;
  // More than flushCommitLogLeastPages (4) pages.
  for (int i = 0; i < 24; ++i) {
    auto put = store->Put(MakeMessage("TopicA", 0, std::string(1000, 'a' + i % 26)));
    REQUIRE(put.ok());
    CHECK(put->status == PutStatus::kPutOk);
    end = put->wrote_offset + put->wrote_bytes;
  }
  REQUIRE(end > 5 * 4096);
  CHECK(store->Stats().flushed_phy_offset == 0);  // No timer has fired.
  clock->Advance(absl::Milliseconds(config.flush_interval_commit_log));
  // The periodic flush may stop at the last whole page.
  const int64_t whole_pages = end / 4096 * 4096;
  CHECK(Eventually([&] { return store->Stats().flushed_phy_offset >= whole_pages; }));
  CHECK(store->Stats().flushed_phy_offset <= end);
}

// Fewer pages than flushCommitLogLeastPages wait for the thorough flush
// (flushCommitLogThoroughInterval).
TEST_CASE("ASYNC_FLUSH: a small tail is flushed by the thorough interval") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  MessageStoreConfig config = FlushConfig(dir.path(), FlushDiskType::kAsyncFlush);
  auto store = OpenStore(config, clock);
  auto put = store->Put(MakeMessage("TopicA", 0, "tiny"));
  REQUIRE(put.ok());
  const int64_t end = put->wrote_offset + put->wrote_bytes;
  clock->Advance(absl::Milliseconds(config.flush_commit_log_thorough_interval));
  // The last timer firing wakes a pass that reads the clock after it, with
  // the thorough interval elapsed: that pass flushes whatever is pending.
  CHECK(Eventually([&] { return store->Stats().flushed_phy_offset >= end; }));
}

TEST_CASE("A filled index file is synced in the background, then vouched for by the checkpoint") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  MessageStoreConfig config = FlushConfig(dir.path(), FlushDiskType::kAsyncFlush);
  config.max_index_num = 16;  // 15 keys a file.
  auto store = OpenStore(config, clock);
  int64_t last_store_ms = 0;
  for (int i = 0; i < 20; ++i) {  // One key each: the first file fills.
    auto put = store->Put(testing::MakeKeyedMessage("TopicA", 0, "m", "k" + std::to_string(i)));
    REQUIRE(put.ok());
    last_store_ms = clock->NowMillis();
  }
  store->WaitForDispatch();
  auto index_timestamp = [&] {
    auto checkpoint = internal::StoreCheckpoint::Load(dir.Sub("checkpoint"));
    REQUIRE(checkpoint.ok());
    return checkpoint->index_msg_timestamp();
  };
  CHECK(index_timestamp() == 0);
  // One tick posts the index sync; a later tick's logic flush writes what it
  // synced into the checkpoint.
  CHECK(Eventually([&] {
    clock->Advance(absl::Milliseconds(config.flush_interval_consume_queue));
    return index_timestamp() > 0;
  }));
  CHECK(index_timestamp() <= last_store_ms);
}

TEST_CASE("Only a thorough consume queue flush moves the checkpoint's queue timestamp") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  // SYNC_FLUSH: each put's record is on disk when it returns, so every pass
  // moves the checkpoint's commit log timestamp, which shows the pass ran.
  MessageStoreConfig config = FlushConfig(dir.path(), FlushDiskType::kSyncFlush);
  REQUIRE(config.flush_consume_queue_least_pages == 2);
  auto store = OpenStore(config, clock);
  auto checkpoint = [&] {
    auto loaded = internal::StoreCheckpoint::Load(dir.Sub("checkpoint"));
    REQUIRE(loaded.ok());
    return std::pair(loaded->physic_msg_timestamp(), loaded->logics_msg_timestamp());
  };
  auto put = [&] {
    clock->Advance(absl::Milliseconds(5));
    auto put = store->Put(MakeMessage("TopicA", 0, "one unit"));
    REQUIRE(put.ok());
    store->WaitForDispatch();
    return put->store_timestamp;
  };
  const absl::Duration tick = absl::Milliseconds(config.flush_interval_consume_queue);

  // The first pass is thorough: both timestamps.
  const int64_t first = put();
  clock->Advance(tick);
  CHECK(Eventually([&] { return checkpoint() == std::pair(first, first); }));

  // The next passes flush only queues with two pages pending: this one's new
  // 20-byte unit stays in the page cache, so the queue timestamp must not
  // vouch for it.
  const int64_t second = put();
  clock->Advance(tick);
  CHECK(Eventually([&] { return checkpoint().first == second; }));
  CHECK(checkpoint().second == first);

  // flushConsumeQueueThoroughInterval later, a pass flushes everything.
  clock->Advance(absl::Milliseconds(config.flush_consume_queue_thorough_interval));
  CHECK(Eventually([&] { return checkpoint() == std::pair(second, second); }));
}

// A disk that fails every sync with EIO while this is in scope.
struct FailingDisk {
  static int Sync(void*, size_t, int) {
    errno = EIO;
    return -1;
  }
  FailingDisk() { internal::MappedFile::SetSyncFunctionForTesting(&Sync); }
  ~FailingDisk() { Heal(); }
  void Heal() { internal::MappedFile::SetSyncFunctionForTesting(nullptr); }
};

TEST_CASE("A failed commit log sync refuses puts until the store is reopened") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  MessageStoreConfig config = FlushConfig(dir.path(), FlushDiskType::kSyncFlush);
  {
    auto store = OpenStore(config, clock);
    auto before = store->Put(MakeMessage("TopicA", 0, "before"));
    REQUIRE(before.ok());
    CHECK(before->status == PutStatus::kPutOk);
    FailingDisk disk;
    auto during = store->Put(MakeMessage("TopicA", 0, "during"));
    REQUIRE(during.ok());  // Stored, but not known to be on disk.
    CHECK(during->status == PutStatus::kFlushDiskTimeout);
    // The disk seems fine again, but Linux may have dropped the pages it could
    // not write: a sync that succeeds now proves nothing about them.
    disk.Heal();
    auto after = store->Put(MakeMessage("TopicA", 0, "after"));
    REQUIRE_FALSE(after.ok());
    CHECK_THAT(std::string(after.status().message()),
               Catch::Contains("refused until the store is reopened") &&
                   Catch::Contains("cannot msync " + dir.Sub("commitlog/")) &&
                   Catch::Contains("Input/output error"));
    CHECK_FALSE(store->Flush().ok());
    // Reads go on.
    store->WaitForDispatch();
    CHECK(store->Get("TopicA", 0, 0, 32, nullptr).message_count() == 2);
  }
  // The abort file stays, so the next open re-validates the log from the
  // checkpoint; then puts are taken again.
  CHECK(std::filesystem::exists(dir.Sub("abort")));
  auto store = OpenStore(config, clock);
  auto again = store->Put(MakeMessage("TopicA", 0, "again"));
  REQUIRE(again.ok());
  CHECK(again->status == PutStatus::kPutOk);
  CHECK(again->queue_offset == 2);
}

TEST_CASE("Flush() writes everything regardless of the flush type") {
  testing::TempDir dir;
  auto store = OpenStore(FlushConfig(dir.path(), FlushDiskType::kAsyncFlush),
                         std::make_shared<VirtualClock>());
  auto put = store->Put(MakeMessage("TopicA", 0, "flush me"));
  REQUIRE(put.ok());
  REQUIRE(store->Flush().ok());
  CHECK(store->Stats().flushed_phy_offset == put->wrote_offset + put->wrote_bytes);
}

TEST_CASE("The checkpoint is rewritten only when a timestamp moved") {
  testing::TempDir dir;
  auto checkpoint = internal::StoreCheckpoint::Load(dir.Sub("checkpoint"));
  REQUIRE(checkpoint.ok());
  checkpoint->set_physic_msg_timestamp(1000);
  REQUIRE(checkpoint->Flush().ok());
  auto inode = [&] {
    struct stat st {};
    REQUIRE(::stat(dir.Sub("checkpoint").c_str(), &st) == 0);
    return st.st_ino;
  };
  const ino_t first = inode();
  // An idle store's periodic flush: nothing to write (no fsync either).
  REQUIRE(checkpoint->Flush().ok());
  CHECK(inode() == first);
  checkpoint->set_logics_msg_timestamp(2000);
  REQUIRE(checkpoint->Flush().ok());
  CHECK(inode() != first);
  auto reloaded = internal::StoreCheckpoint::Load(dir.Sub("checkpoint"));
  REQUIRE(reloaded.ok());
  CHECK(reloaded->physic_msg_timestamp() == 1000);
  CHECK(reloaded->logics_msg_timestamp() == 2000);
}

}  // namespace
}  // namespace rmq
