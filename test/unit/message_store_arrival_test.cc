// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The store's message-arriving listener (what wakes held long-polling
// pulls): every message that enters a consume queue is passed on once, in
// log order, in batches, once its queue holds it.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/tag_hash.h"
#include "rmq/store.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

MessageExt MakeMessage(const std::string& topic, int queue_id, const std::string& tags, int i) {
  MessageExt msg(topic, tags, "key-" + std::to_string(i), "body-" + std::to_string(i));
  msg.queue_id = queue_id;
  msg.born_timestamp = 1000 + i;
  msg.born_host = HostAddress::Ipv4(10, 0, 0, 1, 5555);
  return msg;
}

// What the listener saw, copied out of its views.
struct Seen {
  std::string topic;
  int32_t queue_id = 0;
  int64_t queue_offset = 0;
  int64_t tags_code = 0;
  bool has_key = false;       // The message's KEYS are in the properties handed over.
  bool queue_holds = false;   // Its queue's max offset was past it during the call.
};

class Recorder {
 public:
  explicit Recorder(MessageStore* store) : store_(store) {}

  MessageStore::MessageArrivingListener Listener() {
    return [this](std::span<const MessageStore::ArrivedMessage> arrived) {
      absl::MutexLock lock(&mu_);
      batch_sizes_.push_back(arrived.size());
      for (const MessageStore::ArrivedMessage& m : arrived) {
        Seen s;
        s.topic = std::string(m.topic);
        s.queue_id = m.queue_id;
        s.queue_offset = m.queue_offset;
        s.tags_code = m.tags_code;
        const std::string key = "key-";
        s.has_key = m.properties.find(key) != std::string_view::npos;
        s.queue_holds = store_->GetMaxOffsetInQueue(m.topic, m.queue_id) > m.queue_offset;
        seen_.push_back(s);
      }
    };
  }

  // Waits until `n` messages were seen (no time limit: meson's test timeout is the bound).
  std::vector<Seen> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return seen_.size() >= n; };
    mu_.Await(absl::Condition(&enough));
    return seen_;
  }

  std::vector<size_t> batch_sizes() {
    absl::MutexLock lock(&mu_);
    return batch_sizes_;
  }

 private:
  MessageStore* const store_;
  absl::Mutex mu_;
  std::vector<Seen> seen_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> batch_sizes_ ABSL_GUARDED_BY(mu_);
};

TEST_CASE("the arrival listener sees every message once, in log order, in batches of at most 32") {
  testing::TempDir dir;
  auto store = MessageStore::Open(testing::SmallStoreConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE(store.ok());
  Recorder recorder(store->get());
  (*store)->SetMessageArrivingListener(recorder.Listener());
  // Enough to cross commit log segments (64 KiB), whose end also ends a batch.
  constexpr int kCount = 1000;
  for (int i = 0; i < kCount; ++i) {
    REQUIRE((*store)->Put(MakeMessage("TopicA", i % 4, i % 2 == 0 ? "TagA" : "TagB", i)).ok());
  }
  std::vector<Seen> seen = recorder.WaitFor(kCount);
  REQUIRE(seen.size() == kCount);
  for (int i = 0; i < kCount; ++i) {
    const Seen& s = seen[static_cast<size_t>(i)];
    INFO("message " << i);
    CHECK(s.topic == "TopicA");
    CHECK(s.queue_id == i % 4);
    CHECK(s.queue_offset == i / 4);
    CHECK(s.tags_code == internal::TagsStringToTagsCode(i % 2 == 0 ? "TagA" : "TagB"));
    CHECK(s.has_key);
    CHECK(s.queue_holds);
  }
  for (size_t size : recorder.batch_sizes()) {
    CHECK(size >= 1);
    CHECK(size <= MessageStore::kMaxArrivalsPerCall);
  }
}

TEST_CASE("a lone message reaches the arrival listener without waiting for a batch to fill") {
  testing::TempDir dir;
  auto store = MessageStore::Open(testing::SmallStoreConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE(store.ok());
  Recorder recorder(store->get());
  (*store)->SetMessageArrivingListener(recorder.Listener());
  REQUIRE((*store)->Put(MakeMessage("TopicA", 2, "TagA", 0)).ok());
  std::vector<Seen> seen = recorder.WaitFor(1);
  CHECK(seen.front().queue_id == 2);
  CHECK(seen.front().queue_offset == 0);
  // And the next one too: the dispatcher caught up, so the batch ended.
  REQUIRE((*store)->Put(MakeMessage("TopicA", 2, "TagA", 1)).ok());
  seen = recorder.WaitFor(2);
  CHECK(seen.back().queue_offset == 1);
}

TEST_CASE("transaction half messages, outside consume queues, reach no arrival listener") {
  testing::TempDir dir;
  auto store = MessageStore::Open(testing::SmallStoreConfig(dir.path()), std::make_shared<VirtualClock>());
  REQUIRE(store.ok());
  Recorder recorder(store->get());
  (*store)->SetMessageArrivingListener(recorder.Listener());
  MessageExt half = MakeMessage("TopicA", 0, "TagA", 0);
  half.sys_flag = sysflag::kTransactionPreparedType;
  REQUIRE((*store)->Put(half).ok());
  REQUIRE((*store)->Put(MakeMessage("TopicA", 1, "TagA", 1)).ok());
  // Had the half message been passed on, it would come first (log order).
  std::vector<Seen> seen = recorder.WaitFor(1);
  CHECK(seen.front().queue_id == 1);
  CHECK(seen.front().queue_offset == 0);
}

}  // namespace
}  // namespace rmq
