// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Names that outlive a power loss: every directory entry the store creates
// is followed by a sync of its directory (common/durable_dir).

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/durable_dir.h"
#include "rmq/store.h"
#include "store/mapped_file.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

namespace fs = std::filesystem;

// What each directory sync made durable: the directory's entries then.
struct SyncLog {
  std::mutex mu;
  std::vector<std::pair<std::string, std::set<std::string>>> syncs;
  std::string fail_under;  // Syncs of directories under this path fail (EIO).
};
SyncLog sync_log;

int RecordingSync(int fd, const char* path) {
  std::string dir = fs::path(path).lexically_normal().string();
  std::set<std::string> entries;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    entries.insert(entry.path().filename().string());
  }
  std::lock_guard lock(sync_log.mu);
  if (!sync_log.fail_under.empty() && dir.rfind(sync_log.fail_under, 0) == 0) {
    errno = EIO;
    return -1;
  }
  sync_log.syncs.emplace_back(dir, std::move(entries));
  return ::fsync(fd);
}

// Installs RecordingSync for one test.
class RecordedDirectorySyncs {
 public:
  RecordedDirectorySyncs() {
    std::lock_guard lock(sync_log.mu);
    sync_log.syncs.clear();
    sync_log.fail_under.clear();
    internal::SetDirectorySyncFunctionForTesting(&RecordingSync);
  }
  ~RecordedDirectorySyncs() { internal::SetDirectorySyncFunctionForTesting(nullptr); }

  void FailUnder(const std::string& dir) {
    std::lock_guard lock(sync_log.mu);
    sync_log.fail_under = fs::path(dir).lexically_normal().string();
  }

  // Whether a sync of `path`'s directory happened while `path` was in it.
  bool Durable(const fs::path& path) {
    std::string dir = path.parent_path().lexically_normal().string();
    std::string name = path.filename().string();
    std::lock_guard lock(sync_log.mu);
    for (const auto& [synced, entries] : sync_log.syncs) {
      if (synced == dir && entries.count(name) != 0) return true;
    }
    return false;
  }

  size_t count() {
    std::lock_guard lock(sync_log.mu);
    return sync_log.syncs.size();
  }
};

TEST_CASE("CreateDirectoriesDurably syncs the parent of every directory it creates") {
  testing::TempDir dir;
  RecordedDirectorySyncs syncs;
  REQUIRE(internal::CreateDirectoriesDurably(dir.Sub("a/b/c")).ok());
  CHECK(fs::is_directory(dir.Sub("a/b/c")));
  CHECK(syncs.Durable(dir.Sub("a")));
  CHECK(syncs.Durable(dir.Sub("a/b")));
  CHECK(syncs.Durable(dir.Sub("a/b/c")));
  CHECK(syncs.count() == 3);

  SECTION("an existing directory costs no sync") {
    REQUIRE(internal::CreateDirectoriesDurably(dir.Sub("a/b")).ok());
    CHECK(syncs.count() == 3);
  }
  SECTION("a failed sync is an error naming the directory") {
    syncs.FailUnder(dir.Sub("a/b"));
    absl::Status s = internal::CreateDirectoriesDurably(dir.Sub("a/b/d/e"));
    CHECK(s.code() == absl::StatusCode::kInternal);
    CHECK_THAT(std::string(s.message()),
               Catch::Contains("cannot sync directory " + dir.Sub("a/b")) &&
                   Catch::Contains(std::strerror(EIO)));
    // Removed again: a retry creates and syncs them.
    CHECK_FALSE(fs::exists(dir.Sub("a/b/d")));
  }
}

TEST_CASE("a new segment whose directory cannot be synced is not created") {
  testing::TempDir dir;
  RecordedDirectorySyncs syncs;
  syncs.FailUnder(dir.path());
  auto file = internal::MappedFile::Open(dir.Sub("00000000000000000000"), 4096);
  REQUIRE_FALSE(file.ok());
  CHECK_THAT(std::string(file.status().message()),
             Catch::Contains("cannot sync directory " + dir.path()));
  CHECK_FALSE(fs::exists(dir.Sub("00000000000000000000")));
}

TEST_CASE("every name the store creates is synced into its directory") {
  testing::TempDir dir;
  RecordedDirectorySyncs syncs;
  const std::string root = dir.Sub("store");
  MessageStoreConfig config = testing::SmallStoreConfig(root);
  auto store = MessageStore::Open(config, std::make_shared<VirtualClock>());
  REQUIRE(store.ok());
  for (int i = 0; i < 300; ++i) {  // Past the first commit log and queue segments.
    REQUIRE((*store)->Put(testing::MakeKeyedMessage("TopicA", i % 2, "body", "k")).ok());
  }
  (*store)->WaitForDispatch();
  REQUIRE((*store)->Flush().ok());
  // Closed, so that no background thread (the segment preparer, the index
  // thread) is between creating a file and syncing its directory meanwhile.
  store->reset();

  // Only the lock file, made anew by every open, need not survive; the
  // delay and timer offsets are saved without syncs, as RocketMQ's are.
  const std::set<std::string> not_durable = {"lock", "delayOffset.json", "timercheck.json"};
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (not_durable.count(entry.path().filename().string()) != 0) continue;
    INFO(entry.path().string());
    CHECK(syncs.Durable(entry.path()));
    ++checked;
  }
  // The root, checkpoint, two commit log segments, the queues' two levels
  // of directories and segments, the index directory and file.
  CHECK(checked >= 13);
}

TEST_CASE("a new queue's names are synced by the next flush, not by the dispatcher") {
  testing::TempDir dir;
  auto store = MessageStore::Open(testing::SmallStoreConfig(dir.path()),
                                  std::make_shared<VirtualClock>());
  REQUIRE(store.ok());
  RecordedDirectorySyncs syncs;
  REQUIRE((*store)->Put(testing::MakeMessage("TopicNew", 1, "body")).ok());
  (*store)->WaitForDispatch();
  const fs::path queue_dir = dir.Sub("consumequeue/TopicNew/1");
  REQUIRE(fs::exists(queue_dir / "00000000000000000000"));
  // The dispatcher synced none of them (each sync takes a journal commit).
  CHECK_FALSE(syncs.Durable(dir.Sub("consumequeue/TopicNew")));
  CHECK_FALSE(syncs.Durable(queue_dir));
  CHECK_FALSE(syncs.Durable(queue_dir / "00000000000000000000"));

  REQUIRE((*store)->Flush().ok());
  CHECK(syncs.Durable(dir.Sub("consumequeue/TopicNew")));
  CHECK(syncs.Durable(queue_dir));
  CHECK(syncs.Durable(queue_dir / "00000000000000000000"));
}

TEST_CASE("after a crash, the first flush syncs the names of every queue the open found") {
  testing::TempDir dir;
  MessageStoreConfig config = testing::SmallStoreConfig(dir.path());
  {
    auto store = MessageStore::Open(config, std::make_shared<VirtualClock>());
    REQUIRE(store.ok());
    REQUIRE((*store)->Put(testing::MakeMessage("TopicA", 0, "body")).ok());
  }
  std::ofstream(dir.Sub("abort"));  // A kill: its names may be in the page cache alone.
  RecordedDirectorySyncs syncs;
  auto store = MessageStore::Open(config, std::make_shared<VirtualClock>());
  REQUIRE(store.ok());
  REQUIRE((*store)->Flush().ok());
  CHECK(syncs.Durable(dir.Sub("consumequeue/TopicA")));
  CHECK(syncs.Durable(dir.Sub("consumequeue/TopicA/0")));
  CHECK(syncs.Durable(dir.Sub("consumequeue/TopicA/0/00000000000000000000")));
}

TEST_CASE("reopened after a clean shutdown, the store syncs its new abort file before any put") {
  testing::TempDir dir;
  MessageStoreConfig config = testing::SmallStoreConfig(dir.path());
  {
    auto store = MessageStore::Open(config, std::make_shared<VirtualClock>());
    REQUIRE(store.ok());
  }
  REQUIRE_FALSE(fs::exists(dir.Sub("abort")));
  RecordedDirectorySyncs syncs;  // Every directory exists now: no other sync covers it.
  auto store = MessageStore::Open(config, std::make_shared<VirtualClock>());
  REQUIRE(store.ok());
  CHECK(syncs.Durable(dir.Sub("abort")));
}

TEST_CASE("a store whose directory cannot be synced does not open") {
  testing::TempDir dir;
  RecordedDirectorySyncs syncs;
  syncs.FailUnder(dir.path());
  auto store = MessageStore::Open(testing::SmallStoreConfig(dir.Sub("store")),
                                  std::make_shared<VirtualClock>());
  REQUIRE_FALSE(store.ok());
  CHECK_THAT(std::string(store.status().message()),
             Catch::Contains("cannot sync directory " + dir.path()));
}

}  // namespace
}  // namespace rmq
