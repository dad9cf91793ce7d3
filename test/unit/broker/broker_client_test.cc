// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "unit/broker/broker_client_support.h"

namespace rmq::testing {
namespace {

// GET_CONSUMER_LIST_BY_GROUP, sorted; empty when the broker says there is nobody.
std::vector<std::string> ConsumerList(BrokerFixture& f, const std::string& group) {
  auto header = std::make_unique<internal::GetConsumerListByGroupRequestHeader>();
  header->consumer_group = group;
  RemotingCommand r = f.Call(RemotingCommand::Request(rq::kGetConsumerListByGroup, std::move(header)));
  if (r.code == rc::kSystemError) {
    CHECK_THAT(r.remark, Catch::Contains("no consumer for this group"));
    return {};
  }
  REQUIRE(r.code == rc::kSuccess);
  auto list = internal::FromJson<internal::ConsumerIdList>(r.body.ToString(), "list");
  REQUIRE(list.ok());
  std::sort(list->consumer_id_list.begin(), list->consumer_id_list.end());
  return list->consumer_id_list;
}

TEST_CASE("heartbeats make the consumer list; the retry topic is created") {
  BrokerFixture f;
  Client a(f, "client-a"), b(f, "client-b");
  REQUIRE(a.Heartbeat("CG", {"T"}).code == rc::kSuccess);
  REQUIRE(b.Heartbeat("CG", {"T"}).code == rc::kSuccess);
  CHECK(ConsumerList(f, "CG") == std::vector<std::string>{"client-a", "client-b"});
  CHECK(ConsumerList(f, "Other").empty());
  // Repeated heartbeats do not duplicate a member.
  REQUIRE(a.Heartbeat("CG", {"T"}).code == rc::kSuccess);
  CHECK(ConsumerList(f, "CG").size() == 2);

  RemotingCommand all = f.Call(RemotingCommand::Request(rq::kGetAllTopicConfig));
  auto topics = internal::FromJson<internal::TopicConfigSerializeWrapper>(all.body.ToString(), "t");
  REQUIRE(topics.ok());
  REQUIRE(topics->topic_config_table.contains("%RETRY%CG"));
  CHECK(topics->topic_config_table.at("%RETRY%CG").write_queue_nums == 1);
}

TEST_CASE("a consumer silent for channelExpiredTimeout is dropped (checked every 10 s)") {
  BrokerFixture f;
  Client a(f, "client-a"), b(f, "client-b");
  REQUIRE(a.Heartbeat("CG", {"T"}).code == rc::kSuccess);
  REQUIRE(b.Heartbeat("CG", {"T"}).code == rc::kSuccess);
  f.clock().Advance(absl::Seconds(60));
  REQUIRE(b.Heartbeat("CG", {"T"}).code == rc::kSuccess);  // b stays alive
  f.clock().Advance(absl::Seconds(60));
  CHECK(ConsumerList(f, "CG").size() == 2);  // a: exactly 120 s, not more
  int before = b.handler.Notifications("CG");
  f.clock().Advance(absl::Seconds(10));
  CHECK(ConsumerList(f, "CG") == std::vector<std::string>{"client-b"});
  // The rest of the group hears of it.
  CHECK(b.handler.Notifications("CG") == before + 1);
  f.clock().Advance(absl::Seconds(70));
  CHECK(ConsumerList(f, "CG").empty());
}

TEST_CASE("a closed channel leaves its groups") {
  BrokerFixture f;
  Client a(f, "client-a");
  auto b = std::make_unique<Client>(f, "client-b");
  REQUIRE(a.Heartbeat("CG", {"T"}).code == rc::kSuccess);
  REQUIRE(b->Heartbeat("CG", {"T"}).code == rc::kSuccess);
  int before = a.handler.Notifications("CG");
  b.reset();  // Shuts its transport down.
  CHECK(ConsumerList(f, "CG") == std::vector<std::string>{"client-a"});
  CHECK(a.handler.Notifications("CG") == before + 1);
}

TEST_CASE("members hear NOTIFY_CONSUMER_IDS_CHANGED when the group changes") {
  BrokerFixture f;
  Client a(f, "client-a"), b(f, "client-b");
  REQUIRE(a.Heartbeat("CG", {"T"}).code == rc::kSuccess);
  CHECK(a.handler.Notifications("CG") == 1);  // Its own arrival, as RocketMQ does.
  REQUIRE(a.Heartbeat("CG", {"T"}).code == rc::kSuccess);
  CHECK(a.handler.Notifications("CG") == 1);  // Nothing changed.

  REQUIRE(b.Heartbeat("CG", {"T"}).code == rc::kSuccess);  // Joins.
  CHECK(a.handler.Notifications("CG") == 2);
  CHECK(b.handler.Notifications("CG") == 1);

  REQUIRE(b.Heartbeat("CG", {"T", "U"}).code == rc::kSuccess);  // Subscribes to more.
  CHECK(a.handler.Notifications("CG") == 3);

  b.Unregister("CG");  // Leaves.
  CHECK(a.handler.Notifications("CG") == 4);
  CHECK(ConsumerList(f, "CG") == std::vector<std::string>{"client-a"});
}

TEST_CASE("notifyConsumerIdsChangedEnable=false keeps a group's members unnotified") {
  BrokerFixture f;
  internal::SubscriptionGroupConfig quiet;
  quiet.group_name = "Quiet";
  quiet.notify_consumer_ids_changed_enable = false;
  RemotingCommand update = RemotingCommand::Request(rq::kUpdateAndCreateSubscriptionGroup);
  update.body = internal::Payload(internal::ToJson(quiet));
  REQUIRE(f.Call(std::move(update)).code == rc::kSuccess);

  Client a(f, "client-a"), b(f, "client-b");
  REQUIRE(a.Heartbeat("Quiet", {"T"}).code == rc::kSuccess);
  REQUIRE(b.Heartbeat("Quiet", {"T"}).code == rc::kSuccess);
  b.Unregister("Quiet");
  CHECK(a.handler.Notifications("Quiet") == 0);
  CHECK(ConsumerList(f, "Quiet") == std::vector<std::string>{"client-a"});
}

}  // namespace
}  // namespace rmq::testing
