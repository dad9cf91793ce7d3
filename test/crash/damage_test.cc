// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Damage tests: write messages, close, damage the files the way disks and
// crashes do (short file, torn tail, flipped bit, lost directory), then check
// what the read-only VerifyStore says and what Open does: refuse with a clear
// error, or repair in RocketMQ's way (truncate at the first bad record,
// rebuild queues and index from the commit log) without losing anything
// before the damage.

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "common/record_codec.h"
#include "crash/workload.h"
#include "spdlog/spdlog.h"
#include "store/default_message_store.h"
#include "store/store_files.h"
#include "support/temp_dir.h"

namespace rmq::crash {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSegmentSize = 64 * 1024;

// Recovery warns about every truncation these tests cause on purpose.
[[maybe_unused]] const bool kQuietLogs = [] {
  spdlog::set_level(spdlog::level::err);
  return true;
}();

MessageStoreConfig DamageConfig(const std::string& dir) {
  MessageStoreConfig config = CrashConfig(dir, FlushDiskType::kAsyncFlush);
  config.mapped_file_size_commit_log = kSegmentSize;  // ~40 messages a segment.
  return config;
}

// Frozen time: every record gets the same store timestamp, older than no
// checkpoint, so recovery after a crash always scans from the first segment
// however slowly the test runs.
std::shared_ptr<Clock> FrozenClock() { return std::make_shared<VirtualClock>(); }

// A message as put, and where the store put it.
struct Stored {
  MessageExt sent;
  int64_t offset = 0;
  int32_t size = 0;
  int64_t queue_offset = 0;
  int64_t end() const { return offset + size; }
};

// Puts `count` workload messages (single puts) and closes the store cleanly.
std::vector<Stored> WriteMessages(const std::string& dir, int count) {
  std::vector<Stored> stored;
  auto store = MessageStore::Open(DamageConfig(dir), FrozenClock());
  REQUIRE(store.ok());
  for (int seq = 0; seq < count; ++seq) {
    MessageExt msg = MakePut(/*seed=*/7, /*round=*/0, seq).msgs[0];
    auto put = (*store)->Put(msg);
    REQUIRE(put.ok());
    stored.push_back(Stored{msg, put->wrote_offset, put->wrote_bytes, put->queue_offset});
  }
  return stored;
}

std::vector<std::string> SegmentPaths(const std::string& dir) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir + "/commitlog")) paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

internal::VerifyReport Verify(const std::string& dir) {
  auto report = internal::VerifyStore(dir, "");
  REQUIRE(report.ok());
  for (const std::string& problem : report->problems) UNSCOPED_INFO("verify: " << problem);
  return *report;
}

void Touch(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  ::close(fd);
}

// Writes `bytes` at commit log offset `offset` (into the segment holding it).
void Overwrite(const std::string& dir, int64_t offset, const std::string& bytes) {
  std::string path = SegmentPaths(dir)[static_cast<size_t>(offset / kSegmentSize)];
  int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), offset % kSegmentSize) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

std::string ReadBytes(const std::string& dir, int64_t offset, size_t size) {
  std::string path = SegmentPaths(dir)[static_cast<size_t>(offset / kSegmentSize)];
  std::string bytes(size, '\0');
  int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pread(fd, bytes.data(), size, offset % kSegmentSize) == static_cast<ssize_t>(size));
  ::close(fd);
  return bytes;
}

// Checks that exactly `want` are in the open store: each at its commit log
// offset and its queue offset, byte for byte, and nothing else in the queues.
void CheckExactly(MessageStore& store, const std::vector<Stored>& want) {
  std::map<std::pair<std::string, int>, int64_t> per_queue;
  for (const Stored& s : want) {
    INFO("message " << s.sent.GetProperty(property::kUniqKey) << " at " << s.offset);
    auto msg = store.LookMessageByOffset(s.offset);
    REQUIRE(msg.ok());
    CHECK(DiffMessage(s.sent, *msg) == "");
    GetMessageResult got = store.Get(s.sent.topic(), s.sent.queue_id, s.queue_offset, 1, nullptr);
    REQUIRE(got.status == GetStatus::kFound);
    auto from_queue = DecodeMessage(got.record(0));
    REQUIRE(from_queue.ok());
    CHECK(from_queue->commit_log_offset == s.offset);
    per_queue[{s.sent.topic(), s.sent.queue_id}] = s.queue_offset + 1;
  }
  for (std::string_view topic : kTopics) {
    for (int q = 0; q < kQueues; ++q) {
      INFO("queue " << topic << "/" << q);
      CHECK(store.GetMaxOffsetInQueue(topic, q) == per_queue[{std::string(topic), q}]);
    }
  }
}

// Appends one more message and checks it lands right after the queue's end.
void CheckAppendGoesOn(MessageStore& store) {
  MessageExt msg = MakePut(7, 1, 0).msgs[0];
  int64_t max = store.GetMaxOffsetInQueue(msg.topic(), msg.queue_id);
  auto put = store.Put(msg);
  REQUIRE(put.ok());
  CHECK(put->queue_offset == max);
}

std::unique_ptr<internal::DefaultMessageStore> Reopen(const std::string& dir) {
  auto store = internal::DefaultMessageStore::Open(DamageConfig(dir), FrozenClock());
  INFO("reopen: " << store.status().ToString());
  REQUIRE(store.ok());
  return *std::move(store);
}

// After the repair and a clean close, the files must be consistent.
void CheckVerifiesClean(const std::string& dir, int64_t messages) {
  internal::VerifyReport report = Verify(dir);
  CHECK(report.corrupt == 0);
  CHECK(report.queue_errors == 0);
  CHECK(report.valid_end == -1);
  CHECK(report.messages == messages);
}

std::vector<Stored> Before(const std::vector<Stored>& all, int64_t offset) {
  std::vector<Stored> kept;
  for (const Stored& s : all) {
    if (s.offset < offset) kept.push_back(s);
  }
  return kept;
}

TEST_CASE("a shortened last commit log segment is refused by Open and reported by verify") {
  testing::TempDir dir;
  auto stored = WriteMessages(dir.path(), 150);
  auto segments = SegmentPaths(dir.path());
  REQUIRE(segments.size() >= 3);
  const std::string last = segments.back();
  const int64_t last_start = static_cast<int64_t>(segments.size() - 1) * kSegmentSize;
  const int64_t written = stored.back().end() - last_start;
  REQUIRE(written > 200);
  REQUIRE(written < kSegmentSize / 2);

  SECTION("cut through a record") { REQUIRE(::truncate(last.c_str(), written - 100) == 0); }
  SECTION("cut in the unwritten part") { REQUIRE(::truncate(last.c_str(), kSegmentSize / 2) == 0); }
  SECTION("cut, after a crash") {
    REQUIRE(::truncate(last.c_str(), kSegmentSize / 2) == 0);
    Touch(dir.Sub("abort"));
  }
  // RocketMQ refuses to load a segment of the wrong size: so does Open, and
  // it says which file.
  auto store = MessageStore::Open(DamageConfig(dir.path()), FrozenClock());
  REQUIRE_FALSE(store.ok());
  CHECK(absl::IsDataLoss(store.status()));
  CHECK_THAT(std::string(store.status().message()), Catch::Contains(last));
  // Verify reads the files as they are and must flag the short segment.
  CHECK(Verify(dir.path()).corrupt > 0);
  // Nothing was changed by the refused Open.
  CHECK(fs::file_size(last) < static_cast<uintmax_t>(kSegmentSize));
}

// An empty (0-byte) last segment is what a crash between creating a segment
// and allocating it leaves: Open treats it as a new, empty segment. Whatever
// such a file held is gone; the store must stay consistent around the loss.
TEST_CASE("an emptied last commit log segment is taken as new; the queues follow") {
  testing::TempDir dir;
  auto stored = WriteMessages(dir.path(), 150);
  auto segments = SegmentPaths(dir.path());
  const int64_t last_start = static_cast<int64_t>(segments.size() - 1) * kSegmentSize;
  REQUIRE(::truncate(segments.back().c_str(), 0) == 0);
  {
    auto store = Reopen(dir.path());
    CHECK(store->open_report().recovery.end_offset == last_start);
    CheckExactly(*store, Before(stored, last_start));
    CheckAppendGoesOn(*store);
  }
  CheckVerifiesClean(dir.path(), static_cast<int64_t>(Before(stored, last_start).size()) + 1);
}

// The store creates the next segment ahead of need; a kill leaves it on disk,
// all zeros, after a last segment without a BLANK record. That is no damage.
TEST_CASE("an unwritten preallocated segment after the last one is no corruption") {
  testing::TempDir dir;
  auto stored = WriteMessages(dir.path(), 100);
  const int64_t next_start = (stored.back().end() / kSegmentSize + 1) * kSegmentSize;
  const std::string next = dir.Sub("commitlog/" + fmt::format("{:020d}", next_start));
  REQUIRE_FALSE(fs::exists(next));  // A clean close removes it.
  {
    int fd = ::open(next.c_str(), O_WRONLY | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, kSegmentSize) == 0);
    ::close(fd);
  }
  CheckVerifiesClean(dir.path(), static_cast<int64_t>(stored.size()));
  Touch(dir.Sub("abort"));
  {
    auto store = Reopen(dir.path());
    CHECK(store->open_report().recovery.end_offset == stored.back().end());
    CheckExactly(*store, stored);
    CheckAppendGoesOn(*store);
  }
  CheckVerifiesClean(dir.path(), static_cast<int64_t>(stored.size()) + 1);
}

TEST_CASE("a torn tail in the last segment is reported by verify and dropped by recovery") {
  testing::TempDir dir;
  auto stored = WriteMessages(dir.path(), 120);
  const int64_t end = stored.back().end();
  int64_t valid_end = end;  // Where the log must end after recovery.
  std::string reason_part;

  SECTION("garbage after the last record") {
    Overwrite(dir.path(), end, "\x13\x37garbage that is no record header at all");
    reason_part = "magic";
  }
  SECTION("zeros then garbage after the last record (a later page written first)") {
    Overwrite(dir.path(), end + 16, "\xff\xfe torn");
  }
  SECTION("the last record's second half never written") {
    const Stored& victim = stored.back();
    Overwrite(dir.path(), victim.offset + victim.size / 2, std::string(static_cast<size_t>(victim.size - victim.size / 2), '\0'));
    valid_end = victim.offset;
  }
  internal::VerifyReport before = Verify(dir.path());
  CHECK(before.corrupt > 0);

  Touch(dir.Sub("abort"));  // As a crash leaves it.
  {
    auto store = Reopen(dir.path());
    const auto& report = store->open_report();
    CHECK(report.abnormal);
    CHECK(report.recovery.end_offset == valid_end);
    if (!reason_part.empty()) CHECK_THAT(report.recovery.truncation_reason, Catch::Contains(reason_part));
    CheckExactly(*store, Before(stored, valid_end));
    CheckAppendGoesOn(*store);
  }
  CheckVerifiesClean(dir.path(), static_cast<int64_t>(Before(stored, valid_end).size()) + 1);
}

TEST_CASE("a flipped body byte mid-segment fails the CRC; recovery truncates from that record") {
  testing::TempDir dir;
  auto stored = WriteMessages(dir.path(), 150);
  const int64_t last_start = stored.back().offset / kSegmentSize * kSegmentSize;
  // A record in the middle of the last segment, with a body and records after it.
  std::vector<Stored> in_last;
  for (const Stored& s : stored) {
    if (s.offset >= last_start) in_last.push_back(s);
  }
  REQUIRE(in_last.size() >= 6);
  auto victim_it = std::find_if(in_last.begin() + static_cast<ptrdiff_t>(in_last.size() / 2), in_last.end(),
                                [](const Stored& s) { return s.sent.body().size() > 10; });
  REQUIRE(victim_it != in_last.end());
  const Stored victim = *victim_it;
  // Find the body inside the record with the codec, then flip one bit of it.
  std::string record = ReadBytes(dir.path(), victim.offset, static_cast<size_t>(victim.size));
  internal::RecordView view;
  REQUIRE(internal::ParseRecord(record, true, &view).ok());
  const int64_t body_at = victim.offset + (view.body.data() - record.data()) + static_cast<int64_t>(view.body.size() / 2);
  std::string byte = ReadBytes(dir.path(), body_at, 1);
  byte[0] = static_cast<char>(byte[0] ^ 0x10);
  Overwrite(dir.path(), body_at, byte);

  internal::VerifyReport before = Verify(dir.path());
  CHECK(before.corrupt == 1);
  REQUIRE_FALSE(before.problems.empty());
  CHECK_THAT(before.problems[0], Catch::Contains(std::to_string(victim.offset)));
  // The walk stops at the bad record, so the queue units of the records after
  // it point at no record: counted, and summed up in one problem a queue
  // rather than one a unit.
  CHECK(before.valid_end == victim.offset);
  const int64_t after_victim = static_cast<int64_t>(stored.size() - Before(stored, victim.offset).size());
  CHECK(before.queue_errors == after_victim);
  int past_end_problems = 0;
  for (const std::string& problem : before.problems) {
    CHECK_THAT(problem, !Catch::Contains("does not match the commit log"));
    if (problem.find("point past the first corrupt record, at commit log offset " +
                     std::to_string(victim.offset)) != std::string::npos) {
      ++past_end_problems;
    }
  }
  CHECK(past_end_problems >= 1);
  CHECK(before.problems.size() == static_cast<size_t>(1 + past_end_problems));

  SECTION("after a crash (abort file)") { Touch(dir.Sub("abort")); }
  SECTION("after a clean shutdown (the last segments are checked too)") {}
  {
    auto store = Reopen(dir.path());
    CHECK(store->open_report().recovery.end_offset == victim.offset);
    CHECK_THAT(store->open_report().recovery.truncation_reason, Catch::Contains("CRC"));
    CheckExactly(*store, Before(stored, victim.offset));
    CheckAppendGoesOn(*store);
  }
  CheckVerifiesClean(dir.path(), static_cast<int64_t>(Before(stored, victim.offset).size()) + 1);
}

TEST_CASE("a deleted consumequeue directory is reported by verify and rebuilt by Open") {
  testing::TempDir dir;
  auto stored = WriteMessages(dir.path(), 150);
  fs::remove_all(dir.Sub("consumequeue"));
  internal::VerifyReport before = Verify(dir.path());
  CHECK(before.corrupt == 0);
  CHECK(before.queue_errors == static_cast<int64_t>(stored.size()));

  SECTION("after a clean shutdown") {}
  SECTION("after a crash") { Touch(dir.Sub("abort")); }
  {
    auto store = Reopen(dir.path());
    CheckExactly(*store, stored);
    CheckAppendGoesOn(*store);
  }
  CheckVerifiesClean(dir.path(), static_cast<int64_t>(stored.size()) + 1);
}

TEST_CASE("a missing checkpoint file costs a full scan, nothing else") {
  testing::TempDir dir;
  auto stored = WriteMessages(dir.path(), 150);
  REQUIRE(fs::remove(dir.Sub("checkpoint")));
  SECTION("after a clean shutdown") {}
  SECTION("after a crash") { Touch(dir.Sub("abort")); }
  {
    auto store = Reopen(dir.path());
    CheckExactly(*store, stored);
    CheckAppendGoesOn(*store);
  }
  CheckVerifiesClean(dir.path(), static_cast<int64_t>(stored.size()) + 1);
}

int64_t FoundByUniqKey(MessageStore& store, const std::vector<Stored>& stored) {
  int64_t found = 0;
  for (const Stored& s : stored) {
    auto hits = store.QueryMessage(s.sent.topic(), s.sent.GetProperty(property::kUniqKey), 4, 0, INT64_MAX);
    if (hits.size() == 1 && hits[0].commit_log_offset == s.offset) ++found;
  }
  return found;
}

// After a crash the index is rebuilt from the checkpoint on, here from the
// start. After a clean shutdown Open trusts the index and re-dispatches
// nothing, so a deleted index directory is not rebuilt (only new messages
// are indexed); that case is checked for new messages only.
TEST_CASE("a deleted index directory") {
  testing::TempDir dir;
  auto stored = WriteMessages(dir.path(), 100);
  fs::remove_all(dir.Sub("index"));
  int64_t extra = 0;  // Messages put after the reopen.
  SECTION("is rebuilt after a crash") {
    Touch(dir.Sub("abort"));
    auto store = Reopen(dir.path());
    CHECK(FoundByUniqKey(*store, stored) == static_cast<int64_t>(stored.size()));
  }
  SECTION("indexes new messages after a clean shutdown") {
    auto store = Reopen(dir.path());
    MessageExt msg = MakePut(7, 2, 0).msgs[0];
    auto put = store->Put(msg);
    REQUIRE(put.ok());
    extra = 1;
    store->WaitForDispatch();
    auto hits = store->QueryMessage(msg.topic(), msg.GetProperty(property::kUniqKey), 4, 0, INT64_MAX);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].commit_log_offset == put->wrote_offset);
  }
  CheckVerifiesClean(dir.path(), static_cast<int64_t>(stored.size()) + extra);
}

// Runs `rmq-store verify DIR`; returns its exit status and last stdout line.
std::pair<int, std::string> RunVerifyTool(const std::string& dir) {
  const char* bin = std::getenv("RMQ_STORE_BIN");
  REQUIRE(bin != nullptr);
  std::string command = std::string(bin) + " verify '" + dir + "' 2>/dev/null";
  FILE* out = ::popen(command.c_str(), "r");
  REQUIRE(out != nullptr);
  std::string line, last;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), out) != nullptr) {
    line = buf;
    if (!line.empty() && line.back() == '\n') line.pop_back();
    if (!line.empty()) last = line;
  }
  int status = ::pclose(out);
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), last};
}

TEST_CASE("rmq-store verify: exit 0 on a clean store, 1 on a corrupt one") {
  if (std::getenv("RMQ_STORE_BIN") == nullptr) {
    WARN("RMQ_STORE_BIN not set (run through meson test): skipped");
    return;
  }
  testing::TempDir dir;
  auto stored = WriteMessages(dir.path(), 60);
  const std::regex summary(R"((\d+) messages, (\d+) bytes, (\d+) corrupt)");
  std::smatch m;

  auto [clean_status, clean_line] = RunVerifyTool(dir.path());
  CHECK(clean_status == 0);
  REQUIRE(std::regex_match(clean_line, m, summary));
  CHECK(std::stoll(m[1]) == static_cast<int64_t>(stored.size()));
  int64_t bytes = 0;
  for (const Stored& s : stored) bytes += s.size;
  CHECK(std::stoll(m[2]) == bytes);
  CHECK(m[3] == "0");

  // A torn tail: one corrupt event.
  Overwrite(dir.path(), stored.back().end(), "\x13\x37 torn");
  auto [bad_status, bad_line] = RunVerifyTool(dir.path());
  CHECK(bad_status == 1);
  REQUIRE(std::regex_match(bad_line, m, summary));
  CHECK(std::stoll(m[1]) == static_cast<int64_t>(stored.size()));
  CHECK(m[3] == "1");
}

}  // namespace
}  // namespace rmq::crash
