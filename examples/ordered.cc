// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ordered: messages kept in order per key. A queue is RocketMQ's unit of
// order, so sending every message of one order to the same queue (the hash
// selector: same key → same queue) keeps that order's steps in sequence,
// while different orders spread over the queues. A consumer that takes each
// queue in offset order sees every order's steps in the order they were
// sent: here a PullConsumer in its "lite" style, Subscribe then Poll, which
// pulls the group's share of the queues in the background.
//
// Prints, per order, its queue and the steps as read back:
//   order=ORDER-1 queue=2 steps=created,paid,shipped,delivered
//   orders=6 queues_used=4 in_order=6

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "example_support.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"

using rmq_examples::Expect;
using rmq_examples::Ok;

int main() {
  const std::vector<std::string> steps = {"created", "paid", "shipped", "delivered"};
  constexpr int kOrders = 6;
  auto cluster = rmq_examples::TemporaryCluster::Start("OrderTopic", 4);
  if (!cluster) return 1;

  rmq::ProducerConfig producer_config;
  producer_config.group_name = "OrderProducers";
  producer_config.namesrv_addr = cluster->namesrv_address();
  rmq::Producer producer(producer_config);
  if (!Ok(producer.Start(), "producer start")) return 1;

  // The orders' steps interleave, as they would in a busy shop; the order id
  // is both the message key and the selector's argument.
  rmq::SelectMessageQueueByHash by_order_id;
  std::map<std::string, std::set<int>> queues_of_order;
  for (const std::string& step : steps) {
    for (int i = 0; i < kOrders; ++i) {
      std::string order_id = "ORDER-" + std::to_string(i);
      rmq::Message msg("OrderTopic", "TagA", order_id, step);
      auto sent = producer.Send(msg, by_order_id, order_id);
      if (!Ok(sent, "send")) return 1;
      queues_of_order[order_id].insert(sent->message_queue.queue_id);
    }
  }
  producer.Shutdown();

  // A lite PullConsumer hands out each queue's messages in offset order: one
  // pull result of one queue per Poll, each queue's results in sequence.
  rmq::PullConsumerConfig consumer_config;
  consumer_config.group_name = "OrderReaders";
  consumer_config.namesrv_addr = cluster->namesrv_address();
  consumer_config.consume_from_where = rmq::ConsumeFromWhere::kFirstOffset;
  rmq::PullConsumer consumer(consumer_config);
  if (!Ok(consumer.Subscribe("OrderTopic", "*"), "subscribe")) return 1;
  if (!Ok(consumer.Start(), "consumer start")) return 1;
  std::map<std::string, std::vector<std::string>> steps_read;  // By order id.
  std::map<std::string, int> queue_read;
  const size_t expected = steps.size() * kOrders;
  size_t read = 0;
  const absl::Time guard = absl::Now() + absl::Seconds(30);  // Only against hanging.
  while (read < expected && absl::Now() < guard) {
    auto polled = consumer.Poll(absl::Milliseconds(100));
    if (!Ok(polled, "poll")) return 1;
    for (const rmq::MessageExt& msg : *polled) {
      steps_read[std::string(msg.keys())].push_back(msg.body());
      queue_read[std::string(msg.keys())] = msg.queue_id;
    }
    read += polled->size();
  }
  consumer.Shutdown();

  int in_order = 0;
  int single_queue = 0;
  std::set<int> queues_used;
  for (const auto& [order_id, read] : steps_read) {
    std::printf("order=%s queue=%d steps=%s\n", order_id.c_str(), queue_read[order_id],
                absl::StrJoin(read, ",").c_str());
    if (read == steps) ++in_order;
    if (queues_of_order[order_id].size() == 1) ++single_queue;
    queues_used.insert(queue_read[order_id]);
  }
  std::printf("orders=%zu queues_used=%zu in_order=%d\n", steps_read.size(), queues_used.size(),
              in_order);
  bool passed = Expect(single_queue == kOrders, "each order's messages went to one queue") &&
                Expect(in_order == kOrders, "each order's steps were read in the order sent") &&
                Expect(queues_used.size() > 1, "different orders spread over several queues");
  return passed ? 0 : 1;
}
