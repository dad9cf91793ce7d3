// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullConsumer's direct pulls against a FakeCluster (RocketMQ's
// DefaultMQPullConsumer: fetchSubscribeMessageQueues, pull,
// pullBlockIfNotFound): statuses, offsets, tag filtering, long polling.

#include <thread>

#include <catch2/catch.hpp>

#include "absl/synchronization/notification.h"
#include "unit/client/pull_consumer_test_helpers.h"

namespace rmq::pull_test {
namespace {

TEST_CASE("FetchSubscribeMessageQueues lists every readable queue of both brokers") {
  auto cluster = NewCluster(2, "PullTopic", 4);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("FetchQueues"));
  auto queues = consumer->FetchSubscribeMessageQueues("PullTopic");
  INFO(queues.status().ToString());
  REQUIRE(queues.ok());
  std::vector<MessageQueue> want;
  for (int b = 0; b < 2; ++b) {
    for (int q = 0; q < 4; ++q) want.emplace_back("PullTopic", cluster->broker_name(b), q);
  }
  CHECK(*queues == want);

  auto missing = consumer->FetchSubscribeMessageQueues("NoSuchTopic");
  CHECK(absl::IsNotFound(missing.status()));
  CHECK(std::string(missing.status().message()).find("NoSuchTopic") != std::string::npos);
}

TEST_CASE("Pull returns FOUND with the next offset, then NO_NEW_MSG at the end") {
  auto cluster = NewCluster(2, "PullTopic", 4);
  auto producer = StartProducer(*cluster);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("PullFound"));
  const MessageQueue queue("PullTopic", cluster->broker_name(1), 2);
  for (int i = 0; i < 3; ++i) CHECK(SendTo(*cluster, *producer, queue, "TagA", "m" + std::to_string(i)) == i);

  auto found = consumer->Pull(queue, "*", 0, 32);
  INFO(found.status().ToString());
  REQUIRE(found.ok());
  CHECK(found->pull_status == PullStatus::kFound);
  CHECK(found->next_begin_offset == 3);
  CHECK(found->min_offset == 0);
  CHECK(found->max_offset == 3);
  CHECK(Bodies(found->msgs) == std::vector<std::string>{"m0", "m1", "m2"});
  for (size_t i = 0; i < found->msgs.size(); ++i) {
    CHECK(found->msgs[i].topic() == "PullTopic");
    CHECK(found->msgs[i].queue_id == 2);
    CHECK(found->msgs[i].queue_offset == static_cast<int64_t>(i));
  }

  // max_nums caps the batch; the next offset continues after it.
  auto two = consumer->Pull(queue, "*", 1, 2);
  REQUIRE(two.ok());
  CHECK(Bodies(two->msgs) == std::vector<std::string>{"m1", "m2"});
  CHECK(two->next_begin_offset == 3);

  auto at_end = consumer->Pull(queue, "*", 3, 32);
  REQUIRE(at_end.ok());
  CHECK(at_end->pull_status == PullStatus::kNoNewMsg);
  CHECK(at_end->next_begin_offset == 3);
  CHECK(at_end->msgs.empty());
  CHECK(PullStatusName(at_end->pull_status) == "NO_NEW_MSG");

  // The other broker's queue of the same id is a different queue: empty.
  auto other = consumer->Pull(MessageQueue("PullTopic", cluster->broker_name(0), 2), "*", 0, 32);
  REQUIRE(other.ok());
  CHECK(other->pull_status == PullStatus::kNoNewMsg);
}

TEST_CASE("Pull with a tag nothing carries is NO_MATCHED_MSG past the messages") {
  auto cluster = NewCluster(1, "PullTopic", 2);
  auto producer = StartProducer(*cluster);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("PullNoMatch"));
  const MessageQueue queue("PullTopic", cluster->broker_name(0), 0);
  for (int i = 0; i < 4; ++i) SendTo(*cluster, *producer, queue, "TagA", "a");

  auto none = consumer->Pull(queue, "TagZ", 0, 32);
  INFO(none.status().ToString());
  REQUIRE(none.ok());
  CHECK(none->pull_status == PullStatus::kNoMatchedMsg);
  CHECK(none->msgs.empty());
  CHECK(none->next_begin_offset == 4);
}

TEST_CASE("Pull beyond the max offset is OFFSET_ILLEGAL with the offset to use") {
  auto cluster = NewCluster(1, "PullTopic", 2);
  auto producer = StartProducer(*cluster);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("PullIllegal"));
  const MessageQueue queue("PullTopic", cluster->broker_name(0), 1);
  for (int i = 0; i < 2; ++i) SendTo(*cluster, *producer, queue, "TagA", "a");

  auto illegal = consumer->Pull(queue, "*", 100, 32);
  INFO(illegal.status().ToString());
  REQUIRE(illegal.ok());
  CHECK(illegal->pull_status == PullStatus::kOffsetIllegal);
  // RocketMQ 4.9's correction for an offset past the end: the max offset.
  CHECK(illegal->next_begin_offset == 2);
  CHECK(illegal->min_offset == 0);
  CHECK(illegal->max_offset == 2);
}

TEST_CASE("tag expressions filter at the broker by hash code and at the client by string") {
  auto cluster = NewCluster(1, "PullTopic", 1);
  auto producer = StartProducer(*cluster);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("PullTags"));
  const MessageQueue queue("PullTopic", cluster->broker_name(0), 0);
  // "Aa" and "BB" have the same Java hashCode: the broker cannot tell them apart.
  SendTo(*cluster, *producer, queue, "TagA", "a0");
  SendTo(*cluster, *producer, queue, "TagB", "b1");
  SendTo(*cluster, *producer, queue, "Aa", "aa2");
  SendTo(*cluster, *producer, queue, "BB", "bb3");
  SendTo(*cluster, *producer, queue, "TagC", "c4");

  auto ac = consumer->Pull(queue, "TagA || TagC", 0, 32);
  REQUIRE(ac.ok());
  CHECK(ac->pull_status == PullStatus::kFound);
  CHECK(Bodies(ac->msgs) == std::vector<std::string>{"a0", "c4"});
  CHECK(ac->next_begin_offset == 5);

  auto aa = consumer->Pull(queue, "Aa", 0, 32);
  REQUIRE(aa.ok());
  CHECK(aa->pull_status == PullStatus::kFound);
  CHECK(Bodies(aa->msgs) == std::vector<std::string>{"aa2"});
  CHECK(aa->next_begin_offset == 5);

  auto all = consumer->Pull(queue, " * ", 0, 32);
  REQUIRE(all.ok());
  CHECK(all->msgs.size() == 5);
}

// Starts PullBlockIfNotFound on another thread and waits until the broker
// holds it: the broker's hold timer and the client's timeout are both armed.
class BlockedPull {
 public:
  BlockedPull(testing::FakeCluster& cluster, PullConsumer& consumer, const MessageQueue& queue,
              int64_t offset)
      : cluster_(cluster) {
    const size_t timers_before = cluster.clock().PendingTimers();
    thread_ = std::jthread([this, &consumer, queue, offset] {
      result_ = consumer.PullBlockIfNotFound(queue, "*", offset, 32);
      done_.Notify();
    });
    held_ = WaitUntil([&] { return cluster.clock().PendingTimers() >= timers_before + 2; });
  }
  // A failed test must not hang on a pull nobody answers: time runs out for it.
  ~BlockedPull() {
    if (!done_.HasBeenNotified()) cluster_.Advance(absl::Minutes(1));
  }

  bool held() const { return held_; }
  bool answered() const { return done_.HasBeenNotified(); }
  absl::StatusOr<PullResult> Wait() {
    done_.WaitForNotification();
    return result_;
  }

 private:
  testing::FakeCluster& cluster_;
  absl::StatusOr<PullResult> result_;
  absl::Notification done_;
  bool held_ = false;
  std::jthread thread_;  // Last: joined first.
};

TEST_CASE("PullBlockIfNotFound is answered by a message that arrives while it waits") {
  auto cluster = NewCluster(1, "PullTopic", 2);
  auto producer = StartProducer(*cluster);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("PullBlock"));
  const MessageQueue queue("PullTopic", cluster->broker_name(0), 1);
  SendTo(*cluster, *producer, queue, "TagA", "old");

  BlockedPull blocked(*cluster, *consumer, queue, 1);
  REQUIRE(blocked.held());
  CHECK_FALSE(blocked.answered());
  SendTo(*cluster, *producer, queue, "TagA", "new");  // No clock movement: the arrival wakes it.
  auto result = blocked.Wait();
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(result->pull_status == PullStatus::kFound);
  CHECK(Bodies(result->msgs) == std::vector<std::string>{"new"});
  CHECK(result->next_begin_offset == 2);
}

TEST_CASE("PullBlockIfNotFound answers NO_NEW_MSG once the broker's suspend time passes") {
  auto cluster = NewCluster(1, "PullTopic", 2);
  auto config = cluster->NewPullConsumerConfig("PullBlockTimeout");
  config.broker_suspend_max_time_millis = 8000;
  config.consumer_timeout_millis_when_suspend = 12000;
  auto consumer = StartConsumer(config);
  const MessageQueue queue("PullTopic", cluster->broker_name(0), 0);

  BlockedPull blocked(*cluster, *consumer, queue, 0);
  REQUIRE(blocked.held());
  cluster->Advance(absl::Milliseconds(7999));
  CHECK_FALSE(blocked.answered());  // Still held.
  cluster->Advance(absl::Milliseconds(2));
  auto result = blocked.Wait();
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(result->pull_status == PullStatus::kNoNewMsg);
  CHECK(result->next_begin_offset == 0);
}

TEST_CASE("Pull without the broker's suspend flag is answered at once on an empty queue") {
  auto cluster = NewCluster(1, "PullTopic", 1);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("PullNoBlock"));
  const size_t timers = cluster->clock().PendingTimers();
  auto result = consumer->Pull(MessageQueue("PullTopic", cluster->broker_name(0), 0), "*", 0, 8);
  REQUIRE(result.ok());
  CHECK(result->pull_status == PullStatus::kNoNewMsg);
  CHECK(cluster->clock().PendingTimers() == timers);  // Nothing left held.
}

}  // namespace
}  // namespace rmq::pull_test
