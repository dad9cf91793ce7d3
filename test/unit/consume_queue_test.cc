// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumeQueue: 20-byte units (commitLogOffset, size, tagsCode) per queue offset.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/big_endian.h"
#include "store/consume_queue.h"
#include "support/temp_dir.h"

namespace rmq::internal {
namespace {

namespace fs = std::filesystem;
using Unit = ConsumeQueue::Unit;

constexpr int32_t kUnitsPerSegment = 10;
constexpr int32_t kSegmentSize = kUnitsPerSegment * ConsumeQueue::kUnitSize;
constexpr int32_t kMsgSize = 100;

// The unit of the n-th message of a queue whose records are kMsgSize apart.
Unit UnitFor(int64_t n) { return Unit{1000 + n * kMsgSize, kMsgSize, 7000 + n}; }

std::unique_ptr<ConsumeQueue> OpenQueue(const std::string& dir) {
  auto queue = std::make_unique<ConsumeQueue>("TopicA", 3, dir, kSegmentSize);
  REQUIRE(queue->Load().ok());
  return queue;
}

void PutRange(ConsumeQueue& queue, int64_t from, int64_t to) {
  for (int64_t i = from; i < to; ++i) REQUIRE(queue.Put(i, UnitFor(i)).ok());
}

void CheckUnit(const ConsumeQueue& queue, int64_t n) {
  INFO("queue offset " << n);
  Unit unit;
  REQUIRE(queue.Read(n, &unit));
  CHECK(unit.commit_log_offset == UnitFor(n).commit_log_offset);
  CHECK(unit.size == kMsgSize);
  CHECK(unit.tags_code == UnitFor(n).tags_code);
  CHECK_FALSE(unit.IsBlank());
}

TEST_CASE("Put then Read, across segments") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  CHECK(queue->MinOffset() == 0);
  CHECK(queue->MaxOffset() == 0);
  CHECK(queue->MaxCommitLogEnd() == 0);
  Unit unit;
  CHECK_FALSE(queue->Read(0, &unit));

  PutRange(*queue, 0, 25);
  CHECK(queue->MinOffset() == 0);
  CHECK(queue->MaxOffset() == 25);
  CHECK(queue->MaxCommitLogEnd() == UnitFor(24).commit_log_offset + kMsgSize);
  for (int64_t i = 0; i < 25; ++i) CheckUnit(*queue, i);
  CHECK_FALSE(queue->Read(25, &unit));
  CHECK_FALSE(queue->Read(-1, &unit));
  // Three segments: 0, 200, 400 bytes.
  CHECK(fs::exists(dir.Sub("00000000000000000400")));

  // The bytes on disk are RocketMQ's: big-endian i64, i32, i64.
  REQUIRE(queue->Flush(0).ok());
  std::ifstream in(dir.Sub("00000000000000000000"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() == static_cast<size_t>(kSegmentSize));
  CHECK(GetBig64(bytes.data() + 20) == UnitFor(1).commit_log_offset);
  CHECK(GetBig32(bytes.data() + 28) == kMsgSize);
  CHECK(GetBig64(bytes.data() + 32) == UnitFor(1).tags_code);
}

TEST_CASE("Read through one cursor crosses segments, forwards and backwards") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  PutRange(*queue, 0, 25);
  ConsumeQueue::Cursor cursor;
  auto check = [&](int64_t n) {
    INFO("queue offset " << n);
    Unit unit;
    REQUIRE(queue->Read(n, &unit, &cursor));
    CHECK(unit.commit_log_offset == UnitFor(n).commit_log_offset);
    CHECK(unit.tags_code == UnitFor(n).tags_code);
  };
  for (int64_t i = 0; i < 25; ++i) check(i);
  for (int64_t i = 24; i >= 0; --i) check(i);
  check(3);  // Back to the first segment from the last.
  check(21);
  Unit unit;
  CHECK_FALSE(queue->Read(25, &unit, &cursor));
}

TEST_CASE("a unit already present is skipped (re-dispatch)") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  PutRange(*queue, 0, 5);
  REQUIRE(queue->Put(2, Unit{999999, 1, 1}).ok());
  REQUIRE(queue->Put(4, Unit{999999, 1, 1}).ok());
  CHECK(queue->MaxOffset() == 5);
  for (int64_t i = 0; i < 5; ++i) CheckUnit(*queue, i);
  CHECK_FALSE(queue->Put(-1, UnitFor(0)).ok());
}

// Overwrites bytes of a queue's file in place, as a torn write leaves them.
void Damage(const std::string& path, int64_t pos, int64_t value) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(file.is_open());
  char bytes[8];
  PutBig64(bytes, value);
  file.seekp(pos);
  file.write(bytes, sizeof bytes);
  REQUIRE(file.good());
}

TEST_CASE("re-dispatch after a crash rewrites a unit that differs from its record") {
  testing::TempDir dir;
  {
    auto queue = OpenQueue(dir.path());
    PutRange(*queue, 0, 15);
    REQUIRE(queue->Flush(0).ok());
  }
  // Unit 3's tagsCode and unit 12's commit log offset (second segment) lost.
  Damage(dir.Sub("00000000000000000000"), 3 * ConsumeQueue::kUnitSize + 12, 0);
  Damage(dir.Sub("00000000000000000200"), 2 * ConsumeQueue::kUnitSize, 0);
  auto queue = OpenQueue(dir.path());
  REQUIRE(queue->MaxOffset() == 15);  // Size set: Load takes them as written.

  // Trusted as they are after a clean shutdown...
  for (int64_t i = 0; i < 15; ++i) REQUIRE(queue->Put(i, UnitFor(i)).ok());
  Unit unit;
  REQUIRE(queue->Read(3, &unit));
  CHECK(unit.tags_code == 0);

  // ...compared and rewritten after a crash, in the file.
  for (int64_t i = 0; i < 15; ++i) {
    REQUIRE(queue->Put(i, UnitFor(i), ConsumeQueue::Existing::kRepair).ok());
  }
  CHECK(queue->MaxOffset() == 15);
  for (int64_t i = 0; i < 15; ++i) CheckUnit(*queue, i);
  queue.reset();
  queue = OpenQueue(dir.path());
  for (int64_t i = 0; i < 15; ++i) CheckUnit(*queue, i);
}

TEST_CASE("a gap is filled with blank units") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  PutRange(*queue, 0, 3);
  REQUIRE(queue->Put(14, UnitFor(14)).ok());  // Gap 3..13, across a segment end.
  CHECK(queue->MaxOffset() == 15);
  CHECK(queue->MinOffset() == 0);
  for (int64_t i = 3; i < 14; ++i) {
    INFO("queue offset " << i);
    Unit unit;
    REQUIRE(queue->Read(i, &unit));
    CHECK(unit.IsBlank());
    CHECK(unit.size == ConsumeQueue::kBlankSize);
    CHECK(unit.commit_log_offset == 0);
  }
  CheckUnit(*queue, 2);
  CheckUnit(*queue, 14);
  // Blank units count as written: reload finds the same end.
  queue.reset();
  queue = OpenQueue(dir.path());
  CHECK(queue->MaxOffset() == 15);
  CheckUnit(*queue, 14);
  CHECK(queue->MaxCommitLogEnd() == UnitFor(14).commit_log_offset + kMsgSize);
}

TEST_CASE("an empty queue whose first unit is past 0 starts there") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  // Offset 23 lives in the third segment (units 20..29).
  REQUIRE(queue->Put(23, UnitFor(23)).ok());
  CHECK(queue->MinOffset() == 23);
  CHECK(queue->MaxOffset() == 24);
  Unit unit;
  CHECK_FALSE(queue->Read(22, &unit));
  CheckUnit(*queue, 23);
  PutRange(*queue, 24, 27);
  CHECK(queue->MaxOffset() == 27);
  // Only the one segment holding offset 23 exists.
  CHECK_FALSE(fs::exists(dir.Sub("00000000000000000000")));
  CHECK(fs::exists(dir.Sub("00000000000000000400")));

  // After a reload the leading blanks are skipped once the minimum is corrected.
  queue.reset();
  queue = OpenQueue(dir.path());
  CHECK(queue->MaxOffset() == 27);
  queue->CorrectMinOffset(0);
  CHECK(queue->MinOffset() == 23);
  for (int64_t i = 23; i < 27; ++i) CheckUnit(*queue, i);
}

TEST_CASE("reload finds the end of the written units") {
  testing::TempDir dir;
  int64_t count = GENERATE(0, 1, 9, 10, 11, 20, 35, 59);
  INFO("count " << count);
  {
    auto queue = OpenQueue(dir.path());
    PutRange(*queue, 0, count);
    REQUIRE(queue->Flush(0).ok());
  }
  auto queue = OpenQueue(dir.path());
  CHECK(queue->MaxOffset() == count);
  CHECK(queue->MinOffset() == 0);
  CHECK(queue->MaxCommitLogEnd() == (count == 0 ? 0 : UnitFor(count - 1).commit_log_offset + kMsgSize));
  for (int64_t i = 0; i < count; ++i) CheckUnit(*queue, i);
  // Appends continue at the end.
  REQUIRE(queue->Put(count, UnitFor(count)).ok());
  CHECK(queue->MaxOffset() == count + 1);
  CheckUnit(*queue, count);
}

TEST_CASE("TruncateDirty drops units whose records reach past the commit log end") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  PutRange(*queue, 0, 25);

  SECTION("inside a segment") {
    // The log ends inside message 13's record: 13 and later go.
    REQUIRE(queue->TruncateDirty(UnitFor(13).commit_log_offset + kMsgSize / 2).ok());
    CHECK(queue->MaxOffset() == 13);
    CHECK(queue->MaxCommitLogEnd() == UnitFor(12).commit_log_offset + kMsgSize);
    CheckUnit(*queue, 12);
    Unit unit;
    CHECK_FALSE(queue->Read(13, &unit));
    CHECK_FALSE(fs::exists(dir.Sub("00000000000000000400")));
    // New units are appended at 13.
    REQUIRE(queue->Put(13, UnitFor(13)).ok());
    CheckUnit(*queue, 13);
  }
  SECTION("exactly at a record end keeps that record") {
    REQUIRE(queue->TruncateDirty(UnitFor(19).commit_log_offset + kMsgSize).ok());
    CHECK(queue->MaxOffset() == 20);
    CheckUnit(*queue, 19);
  }
  SECTION("past everything: nothing changes") {
    REQUIRE(queue->TruncateDirty(1 << 30).ok());
    CHECK(queue->MaxOffset() == 25);
  }
  SECTION("before everything: the queue is emptied") {
    REQUIRE(queue->TruncateDirty(0).ok());
    CHECK(queue->MaxOffset() == 0);
    CHECK(queue->MaxCommitLogEnd() == 0);
  }
  SECTION("it survives a reload") {
    REQUIRE(queue->TruncateDirty(UnitFor(7).commit_log_offset).ok());
    queue.reset();
    queue = OpenQueue(dir.path());
    CHECK(queue->MaxOffset() == 7);
    CheckUnit(*queue, 6);
  }
}

TEST_CASE("CorrectMinOffset moves the minimum to the first unit still in the commit log") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  PutRange(*queue, 0, 25);
  queue->CorrectMinOffset(UnitFor(12).commit_log_offset);
  CHECK(queue->MinOffset() == 12);
  Unit unit;
  CHECK_FALSE(queue->Read(11, &unit));
  CheckUnit(*queue, 12);
  // Never backwards.
  queue->CorrectMinOffset(0);
  CHECK(queue->MinOffset() == 12);
  // Everything gone: the minimum is the end.
  queue->CorrectMinOffset(1 << 30);
  CHECK(queue->MinOffset() == 25);
  CHECK(queue->MaxOffset() == 25);
}

TEST_CASE("DeleteExpired removes whole segments below the commit log start, never the last") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  PutRange(*queue, 0, 25);  // Segments [0,10) [10,20) [20,25).

  SECTION("a commit log start inside the second segment") {
    CHECK(queue->DeleteExpired(UnitFor(15).commit_log_offset) == 1);
    CHECK_FALSE(fs::exists(dir.Sub("00000000000000000000")));
    CHECK(fs::exists(dir.Sub("00000000000000000200")));
    CHECK(queue->MinOffset() == 15);
    CheckUnit(*queue, 15);
    Unit unit;
    CHECK_FALSE(queue->Read(9, &unit));
  }
  SECTION("a start exactly at the end of segment one's last record") {
    CHECK(queue->DeleteExpired(UnitFor(10).commit_log_offset) == 1);
    CHECK(queue->MinOffset() == 10);
  }
  SECTION("everything expired: the last segment is kept, the queue keeps its end") {
    CHECK(queue->DeleteExpired(1 << 30) == 2);
    CHECK(fs::exists(dir.Sub("00000000000000000400")));
    CHECK(queue->MaxOffset() == 25);
    CHECK(queue->MinOffset() == 25);
    // New units still get the next offsets.
    REQUIRE(queue->Put(25, UnitFor(25)).ok());
    CheckUnit(*queue, 25);
  }
  SECTION("nothing expired") {
    CHECK(queue->DeleteExpired(UnitFor(3).commit_log_offset) == 0);
    CHECK(queue->MinOffset() == 3);
  }
}

TEST_CASE("DeleteExpired passes over blank units: a segment ending in them is deleted too") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  PutRange(*queue, 0, 3);
  // Blanks fill 3..24: segment one ends in them, segment two holds only them.
  REQUIRE(queue->Put(25, UnitFor(25)).ok());
  PutRange(*queue, 26, 32);  // Segments [0,10) [10,20) [20,30) [30,32).

  SECTION("records of segment one still in the commit log: nothing goes") {
    CHECK(queue->DeleteExpired(UnitFor(1).commit_log_offset) == 0);
  }
  SECTION("segment one's records gone: it and the all-blank segment go") {
    CHECK(queue->DeleteExpired(UnitFor(3).commit_log_offset) == 2);
    CHECK(fs::exists(dir.Sub("00000000000000000400")));
    CHECK(queue->MinOffset() == 25);
    CheckUnit(*queue, 25);
  }
  SECTION("everything expired: all but the last segment go") {
    CHECK(queue->DeleteExpired(1 << 30) == 3);
    CHECK(queue->MaxOffset() == 32);
  }
}

TEST_CASE("Destroy empties the queue") {
  testing::TempDir dir;
  auto queue = OpenQueue(dir.path());
  PutRange(*queue, 0, 15);
  queue->Destroy();
  CHECK(queue->MaxOffset() == 0);
  CHECK(queue->MinOffset() == 0);
  CHECK(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace rmq::internal
