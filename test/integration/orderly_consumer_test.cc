// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Ordered consumption (MessageListenerOrderly) on a FakeCluster: per-queue
// order with selector-partitioned messages, global order on a one-queue
// topic, one listener call per queue at a time, SUSPEND_CURRENT_QUEUE_A_MOMENT
// and its local retries up to the dead-letter queue, and order kept while
// queues move between members (rebalance), across a restart, and after a
// member crashed holding a queue's broker lock (taken over once it expires).
//
// Every listener call is logged, in the order the calls began, across all
// members. OrderChecker's rule for each queue: a delivery is the next offset
// after the previous delivery of that queue, or goes back (a redelivery from
// the committed offset) only where the queue changed hands. Concurrent
// consumption breaks it at once; so would two members consuming one queue
// during a hand-off.

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "remoting/client_transport.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/store.h"
#include "test/integration/consumer_helpers.h"

namespace rmq::testing {
namespace {

struct Delivery {
  MessageQueue queue;
  int64_t offset;
  std::string body;
  int32_t reconsume_times;
  int member;
  absl::Time at;  // Virtual time.
};

// Decides a message's fate; the first non-success verdict of a batch wins.
using Verdict = std::function<ConsumeOrderlyStatus(const MessageExt&, ConsumeOrderlyContext&)>;

class Recorder {
 public:
  explicit Recorder(FakeCluster& fake) : fake_(fake) {}

  MessageListenerOrderly Listener(int member, Verdict verdict = nullptr) {
    return [this, member, verdict](std::span<const MessageExt> msgs,
                                   ConsumeOrderlyContext& context) {
      const MessageQueue queue = context.message_queue;
      {
        absl::MutexLock lock(&mu_);
        if (++in_flight_[queue] > 1) ++overlaps_;
        for (const MessageExt& m : msgs) {
          log_.push_back(Delivery{queue, m.queue_offset, m.body(), m.reconsume_times, member,
                                  fake_.clock().Now()});
        }
      }
      // Widens the window in which a second call for the queue would overlap.
      absl::SleepFor(absl::Microseconds(50));
      struct Leave {
        Recorder* self;
        MessageQueue queue;
        ~Leave() {
          absl::MutexLock lock(&self->mu_);
          --self->in_flight_[queue];
          ++self->returned_;
        }
      } leave{this, queue};
      ConsumeOrderlyStatus status = ConsumeOrderlyStatus::kSuccess;
      if (verdict) {
        for (const MessageExt& m : msgs) {
          status = verdict(m, context);  // May throw.
          if (status != ConsumeOrderlyStatus::kSuccess) break;
        }
      }
      return status;
    };
  }

  std::vector<Delivery> log() {
    absl::MutexLock lock(&mu_);
    return log_;
  }
  size_t size() {
    absl::MutexLock lock(&mu_);
    return log_.size();
  }
  // Waits until every listener call has returned, then lets its consume
  // request apply the result (schedule a suspension's timer) before the
  // test moves virtual time.
  bool Settle() {
    absl::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      size_t calls = 0;
      for (const auto& [queue, n] : in_flight_) calls += static_cast<size_t>(n);
      return calls == 0;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&idle), absl::Seconds(30))) return false;
    mu_.Unlock();
    absl::SleepFor(absl::Milliseconds(50));
    mu_.Lock();
    return true;
  }
  int overlaps() {
    absl::MutexLock lock(&mu_);
    return overlaps_;
  }
  // The distinct bodies delivered.
  std::set<std::string> bodies() {
    std::set<std::string> out;
    for (const Delivery& d : log()) out.insert(d.body);
    return out;
  }
  std::vector<Delivery> OfQueue(const MessageQueue& queue) {
    std::vector<Delivery> out;
    for (const Delivery& d : log()) {
      if (d.queue == queue) out.push_back(d);
    }
    return out;
  }

 private:
  FakeCluster& fake_;
  absl::Mutex mu_;
  std::vector<Delivery> log_ ABSL_GUARDED_BY(mu_);
  std::map<MessageQueue, int> in_flight_ ABSL_GUARDED_BY(mu_);
  int overlaps_ ABSL_GUARDED_BY(mu_) = 0;
  int returned_ ABSL_GUARDED_BY(mu_) = 0;
};

// The rule in the file comment. Reports the first violation of each queue.
void CheckOrder(const std::vector<Delivery>& log, std::map<MessageQueue, int64_t> first_offsets = {}) {
  std::map<MessageQueue, const Delivery*> previous;
  for (const Delivery& d : log) {
    INFO(d.queue.ToString() << " offset " << d.offset << " (" << d.body << ") by member "
                            << d.member);
    auto it = previous.find(d.queue);
    if (it == previous.end()) {
      if (auto first = first_offsets.find(d.queue); first != first_offsets.end()) {
        CHECK(d.offset == first->second);
      }
    } else {
      const Delivery& last = *it->second;
      if (d.offset != last.offset + 1) {
        // Back to an earlier offset: allowed only where the queue moved.
        CHECK(d.offset <= last.offset);
        CHECK(d.member != last.member);
      }
    }
    previous[d.queue] = &d;
  }
}

PushConsumerConfig OrderlyConfig(FakeCluster& fake, const std::string& group, int threads = 8,
                                 int batch = 1) {
  PushConsumerConfig config = fake.NewPushConsumerConfig(group);
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.consume_thread_min = threads;
  config.consume_thread_max = threads;
  config.consume_message_batch_max_size = batch;
  return config;
}

std::unique_ptr<PushConsumer> StartOrderly(const PushConsumerConfig& config,
                                           const std::string& topic,
                                           MessageListenerOrderly listener) {
  return StartConsumer(config, topic, std::move(listener));
}

TEST_CASE("orderly: a lambda picks the listener overload of its kind") {
  auto concurrently = [](std::span<const MessageExt>, ConsumeConcurrentlyContext&) {
    return ConsumeConcurrentlyStatus::kConsumeSuccess;
  };
  auto orderly = [](std::span<const MessageExt>, ConsumeOrderlyContext&) {
    return ConsumeOrderlyStatus::kSuccess;
  };
  static_assert(std::is_constructible_v<MessageListenerConcurrently, decltype(concurrently)>);
  static_assert(!std::is_constructible_v<MessageListenerOrderly, decltype(concurrently)>);
  static_assert(std::is_constructible_v<MessageListenerOrderly, decltype(orderly)>);
  static_assert(!std::is_constructible_v<MessageListenerConcurrently, decltype(orderly)>);
  PushConsumerConfig config;
  config.group_name = "G";
  config.namesrv_addr = "inproc://nowhere";
  PushConsumer consumer(config);
  consumer.RegisterMessageListener(concurrently);
  consumer.RegisterMessageListener(orderly);
}

TEST_CASE("orderly: messages partitioned by a selector arrive in order per queue, one call per "
          "queue at a time") {
  auto cluster = StartCluster(ClusterKind::kFake, /*fake_brokers=*/2);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "Orders", 4);
  auto producer = StartProducer(*cluster, "P");
  Recorder recorder(fake);
  auto consumer = StartOrderly(OrderlyConfig(fake, "OrderedGroup", 8, 3), "Orders",
                               recorder.Listener(0));

  // 24 orders × 10 steps; the selector keeps each order in one queue.
  SelectMessageQueueByHash by_order;
  std::map<std::string, MessageQueue> queue_of;
  for (int step = 0; step < 10; ++step) {
    for (int order = 0; order < 24; ++order) {
      const std::string id = "order-" + std::to_string(order);
      auto sent = producer->Send(Message("Orders", "TagA", id + ":" + std::to_string(step)),
                                 by_order, id);
      REQUIRE(sent.ok());
      queue_of[id] = sent->message_queue;
    }
  }
  REQUIRE(WaitUntil(*cluster, [&] { return recorder.bodies().size() == 240; }));
  CHECK(recorder.overlaps() == 0);
  std::vector<Delivery> log = recorder.log();
  CHECK(log.size() == 240);  // No redelivery without a failure or a move.
  CheckOrder(log, {});
  // Each order's steps in sequence, from the queue the selector chose.
  std::map<std::string, int> next_step;
  for (const Delivery& d : log) {
    const std::string id = d.body.substr(0, d.body.find(':'));
    CHECK(d.queue == queue_of[id]);
    CHECK(d.body == id + ":" + std::to_string(next_step[id]++));
  }
}

TEST_CASE("orderly: a one-queue topic is consumed in global send order") {
  auto cluster = StartCluster(ClusterKind::kFake);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "Ledger", 1);
  auto producer = StartProducer(*cluster, "P");
  Recorder recorder(fake);
  auto consumer = StartOrderly(OrderlyConfig(fake, "LedgerGroup", 16, 4), "Ledger",
                               recorder.Listener(0));
  std::vector<std::string> sent;
  for (int i = 0; i < 150; ++i) {
    sent.push_back("entry-" + std::to_string(i));
    REQUIRE(producer->Send(Message("Ledger", "TagA", sent.back())).ok());
  }
  REQUIRE(WaitUntil(*cluster, [&] { return recorder.size() >= 150; }));
  std::vector<std::string> got;
  for (const Delivery& d : recorder.log()) got.push_back(d.body);
  CHECK(got == sent);
  CHECK(recorder.overlaps() == 0);
}

TEST_CASE("orderly: SUSPEND_CURRENT_QUEUE_A_MOMENT redelivers the same messages after the suspend "
          "time and holds the rest of the queue back") {
  auto cluster = StartCluster(ClusterKind::kFake);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "Steps", 1);
  auto producer = StartProducer(*cluster, "P");
  const MessageQueue queue = QueuesOf(*cluster, "Steps", 1).front();
  Recorder recorder(fake);
  int m2_calls = 0;
  int m4_calls = 0;
  // m2 is suspended twice (once by a throw), m4 once with a 5 s suspension.
  Verdict verdict = [&](const MessageExt& m, ConsumeOrderlyContext& context) {
    if (m.body() == "m2" && ++m2_calls <= 2) {
      if (m2_calls == 2) throw std::runtime_error("listener failure");
      return ConsumeOrderlyStatus::kSuspendCurrentQueueAMoment;
    }
    if (m.body() == "m4" && ++m4_calls == 1) {
      context.suspend_current_queue_time_millis = 5000;
      return ConsumeOrderlyStatus::kSuspendCurrentQueueAMoment;
    }
    return ConsumeOrderlyStatus::kSuccess;
  };
  PushConsumerConfig config = OrderlyConfig(fake, "StepsGroup", 4, 1);
  REQUIRE(config.suspend_current_queue_time_millis == 1000);
  for (int i = 0; i < 6; ++i) SendTo(*cluster, *producer, queue, "m" + std::to_string(i));
  auto consumer = StartOrderly(config, "Steps", recorder.Listener(0, verdict));

  auto wait_count = [&](size_t n) {
    return WaitWithoutTimers([&] { return recorder.size() >= n; }) && recorder.Settle();
  };
  REQUIRE(wait_count(3));  // m0 m1 m2, then suspended.
  const absl::Time suspended = fake.clock().Now();
  fake.Advance(absl::Milliseconds(999));
  CHECK(recorder.size() == 3);
  fake.Advance(absl::Milliseconds(1));
  REQUIRE(wait_count(4));  // m2 again (the listener throws).
  fake.Advance(absl::Milliseconds(1000));
  REQUIRE(wait_count(7));  // m2 a third time, m3, m4 (suspended 5 s).
  fake.Advance(absl::Milliseconds(4999));
  CHECK(recorder.size() == 7);
  fake.Advance(absl::Milliseconds(1));
  REQUIRE(wait_count(9));  // m4 again, m5.

  std::vector<Delivery> log = recorder.log();
  REQUIRE(log.size() == 9);
  std::vector<std::pair<std::string, int32_t>> seen;
  for (const Delivery& d : log) seen.emplace_back(d.body, d.reconsume_times);
  CHECK(seen == std::vector<std::pair<std::string, int32_t>>{
                    {"m0", 0}, {"m1", 0}, {"m2", 0}, {"m2", 1}, {"m2", 2},
                    {"m3", 0}, {"m4", 0}, {"m4", 1}, {"m5", 0}});
  CHECK(log[3].at - suspended == absl::Seconds(1));
  CHECK(log[4].at - suspended == absl::Seconds(2));
  CHECK(log[7].at - suspended == absl::Seconds(7));
  CHECK(recorder.overlaps() == 0);
  // Nothing was sent back: orderly retries stay local.
  CHECK(fake.broker(0).store()->GetMaxOffsetInQueue("%RETRY%StepsGroup", 0) == 0);
}

TEST_CASE("orderly: after maxReconsumeTimes suspensions a message goes to the DLQ and the queue "
          "moves on") {
  auto cluster = StartCluster(ClusterKind::kFake);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "Payments", 1);
  auto producer = StartProducer(*cluster, "P");
  const MessageQueue queue = QueuesOf(*cluster, "Payments", 1).front();
  SendTo(*cluster, *producer, queue, "ok0");
  SendTo(*cluster, *producer, queue, "bad");
  SendTo(*cluster, *producer, queue, "ok2");
  Recorder recorder(fake);
  PushConsumerConfig config = OrderlyConfig(fake, "PayGroup", 2, 1);
  config.max_reconsume_times = 2;
  auto consumer = StartOrderly(config, "Payments",
                               recorder.Listener(0, [](const MessageExt& m, ConsumeOrderlyContext&) {
                                 return m.body() == "bad"
                                            ? ConsumeOrderlyStatus::kSuspendCurrentQueueAMoment
                                            : ConsumeOrderlyStatus::kSuccess;
                               }));
  REQUIRE(WaitUntil(*cluster, [&] { return recorder.bodies().contains("ok2"); }));
  std::vector<std::pair<std::string, int32_t>> seen;
  for (const Delivery& d : recorder.log()) seen.emplace_back(d.body, d.reconsume_times);
  CHECK(seen == std::vector<std::pair<std::string, int32_t>>{
                    {"ok0", 0}, {"bad", 0}, {"bad", 1}, {"bad", 2}, {"ok2", 0}});
  MessageStore& store = *fake.broker(0).store();
  store.WaitForDispatch();
  REQUIRE(store.GetMaxOffsetInQueue("%DLQ%PayGroup", 0) == 1);
  GetMessageResult got = store.Get("%DLQ%PayGroup", 0, 0, 8, nullptr);
  REQUIRE(got.message_count() == 1);
  auto dead = DecodeMessage(got.record(0));
  REQUIRE(dead.ok());
  CHECK(dead->body() == "bad");
  CHECK(dead->reconsume_times == 2);
  CHECK(dead->GetProperty(property::kRetryTopic) == "Payments");
  CHECK_FALSE(dead->GetProperty(property::kOriginMessageId).empty());
  // The queue's offset moved past "bad": a restart does not see it again.
  consumer->Shutdown();
  Recorder again(fake);
  auto restarted = StartOrderly(config, "Payments", again.Listener(1));
  SendTo(*cluster, *producer, queue, "ok3");
  REQUIRE(WaitUntil(*cluster, [&] { return again.bodies().contains("ok3"); }));
  CHECK(again.bodies() == std::set<std::string>{"ok3"});
}

TEST_CASE("orderly: order holds while a second member joins and queues move") {
  auto cluster = StartCluster(ClusterKind::kFake);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "Moves", 4);
  const std::vector<MessageQueue> queues = QueuesOf(*cluster, "Moves", 4);
  auto producer = StartProducer(*cluster, "P");
  Recorder recorder(fake);
  auto a = StartOrderly(OrderlyConfig(fake, "MovesGroup", 4, 2), "Moves", recorder.Listener(0));
  SendToEach(*cluster, *producer, queues, "one", 20);
  // The second member joins while the first is still consuming.
  auto b = StartOrderly(OrderlyConfig(fake, "MovesGroup", 4, 2), "Moves", recorder.Listener(1));
  SendToEach(*cluster, *producer, queues, "two", 20);
  REQUIRE(WaitUntil(*cluster, [&] { return recorder.bodies().size() == 160; }));
  // Settled: both members own two queues each; a last round shows it.
  LetTimePass(*cluster, absl::Seconds(60));
  const size_t before = recorder.size();
  SendToEach(*cluster, *producer, queues, "three", 5);
  REQUIRE(WaitUntil(*cluster, [&] { return recorder.bodies().size() == 180; }));

  CHECK(recorder.overlaps() == 0);
  std::vector<Delivery> log = recorder.log();
  std::map<MessageQueue, int64_t> from_zero;
  for (const MessageQueue& q : queues) from_zero[q] = 0;
  CheckOrder(log, from_zero);
  std::map<int, std::set<MessageQueue>> owners;
  for (size_t i = before; i < log.size(); ++i) owners[log[i].member].insert(log[i].queue);
  CHECK(owners[0].size() == 2);
  CHECK(owners[1].size() == 2);
  // Every queue's messages all arrived.
  for (const MessageQueue& q : queues) {
    std::set<int64_t> offsets;
    for (const Delivery& d : recorder.OfQueue(q)) offsets.insert(d.offset);
    CHECK(offsets.size() == 45);
    CHECK(*offsets.rbegin() == 44);
  }
}

TEST_CASE("orderly: a restarted member continues each queue from the committed offset, in order") {
  auto cluster = StartCluster(ClusterKind::kFake);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "Restart", 2);
  const std::vector<MessageQueue> queues = QueuesOf(*cluster, "Restart", 2);
  auto producer = StartProducer(*cluster, "P");
  Recorder recorder(fake);
  SendToEach(*cluster, *producer, queues, "before", 10);
  auto first = StartOrderly(OrderlyConfig(fake, "RestartGroup"), "Restart", recorder.Listener(0));
  REQUIRE(WaitUntil(*cluster, [&] { return recorder.size() >= 20; }));
  first->Shutdown();  // Commits its offsets, then releases its queue locks.
  SendToEach(*cluster, *producer, queues, "after", 10);
  auto second = StartOrderly(OrderlyConfig(fake, "RestartGroup"), "Restart", recorder.Listener(1));
  REQUIRE(WaitUntil(*cluster, [&] { return recorder.size() >= 40; }));
  LetTimePass(*cluster, absl::Seconds(1));
  std::vector<Delivery> log = recorder.log();
  CHECK(log.size() == 40);  // Nothing delivered twice after a clean restart.
  std::map<MessageQueue, int64_t> from_zero;
  for (const MessageQueue& q : queues) from_zero[q] = 0;
  CheckOrder(log, from_zero);
}

// A member that locked a queue, committed part of it and crashed: its lock
// stays at the broker until it expires.
void LockAsCrashedMember(FakeCluster& fake, const MessageQueue& queue, const std::string& group,
                         int64_t committed) {
  auto transport = internal::NewClientTransport("crashed-member", nullptr, fake.shared_clock());
  const std::string addr = fake.broker(0).config().broker_addr;
  internal::LockBatchRequestBody body;
  body.consumer_group = group;
  body.client_id = "10.0.0.99@crashed";
  body.mq_set = {queue};
  internal::RemotingCommand lock = internal::RemotingCommand::Request(internal::request_code::kLockBatchMq);
  lock.body = internal::Payload(internal::ToJson(body));
  auto locked = transport->InvokeSync(addr, std::move(lock), absl::Seconds(5));
  REQUIRE(locked.ok());
  auto answer = internal::FromJson<internal::LockBatchResponseBody>(locked->body.ToString(), "answer");
  REQUIRE(answer.ok());
  REQUIRE(answer->lock_ok_mq_set.contains(queue));
  auto header = std::make_unique<internal::UpdateConsumerOffsetRequestHeader>();
  header->consumer_group = group;
  header->topic = queue.topic;
  header->queue_id = queue.queue_id;
  header->commit_offset = committed;
  auto updated = transport->InvokeSync(
      addr,
      internal::RemotingCommand::Request(internal::request_code::kUpdateConsumerOffset,
                                         std::move(header)),
      absl::Seconds(5));
  REQUIRE(updated.ok());
  transport->Shutdown();  // Gone, without unlocking.
}

TEST_CASE("orderly: a queue locked by a crashed member is taken over when its lock expires, from "
          "the committed offset") {
  auto cluster = StartCluster(ClusterKind::kFake);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "Crash", 2);
  const std::vector<MessageQueue> queues = QueuesOf(*cluster, "Crash", 2);
  auto producer = StartProducer(*cluster, "P");
  SendToEach(*cluster, *producer, queues, "m", 10);
  const absl::Time locked_at = fake.clock().Now();
  LockAsCrashedMember(fake, queues[0], "CrashGroup", 4);

  Recorder recorder(fake);
  auto consumer = StartOrderly(OrderlyConfig(fake, "CrashGroup"), "Crash", recorder.Listener(0));
  // The free queue is consumed at once; the locked one not before 60 s.
  REQUIRE(WaitUntil(*cluster, [&] { return recorder.OfQueue(queues[1]).size() >= 10; }));
  while (fake.clock().Now() - locked_at < absl::Seconds(60)) {
    fake.Advance(absl::Milliseconds(500));
    absl::SleepFor(absl::Milliseconds(1));
  }
  CHECK(recorder.OfQueue(queues[0]).empty());
  REQUIRE(WaitUntil(*cluster, [&] { return recorder.OfQueue(queues[0]).size() >= 6; }));
  std::vector<Delivery> taken = recorder.OfQueue(queues[0]);
  REQUIRE(taken.size() == 6);
  CHECK(taken.front().at - locked_at > absl::Seconds(60));
  for (size_t i = 0; i < taken.size(); ++i) CHECK(taken[i].offset == static_cast<int64_t>(4 + i));
  CHECK(recorder.overlaps() == 0);
}

TEST_CASE("orderly: broadcasting members each consume every queue in order, without broker locks") {
  auto cluster = StartCluster(ClusterKind::kFake);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "Fanout", 2);
  const std::vector<MessageQueue> queues = QueuesOf(*cluster, "Fanout", 2);
  auto producer = StartProducer(*cluster, "P");
  auto config = [&] {
    PushConsumerConfig c = OrderlyConfig(fake, "FanoutGroup");
    c.message_model = MessageModel::kBroadcasting;
    return c;
  };
  Recorder first(fake);
  Recorder second(fake);
  auto a = StartOrderly(config(), "Fanout", first.Listener(0));
  auto b = StartOrderly(config(), "Fanout", second.Listener(1));
  SendToEach(*cluster, *producer, queues, "m", 15);
  for (Recorder* recorder : {&first, &second}) {
    REQUIRE(WaitUntil(*cluster, [&] { return recorder->size() >= 30; }));
    CHECK(recorder->size() == 30);
    CHECK(recorder->overlaps() == 0);
    std::map<MessageQueue, int64_t> next;
    for (const Delivery& d : recorder->log()) {
      INFO(d.queue.ToString() << " member " << d.member);
      CHECK(d.offset == next[d.queue]++);
    }
  }
}

}  // namespace
}  // namespace rmq::testing
