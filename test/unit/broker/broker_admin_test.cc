// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <string>

#include <catch2/catch.hpp>

#include "common/msg_id.h"
#include "unit/broker/broker_fixture.h"

namespace rmq::testing {
namespace {

using internal::OffsetResponseHeader;

template <typename H>
RemotingCommand QueueRequest(int32_t code, const std::string& topic, int32_t queue_id) {
  auto header = std::make_unique<H>();
  header->topic = topic;
  header->queue_id = queue_id;
  return RemotingCommand::Request(code, std::move(header));
}

internal::TopicConfigSerializeWrapper AllTopics(BrokerFixture& f) {
  RemotingCommand r = f.Call(RemotingCommand::Request(rq::kGetAllTopicConfig));
  REQUIRE(r.code == rc::kSuccess);
  auto wrapper = internal::FromJson<internal::TopicConfigSerializeWrapper>(r.body.ToString(), "t");
  REQUIRE(wrapper.ok());
  return *wrapper;
}

TEST_CASE("queue offsets, search by time and the earliest store time") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("Q", 1).ok());
  const int64_t t0 = f.clock().NowMillis();
  for (int i = 0; i < 3; ++i) {
    REQUIRE(f.Send(Message("Q", "m" + std::to_string(i))).code == rc::kSuccess);
    f.clock().Advance(absl::Seconds(1));
  }
  f.broker().store()->WaitForDispatch();

  RemotingCommand max = f.Call(QueueRequest<internal::QueueRequestHeader>(rq::kGetMaxOffset, "Q", 0));
  CHECK(ResponseHeader<OffsetResponseHeader>(max).offset == 3);
  RemotingCommand min = f.Call(QueueRequest<internal::QueueRequestHeader>(rq::kGetMinOffset, "Q", 0));
  CHECK(ResponseHeader<OffsetResponseHeader>(min).offset == 0);

  auto search = QueueRequest<internal::SearchOffsetRequestHeader>(rq::kSearchOffsetByTimestamp, "Q", 0);
  // Stored at t0, t0 + 1 s, t0 + 2 s: the nearest to t0 + 1.6 s is the third.
  static_cast<internal::SearchOffsetRequestHeader*>(search.header.get())->timestamp = t0 + 1600;
  RemotingCommand found = f.Call(std::move(search));
  CHECK(ResponseHeader<OffsetResponseHeader>(found).offset == 2);

  RemotingCommand earliest =
      f.Call(QueueRequest<internal::QueueRequestHeader>(rq::kGetEarliestMsgStoreTime, "Q", 0));
  CHECK(ResponseHeader<internal::GetEarliestMsgStoretimeResponseHeader>(earliest).timestamp == t0);
}

TEST_CASE("UPDATE_AND_CREATE_TOPIC creates and updates; system topics are refused") {
  BrokerFixture f;
  auto create = [&](const std::string& topic, int32_t queues, int32_t perm = 6) {
    auto header = std::make_unique<internal::CreateTopicRequestHeader>();
    header->topic = topic;
    header->read_queue_nums = queues;
    header->write_queue_nums = queues;
    header->perm = perm;
    return f.Call(RemotingCommand::Request(rq::kUpdateAndCreateTopic, std::move(header)));
  };
  REQUIRE(create("Admin", 8).code == rc::kSuccess);
  CHECK(AllTopics(f).topic_config_table.at("Admin").read_queue_nums == 8);
  REQUIRE(create("Admin", 2, 4).code == rc::kSuccess);
  CHECK(AllTopics(f).topic_config_table.at("Admin").write_queue_nums == 2);
  CHECK(AllTopics(f).topic_config_table.at("Admin").perm == 4);

  RemotingCommand system = create("TBW102", 8);
  CHECK(system.code == rc::kSystemError);
  CHECK_THAT(system.remark, Catch::Contains("conflict with system topic"));
  CHECK(create("broker-a", 1).code == rc::kSystemError);  // The broker's own topic.
  CHECK(create("rmq_sys_x", 1).code == rc::kSystemError);
  RemotingCommand bad = create("bad name", 1);
  CHECK(bad.code == rc::kSystemError);
  CHECK_THAT(bad.remark, Catch::Contains("illegal character"));

  // Broker::CreateTopic applies the same rules.
  CHECK(f.broker().CreateTopic("SCHEDULE_TOPIC_XXXX", 1).code() == absl::StatusCode::kInvalidArgument);
  CHECK(f.broker().CreateTopic("Zero", 0).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("DELETE_TOPIC_IN_BROKER removes the topic's config") {
  BrokerFixture f([](BrokerConfig& c) { c.auto_create_topic_enable = false; });
  REQUIRE(f.broker().CreateTopic("Doomed", 1).ok());
  REQUIRE(f.Send(Message("Doomed", "x")).code == rc::kSuccess);
  auto header = std::make_unique<internal::DeleteTopicRequestHeader>();
  header->topic = "Doomed";
  REQUIRE(f.Call(RemotingCommand::Request(rq::kDeleteTopicInBroker, std::move(header))).code ==
          rc::kSuccess);
  CHECK_FALSE(AllTopics(f).topic_config_table.contains("Doomed"));
  CHECK(f.Send(Message("Doomed", "x")).code == rc::kTopicNotExist);
}

TEST_CASE("topic configs persist in topics.json with a growing data version") {
  BrokerFixture f;
  int64_t before = AllTopics(f).data_version.counter;
  REQUIRE(f.broker().CreateTopic("Kept", 5).ok());
  auto after = AllTopics(f);
  CHECK(after.data_version.counter == before + 1);
  f.StopBroker();
  f.StartBroker();
  auto reloaded = AllTopics(f);
  REQUIRE(reloaded.topic_config_table.contains("Kept"));
  CHECK(reloaded.topic_config_table.at("Kept").write_queue_nums == 5);
  CHECK(reloaded.data_version == after.data_version);
}

TEST_CASE("subscription groups: created on first use, updated by admin, persisted") {
  BrokerFixture f;
  auto groups = [&] {
    RemotingCommand r = f.Call(RemotingCommand::Request(rq::kGetAllSubscriptionGroupConfig));
    REQUIRE(r.code == rc::kSuccess);
    auto wrapper = internal::FromJson<internal::SubscriptionGroupWrapper>(r.body.ToString(), "g");
    REQUIRE(wrapper.ok());
    return wrapper->subscription_group_table;
  };
  CHECK(groups().contains("TOOLS_CONSUMER"));
  CHECK_FALSE(groups().contains("Fresh"));
  REQUIRE(f.broker().CreateTopic("T", 1).ok());
  f.Pull("Fresh", "T", 0, 0);  // Auto-created with RocketMQ's defaults.
  REQUIRE(groups().contains("Fresh"));
  CHECK(groups().at("Fresh").retry_max_times == 16);
  CHECK(groups().at("Fresh").retry_queue_nums == 1);

  internal::SubscriptionGroupConfig config;
  config.group_name = "Tuned";
  config.retry_max_times = 3;
  RemotingCommand update = RemotingCommand::Request(rq::kUpdateAndCreateSubscriptionGroup);
  update.body = internal::Payload(internal::ToJson(config));
  REQUIRE(f.Call(std::move(update)).code == rc::kSuccess);

  f.StopBroker();
  f.StartBroker();
  REQUIRE(groups().contains("Tuned"));
  CHECK(groups().at("Tuned").retry_max_times == 3);
  CHECK(groups().contains("Fresh"));
}

TEST_CASE("VIEW_MESSAGE_BY_ID and QUERY_MESSAGE answer stored records") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("V", 1).ok());
  RemotingCommand sent = f.Send(Message("V", "TagV", "order-17", "the body"));
  REQUIRE(sent.code == rc::kSuccess);
  std::string msg_id = ResponseHeader<internal::SendMessageResponseHeader>(sent).msg_id;
  f.broker().store()->WaitForDispatch();
  auto id = internal::DecodeOffsetMsgId(msg_id);
  REQUIRE(id.ok());

  auto view = std::make_unique<internal::ViewMessageRequestHeader>();
  view->offset = id->commit_log_offset;
  RemotingCommand viewed = f.Call(RemotingCommand::Request(rq::kViewMessageById, std::move(view)));
  REQUIRE(viewed.code == rc::kSuccess);
  // Byte for byte what a pull returns.
  RemotingCommand pulled = f.Pull("G", "V", 0, 0);
  CHECK(viewed.body.ToString() == pulled.body.ToString());

  auto missing = std::make_unique<internal::ViewMessageRequestHeader>();
  missing->offset = 999999;
  CHECK(f.Call(RemotingCommand::Request(rq::kViewMessageById, std::move(missing))).code ==
        rc::kSystemError);

  auto query = [&](const std::string& key) {
    auto header = std::make_unique<internal::QueryMessageRequestHeader>();
    header->topic = "V";
    header->key = key;
    header->max_num = 32;
    header->begin_timestamp = 0;
    header->end_timestamp = f.clock().NowMillis() + 1000;
    return f.Call(RemotingCommand::Request(rq::kQueryMessage, std::move(header)));
  };
  RemotingCommand hit = query("order-17");
  REQUIRE(hit.code == rc::kSuccess);
  auto msgs = DecodeRecords(hit.body);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].body() == "the body");
  CHECK(query("order-18").code == rc::kQueryNotFound);
}

TEST_CASE("GET_ALL_CONSUMER_OFFSET and GET_ALL_DELAY_OFFSET answer what a slave copies") {
  BrokerFixture f;
  RemotingCommand none = f.Call(RemotingCommand::Request(rq::kGetAllDelayOffset));
  CHECK(none.code == rc::kSystemError);
  CHECK_THAT(none.remark, Catch::Contains("No delay offset in this broker"));

  Message delayed("TopicA", "soon");
  delayed.set_delay_time_level(1);  // 1 s
  REQUIRE(f.Send(delayed).code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();
  f.clock().Advance(absl::Seconds(11));  // Delivered, and saved (flushDelayOffsetInterval 10 s).
  RemotingCommand delay = f.Call(RemotingCommand::Request(rq::kGetAllDelayOffset));
  INFO(delay.remark);
  REQUIRE(delay.code == rc::kSuccess);
  CHECK_THAT(delay.body.ToString(), Catch::Contains("\"offsetTable\"") && Catch::Contains("1"));

  auto commit = std::make_unique<internal::UpdateConsumerOffsetRequestHeader>();
  commit->consumer_group = "G";
  commit->topic = "TopicA";
  commit->queue_id = 0;
  commit->commit_offset = 1;
  REQUIRE(f.Call(RemotingCommand::Request(rq::kUpdateConsumerOffset, std::move(commit))).code ==
          rc::kSuccess);
  RemotingCommand offsets = f.Call(RemotingCommand::Request(rq::kGetAllConsumerOffset));
  REQUIRE(offsets.code == rc::kSuccess);
  CHECK_THAT(offsets.body.ToString(), Catch::Contains("TopicA@G"));
}

}  // namespace
}  // namespace rmq::testing
