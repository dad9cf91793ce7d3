// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The broker's queue locks for orderly consumers: RebalanceLockManager's
// rules (RocketMQ 4.9's) and LOCK_BATCH_MQ / UNLOCK_BATCH_MQ on the wire.

#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "broker/rebalance_lock_manager.h"
#include "broker_fixture.h"
#include "remoting/protocol_bodies.h"

namespace rmq::testing {
namespace {

using internal::LockBatchRequestBody;
using internal::LockBatchResponseBody;
using internal::RebalanceLockManager;
using internal::UnlockBatchRequestBody;

MessageQueue Q(int id) { return MessageQueue{"Orders", "broker-a", id}; }

TEST_CASE("a queue lock belongs to its first client until it expires", "[broker][lock]") {
  VirtualClock clock;
  RebalanceLockManager locks(clock);
  CHECK(locks.TryLock("G", Q(0), "c1"));
  CHECK(locks.TryLock("G", Q(0), "c1"));   // Re-locked (refreshed) by its owner.
  CHECK_FALSE(locks.TryLock("G", Q(0), "c2"));
  CHECK(locks.TryLock("G2", Q(0), "c2"));  // Groups are independent.
  CHECK(locks.TryLock("G", Q(1), "c2"));   // So are queues.
  CHECK(locks.IsLockedBy("G", Q(0), "c1"));
  CHECK_FALSE(locks.IsLockedBy("G", Q(0), "c2"));
}

TEST_CASE("a queue lock expires 60 s after it was last taken, not before", "[broker][lock]") {
  VirtualClock clock;
  RebalanceLockManager locks(clock);
  REQUIRE(locks.TryLock("G", Q(0), "c1"));
  clock.Advance(absl::Seconds(30));
  REQUIRE(locks.TryLock("G", Q(0), "c1"));  // Renewed at 30 s.
  clock.Advance(absl::Seconds(60));           // Exactly 60 s after the renewal.
  CHECK_FALSE(locks.TryLock("G", Q(0), "c2"));
  CHECK(locks.IsLockedBy("G", Q(0), "c1"));
  clock.Advance(absl::Milliseconds(1));
  CHECK_FALSE(locks.IsLockedBy("G", Q(0), "c1"));
  CHECK(locks.TryLock("G", Q(0), "c2"));
  CHECK_FALSE(locks.TryLock("G", Q(0), "c1"));  // The old owner lost it.
}

TEST_CASE("an expired lock is taken back by its own client too", "[broker][lock]") {
  VirtualClock clock;
  RebalanceLockManager locks(clock);
  REQUIRE(locks.TryLock("G", Q(0), "c1"));
  clock.Advance(absl::Seconds(61));
  CHECK(locks.TryLock("G", Q(0), "c1"));
  CHECK_FALSE(locks.TryLock("G", Q(0), "c2"));
}

TEST_CASE("the lock max live time is configurable", "[broker][lock]") {
  VirtualClock clock;
  RebalanceLockManager locks(clock, 5000);
  REQUIRE(locks.TryLock("G", Q(0), "c1"));
  clock.Advance(absl::Seconds(5));
  CHECK_FALSE(locks.TryLock("G", Q(0), "c2"));
  clock.Advance(absl::Milliseconds(1));
  CHECK(locks.TryLock("G", Q(0), "c2"));
}

TEST_CASE("a batch lock returns the queues the client holds", "[broker][lock]") {
  VirtualClock clock;
  RebalanceLockManager locks(clock);
  REQUIRE(locks.TryLock("G", Q(1), "c2"));
  auto held = locks.TryLockBatch("G", {Q(0), Q(1), Q(2)}, "c1");
  CHECK(held == std::set<MessageQueue>{Q(0), Q(2)});
  held = locks.TryLockBatch("G", {Q(0), Q(1), Q(2)}, "c2");
  CHECK(held == std::set<MessageQueue>{Q(1)});
}

TEST_CASE("unlock releases the owner's locks and ignores others'", "[broker][lock]") {
  VirtualClock clock;
  RebalanceLockManager locks(clock);
  REQUIRE(locks.TryLockBatch("G", {Q(0), Q(1)}, "c1").size() == 2);
  locks.UnlockBatch("G", {Q(0), Q(1)}, "c2");  // Not the owner: nothing happens.
  CHECK_FALSE(locks.TryLock("G", Q(0), "c2"));
  CHECK_FALSE(locks.TryLock("G", Q(1), "c2"));
  locks.UnlockBatch("G", {Q(0)}, "c1");
  CHECK(locks.TryLock("G", Q(0), "c2"));
  CHECK_FALSE(locks.TryLock("G", Q(1), "c2"));
  locks.UnlockBatch("unknown-group", {Q(0)}, "c1");  // Harmless.
}

TEST_CASE("lock bodies are RocketMQ's JSON", "[broker][lock]") {
  LockBatchRequestBody body;
  body.consumer_group = "G";
  body.client_id = "10.0.0.1@1234";
  body.mq_set = {Q(1), Q(0)};
  // fastjson writes fields in name order; a set as an array.
  CHECK(internal::ToJson(body) ==
        R"({"clientId":"10.0.0.1@1234","consumerGroup":"G","mqSet":[)"
        R"({"brokerName":"broker-a","queueId":0,"topic":"Orders"},)"
        R"({"brokerName":"broker-a","queueId":1,"topic":"Orders"}]})");
  // As a Java client sends it (any field order).
  auto decoded = internal::FromJson<UnlockBatchRequestBody>(
      R"({"consumerGroup":"G","clientId":"c","mqSet":[{"topic":"Orders","brokerName":"broker-a","queueId":3}]})",
      "body");
  REQUIRE(decoded.ok());
  CHECK(decoded->consumer_group == "G");
  CHECK(decoded->client_id == "c");
  CHECK(decoded->mq_set == std::set<MessageQueue>{Q(3)});
  LockBatchResponseBody answer;
  answer.lock_ok_mq_set = {Q(2)};
  auto round = internal::FromJson<LockBatchResponseBody>(internal::ToJson(answer), "answer");
  REQUIRE(round.ok());
  CHECK(round->lock_ok_mq_set == answer.lock_ok_mq_set);
  CHECK(internal::ToJson(answer) ==
        R"({"lockOKMQSet":[{"brokerName":"broker-a","queueId":2,"topic":"Orders"}]})");
}

RemotingCommand LockRequest(int32_t code, const std::string& client, std::set<MessageQueue> queues) {
  RemotingCommand request = RemotingCommand::Request(code);
  if (code == rq::kLockBatchMq) {
    LockBatchRequestBody body{"G", client, std::move(queues)};
    request.body = internal::Payload(internal::ToJson(body));
  } else {
    UnlockBatchRequestBody body{"G", client, std::move(queues)};
    request.body = internal::Payload(internal::ToJson(body));
  }
  return request;
}

std::set<MessageQueue> Locked(RemotingCommand& response) {
  REQUIRE(response.code == rc::kSuccess);
  auto body = internal::FromJson<LockBatchResponseBody>(response.body.ToString(), "answer");
  REQUIRE(body.ok());
  return body->lock_ok_mq_set;
}

TEST_CASE("LOCK_BATCH_MQ and UNLOCK_BATCH_MQ at the broker", "[broker][lock]") {
  BrokerFixture f;
  RemotingCommand r = f.Call(LockRequest(rq::kLockBatchMq, "c1", {Q(0), Q(1)}));
  CHECK(Locked(r) == std::set<MessageQueue>{Q(0), Q(1)});
  r = f.Call(LockRequest(rq::kLockBatchMq, "c2", {Q(1), Q(2)}));
  CHECK(Locked(r) == std::set<MessageQueue>{Q(2)});
  r = f.Call(LockRequest(rq::kUnlockBatchMq, "c1", {Q(1)}));
  CHECK(r.code == rc::kSuccess);
  CHECK(r.body.ToString().empty());
  r = f.Call(LockRequest(rq::kLockBatchMq, "c2", {Q(1)}));
  CHECK(Locked(r) == std::set<MessageQueue>{Q(1)});
  // On the broker's clock: c1's remaining lock on queue 0 expires after 60 s.
  f.clock().Advance(absl::Seconds(60) + absl::Milliseconds(1));
  r = f.Call(LockRequest(rq::kLockBatchMq, "c2", {Q(0)}));
  CHECK(Locked(r) == std::set<MessageQueue>{Q(0)});

  RemotingCommand bad = RemotingCommand::Request(rq::kLockBatchMq);
  bad.body = internal::Payload(std::string("not json"));
  r = f.Call(std::move(bad));
  CHECK(r.code == rc::kSystemError);
  CHECK_THAT(r.remark, Catch::Contains("LOCK_BATCH_MQ body"));
}

TEST_CASE("the lock live time comes from broker.conf's key", "[broker][lock]") {
  BrokerFixture f([](BrokerConfig& c) { c.rebalance_lock_max_live_time = 1000; });
  RemotingCommand r = f.Call(LockRequest(rq::kLockBatchMq, "c1", {Q(0)}));
  REQUIRE(Locked(r).size() == 1);
  f.clock().Advance(absl::Milliseconds(1001));
  r = f.Call(LockRequest(rq::kLockBatchMq, "c2", {Q(0)}));
  CHECK(Locked(r) == std::set<MessageQueue>{Q(0)});
}

}  // namespace
}  // namespace rmq::testing
