// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// A producer against a real NameServer and Broker (lib/namesrv, lib/broker)
// in this process: what it sends is what the store holds.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_split.h"
#include "rmq/broker.h"
#include "rmq/namesrv.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"
#include "unit/client/producer_test_cluster.h"

namespace rmq::testing {
namespace {

class RealCluster {
 public:
  RealCluster() : clock_(std::make_shared<VirtualClock>()) {
    auto namesrv = NameServer::Create(NamesrvConfig{}, clock_);
    REQUIRE(namesrv.ok());
    namesrv_ = *std::move(namesrv);
    REQUIRE(namesrv_->Start().ok());
    auto ns_server = internal::InprocServer::Bind(UniqueName("namesrv"), namesrv_->handler());
    REQUIRE(ns_server.ok());
    namesrv_server_ = *std::move(ns_server);

    const std::string broker_name = UniqueName("broker");
    BrokerConfig config;
    config.broker_name = "broker-a";
    config.broker_addr = std::string(internal::kInprocScheme) + broker_name;
    config.namesrv_addr = namesrv_server_->address();
    config.store = SmallStoreConfig(dir_.path());
    auto broker = Broker::Create(config, clock_);
    REQUIRE(broker.ok());
    broker_ = *std::move(broker);
    auto server = internal::InprocServer::Bind(broker_name, broker_->handler());
    REQUIRE(server.ok());
    broker_server_ = *std::move(server);
    absl::Status started = broker_->Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
  }
  ~RealCluster() {
    broker_server_.reset();
    broker_->Shutdown();
    namesrv_server_.reset();
    namesrv_->Shutdown();
  }

  ProducerConfig Config() const {
    ProducerConfig config;
    config.group_name = "PG_Real";
    config.namesrv_addr = namesrv_server_->address();
    config.clock = clock_;
    return config;
  }
  Broker& broker() { return *broker_; }
  VirtualClock& clock() { return *clock_; }

  MessageExt Stored(const std::string& offset_msg_id) {
    auto msg = broker_->store()->ViewMessageById(offset_msg_id);
    INFO(msg.status().ToString());
    REQUIRE(msg.ok());
    return *std::move(msg);
  }

 private:
  TempDir dir_;
  std::shared_ptr<VirtualClock> clock_;
  std::unique_ptr<NameServer> namesrv_;
  std::unique_ptr<internal::InprocServer> namesrv_server_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<internal::InprocServer> broker_server_;
};

TEST_CASE("a message sent by the producer is stored as sent, under its UNIQ_KEY") {
  RealCluster cluster;
  REQUIRE(cluster.broker().CreateTopic("TopicReal", 4).ok());
  auto producer = StartedProducer(cluster.Config());
  Message msg("TopicReal", "TagA", "key1", "stored body");
  msg.PutProperty("color", "red");
  msg.set_flag(3);
  auto result = producer->Send(msg);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(result->send_status == SendStatus::kSendOk);
  CHECK(result->message_queue.broker_name == "broker-a");

  MessageExt stored = cluster.Stored(result->offset_msg_id);
  CHECK(stored.topic() == "TopicReal");
  CHECK(stored.body() == "stored body");
  CHECK(stored.tags() == "TagA");
  CHECK(stored.keys() == "key1");
  CHECK(stored.GetProperty("color") == "red");
  CHECK(stored.GetProperty("UNIQ_KEY") == result->msg_id);
  CHECK(stored.flag() == 3);
  CHECK(stored.queue_id == result->message_queue.queue_id);
  CHECK(stored.queue_offset == result->queue_offset);
  CHECK(stored.born_timestamp == cluster.clock().NowMillis());
  CHECK(stored.sys_flag == 0);
}

TEST_CASE("a large body is stored compressed with the compressed flag") {
  RealCluster cluster;
  REQUIRE(cluster.broker().CreateTopic("TopicReal", 1).ok());
  auto producer = StartedProducer(cluster.Config());
  const std::string body(8000, 'z');
  auto result = producer->Send(Message("TopicReal", body));
  REQUIRE(result.ok());
  MessageExt stored = cluster.Stored(result->offset_msg_id);
  CHECK((stored.sys_flag & sysflag::kCompressed) != 0);
  CHECK(stored.body().size() < body.size());
}

TEST_CASE("a batch is stored as consecutive messages, each under its own UNIQ_KEY") {
  RealCluster cluster;
  REQUIRE(cluster.broker().CreateTopic("TopicReal", 2).ok());
  auto producer = StartedProducer(cluster.Config());
  std::vector<Message> msgs;
  for (int i = 0; i < 4; ++i) msgs.emplace_back("TopicReal", "T" + std::to_string(i), "b" + std::to_string(i));
  auto result = producer->SendBatch(msgs);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  std::vector<std::string> ids = absl::StrSplit(result->msg_id, ',');
  std::vector<std::string> offset_ids = absl::StrSplit(result->offset_msg_id, ',');
  REQUIRE(ids.size() == 4);
  REQUIRE(offset_ids.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    MessageExt stored = cluster.Stored(offset_ids[i]);
    CHECK(stored.body() == msgs[i].body());
    CHECK(stored.tags() == msgs[i].tags());
    CHECK(stored.GetProperty("UNIQ_KEY") == ids[i]);
    CHECK(stored.queue_id == result->message_queue.queue_id);
    CHECK(stored.queue_offset == result->queue_offset + static_cast<int64_t>(i));
  }
}

TEST_CASE("a new topic is created on the broker by the first send (TBW102)") {
  RealCluster cluster;
  auto producer = StartedProducer(cluster.Config());
  auto result = producer->Send(Message("BrandNewTopic", "first"));
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(cluster.Stored(result->offset_msg_id).topic() == "BrandNewTopic");
  auto again = producer->Send(Message("BrandNewTopic", "second"));
  REQUIRE(again.ok());
}

TEST_CASE("async, oneway and selector sends reach the store") {
  RealCluster cluster;
  REQUIRE(cluster.broker().CreateTopic("TopicReal", 4).ok());
  auto producer = StartedProducer(cluster.Config());
  auto async = producer->SendAsync(Message("TopicReal", "async")).get();
  REQUIRE(async.ok());
  CHECK(cluster.Stored(async->offset_msg_id).body() == "async");

  SelectMessageQueueByHash by_hash;
  auto ordered = producer->Send(Message("TopicReal", "ordered"), by_hash, "order-1");
  REQUIRE(ordered.ok());
  CHECK(ordered->message_queue.queue_id == 2);  // Java: abs("order-1".hashCode() % 4) = 2.

  REQUIRE(producer->SendOneway(Message("TopicReal", "oneway")).ok());
  cluster.broker().store()->WaitForDispatch();
  int64_t total = 0;
  for (int32_t q = 0; q < 4; ++q) total += cluster.broker().store()->GetMaxOffsetInQueue("TopicReal", q);
  CHECK(total == 3);
}

}  // namespace
}  // namespace rmq::testing
