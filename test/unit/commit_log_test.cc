// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The commit log's append rules, through DefaultMessageStore: BLANK records
// closing segments, atomic batches, size limits, transactional half messages.

#include <catch2/catch.hpp>

#include <filesystem>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/big_endian.h"
#include "common/properties_codec.h"
#include "common/record_codec.h"
#include "rmq/store.h"
#include "store/default_message_store.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

using internal::DefaultMessageStore;

constexpr int64_t kSegment = 64 * 1024;

using testing::MakeMessage;

MessageStoreConfig SmallConfig(const std::string& dir) {
  MessageStoreConfig config = testing::SmallStoreConfig(dir);
  config.mapped_file_size_commit_log = kSegment;
  return config;
}

// Bytes the store will use for `msg` (IPv4 hosts).
int64_t RecordBytes(const MessageExt& msg) {
  return static_cast<int64_t>(internal::RecordSize(0, msg.body().size(), msg.topic().size(),
                                                   internal::EncodedPropertiesSize(msg.properties())));
}

std::unique_ptr<DefaultMessageStore> OpenStore(const MessageStoreConfig& config,
                                               std::shared_ptr<VirtualClock> clock) {
  auto store = DefaultMessageStore::Open(config, std::move(clock));
  REQUIRE(store.ok());
  return *std::move(store);
}

// The raw bytes of the commit log at `offset`.
std::string_view RawAt(DefaultMessageStore& store, int64_t offset, int64_t size) {
  auto file = store.commit_log().segments().FindByOffset(offset);
  REQUIRE(file != nullptr);
  return std::string_view(file->data() + (offset - file->from_offset()), static_cast<size_t>(size));
}

// Reads every message of topic/queue from offset 0 and checks the bodies.
void CheckQueue(MessageStore& store, const std::string& topic, int queue_id,
                const std::vector<std::string>& bodies) {
  store.WaitForDispatch();
  REQUIRE(store.GetMaxOffsetInQueue(topic, queue_id) == static_cast<int64_t>(bodies.size()));
  int64_t offset = 0;
  while (offset < static_cast<int64_t>(bodies.size())) {
    GetMessageResult got = store.Get(topic, queue_id, offset, 32, nullptr);
    REQUIRE(got.status == GetStatus::kFound);
    for (size_t i = 0; i < got.message_count(); ++i) {
      auto msg = DecodeMessage(got.record(i));
      REQUIRE(msg.ok());
      CHECK(got.queue_offset(i) == offset + static_cast<int64_t>(i));
      CHECK(msg->queue_offset == got.queue_offset(i));
      CHECK(msg->body() == bodies[static_cast<size_t>(got.queue_offset(i))]);
    }
    offset = got.next_begin_offset;
  }
}

TEST_CASE("a segment is closed by a BLANK record and the next record starts the next segment") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  auto store = OpenStore(SmallConfig(dir.path()), clock);
  std::vector<std::string> bodies;
  int64_t prev_end = 0;
  PutMessageResult put;
  for (int i = 0;; ++i) {
    bodies.push_back("body-" + std::to_string(i) + std::string(1000, 'x'));
    auto result = store->Put(MakeMessage("TopicA", 0, bodies.back()));
    REQUIRE(result.ok());
    put = *result;
    CHECK(put.queue_offset == i);
    if (put.wrote_offset >= kSegment) break;
    CHECK(put.wrote_offset == prev_end);  // Records are back to back.
    prev_end = put.wrote_offset + put.wrote_bytes;
  }
  // The record that did not fit went to the start of the next segment...
  CHECK(put.wrote_offset == kSegment);
  CHECK(prev_end + put.wrote_bytes + internal::kEndFileMinBlankLength > kSegment);
  // ...and a BLANK record covers the rest of the first one.
  std::string_view blank = RawAt(*store, prev_end, 8);
  CHECK(internal::GetBig32(blank.data()) == kSegment - prev_end);
  CHECK(internal::GetBig32(blank.data() + 4) == internal::kBlankMagicCode);
  CHECK(store->Stats().commit_log_files == 2);
  CHECK(store->Stats().max_phy_offset == kSegment + put.wrote_bytes);

  CheckQueue(*store, "TopicA", 0, bodies);
  // LookMessageByOffset on the blank is not a message.
  CHECK_FALSE(store->LookMessageByOffset(prev_end).ok());

  // The same after reopen (recovery walks over the blank).
  store.reset();
  store = OpenStore(SmallConfig(dir.path()), clock);
  CHECK(store->open_report().recovery.end_offset == kSegment + put.wrote_bytes);
  CheckQueue(*store, "TopicA", 0, bodies);
}

TEST_CASE("a record filling a segment to its last 8 bytes fits; the next gets an 8-byte BLANK") {
  testing::TempDir dir;
  auto store = OpenStore(SmallConfig(dir.path()), std::make_shared<VirtualClock>());
  MessageExt big = MakeMessage("TopicA", 0, "");
  const int64_t overhead = RecordBytes(big);
  big.set_body(std::string(static_cast<size_t>(kSegment - 8 - overhead), 'b'));
  REQUIRE(RecordBytes(big) == kSegment - 8);

  auto first = store->Put(big);
  REQUIRE(first.ok());
  CHECK(first->wrote_offset == 0);
  CHECK(first->wrote_bytes == kSegment - 8);
  auto second = store->Put(MakeMessage("TopicA", 0, "small"));
  REQUIRE(second.ok());
  CHECK(second->wrote_offset == kSegment);
  std::string_view blank = RawAt(*store, kSegment - 8, 8);
  CHECK(internal::GetBig32(blank.data()) == 8);
  CHECK(internal::GetBig32(blank.data() + 4) == internal::kBlankMagicCode);
  CheckQueue(*store, "TopicA", 0, {big.body(), "small"});

  // One byte more does not fit in any segment.
  big.set_body(big.body() + "b");
  auto too_big = store->Put(big);
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(too_big.status().message()), Catch::Contains("mappedFileSizeCommitLog"));
}

TEST_CASE("a record larger than a segment is rejected and nothing is written") {
  testing::TempDir dir;
  auto store = OpenStore(SmallConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE(store->Put(MakeMessage("TopicA", 0, "before")).ok());
  const int64_t end = store->Stats().max_phy_offset;
  // maxMessageSize (4 MiB) allows it, the 64 KiB segment does not.
  auto put = store->Put(MakeMessage("TopicA", 0, std::string(70000, 'z')));
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(put.status().message()), Catch::Contains(std::to_string(kSegment)));
  CHECK(store->Stats().max_phy_offset == end);
  auto after = store->Put(MakeMessage("TopicA", 0, "after"));
  REQUIRE(after.ok());
  CHECK(after->queue_offset == 1);
  CheckQueue(*store, "TopicA", 0, {"before", "after"});
}

TEST_CASE("a batch is stored contiguously with contiguous queue offsets") {
  testing::TempDir dir;
  auto store = OpenStore(SmallConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE(store->Put(MakeMessage("TopicA", 1, "single")).ok());
  std::vector<MessageExt> batch;
  std::vector<std::string> bodies = {"single"};
  for (int i = 0; i < 5; ++i) {
    bodies.push_back("batch-" + std::to_string(i));
    batch.push_back(MakeMessage("TopicA", 1, bodies.back()));
  }
  auto put = store->PutBatch(batch);
  REQUIRE(put.ok());
  CHECK(put->status == PutStatus::kPutOk);
  CHECK(put->msg_num == 5);
  CHECK(put->queue_offset == 1);
  int64_t offset = put->wrote_offset;
  for (int i = 0; i < 5; ++i) {
    auto msg = store->LookMessageByOffset(offset);
    REQUIRE(msg.ok());
    CHECK(msg->body() == "batch-" + std::to_string(i));
    CHECK(msg->queue_offset == 1 + i);
    CHECK(msg->commit_log_offset == offset);
    offset += msg->store_size;
  }
  CHECK(offset == put->wrote_offset + put->wrote_bytes);
  CHECK(store->Stats().max_phy_offset == offset);
  CHECK(store->Stats().put_count == 6);
  auto next = store->Put(MakeMessage("TopicA", 1, "after"));
  REQUIRE(next.ok());
  CHECK(next->queue_offset == 6);
  bodies.push_back("after");
  CheckQueue(*store, "TopicA", 1, bodies);
}

// Batches and single puts racing on one queue: each batch still occupies a
// contiguous run of queue offsets and of the commit log, in its own order.
TEST_CASE("concurrent batches and single puts keep each batch contiguous") {
  testing::TempDir dir;
  auto store = OpenStore(SmallConfig(dir.path()), std::make_shared<VirtualClock>());
  constexpr int kThreads = 4;
  constexpr int kRounds = 40;
  std::mutex mu;
  std::vector<std::pair<PutMessageResult, std::string>> batches;  // Result, thread/round tag.
  std::vector<std::string> errors;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int r = 0; r < kRounds; ++r) {
          std::string tag = std::to_string(t) + "." + std::to_string(r);
          std::vector<MessageExt> batch;
          for (int i = 0; i < 3; ++i) batch.push_back(MakeMessage("TopicM", 0, tag + "/" + std::to_string(i)));
          auto put = store->PutBatch(batch);
          auto single = store->Put(MakeMessage("TopicM", 0, tag + "/single"));
          std::lock_guard<std::mutex> lock(mu);
          if (!put.ok() || !single.ok()) {
            errors.push_back(put.ok() ? single.status().ToString() : put.status().ToString());
            continue;
          }
          batches.emplace_back(*put, tag);
        }
      });
    }
  }
  REQUIRE(errors.empty());
  store->WaitForDispatch();
  CHECK(store->GetMaxOffsetInQueue("TopicM", 0) == kThreads * kRounds * 4);
  for (const auto& [put, tag] : batches) {
    INFO("batch " << tag);
    GetMessageResult got = store->Get("TopicM", 0, put.queue_offset, 3, nullptr);
    REQUIRE(got.message_count() == 3);
    int64_t offset = put.wrote_offset;
    for (size_t i = 0; i < 3; ++i) {
      auto msg = DecodeMessage(got.record(i));
      REQUIRE(msg.ok());
      CHECK(msg->body() == tag + "/" + std::to_string(i));
      CHECK(msg->commit_log_offset == offset);
      offset += msg->store_size;
    }
    CHECK(offset == put.wrote_offset + put.wrote_bytes);
  }
}

TEST_CASE("a batch that does not fit in the current segment goes whole to the next") {
  testing::TempDir dir;
  auto store = OpenStore(SmallConfig(dir.path()), std::make_shared<VirtualClock>());
  std::vector<std::string> bodies;
  std::vector<MessageExt> batch;
  for (int i = 0; i < 4; ++i) batch.push_back(MakeMessage("TopicB", 0, std::string(1000, 'a' + i)));
  const int64_t batch_bytes = 4 * RecordBytes(batch[0]);
  // Fill segment 0 until a single message would still fit but the batch not.
  MessageExt filler = MakeMessage("TopicB", 0, std::string(500, 'f'));
  while (kSegment - store->Stats().max_phy_offset >= batch_bytes + 8) {
    bodies.push_back(filler.body());
    REQUIRE(store->Put(filler).ok());
  }
  const int64_t end0 = store->Stats().max_phy_offset;
  REQUIRE(end0 < kSegment);
  REQUIRE(kSegment - end0 >= RecordBytes(batch[0]) + 8);

  auto put = store->PutBatch(batch);
  REQUIRE(put.ok());
  CHECK(put->wrote_offset == kSegment);
  CHECK(put->wrote_bytes == batch_bytes);
  CHECK(put->queue_offset == static_cast<int64_t>(bodies.size()));
  CHECK(internal::GetBig32(RawAt(*store, end0, 8).data() + 4) == internal::kBlankMagicCode);
  for (const auto& m : batch) bodies.push_back(m.body());
  CheckQueue(*store, "TopicB", 0, bodies);
  // No message of the batch is in segment 0.
  GetMessageResult got = store->Get("TopicB", 0, put->queue_offset, 32, nullptr);
  REQUIRE(got.message_count() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(DecodeMessage(got.record(i))->commit_log_offset >= kSegment);
}

TEST_CASE("a batch is all or nothing") {
  testing::TempDir dir;
  auto store = OpenStore(SmallConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE(store->Put(MakeMessage("TopicA", 0, "first")).ok());
  const int64_t end = store->Stats().max_phy_offset;
  std::vector<MessageExt> batch = {MakeMessage("TopicA", 0, "a"), MakeMessage("TopicA", 0, "b")};

  SECTION("mixed topics") { batch.push_back(MakeMessage("TopicB", 0, "c")); }
  SECTION("mixed queues") { batch.push_back(MakeMessage("TopicA", 1, "c")); }
  SECTION("one invalid message") {
    batch.push_back(MakeMessage("TopicA", 0, "c"));
    batch.back().PutProperty("bad\x01key", "v");
  }
  SECTION("larger than a segment") {
    for (int i = 0; i < 3; ++i) batch.push_back(MakeMessage("TopicA", 0, std::string(30000, 'L')));
  }
  SECTION("half messages mixed with normal ones") {
    batch.push_back(MakeMessage("TopicA", 0, "c"));
    batch.back().sys_flag = sysflag::kTransactionPreparedType;
  }
  auto put = store->PutBatch(batch);
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(store->Stats().max_phy_offset == end);
  CHECK(store->Stats().put_count == 1);
  auto next = store->Put(MakeMessage("TopicA", 0, "second"));
  REQUIRE(next.ok());
  CHECK(next->queue_offset == 1);
  CheckQueue(*store, "TopicA", 0, {"first", "second"});
  CHECK(store->GetMaxOffsetInQueue("TopicA", 1) == 0);
  CHECK(store->GetMaxOffsetInQueue("TopicB", 0) == 0);
}

TEST_CASE("an empty batch is rejected") {
  testing::TempDir dir;
  auto store = OpenStore(SmallConfig(dir.path()), std::make_shared<VirtualClock>());
  std::vector<MessageExt> none;
  auto put = store->PutBatch(none);
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == absl::StatusCode::kInvalidArgument);
}

// RocketMQ: prepared (half) and rolled-back transaction records are in the
// commit log but take no queue offset and never enter a consume queue.
TEST_CASE("half messages take no queue offset and are not in the consume queue") {
  testing::TempDir dir;
  auto store = OpenStore(SmallConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE(store->Put(MakeMessage("TopicT", 0, "normal-0")).ok());

  MessageExt half = MakeMessage("TopicT", 0, "half");
  half.sys_flag = sysflag::kTransactionPreparedType;
  half.PutProperty(property::kTransactionPrepared, "true");
  auto half_put = store->Put(half);
  REQUIRE(half_put.ok());
  CHECK(half_put->queue_offset == 0);

  MessageExt rolled_back = MakeMessage("TopicT", 0, "rollback");
  rolled_back.sys_flag = sysflag::kTransactionRollbackType;
  REQUIRE(store->Put(rolled_back).ok());

  MessageExt committed = MakeMessage("TopicT", 0, "commit");
  committed.sys_flag = sysflag::kTransactionCommitType;
  auto commit_put = store->Put(committed);
  REQUIRE(commit_put.ok());
  CHECK(commit_put->queue_offset == 1);

  auto normal = store->Put(MakeMessage("TopicT", 0, "normal-1"));
  REQUIRE(normal.ok());
  CHECK(normal->queue_offset == 2);

  CheckQueue(*store, "TopicT", 0, {"normal-0", "commit", "normal-1"});
  // The half message is in the commit log, flags intact.
  auto stored = store->LookMessageByOffset(half_put->wrote_offset);
  REQUIRE(stored.ok());
  CHECK(stored->body() == "half");
  CHECK(sysflag::TransactionValue(stored->sys_flag) == sysflag::kTransactionPreparedType);
  CHECK(stored->queue_offset == 0);

  // A topic with only half messages has no consume queue at all.
  MessageExt only_half = MakeMessage("TopicH", 0, "h");
  only_half.sys_flag = sysflag::kTransactionPreparedType;
  REQUIRE(store->Put(only_half).ok());
  REQUIRE(store->Put(only_half).ok());
  store->WaitForDispatch();
  CHECK(store->Get("TopicH", 0, 0, 32, nullptr).status == GetStatus::kNoMatchedLogicQueue);
  CHECK(store->GetMaxOffsetInQueue("TopicH", 0) == 0);

  // Recovery rebuilds the same queue (half messages skipped again).
  store.reset();
  std::filesystem::remove_all(dir.Sub("consumequeue"));
  store = OpenStore(SmallConfig(dir.path()), std::make_shared<VirtualClock>());
  CheckQueue(*store, "TopicT", 0, {"normal-0", "commit", "normal-1"});
  auto after = store->Put(MakeMessage("TopicT", 0, "normal-2"));
  REQUIRE(after.ok());
  CHECK(after->queue_offset == 3);
}

// Cleanup's primitive: expired (or forced) segments from the front, never
// one the dispatcher has not finished (keep_from_offset), never the last.
TEST_CASE("DeleteExpiredSegments respects keep_from_offset, max_files and age") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  auto store = OpenStore(SmallConfig(dir.path()), clock);
  while (store->Stats().commit_log_files < 5) {
    REQUIRE(store->Put(MakeMessage("TopicA", 0, std::string(1000, 'x'))).ok());
  }
  store->WaitForDispatch();
  internal::CommitLog& log = store->commit_log();
  const int64_t now = clock->NowMillis();
  constexpr int64_t kAll = std::numeric_limits<int64_t>::max();
  CHECK(log.DeleteExpiredSegments(now, false, kAll, 10) == 0);  // Not older than now.
  CHECK(log.DeleteExpiredSegments(now + 1, false, kAll, 1) == 1);
  CHECK(log.MinOffset() == kSegment);
  // Segment 2 ends past keep_from: it and everything after stay.
  CHECK(log.DeleteExpiredSegments(kAll, true, 3 * kSegment - 1, 10) == 1);
  CHECK(log.MinOffset() == 2 * kSegment);
  CHECK(log.DeleteExpiredSegments(kAll, true, 3 * kSegment - 1, 10) == 0);
  CHECK(log.DeleteExpiredSegments(kAll, true, kAll, 10) == 2);
  CHECK(log.MinOffset() == 4 * kSegment);
  CHECK(store->Stats().commit_log_files == 1);
}

TEST_CASE("the stored record carries the offsets the put reported") {
  testing::TempDir dir;
  auto clock = std::make_shared<VirtualClock>();
  auto store = OpenStore(SmallConfig(dir.path()), clock);
  clock->Advance(absl::Seconds(5));
  auto put = store->Put(MakeMessage("TopicA", 2, "payload"));
  REQUIRE(put.ok());
  CHECK(put->store_timestamp == clock->NowMillis());
  auto msg = store->LookMessageByOffset(put->wrote_offset);
  REQUIRE(msg.ok());
  CHECK(msg->commit_log_offset == put->wrote_offset);
  CHECK(msg->store_size == put->wrote_bytes);
  CHECK(msg->queue_offset == put->queue_offset);
  CHECK(msg->queue_id == 2);
  CHECK(msg->store_timestamp == put->store_timestamp);
  CHECK(msg->born_timestamp == 1234);
  CHECK(msg->born_host == HostAddress::Ipv4(10, 0, 0, 1, 5555));
  CHECK(msg->store_host.ToString() == "127.0.0.1:10911");
  CHECK(msg->tags() == "TagA");
  CHECK(msg->OffsetMsgId() == put->offset_msg_id());
}

}  // namespace
}  // namespace rmq
