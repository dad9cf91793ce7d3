// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/index_service.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "rmq/clock.h"
#include "rmq/message.h"

namespace rmq::internal {
namespace {

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z, the VirtualClock's start.
constexpr int64_t kAll = INT64_MAX;
// 8 slots, 16 items: 15 keys per file.
constexpr int32_t kSlots = 8;
constexpr int32_t kItems = 16;
constexpr int64_t kFileSize = 40 + kSlots * 4 + kItems * 20;

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "index_service_test.XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string index_dir() const { return path_ + "/index"; }

 private:
  std::string path_;
};

std::vector<std::string> FileNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

IndexServiceOptions TinyOptions(const TempDir& dir) {
  IndexServiceOptions options;
  options.dir = dir.index_dir();
  options.max_hash_slot_num = kSlots;
  options.max_index_num = kItems;
  return options;
}

// Message i: offset 1000*i, stored at kT0 + 1 s * i, key "k<i>", uniq "u<i>".
struct Msg {
  std::string topic = "TopicA";
  std::string keys;
  std::string uniq;
  int64_t offset = 0;
  int64_t timestamp = 0;
  int32_t sys_flag = 0;

  DispatchRequest Request() const {
    DispatchRequest r;
    r.topic = topic;
    r.keys = keys;
    r.uniq_key = uniq;
    r.commit_log_offset = offset;
    r.store_timestamp = timestamp;
    r.sys_flag = sys_flag;
    return r;
  }
};

Msg Numbered(int i) {
  Msg m;
  m.keys = "k" + std::to_string(i);
  m.uniq = "u" + std::to_string(i);
  m.offset = 1000 * int64_t{i};
  m.timestamp = kT0 + 1000 * int64_t{i};
  return m;
}

void Build(IndexService& index, const Msg& m) { REQUIRE(index.BuildIndex(m.Request()).ok()); }

std::vector<int64_t> Query(IndexService& index, std::string_view key, int32_t max_num = 100,
                           int64_t begin = 0, int64_t end = kAll) {
  return index.QueryOffsets("TopicA", key, max_num, begin, end);
}

}  // namespace

TEST_CASE("IndexService finds messages by key and unique key") {
  TempDir dir;
  VirtualClock clock;
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());

  Msg a{"TopicA", "order-1 customer-7", "UNIQ-A", 100, kT0};
  Msg b{"TopicA", "  order-2  customer-7 ", "UNIQ-B", 200, kT0 + 1000};  // Extra spaces.
  Msg c{"TopicB", "order-1", "", 300, kT0 + 2000};                      // Other topic.
  Msg d{"TopicA", "", "", 400, kT0 + 3000};                             // Nothing to index.
  Msg e{"TopicA", "order-9", "", 500, kT0 + 4000};  // Back to A after B.
  for (const Msg& m : {a, b, c, d, e}) Build(index, m);

  CHECK(Query(index, "order-1") == std::vector<int64_t>{100});
  CHECK(Query(index, "order-2") == std::vector<int64_t>{200});
  CHECK(Query(index, "customer-7") == std::vector<int64_t>{200, 100});
  CHECK(Query(index, "UNIQ-A") == std::vector<int64_t>{100});
  CHECK(Query(index, "UNIQ-B") == std::vector<int64_t>{200});
  CHECK(index.QueryOffsets("TopicB", "order-1", 10, 0, kAll) == std::vector<int64_t>{300});
  CHECK(Query(index, "order-9") == std::vector<int64_t>{500});
  CHECK(index.QueryOffsets("TopicB", "order-9", 10, 0, kAll).empty());
  CHECK(Query(index, "").empty());
  CHECK(Query(index, "order-3").empty());
  CHECK(Query(index, "customer-7", 0).empty());

  // The file is named by the clock's time, in UTC.
  CHECK(FileNames(dir.index_dir()) == std::vector<std::string>{"20260101000000000"});
}

TEST_CASE("IndexService skips prepared and rolled back transactional messages") {
  TempDir dir;
  VirtualClock clock;
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());
  Msg prepared{"TopicA", "tx", "", 100, kT0, sysflag::kTransactionPreparedType};
  Msg rollback{"TopicA", "tx", "", 200, kT0, sysflag::kTransactionRollbackType};
  Msg commit{"TopicA", "tx", "", 300, kT0, sysflag::kTransactionCommitType | sysflag::kCompressed};
  for (const Msg& m : {prepared, rollback, commit}) Build(index, m);
  CHECK(Query(index, "tx") == std::vector<int64_t>{300});
}

TEST_CASE("IndexService returns keys sharing a hash; the caller filters") {
  TempDir dir;
  VirtualClock clock;
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());
  // "TopicA#Aa" and "TopicA#BB" have the same Java hashCode.
  Build(index, Msg{"TopicA", "Aa", "", 100, kT0});
  Build(index, Msg{"TopicA", "BB", "", 200, kT0});
  CHECK(Query(index, "Aa") == std::vector<int64_t>{200, 100});
  CHECK(Query(index, "BB") == std::vector<int64_t>{200, 100});
}

TEST_CASE("IndexService rolls over to new files and queries them newest first") {
  TempDir dir;
  VirtualClock clock;  // Never advanced: names must still be distinct.
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());

  // Two keys per message ("k<i>" and "u<i>") plus "all": 3 items a message,
  // 5 messages per file.
  for (int i = 1; i <= 12; ++i) {
    Msg m = Numbered(i);
    m.keys += " all";
    Build(index, m);
  }
  const std::vector<std::string> names = FileNames(dir.index_dir());
  CHECK(names == std::vector<std::string>{"20260101000000000", "20260101000000001",
                                          "20260101000000002"});
  for (const std::string& name : names) {
    CHECK(std::filesystem::file_size(dir.index_dir() + "/" + name) == kFileSize);
  }

  std::vector<int64_t> all;
  for (int i = 12; i >= 1; --i) all.push_back(1000 * i);
  CHECK(Query(index, "all") == all);
  CHECK(Query(index, "all", 7) == std::vector<int64_t>(all.begin(), all.begin() + 7));
  CHECK(Query(index, "k3") == std::vector<int64_t>{3000});
  CHECK(Query(index, "u11") == std::vector<int64_t>{11000});

  SECTION("time range") {
    CHECK(Query(index, "all", 100, kT0 + 4000, kT0 + 8000) ==
          std::vector<int64_t>{8000, 7000, 6000, 5000, 4000});
    CHECK(Query(index, "all", 2, kT0 + 4000, kT0 + 8000) == std::vector<int64_t>{8000, 7000});
    CHECK(Query(index, "all", 100, kT0 + 12001, kAll).empty());
    CHECK(Query(index, "all", 100, 0, kT0).empty());
    CHECK(Query(index, "k5", 100, kT0 + 6000, kAll).empty());
  }
  SECTION("names keep increasing when the clock moves back") {
    VirtualClock earlier(absl::FromUnixMillis(kT0 - 86400000));
    IndexService reopened(TinyOptions(dir), earlier);
    REQUIRE(reopened.Load(true, 0).ok());
    for (int i = 13; i <= 17; ++i) {
      Msg m = Numbered(i);
      m.keys += " all";
      Build(reopened, m);
    }
    CHECK(FileNames(dir.index_dir()).back() == "20260101000000003");
    CHECK(Query(reopened, "all", 1) == std::vector<int64_t>{17000});
  }
}

TEST_CASE("IndexService names new files by the current time") {
  TempDir dir;
  VirtualClock clock(absl::FromUnixMillis(kT0 + 13 * 3600000 + 5 * 60000 + 7 * 1000 + 42));
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());
  Build(index, Numbered(1));
  clock.Advance(absl::Hours(24));
  for (int i = 2; i <= 8; ++i) Build(index, Numbered(i));
  CHECK(FileNames(dir.index_dir()) ==
        std::vector<std::string>{"20260101130507042", "20260102130507042"});
}

TEST_CASE("IndexService creates its first file ahead, once, even racing the first message") {
  SECTION("ahead: the first message goes into the file made before it") {
    TempDir dir;
    VirtualClock clock;
    IndexService index(TinyOptions(dir), clock);
    REQUIRE(index.Load(true, 0).ok());
    REQUIRE(index.CreateFirstFile().ok());
    CHECK(FileNames(dir.index_dir()) == std::vector<std::string>{"20260101000000000"});
    CHECK(index.Counts() == std::vector<IndexService::FileCounts>{{1, 0}});  // Empty.
    clock.Advance(absl::Seconds(5));  // A file made now would have another name.
    Build(index, Numbered(1));
    CHECK(FileNames(dir.index_dir()) == std::vector<std::string>{"20260101000000000"});
    CHECK(Query(index, "k1") == std::vector<int64_t>{1000});
    REQUIRE(index.CreateFirstFile().ok());  // There is one: nothing to do.
    CHECK(index.Counts().size() == 1);
  }
  SECTION("racing: one file whichever thread makes it") {
    for (int round = 0; round < 100; ++round) {
      TempDir dir;
      VirtualClock clock;
      IndexService index(TinyOptions(dir), clock);
      REQUIRE(index.Load(true, 0).ok());
      clock.Advance(absl::Milliseconds(round));  // Two creations would differ in name...
      std::atomic<int> ready{0};
      auto start_together = [&ready] {
        ready.fetch_add(1);
        while (ready.load() < 2) {
        }
      };
      std::thread ahead([&] {
        start_together();
        CHECK(index.CreateFirstFile().ok());
      });
      std::thread first_message([&] {
        start_together();
        clock.Advance(absl::Milliseconds(100));  // ...and so would two of these.
        CHECK(index.BuildIndex(Numbered(1).Request()).ok());
      });
      ahead.join();
      first_message.join();
      CHECK(FileNames(dir.index_dir()).size() == 1);
      CHECK(Query(index, "u1") == std::vector<int64_t>{1000});
    }
  }
}

TEST_CASE("IndexService's periodic flush writes only the files that filled") {
  TempDir dir;
  VirtualClock clock;
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());
  using Counts = std::vector<IndexService::FileCounts>;
  for (int i = 1; i <= 5; ++i) Build(index, Numbered(i));  // 10 of 15 items.
  REQUIRE(index.Flush(IndexService::FlushScope::kFullFiles).ok());
  CHECK(index.Counts() == Counts{{11, 0}});  // Not synced (item 0 is unused).
  CHECK(index.LastIndexTimestamp() == 0);   // Nothing full, nothing vouched for.

  // Message 8's unique key fills file 1; its keys go to file 2.
  for (int i = 6; i <= 10; ++i) Build(index, Numbered(i));
  REQUIRE(FileNames(dir.index_dir()).size() == 2);
  REQUIRE(index.Flush(IndexService::FlushScope::kFullFiles).ok());
  CHECK(index.Counts() == Counts{{16, 16}, {6, 0}});
  CHECK(index.LastIndexTimestamp() == kT0 + 8000);

  SECTION("everything, when asked") {
    REQUIRE(index.Flush().ok());
    CHECK(index.Counts() == Counts{{16, 16}, {6, 6}});
  }

  // After a crash, the file that was being filled goes and the full one
  // stays: re-dispatch rebuilds the rest. File 2's end timestamp is the
  // checkpoint's (message 8's keys were split across the two files), so it
  // goes because it is not full, not because of its time.
  IndexService reopened(TinyOptions(dir), clock);
  REQUIRE(reopened.Load(false, index.LastIndexTimestamp()).ok());
  CHECK(FileNames(dir.index_dir()).size() == 1);
  CHECK(Query(reopened, "k7") == std::vector<int64_t>{7000});
  CHECK(Query(reopened, "k9").empty());
  for (int i = 8; i <= 10; ++i) Build(reopened, Numbered(i));
  for (int i = 1; i <= 10; ++i) {
    CHECK(Query(reopened, "k" + std::to_string(i)) == std::vector<int64_t>{1000 * i});
    CHECK(Query(reopened, "u" + std::to_string(i)) == std::vector<int64_t>{1000 * i});
  }
}

TEST_CASE("IndexService reopens after a clean shutdown") {
  TempDir dir;
  VirtualClock clock;
  {
    IndexService index(TinyOptions(dir), clock);
    REQUIRE(index.Load(true, 0).ok());
    for (int i = 1; i <= 10; ++i) Build(index, Numbered(i));
    REQUIRE(index.Flush().ok());
  }
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());
  CHECK(Query(index, "k2") == std::vector<int64_t>{2000});
  CHECK(Query(index, "u9") == std::vector<int64_t>{9000});
  // A full file that survived the restart counts for the checkpoint. File 1
  // holds messages 1-7 and the unique key of message 8.
  CHECK(index.LastIndexTimestamp() == kT0 + 8000);

  // Already indexed messages are not indexed again; new ones are.
  for (int i = 1; i <= 11; ++i) Build(index, Numbered(i));
  for (int i = 1; i <= 11; ++i) {
    CHECK(Query(index, "k" + std::to_string(i)) == std::vector<int64_t>{1000 * i});
  }

  SECTION("a file of another size is an error naming it") {
    std::filesystem::resize_file(dir.index_dir() + "/20260101000000000", kFileSize + 1);
    IndexService reopened(TinyOptions(dir), clock);
    absl::Status status = reopened.Load(true, 0);
    CHECK(absl::IsDataLoss(status));
    CHECK(status.message().find("20260101000000000") != std::string_view::npos);
  }
  SECTION("other settings are an error") {
    IndexServiceOptions options = TinyOptions(dir);
    options.max_index_num = 32;
    IndexService reopened(options, clock);
    CHECK(absl::IsDataLoss(reopened.Load(true, 0)));
  }
  SECTION("other names are ignored") {
    std::ofstream(dir.index_dir() + "/README") << "not an index file";
    IndexService reopened(TinyOptions(dir), clock);
    REQUIRE(reopened.Load(true, 0).ok());
    CHECK(Query(reopened, "k2") == std::vector<int64_t>{2000});
  }
}

TEST_CASE("IndexService rejects bad settings") {
  TempDir dir;
  VirtualClock clock;
  IndexServiceOptions options = TinyOptions(dir);
  options.max_hash_slot_num = 0;
  CHECK(absl::IsInvalidArgument(IndexService(options, clock).Load(true, 0)));
  options = TinyOptions(dir);
  options.max_index_num = 1;
  CHECK(absl::IsInvalidArgument(IndexService(options, clock).Load(true, 0)));
}

TEST_CASE("IndexService recovers after a crash") {
  TempDir dir;
  VirtualClock clock;
  int64_t checkpoint = 0;
  {
    IndexService index(TinyOptions(dir), clock);
    REQUIRE(index.Load(true, 0).ok());
    CHECK(index.LastIndexTimestamp() == 0);
    // 2 keys a message: file 1 holds messages 1-7 and u8; k8 starts file 2.
    for (int i = 1; i <= 10; ++i) Build(index, Numbered(i));
    CHECK(index.LastIndexTimestamp() == 0);  // Not flushed yet.
    REQUIRE(index.Flush().ok());
    checkpoint = index.LastIndexTimestamp();
    CHECK(checkpoint == kT0 + 8000);  // The end of the full file.
    for (int i = 11; i <= 20; ++i) Build(index, Numbered(i));
    CHECK(FileNames(dir.index_dir()).size() == 3);
    // "Crash": the object goes away without anything else happening.
  }

  SECTION("files past the checkpoint are deleted, re-dispatch fills them again") {
    IndexService index(TinyOptions(dir), clock);
    REQUIRE(index.Load(false, checkpoint).ok());
    CHECK(FileNames(dir.index_dir()) == std::vector<std::string>{"20260101000000000"});
    CHECK(index.LastIndexTimestamp() == checkpoint);
    CHECK(Query(index, "k7") == std::vector<int64_t>{7000});
    CHECK(Query(index, "u8") == std::vector<int64_t>{8000});
    CHECK(Query(index, "k8").empty());
    // Re-dispatch from before the checkpoint: nothing is indexed twice, and
    // message 8 gets only its lost key.
    for (int i = 5; i <= 20; ++i) Build(index, Numbered(i));
    for (int i = 1; i <= 20; ++i) {
      INFO("message " << i);
      CHECK(Query(index, "k" + std::to_string(i)) == std::vector<int64_t>{1000 * i});
      CHECK(Query(index, "u" + std::to_string(i)) == std::vector<int64_t>{1000 * i});
    }
    // New files get names after the deleted ones.
    CHECK(FileNames(dir.index_dir()) ==
          std::vector<std::string>{"20260101000000000", "20260101000000003",
                                   "20260101000000004"});
  }
  SECTION("a clean exit keeps every file") {
    IndexService index(TinyOptions(dir), clock);
    REQUIRE(index.Load(true, checkpoint).ok());
    CHECK(FileNames(dir.index_dir()).size() == 3);
    CHECK(Query(index, "k20") == std::vector<int64_t>{20000});
  }
  SECTION("a torn file is deleted, and so is the file being filled") {
    std::filesystem::resize_file(dir.index_dir() + "/20260101000000001", 100);
    IndexService index(TinyOptions(dir), clock);
    // Even with a checkpoint past everything: the file being filled was
    // never vouched for.
    REQUIRE(index.Load(false, kAll).ok());
    CHECK(FileNames(dir.index_dir()) == std::vector<std::string>{"20260101000000000"});
  }
}

TEST_CASE("IndexService does not duplicate a message indexed in part") {
  TempDir dir;
  VirtualClock clock;
  Msg m{"TopicA", "a b c", "U", 5000, kT0};
  {
    IndexService index(TinyOptions(dir), clock);
    REQUIRE(index.Load(true, 0).ok());
    Build(index, m);
    // The first keys of a later message made it before an error stopped
    // BuildIndex (or before a clean exit: a crash would delete the file).
    Msg partial{"TopicA", "x", "V", 6000, kT0 + 1000};
    Build(index, partial);
  }
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());
  Build(index, m);  // Below the end offset: skipped.
  Build(index, Msg{"TopicA", "x y", "V", 6000, kT0 + 1000});  // Only "y" is new.
  Build(index, Msg{"TopicA", "x y", "V", 6000, kT0 + 1000});  // Retried: nothing new.
  CHECK(Query(index, "a") == std::vector<int64_t>{5000});
  CHECK(Query(index, "U") == std::vector<int64_t>{5000});
  CHECK(Query(index, "V") == std::vector<int64_t>{6000});
  CHECK(Query(index, "x") == std::vector<int64_t>{6000});
  CHECK(Query(index, "y") == std::vector<int64_t>{6000});
}

TEST_CASE("IndexService keeps a message split across a file boundary once") {
  TempDir dir;
  VirtualClock clock;
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());
  // 14 single-key messages, then one with 3 keys: 1 lands in file 1, 2 in file 2.
  for (int i = 1; i <= 14; ++i) Build(index, Msg{"TopicA", "k" + std::to_string(i), "", i, kT0});
  Msg split{"TopicA", "p q r", "", 15, kT0};
  Build(index, split);
  Build(index, split);  // Re-dispatched.
  CHECK(FileNames(dir.index_dir()).size() == 2);
  CHECK(Query(index, "p") == std::vector<int64_t>{15});
  CHECK(Query(index, "q") == std::vector<int64_t>{15});
  CHECK(Query(index, "r") == std::vector<int64_t>{15});
}

TEST_CASE("IndexService deletes expired files but never the newest") {
  TempDir dir;
  VirtualClock clock;
  IndexService index(TinyOptions(dir), clock);
  REQUIRE(index.Load(true, 0).ok());
  for (int i = 1; i <= 20; ++i) Build(index, Numbered(i));  // Files end at 8000, 15000, 20000.
  REQUIRE(FileNames(dir.index_dir()).size() == 3);

  index.DeleteExpiredFiles(8000);  // File 1 still points at 8000.
  CHECK(FileNames(dir.index_dir()).size() == 3);
  index.DeleteExpiredFiles(8001);
  CHECK(FileNames(dir.index_dir()) ==
        std::vector<std::string>{"20260101000000001", "20260101000000002"});
  CHECK(Query(index, "k7").empty());
  CHECK(Query(index, "k8") == std::vector<int64_t>{8000});
  index.DeleteExpiredFiles(INT64_MAX);
  CHECK(FileNames(dir.index_dir()) == std::vector<std::string>{"20260101000000002"});
  CHECK(Query(index, "k20") == std::vector<int64_t>{20000});

  index.DestroyAll();
  CHECK(FileNames(dir.index_dir()).empty());
  CHECK(Query(index, "k20").empty());
  CHECK(index.LastIndexTimestamp() == 0);
  Build(index, Numbered(1));  // Starts over from offset 0.
  CHECK(Query(index, "k1") == std::vector<int64_t>{1000});
}

TEST_CASE("IndexService answers queries while the dispatcher builds") {
  TempDir dir;
  VirtualClock clock;
  IndexServiceOptions options = TinyOptions(dir);
  options.max_hash_slot_num = 64;
  options.max_index_num = 512;
  IndexService index(options, clock);
  REQUIRE(index.Load(true, 0).ok());
  constexpr int kMessages = 3000;
  std::atomic<int> built{0};
  std::atomic<int> queried{0};  // What the reader may still look up.
  std::thread writer([&] {
    for (int i = 1; i <= kMessages; ++i) {
      Msg m = Numbered(i);
      m.keys += " all";
      if (!index.BuildIndex(m.Request()).ok()) break;
      built.store(i, std::memory_order_release);
    }
  });
  std::thread deleter([&] {
    while (built.load(std::memory_order_acquire) < kMessages) {
      index.DeleteExpiredFiles(1000 * (int64_t{queried.load()} - 100));
      (void)index.Flush();
      std::this_thread::yield();
    }
  });
  bool ok = true;
  while (built.load(std::memory_order_acquire) < kMessages) {
    const int seen = built.load(std::memory_order_acquire);
    if (seen == 0) continue;
    queried.store(seen);
    // Every message built before the query must be found, at its offset.
    std::vector<int64_t> got = Query(index, "k" + std::to_string(seen));
    ok = ok && got == std::vector<int64_t>{1000 * int64_t{seen}};
    std::vector<int64_t> newest = Query(index, "all", 5);
    ok = ok && !newest.empty() && newest.front() >= 1000 * int64_t{seen} &&
         std::is_sorted(newest.rbegin(), newest.rend());
  }
  writer.join();
  deleter.join();
  CHECK(ok);
  CHECK(built.load() == kMessages);
}

}  // namespace rmq::internal
