// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <string>

#include <catch2/catch.hpp>

#include "broker/broker_impl.h"
#include "unit/broker/broker_fixture.h"

namespace rmq::testing {
namespace {

using internal::PullMessageResponseHeader;
namespace flag = internal::pull_sysflag;

size_t Held(BrokerFixture& f) {
  return static_cast<internal::BrokerImpl&>(f.broker()).held_pull_count();
}

RemotingCommand Suspending(const std::string& topic, int64_t offset, const std::string& sub = "*",
                           int64_t suspend_ms = 15000) {
  return BrokerFixture::PullRequest("LG", topic, 0, offset, 32, sub, flag::kSuspend, suspend_ms);
}

TEST_CASE("a held pull is answered by a later send without the clock moving") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("LP", 1).ok());
  auto pending = f.CallAsync(Suspending("LP", 0));
  CHECK_FALSE(pending->done.HasBeenNotified());
  CHECK(Held(f) == 1);

  REQUIRE(f.Send(Message("LP", "TagA", "wake up")).code == rc::kSuccess);
  // The store's dispatch thread answers it.
  pending->done.WaitForNotification();
  REQUIRE(pending->result.ok());
  RemotingCommand& response = *pending->result;
  REQUIRE(response.code == rc::kSuccess);
  auto msgs = DecodeRecords(response.body);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].body() == "wake up");
  CHECK(ResponseHeader<PullMessageResponseHeader>(response).next_begin_offset == 1);
  CHECK(Held(f) == 0);
}

TEST_CASE("a held pull is answered at its timeout, running the pull once more") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("LP", 1).ok());
  auto pending = f.CallAsync(Suspending("LP", 0, "*", 15000));
  f.clock().Advance(absl::Milliseconds(14999));
  CHECK_FALSE(pending->done.HasBeenNotified());
  f.clock().Advance(absl::Milliseconds(1));
  REQUIRE(pending->done.HasBeenNotified());
  REQUIRE(pending->result.ok());
  CHECK(pending->result->code == rc::kPullNotFound);
  CHECK(Held(f) == 0);
}

TEST_CASE("a message whose tag the held pull does not want does not wake it") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("LP", 1).ok());
  auto pending = f.CallAsync(Suspending("LP", 0, "Wanted"));
  REQUIRE(f.Send(Message("LP", "Other", "skip me")).code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();
  CHECK_FALSE(pending->done.HasBeenNotified());
  CHECK(Held(f) == 1);
  REQUIRE(f.Send(Message("LP", "Wanted", "take me")).code == rc::kSuccess);
  pending->done.WaitForNotification();
  REQUIRE(pending->result.ok());
  REQUIRE(pending->result->code == rc::kSuccess);
  auto msgs = DecodeRecords(pending->result->body);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].body() == "take me");
}

TEST_CASE("pulls without the suspend flag are answered at once") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("LP", 1).ok());
  auto pending = f.CallAsync(BrokerFixture::PullRequest("LG", "LP", 0, 0));
  REQUIRE(pending->done.HasBeenNotified());
  CHECK(pending->result->code == rc::kPullNotFound);
}

TEST_CASE("without long polling a pull is held for shortPollingTimeMills") {
  BrokerFixture f([](BrokerConfig& c) {
    c.long_polling_enable = false;
    c.short_polling_time_mills = 1000;
  });
  REQUIRE(f.broker().CreateTopic("SP", 1).ok());
  auto pending = f.CallAsync(Suspending("SP", 0, "*", 15000));
  REQUIRE(f.Send(Message("SP", "x")).code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();
  // No wakeup on arrival: the answer comes when the short poll ends.
  CHECK_FALSE(pending->done.HasBeenNotified());
  f.clock().Advance(absl::Milliseconds(1000));
  REQUIRE(pending->done.HasBeenNotified());
  REQUIRE(pending->result->code == rc::kSuccess);
  CHECK(DecodeRecords(pending->result->body).size() == 1);
}

TEST_CASE("shutdown answers every held pull") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("LP", 2).ok());
  auto first = f.CallAsync(Suspending("LP", 0));
  auto second = f.CallAsync(BrokerFixture::PullRequest("LG", "LP", 1, 0, 32, "*", flag::kSuspend));
  CHECK(Held(f) == 2);
  f.broker().Shutdown();
  REQUIRE(first->done.HasBeenNotified());
  REQUIRE(second->done.HasBeenNotified());
  CHECK(first->result->code == rc::kPullNotFound);
  CHECK(second->result->code == rc::kPullNotFound);
}

TEST_CASE("a held pull commits its offset once, when first received") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("LP", 1).ok());
  auto request = BrokerFixture::PullRequest("LG", "LP", 0, 0, 32, "*",
                                            flag::kSuspend | flag::kCommitOffset);
  static_cast<internal::PullMessageRequestHeader*>(request.header.get())->commit_offset = 7;
  auto pending = f.CallAsync(std::move(request));
  CHECK(Held(f) == 1);

  auto query = [&] {
    auto header = std::make_unique<internal::QueryConsumerOffsetRequestHeader>();
    header->consumer_group = "LG";
    header->topic = "LP";
    header->queue_id = 0;
    RemotingCommand r = f.Call(RemotingCommand::Request(rq::kQueryConsumerOffset, std::move(header)));
    return ResponseHeader<internal::OffsetResponseHeader>(r).offset;
  };
  CHECK(query() == 7);
  // Move the committed offset on; the woken pull must not put 7 back.
  auto update = std::make_unique<internal::UpdateConsumerOffsetRequestHeader>();
  update->consumer_group = "LG";
  update->topic = "LP";
  update->queue_id = 0;
  update->commit_offset = 9;
  REQUIRE(f.Call(RemotingCommand::Request(rq::kUpdateConsumerOffset, std::move(update))).code ==
          rc::kSuccess);
  REQUIRE(f.Send(Message("LP", "x")).code == rc::kSuccess);
  pending->done.WaitForNotification();
  CHECK(query() == 9);
}

}  // namespace
}  // namespace rmq::testing
