// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Timer messages in the store (RocketMQ 5's TIMER_DELIVER_MS, TIMER_DELAY_SEC,
// TIMER_DELAY_MS): a put due in the future waits in rmq_sys_wheel_timer and
// reaches its topic at its exact millisecond on the (virtual) clock, in due
// order; bad values and due times too far ahead are refused; a DELAY level
// wins; waiting messages survive a restart, and those delivered before it
// do not come again; one waiting longer than the roll window is stored
// again, so cleanup by fileReservedTime does not lose it.

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "rmq/store.h"
#include "store/default_message_store.h"
#include "store/timer_message_service.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"
#include "support/virtual_time_store.h"

namespace rmq {
namespace {

using internal::DefaultMessageStore;
using internal::kTimerTopic;
using internal::TimerDueMillis;
using testing::MakeMessage;

constexpr int64_t kDay = 24LL * 3600 * 1000;

struct Fixture : testing::VirtualTimeStore {
  int64_t Now() const { return clock->NowMillis(); }

  absl::StatusOr<PutMessageResult> PutTimer(const std::string& body, std::string_view name,
                                            const std::string& value, int queue_id = 0) {
    MessageExt msg = MakeMessage("Orders", queue_id, body);
    msg.PutProperty(name, value);
    return store->Put(msg);
  }

  void PutDueAt(const std::string& body, int64_t due_ms) {
    auto put = PutTimer(body, property::kTimerDeliverMs, std::to_string(due_ms));
    INFO(put.status().ToString());
    REQUIRE(put.ok());
  }

  void AdvanceTo(int64_t ms) { Advance(absl::Milliseconds(ms - Now())); }

  // Reopens the store with timerRollWindowSlots `slots`.
  void ReopenWithRollWindow(int32_t slots) {
    config.timer_roll_window_slots = slots;
    store.reset();
    Open();
  }

  std::vector<MessageExt> Delivered(int queue_id = 0) {
    store->WaitForDispatch();
    std::vector<MessageExt> msgs;
    for (int64_t offset = 0;;) {
      GetMessageResult got = store->Get("Orders", queue_id, offset, 32, nullptr);
      if (got.message_count() == 0) break;
      for (size_t i = 0; i < got.message_count(); ++i) {
        auto msg = DecodeMessage(got.record(i));
        REQUIRE(msg.ok());
        msgs.push_back(*std::move(msg));
      }
      offset = got.next_begin_offset;
    }
    return msgs;
  }
};

TEST_CASE("TimerDueMillis: RocketMQ's precedence, errors name the property, the limit holds") {
  const int64_t now = 1'000'000;
  const int64_t max = 3 * kDay;
  CHECK(TimerDueMillis("", "", "", now, max)->has_value() == false);
  CHECK(**TimerDueMillis("1005000", "7", "9", now, max) == 1'005'000);  // DELIVER_MS first
  CHECK(**TimerDueMillis("", "7", "9", now, max) == now + 7000);        // then DELAY_SEC
  CHECK(**TimerDueMillis("", "", "9", now, max) == now + 9);            // then DELAY_MS
  CHECK(**TimerDueMillis("", "", "-50", now, max) == now - 50);         // past: the caller stores it now
  CHECK(**TimerDueMillis("", "", std::to_string(max), now, max) == now + max);

  auto bad = TimerDueMillis("", "soon", "", now, max);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("TIMER_DELAY_SEC='soon'"));

  auto far = TimerDueMillis("", "", std::to_string(max + 1), now, max);
  REQUIRE_FALSE(far.ok());
  CHECK_THAT(std::string(far.status().message()), Catch::Contains("timerMaxDelaySec"));
  // Huge values do not overflow into the past.
  CHECK_FALSE(TimerDueMillis("", "9223372036854775807", "", now, max).ok());
  CHECK_FALSE(TimerDueMillis("", "", "9223372036854775807", now, max).ok());
  CHECK_FALSE(TimerDueMillis("9223372036854775807", "", "", now, max).ok());
}

TEST_CASE("A timer message reaches its topic at its exact millisecond, as its own message") {
  Fixture f;
  const int64_t due = f.Now() + 12'345;
  MessageExt msg = MakeMessage("Orders", 2, "hello");
  msg.set_keys("k1");
  msg.set_delay_time_ms(12'345);
  auto put = f.store->Put(msg);
  REQUIRE(put.ok());
  f.store->WaitForDispatch();
  CHECK(f.store->Stats().delayed_messages == 1);
  CHECK(f.store->Stats().next_delayed_delivery_ms == due);
  CHECK(f.store->GetMaxOffsetInQueue(kTimerTopic, 0) == 1);

  f.AdvanceTo(due - 1);
  CHECK(f.Delivered(2).empty());
  f.Advance(absl::Milliseconds(1));
  auto delivered = f.Delivered(2);
  REQUIRE(delivered.size() == 1);
  const MessageExt& out = delivered[0];
  CHECK(out.topic() == "Orders");
  CHECK(out.queue_id == 2);
  CHECK(out.body() == "hello");
  CHECK(out.keys() == "k1");
  CHECK(out.GetProperty(property::kUniqKey) == msg.GetProperty(property::kUniqKey));
  CHECK(out.store_timestamp == due);
  CHECK(out.GetProperty(property::kTimerOutMs) == std::to_string(due));
  CHECK(out.GetProperty(property::kTimerDequeueMs) == std::to_string(due));
  CHECK(f.store->Stats().delayed_messages == 0);
  CHECK(f.store->Stats().next_delayed_delivery_ms == 0);

  // Nothing more comes later: it was not parked again.
  f.Advance(absl::Hours(1));
  CHECK(f.Delivered(2).size() == 1);
}

TEST_CASE("Timer messages come out in due order, each at its due time, across and within slots") {
  Fixture f;
  std::mt19937_64 random(7);
  const int64_t start = f.Now();
  std::vector<int64_t> dues;
  for (int i = 0; i < 300; ++i) {
    // Many in the same second, some an hour away, one almost a day away.
    const int64_t delay = i == 0 ? kDay - 1 : static_cast<int64_t>(random() % (i % 3 == 0 ? 3'600'000 : 5'000)) + 1;
    dues.push_back(start + delay);
    f.PutDueAt(std::to_string(i), start + delay);
  }
  f.Advance(absl::Milliseconds(kDay));
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == dues.size());
  std::sort(dues.begin(), dues.end());
  for (size_t i = 0; i < delivered.size(); ++i) {
    INFO("delivery " << i << " body " << delivered[i].body());
    CHECK(delivered[i].store_timestamp == dues[i]);
    CHECK(delivered[i].GetProperty(property::kTimerOutMs) == std::to_string(dues[i]));
  }
  CHECK(f.store->Stats().delayed_messages == 0);
}

TEST_CASE("Timer messages: due already is stored at once; bad values and limits are refused") {
  Fixture f;
  REQUIRE(f.PutTimer("past", property::kTimerDeliverMs, std::to_string(f.Now() - 5)).ok());
  REQUIRE(f.PutTimer("now", property::kTimerDelayMs, "0").ok());
  CHECK(f.Delivered().size() == 2);
  CHECK(f.store->GetMaxOffsetInQueue(kTimerTopic, 0) == 0);

  auto bad = f.PutTimer("bad", property::kTimerDelayMs, "12x");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("TIMER_DELAY_MS='12x'"));

  auto far = f.PutTimer("far", property::kTimerDelaySec, std::to_string(3 * 24 * 3600 + 1));
  REQUIRE_FALSE(far.ok());
  CHECK_THAT(std::string(far.status().message()), Catch::Contains("beyond timerMaxDelaySec"));
  REQUIRE(f.PutTimer("max", property::kTimerDelaySec, std::to_string(3 * 24 * 3600)).ok());

  MessageExt batched = MakeMessage("Orders", 0, "b");
  batched.PutProperty(property::kTimerDelaySec, "5");
  std::vector<MessageExt> batch{MakeMessage("Orders", 0, "a"), batched};
  auto put_batch = f.store->PutBatch(batch);
  REQUIRE_FALSE(put_batch.ok());
  CHECK_THAT(std::string(put_batch.status().message()), Catch::Contains("timer message"));

  // A transaction's half message is never parked by its timer.
  MessageExt half = MakeMessage("Orders", 0, "half");
  half.PutProperty(property::kTimerDelaySec, "5");
  half.sys_flag = sysflag::kTransactionPreparedType;
  REQUIRE(f.store->Put(half).ok());
  f.store->WaitForDispatch();
  CHECK(f.store->GetMaxOffsetInQueue(kTimerTopic, 0) == 1);  // Only "max".
}

TEST_CASE("Timer messages are refused when timerWheelEnable=false") {
  Fixture f;
  f.store.reset();
  f.config.timer_wheel_enable = false;
  f.Open();
  auto put = f.PutTimer("x", property::kTimerDelaySec, "5");
  REQUIRE_FALSE(put.ok());
  CHECK_THAT(std::string(put.status().message()), Catch::Contains("timerWheelEnable=false"));
}

TEST_CASE("A DELAY level wins over timer properties, which are dropped") {
  Fixture f;
  MessageExt msg = MakeMessage("Orders", 0, "both");
  msg.PutProperty(property::kDelayTimeLevel, "1");  // 1 s
  msg.PutProperty(property::kTimerDelaySec, "100");
  REQUIRE(f.store->Put(msg).ok());
  f.Advance(absl::Seconds(1));
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == 1);
  CHECK_FALSE(delivered[0].HasProperty(property::kTimerDelaySec));
  f.Advance(absl::Seconds(200));
  CHECK(f.Delivered().size() == 1);
  CHECK(f.store->GetMaxOffsetInQueue(kTimerTopic, 0) == 0);
}

TEST_CASE("Timer messages survive a restart; those delivered before it do not come again") {
  Fixture f;
  const int64_t start = f.Now();
  f.PutDueAt("a", start + 10'000);
  f.PutDueAt("b", start + 20'000);
  f.PutDueAt("c", start + 3'600'000);
  f.Advance(absl::Seconds(15));
  REQUIRE(f.Delivered().size() == 1);

  f.store.reset();  // Clean shutdown: the checkpoint is saved.
  f.Open();
  CHECK(f.store->Stats().delayed_messages == 2);
  f.AdvanceTo(start + 20'000 - 1);
  CHECK(f.Delivered().size() == 1);
  f.Advance(absl::Milliseconds(1));
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == 2);
  CHECK(delivered[1].body() == "b");
  CHECK(delivered[1].store_timestamp == start + 20'000);

  f.store.reset();
  f.Open();
  f.AdvanceTo(start + 3'600'000);
  delivered = f.Delivered();
  REQUIRE(delivered.size() == 3);
  CHECK(delivered[2].body() == "c");
  CHECK(delivered[2].store_timestamp == start + 3'600'000);
  CHECK(f.store->Stats().delayed_messages == 0);
}

TEST_CASE("Timer messages that fell due while the store was closed come out at once") {
  Fixture f;
  const int64_t start = f.Now();
  f.PutDueAt("a", start + 10'000);
  f.PutDueAt("b", start + 50'000);
  f.store->WaitForDispatch();
  f.store.reset();
  f.clock->Advance(absl::Minutes(5));  // Down across both due times.
  f.Open();
  f.Advance(absl::ZeroDuration());
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == 2);
  CHECK(delivered[0].body() == "a");  // Still in due order.
  CHECK(delivered[1].body() == "b");
  CHECK(delivered[0].store_timestamp == start + 5 * 60'000);
}

TEST_CASE("Without its checkpoint, the timer delivers at least once: nothing waiting is lost") {
  Fixture f;
  const int64_t start = f.Now();
  f.PutDueAt("a", start + 10'000);
  f.PutDueAt("b", start + 20'000);
  f.Advance(absl::Seconds(15));
  REQUIRE(f.Delivered().size() == 1);
  f.store.reset();
  std::filesystem::remove(f.dir.Sub("config/timercheck.json"));
  std::filesystem::remove(f.dir.Sub("config/timercheck.json.bak"));
  f.Open();
  f.AdvanceTo(start + 20'000);
  auto delivered = f.Delivered();
  // "a" again (it was delivered after the last save that counts), then "b".
  REQUIRE(delivered.size() == 3);
  CHECK(delivered[1].body() == "a");
  CHECK(delivered[2].body() == "b");
  CHECK(delivered[2].store_timestamp == start + 20'000);
}

// The copies of a timer message in the timer queue, oldest first.
std::vector<MessageExt> TimerQueue(DefaultMessageStore& store) {
  return testing::ReadQueue(store, kTimerTopic, 0);
}

TEST_CASE("A timer message due beyond the roll window is stored again at its end, then delivered once") {
  Fixture f;
  f.ReopenWithRollWindow(10);  // 10 s at timerPrecisionMs 1000.
  const int64_t start = f.Now();
  const int64_t due = start + 25'000;
  f.PutDueAt("long", due);
  f.store->WaitForDispatch();
  std::vector<MessageExt> copies = TimerQueue(*f.store);
  REQUIRE(copies.size() == 1);
  CHECK(copies[0].GetProperty(property::kTimerRollAtMs) == std::to_string(start + 10'000));
  const std::string uniq_key(copies[0].GetProperty(property::kUniqKey));

  f.AdvanceTo(start + 10'000 - 1);
  CHECK(TimerQueue(*f.store).size() == 1);
  f.Advance(absl::Milliseconds(1));
  copies = TimerQueue(*f.store);
  REQUIRE(copies.size() == 2);
  CHECK(copies[1].store_timestamp == start + 10'000);
  CHECK(copies[1].GetProperty(property::kTimerRollAtMs) == std::to_string(start + 20'000));
  CHECK(copies[1].GetProperty(property::kTimerOutMs) == std::to_string(due));
  CHECK(copies[1].GetProperty(property::kUniqKey) == uniq_key);
  CHECK(copies[1].body() == "long");
  CHECK(f.Delivered().empty());
  CHECK(f.store->Stats().delayed_messages == 1);

  // Its window ends before it is due again: a second roll.
  f.AdvanceTo(start + 20'000);
  copies = TimerQueue(*f.store);
  REQUIRE(copies.size() == 3);
  // Due within its window: no further roll time.
  CHECK(copies[2].GetProperty(property::kTimerRollAtMs).empty());

  f.AdvanceTo(due - 1);
  CHECK(f.Delivered().empty());
  f.Advance(absl::Milliseconds(1));
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].body() == "long");
  CHECK(delivered[0].store_timestamp == due);
  CHECK(delivered[0].GetProperty(property::kUniqKey) == uniq_key);
  CHECK(delivered[0].GetProperty(property::kTimerRollAtMs).empty());
  CHECK(TimerQueue(*f.store).size() == 3);
  f.Advance(absl::Hours(1));
  CHECK(f.Delivered().size() == 1);
  CHECK(f.store->Stats().delayed_messages == 0);
}

TEST_CASE("A rolled timer message is delivered once across a restart") {
  Fixture f;
  f.ReopenWithRollWindow(10);
  const int64_t start = f.Now();
  const int64_t due = start + 25'000;
  f.PutDueAt("long", due);
  f.AdvanceTo(start + 12'000);
  REQUIRE(TimerQueue(*f.store).size() == 2);

  // The first copy was rolled before the checkpoint: it is not linked again.
  f.store.reset();
  f.Open();
  CHECK(f.store->Stats().delayed_messages == 1);
  // The second copy rolls at 20 s; the third, linked when it is
  // dispatched, is delivered.
  f.AdvanceTo(start + 20'000);
  f.AdvanceTo(due);
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].store_timestamp == due);
  CHECK(TimerQueue(*f.store).size() == 3);  // The second copy rolled at 20 s.
}

TEST_CASE("Rolling keeps a timer message whose wait is longer than fileReservedTime") {
  Fixture f;
  // The 2-day window is capped at half of it: 30 minutes.
  f.config.file_reserved_time = 1;  // Hours.
  f.store.reset();
  f.Open();
  f.store->SetDiskUsageProbe([](const std::string&) { return 0.1; });
  // Fills the commit log up to the start of a new segment, so that what
  // was written before can expire.
  auto fill_segment = [&] {
    const int64_t segments = f.store->Stats().commit_log_files;
    while (f.store->Stats().commit_log_files == segments) {
      REQUIRE(f.store->Put(MakeMessage("Filler", 0, std::string(1000, 'f'))).ok());
    }
  };
  const int64_t start = f.Now();
  const int64_t due = start + 3 * 3600'000;
  f.PutDueAt("long", due);
  fill_segment();
  while (f.Now() + 1800'000 < due) {
    f.Advance(absl::Minutes(30));
    fill_segment();
    f.store->DeleteExpiredFiles(/*force=*/false);
  }
  // The segment of the message as put is gone.
  REQUIRE(f.store->Stats().min_phy_offset > 0);
  f.AdvanceTo(due);
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].body() == "long");
  CHECK(delivered[0].store_timestamp == due);
}

// Writes timercheck.json (and its backup) as `json`.
void WriteTimerCheckpoint(Fixture& f, const std::string& json) {
  for (const char* name : {"config/timercheck.json", "config/timercheck.json.bak"}) {
    FILE* out = std::fopen(f.dir.Sub(name).c_str(), "w");
    REQUIRE(out != nullptr);
    std::fputs(json.c_str(), out);
    std::fclose(out);
  }
}

TEST_CASE("A new roll window applies to messages stored after it; none comes twice") {
  Fixture f;
  f.ReopenWithRollWindow(10);
  const int64_t start = f.Now();
  f.PutDueAt("rolls", start + 25'000);
  f.AdvanceTo(start + 12'000);  // Rolled at 10 s.
  REQUIRE(TimerQueue(*f.store).size() == 2);
  // Reopened twice with a window longer than any wait here: the copies
  // stored keep their roll times, a new message gets none.
  f.ReopenWithRollWindow(100);
  f.PutDueAt("waits", start + 40'000);
  f.ReopenWithRollWindow(100);
  f.AdvanceTo(start + 20'000);  // The second copy rolls at 20 s.
  std::vector<MessageExt> copies = TimerQueue(*f.store);
  REQUIRE(copies.size() == 4);
  CHECK(copies[2].body() == "waits");
  CHECK(copies[2].GetProperty(property::kTimerRollAtMs).empty());
  CHECK(copies[3].body() == "rolls");
  f.AdvanceTo(start + 40'000);
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == 2);
  CHECK(delivered[0].body() == "rolls");
  CHECK(delivered[0].store_timestamp == start + 25'000);
  CHECK(delivered[1].body() == "waits");
  CHECK(delivered[1].store_timestamp == start + 40'000);
}

TEST_CASE("A producer's TIMER_ROLL_AT_MS is not kept: the store sets it") {
  Fixture f;
  const int64_t start = f.Now();
  MessageExt msg = MakeMessage("Orders", 0, "bogus");
  msg.PutProperty(property::kTimerDeliverMs, std::to_string(start + 20'000));
  msg.PutProperty(property::kTimerRollAtMs, "0");
  REQUIRE(f.store->Put(msg).ok());
  f.store->WaitForDispatch();
  std::vector<MessageExt> copies = TimerQueue(*f.store);
  REQUIRE(copies.size() == 1);
  CHECK(copies[0].GetProperty(property::kTimerRollAtMs).empty());
  f.AdvanceTo(start + 20'000);
  REQUIRE(f.Delivered().size() == 1);
  CHECK(TimerQueue(*f.store).size() == 1);  // Not rolled.
}

TEST_CASE("A timer message found due at its roll time is delivered, not rolled") {
  Fixture f;
  f.ReopenWithRollWindow(10);
  const int64_t start = f.Now();
  f.PutDueAt("long", start + 25'000);
  f.store->WaitForDispatch();
  f.store.reset();
  f.clock->Advance(absl::Seconds(30));  // Closed across its roll and due times.
  f.Open();
  f.Advance(absl::ZeroDuration());
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].store_timestamp == start + 30'000);
  CHECK(TimerQueue(*f.store).size() == 1);
}

TEST_CASE("A timer message the store now refuses is dropped, and later ones still come") {
  Fixture f;
  const int64_t start = f.Now();
  MessageExt big = MakeMessage("Orders", 0, std::string(1000, 'b'));
  big.PutProperty(property::kTimerDeliverMs, std::to_string(start + 10'000));
  REQUIRE(f.store->Put(big).ok());
  f.PutDueAt("small", start + 20'000);
  f.store->WaitForDispatch();
  f.store.reset();
  f.config.max_message_size = 100;  // Lowered while it waited.
  f.Open();
  f.AdvanceTo(start + 20'000);
  auto delivered = f.Delivered();
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].body() == "small");
  CHECK(f.store->Stats().delayed_messages == 0);
}

TEST_CASE("A corrupt timer checkpoint is an error naming the file") {
  Fixture f;
  f.PutDueAt("a", f.Now() + 10'000);
  f.store.reset();
  WriteTimerCheckpoint(f, "{\"enqueueOffset\": \"x\"}");
  auto opened = DefaultMessageStore::Open(f.config, f.clock);
  REQUIRE_FALSE(opened.ok());
  CHECK_THAT(std::string(opened.status().message()), Catch::Contains("timercheck.json"));
}

}  // namespace
}  // namespace rmq
