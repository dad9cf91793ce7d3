// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/timer_wheel.h"

#include <algorithm>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

namespace rmq::internal {
namespace {

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

std::unique_ptr<TimerWheel> NewWheel(const testing::TempDir& dir, int64_t precision_ms = 1000,
                                     int64_t span_ms = 60000, int64_t segment = 4096) {
  TimerWheel::Options options;
  options.dir = dir.path() + "/timer";
  options.precision_ms = precision_ms;
  options.span_ms = span_ms;
  options.log_segment_bytes = segment;
  auto wheel = TimerWheel::Create(options);
  INFO(wheel.status().ToString());
  REQUIRE(wheel.ok());
  return *std::move(wheel);
}

TimerRecord Rec(int64_t deliver_ms, int64_t offset) { return {deliver_ms, offset, 100}; }

TEST_CASE("records come back by the slot of their due time") {
  testing::TempDir dir;
  auto wheel = NewWheel(dir);
  REQUIRE(wheel->Add(Rec(kT0 + 1500, 1)).ok());
  REQUIRE(wheel->Add(Rec(kT0 + 1999, 2)).ok());
  REQUIRE(wheel->Add(Rec(kT0 + 2000, 3)).ok());
  REQUIRE(wheel->Add(Rec(kT0 + 59000, 4)).ok());
  CHECK(wheel->size() == 4);

  CHECK(wheel->TakeSlot(kT0).empty());
  std::vector<TimerRecord> slot = wheel->TakeSlot(kT0 + 1000);
  CHECK(slot == std::vector<TimerRecord>{Rec(kT0 + 1999, 2), Rec(kT0 + 1500, 1)});  // Newest first.
  CHECK(wheel->TakeSlot(kT0 + 1700).empty());  // Taken: the slot is empty now.
  CHECK(wheel->TakeSlot(kT0 + 2999) == std::vector<TimerRecord>{Rec(kT0 + 2000, 3)});
  CHECK(wheel->size() == 1);
  CHECK(wheel->TakeSlot(kT0 + 59000) == std::vector<TimerRecord>{Rec(kT0 + 59000, 4)});
  CHECK(wheel->size() == 0);
}

TEST_CASE("times a cycle apart share a slot; times a span apart do not") {
  testing::TempDir dir;
  auto wheel = NewWheel(dir);
  CHECK(wheel->cycle_ms() > wheel->span_ms());
  REQUIRE(wheel->Add(Rec(kT0 + 5000, 1)).ok());
  REQUIRE(wheel->Add(Rec(kT0 + 5000 + wheel->span_ms(), 2)).ok());
  REQUIRE(wheel->Add(Rec(kT0 + 5000 + wheel->cycle_ms(), 3)).ok());
  std::vector<TimerRecord> slot = wheel->TakeSlot(kT0 + 5000);
  CHECK(slot == std::vector<TimerRecord>{Rec(kT0 + 5000 + wheel->cycle_ms(), 3), Rec(kT0 + 5000, 1)});
  CHECK(wheel->size() == 1);
}

TEST_CASE("NextOccupied finds the earliest occupied slot from a time, across the wrap") {
  testing::TempDir dir;
  auto wheel = NewWheel(dir);
  CHECK_FALSE(wheel->NextOccupied(kT0).has_value());
  REQUIRE(wheel->Add(Rec(kT0 + 30500, 1)).ok());
  REQUIRE(wheel->Add(Rec(kT0 + 10250, 2)).ok());
  CHECK(wheel->NextOccupied(kT0) == kT0 + 10000);
  CHECK(wheel->NextOccupied(kT0 + 10999) == kT0 + 10000);
  CHECK(wheel->NextOccupied(kT0 + 11000) == kT0 + 30000);
  // From past the later one, the search wraps to a cycle later.
  CHECK(wheel->NextOccupied(kT0 + 31000) == kT0 + 10000 + wheel->cycle_ms());
  wheel->TakeSlot(kT0 + 10000);
  wheel->TakeSlot(kT0 + 30000);
  CHECK_FALSE(wheel->NextOccupied(kT0).has_value());
}

TEST_CASE("the overdue chain is separate from the slots") {
  testing::TempDir dir;
  auto wheel = NewWheel(dir);
  REQUIRE(wheel->AddOverdue(Rec(kT0 - 5000, 1)).ok());
  REQUIRE(wheel->AddOverdue(Rec(kT0 - 9000, 2)).ok());
  CHECK(wheel->size() == 2);
  CHECK_FALSE(wheel->NextOccupied(kT0).has_value());
  CHECK(wheel->PopOverdue() == Rec(kT0 - 9000, 2));
  CHECK(wheel->PopOverdue() == Rec(kT0 - 5000, 1));
  CHECK_FALSE(wheel->PopOverdue().has_value());
  CHECK(wheel->size() == 0);
}

TEST_CASE("log segments whose records were all taken are deleted") {
  testing::TempDir dir;
  auto wheel = NewWheel(dir, 1000, 60000, 4096);  // 128 records per segment
  std::mt19937_64 rng(7);
  std::vector<int64_t> due;
  for (int i = 0; i < 1000; ++i) {
    due.push_back(kT0 + static_cast<int64_t>(rng() % 60000));
    REQUIRE(wheel->Add(Rec(due.back(), i)).ok());
  }
  CHECK(wheel->log_segments() == 8);
  size_t taken = 0;
  for (int64_t t = kT0; t < kT0 + 60000; t += 1000) {
    for (const TimerRecord& r : wheel->TakeSlot(t)) {
      CHECK(r.deliver_ms / 1000 == t / 1000);
      ++taken;
    }
  }
  CHECK(taken == due.size());
  CHECK(wheel->size() == 0);
  CHECK(wheel->log_segments() == 1);  // The one appends continue in.
  // And it keeps working after the cleanup.
  REQUIRE(wheel->Add(Rec(kT0 + 70000, 5000)).ok());
  CHECK(wheel->TakeSlot(kT0 + 70000) == std::vector<TimerRecord>{Rec(kT0 + 70000, 5000)});
}

TEST_CASE("a bad geometry is refused") {
  testing::TempDir dir;
  TimerWheel::Options options;
  options.dir = dir.path() + "/timer";
  options.precision_ms = 0;
  CHECK(TimerWheel::Create(options).status().code() == absl::StatusCode::kInvalidArgument);
  options.precision_ms = 1000;
  options.log_segment_bytes = 100;
  CHECK(TimerWheel::Create(options).status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rmq::internal
