// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <string>

#include <catch2/catch.hpp>

#include "unit/broker/broker_fixture.h"

namespace rmq::testing {
namespace {

using internal::PullMessageResponseHeader;
namespace flag = internal::pull_sysflag;

void SendN(BrokerFixture& f, const std::string& topic, int queue, int n,
           const std::string& tag = "TagA", size_t body_size = 8) {
  for (int i = 0; i < n; ++i) {
    REQUIRE(f.Send(Message(topic, tag, std::string(body_size, static_cast<char>('a' + i % 26))),
                   queue)
                .code == rc::kSuccess);
  }
  f.broker().store()->WaitForDispatch();
}

TEST_CASE("pull statuses and next offsets follow RocketMQ 4.9") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("P", 4).ok());
  SendN(f, "P", 0, 3);

  SECTION("FOUND: SUCCESS, next offset past the messages returned") {
    RemotingCommand r = f.Pull("G", "P", 0, 1, 32);
    REQUIRE(r.code == rc::kSuccess);
    auto h = ResponseHeader<PullMessageResponseHeader>(r);
    CHECK(h.next_begin_offset == 3);
    CHECK(h.min_offset == 0);
    CHECK(h.max_offset == 3);
    CHECK(h.suggest_which_broker_id == 0);
    auto msgs = DecodeRecords(r.body);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].queue_offset == 1);
    CHECK(msgs[1].queue_offset == 2);
  }
  SECTION("maxMsgNums limits a pull") {
    RemotingCommand r = f.Pull("G", "P", 0, 0, 2);
    REQUIRE(r.code == rc::kSuccess);
    CHECK(DecodeRecords(r.body).size() == 2);
    CHECK(ResponseHeader<PullMessageResponseHeader>(r).next_begin_offset == 2);
  }
  SECTION("OFFSET_OVERFLOW_ONE: PULL_NOT_FOUND, next offset unchanged") {
    RemotingCommand r = f.Pull("G", "P", 0, 3);
    CHECK(r.code == rc::kPullNotFound);
    CHECK(r.remark == "OFFSET_OVERFLOW_ONE");
    CHECK(ResponseHeader<PullMessageResponseHeader>(r).next_begin_offset == 3);
  }
  SECTION("OFFSET_OVERFLOW_BADLY: PULL_OFFSET_MOVED to the max offset") {
    RemotingCommand r = f.Pull("G", "P", 0, 10);
    CHECK(r.code == rc::kPullOffsetMoved);
    CHECK(r.remark == "OFFSET_OVERFLOW_BADLY");
    CHECK(ResponseHeader<PullMessageResponseHeader>(r).next_begin_offset == 3);
    // The correction is recorded as an OffsetMovedEvent.
    f.broker().store()->WaitForDispatch();
    GetMessageResult events = f.broker().store()->Get("OFFSET_MOVED_EVENT", 0, 0, 32, nullptr);
    REQUIRE(events.message_count() == 1);
    auto event = DecodeMessage(events.record(0));
    REQUIRE(event.ok());
    CHECK(event->tags() == "G");
    CHECK_THAT(event->body(), Catch::Contains("\"offsetRequest\":10") &&
                                  Catch::Contains("\"offsetNew\":3"));
  }
  SECTION("NO_MATCHED_LOGIC_QUEUE: PULL_NOT_FOUND at offset 0, PULL_OFFSET_MOVED elsewhere") {
    RemotingCommand at_zero = f.Pull("G", "P", 2, 0);
    CHECK(at_zero.code == rc::kPullNotFound);
    CHECK(at_zero.remark == "NO_MATCHED_LOGIC_QUEUE");
    RemotingCommand at_five = f.Pull("G", "P", 2, 5);
    CHECK(at_five.code == rc::kPullOffsetMoved);
    CHECK(ResponseHeader<PullMessageResponseHeader>(at_five).next_begin_offset == 0);
  }
  SECTION("NO_MATCHED_MESSAGE: PULL_RETRY_IMMEDIATELY past the rejected messages") {
    RemotingCommand r = f.Pull("G", "P", 0, 0, 32, "TagB");
    CHECK(r.code == rc::kPullRetryImmediately);
    CHECK(r.remark == "NO_MATCHED_MESSAGE");
    CHECK(ResponseHeader<PullMessageResponseHeader>(r).next_begin_offset == 3);
  }
}

TEST_CASE("OFFSET_TOO_SMALL: PULL_OFFSET_MOVED to the queue's new min offset") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("Old", 1).ok());
  // 1 KiB bodies fill the 64 KiB test segments quickly.
  SendN(f, "Old", 0, 150, "TagA", 1024);
  REQUIRE(f.broker().store()->DeleteExpiredFiles(/*force=*/true) > 0);
  int64_t min = f.broker().store()->GetMinOffsetInQueue("Old", 0);
  REQUIRE(min > 0);
  RemotingCommand r = f.Pull("G", "Old", 0, 0);
  CHECK(r.code == rc::kPullOffsetMoved);
  CHECK(r.remark == "OFFSET_TOO_SMALL");
  CHECK(ResponseHeader<PullMessageResponseHeader>(r).next_begin_offset == min);
}

TEST_CASE("the tag filter passes only subscribed tags") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("Tags", 1).ok());
  for (std::string tag : {"A", "B", "C", "A", "B"}) {
    REQUIRE(f.Send(Message("Tags", tag, "body-" + tag)).code == rc::kSuccess);
  }
  f.broker().store()->WaitForDispatch();
  auto msgs = DecodeRecords(f.Pull("G", "Tags", 0, 0, 32, "A || C").body);
  REQUIRE(msgs.size() == 3);
  CHECK(msgs[0].tags() == "A");
  CHECK(msgs[1].tags() == "C");
  CHECK(msgs[2].tags() == "A");
}

TEST_CASE("pull checks: topic, queue id, group, SQL92") {
  BrokerFixture f([](BrokerConfig& c) { c.auto_create_subscription_group = false; });
  REQUIRE(f.broker().CreateTopic("P", 2).ok());
  // TOOLS_CONSUMER is one of the built-in groups.
  RemotingCommand no_topic = f.Pull("TOOLS_CONSUMER", "Nope", 0, 0);
  CHECK(no_topic.code == rc::kTopicNotExist);
  CHECK_THAT(no_topic.remark, Catch::StartsWith("topic[Nope] not exist, apply first please!"));

  RemotingCommand bad_queue = f.Pull("TOOLS_CONSUMER", "P", 2, 0);
  CHECK(bad_queue.code == rc::kSystemError);
  CHECK_THAT(bad_queue.remark, Catch::Contains("queueId[2] is illegal"));

  RemotingCommand no_group = f.Pull("UnknownGroup", "P", 0, 0);
  CHECK(no_group.code == rc::kSubscriptionGroupNotExist);

  auto sql = BrokerFixture::PullRequest("TOOLS_CONSUMER", "P", 0, 0, 32, "a > 1");
  static_cast<internal::PullMessageRequestHeader*>(sql.header.get())->expression_type = "SQL92";
  RemotingCommand sql_response = f.Call(std::move(sql));
  // enablePropertyFilter is off by default (broker_sql_filter_test has the rest).
  CHECK(sql_response.code == rc::kSystemError);
  CHECK_THAT(sql_response.remark,
             Catch::Contains("does not support consumer to filter message by SQL92"));

  // A disabled group may not consume.
  internal::SubscriptionGroupConfig disabled;
  disabled.group_name = "Disabled";
  disabled.consume_enable = false;
  RemotingCommand update = RemotingCommand::Request(rq::kUpdateAndCreateSubscriptionGroup);
  update.body = internal::Payload(internal::ToJson(disabled));
  REQUIRE(f.Call(std::move(update)).code == rc::kSuccess);
  RemotingCommand refused = f.Pull("Disabled", "P", 0, 0);
  CHECK(refused.code == rc::kNoPermission);
  CHECK_THAT(refused.remark, Catch::Contains("Disabled"));
}

TEST_CASE("a pull without a subscription uses the group's heartbeat subscription") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("S", 1).ok());
  REQUIRE(f.Send(Message("S", "Keep", "k")).code == rc::kSuccess);
  REQUIRE(f.Send(Message("S", "Drop", "d")).code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();

  RemotingCommand before = f.Call(BrokerFixture::PullRequest("HG", "S", 0, 0, 32, std::nullopt));
  CHECK(before.code == rc::kSubscriptionNotExist);
  CHECK_THAT(before.remark, Catch::Contains("group info not exist"));

  internal::HeartbeatData hb;
  hb.client_id = "client-1";
  internal::ConsumerData consumer;
  consumer.group_name = "HG";
  internal::SubscriptionData sub;
  sub.topic = "Other";
  consumer.subscription_data_set.push_back(sub);
  hb.consumer_data_set.push_back(consumer);
  REQUIRE(f.Call(BrokerFixture::HeartbeatRequest(hb)).code == rc::kSuccess);
  RemotingCommand no_sub = f.Call(BrokerFixture::PullRequest("HG", "S", 0, 0, 32, std::nullopt));
  CHECK(no_sub.code == rc::kSubscriptionNotExist);
  CHECK_THAT(no_sub.remark, Catch::Contains("subscription not exist"));

  sub.topic = "S";
  sub.sub_string = "Keep";
  sub.sub_version = 5;
  hb.consumer_data_set[0].subscription_data_set = {sub};
  REQUIRE(f.Call(BrokerFixture::HeartbeatRequest(hb)).code == rc::kSuccess);
  RemotingCommand pulled = f.Call(BrokerFixture::PullRequest("HG", "S", 0, 0, 32, std::nullopt));
  REQUIRE(pulled.code == rc::kSuccess);
  auto msgs = DecodeRecords(pulled.body);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].tags() == "Keep");

  // A client that knows a newer subscription than the broker's is told so.
  auto newer = BrokerFixture::PullRequest("HG", "S", 0, 0, 32, std::nullopt);
  static_cast<internal::PullMessageRequestHeader*>(newer.header.get())->sub_version = 9;
  CHECK(f.Call(std::move(newer)).code == rc::kSubscriptionNotLatest);
}

TEST_CASE("the commit-offset flag commits the consumer's offset") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("C", 1).ok());
  SendN(f, "C", 0, 2);
  auto request = BrokerFixture::PullRequest("CG", "C", 0, 0, 32, "*", flag::kCommitOffset);
  static_cast<internal::PullMessageRequestHeader*>(request.header.get())->commit_offset = 42;
  REQUIRE(f.Call(std::move(request)).code == rc::kSuccess);

  auto query = std::make_unique<internal::QueryConsumerOffsetRequestHeader>();
  query->consumer_group = "CG";
  query->topic = "C";
  query->queue_id = 0;
  RemotingCommand r = f.Call(RemotingCommand::Request(rq::kQueryConsumerOffset, std::move(query)));
  REQUIRE(r.code == rc::kSuccess);
  CHECK(ResponseHeader<internal::OffsetResponseHeader>(r).offset == 42);
}

}  // namespace
}  // namespace rmq::testing
