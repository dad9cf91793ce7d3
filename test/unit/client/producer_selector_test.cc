// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Queue selectors. The hash expectations are Java's: String.hashCode() of
// the argument, then Math.abs(hash % size) (SelectMessageQueueByHash),
// computed with a python3 transcription of Java's hash over UTF-16 units:
//
//   h = 0; for unit in utf16(s): h = (31*h + unit) mod 2^32, as signed int32
//
//   "order-1"            -1207111310   % 3 → 2, % 4 → 2, % 8 → 6
//   "order-2"            -1207111309   % 3 → 1, % 4 → 1, % 8 → 5
//   "OrderId_100"        -1298211429   % 3 → 0, % 4 → 1, % 8 → 5
//   "hello"                 99162322   % 3 → 1, % 4 → 2, % 8 → 2
//   "polygenelubricants" -2147483648   % 3 → 2, % 4 → 0, % 8 → 0  (Integer.MIN_VALUE)
//   "订单42"              1085411761   % 3 → 1, % 4 → 1, % 8 → 1

#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "unit/client/producer_test_cluster.h"

namespace rmq::testing {
namespace {

std::vector<MessageQueue> Queues(int n) {
  std::vector<MessageQueue> queues;
  for (int i = 0; i < n; ++i) queues.emplace_back("T", i < n / 2 ? "broker-a" : "broker-b", i);
  return queues;
}

TEST_CASE("SelectMessageQueueByHash picks the queue a Java producer picks") {
  SelectMessageQueueByHash selector;
  Message msg("T", "x");
  struct Case {
    const char* arg;
    size_t mod3, mod4, mod8;
  };
  for (const Case& c : {Case{"order-1", 2, 2, 6}, Case{"order-2", 1, 1, 5},
                        Case{"OrderId_100", 0, 1, 5}, Case{"hello", 1, 2, 2},
                        Case{"polygenelubricants", 2, 0, 0}, Case{"\xe8\xae\xa2\xe5\x8d\x95" "42", 1, 1, 1}}) {
    INFO(c.arg);
    CHECK(selector.Select(Queues(3), msg, c.arg) == c.mod3);
    CHECK(selector.Select(Queues(4), msg, c.arg) == c.mod4);
    CHECK(selector.Select(Queues(8), msg, c.arg) == c.mod8);
  }
  CHECK(selector.Select(Queues(5), msg, "") == 0);
}

TEST_CASE("SelectMessageQueueByRandom stays in range and reaches every queue") {
  SelectMessageQueueByRandom selector;
  Message msg("T", "x");
  std::set<size_t> seen;
  for (int i = 0; i < 400; ++i) {
    size_t index = selector.Select(Queues(4), msg, "");
    REQUIRE(index < 4);
    seen.insert(index);
  }
  CHECK(seen.size() == 4);
  CHECK(selector.Select(Queues(1), msg, "") == 0);
}

TEST_CASE("a send via a selector goes to the queue it picks, the same one for the same key") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("Orders", 4);  // Queues: broker-a 0..3, broker-b 0..3.
  auto producer = StartedProducer(cluster.Config());
  SelectMessageQueueByHash by_hash;
  // "order-1" hashes to index 6 of 8: broker-b queue 2.
  for (int i = 0; i < 5; ++i) {
    auto result = producer->Send(Message("Orders", "step"), by_hash, "order-1");
    REQUIRE(result.ok());
    CHECK(result->message_queue == MessageQueue("Orders", "broker-b", 2));
    CHECK(result->queue_offset == i);
  }
  auto other = producer->Send(Message("Orders", "step"), by_hash, "hello");  // Index 2: broker-a 2.
  REQUIRE(other.ok());
  CHECK(other->message_queue == MessageQueue("Orders", "broker-a", 2));
  CHECK(cluster.broker(0).send_count() == 1);
  CHECK(cluster.broker(1).send_count() == 5);

  // No retry on another broker when the chosen one fails (ordering would break).
  cluster.broker(1).AnswerWith(rc::kSystemError);
  auto failed = producer->Send(Message("Orders", "step"), by_hash, "order-1");
  CHECK_FALSE(failed.ok());
  CHECK(cluster.broker(0).send_count() == 1);
  CHECK(cluster.broker(1).send_count() == 6);
}

class OutOfRange final : public MessageQueueSelector {
 public:
  size_t Select(std::span<const MessageQueue> queues, const Message&, std::string_view) const override {
    return queues.size();
  }
};

class ByArgIndex final : public MessageQueueSelector {
 public:
  size_t Select(std::span<const MessageQueue> queues, const Message& msg,
                std::string_view arg) const override {
    CHECK(msg.topic() == "Orders");
    CHECK(queues.size() == 8);
    return static_cast<size_t>(std::stoi(std::string(arg)));
  }
};

TEST_CASE("a custom selector sees the message and the queues; a bad index is an error") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("Orders", 4);
  auto producer = StartedProducer(cluster.Config());
  auto result = producer->Send(Message("Orders", "x"), ByArgIndex(), "5");
  REQUIRE(result.ok());
  CHECK(result->message_queue == MessageQueue("Orders", "broker-b", 1));
  auto bad = producer->Send(Message("Orders", "x"), OutOfRange(), "");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(cluster.broker(0).send_count() + cluster.broker(1).send_count() == 1);
}

}  // namespace
}  // namespace rmq::testing
