// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Start, Shutdown and everything a producer rejects before the network
// (RocketMQ's checkConfig, makeSureStateOK and Validators).

#include <string>

#include <catch2/catch.hpp>

#include "unit/client/producer_test_cluster.h"

namespace rmq::testing {
namespace {

absl::Status StartWith(const ProducerConfig& config) {
  Producer producer(config);
  return producer.Start();
}

TEST_CASE("Start checks the group name as Validators.checkGroup and rejects DEFAULT_PRODUCER") {
  ProducerTestCluster cluster(1);
  ProducerConfig config = cluster.Config();

  config.group_name = "";
  CHECK(StartWith(config).code() == absl::StatusCode::kInvalidArgument);
  config.group_name = "DEFAULT_PRODUCER";
  absl::Status reserved = StartWith(config);
  CHECK(reserved.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(reserved.message()), Catch::Contains("DEFAULT_PRODUCER"));
  config.group_name = std::string(256, 'g');
  CHECK(StartWith(config).code() == absl::StatusCode::kInvalidArgument);
  config.group_name = "bad group";
  absl::Status illegal = StartWith(config);
  CHECK(illegal.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(illegal.message()), Catch::Contains("bad group"));
  config.group_name = "a.b";
  CHECK(StartWith(config).code() == absl::StatusCode::kInvalidArgument);

  config.group_name = std::string(255, 'g');
  CHECK(StartWith(config).ok());
  config.group_name = "%|Az09_-";
  CHECK(StartWith(config).ok());
}

TEST_CASE("Start rejects a missing name server and non-positive timeouts and sizes") {
  ProducerTestCluster cluster(1);
  auto bad = [&](auto change) {
    ProducerConfig config = cluster.Config();
    change(config);
    absl::Status status = StartWith(config);
    INFO(status.ToString());
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    return std::string(status.message());
  };
  CHECK_THAT(bad([](ProducerConfig& c) { c.namesrv_addr = ""; }), Catch::Contains("namesrv"));
  CHECK_THAT(bad([](ProducerConfig& c) { c.send_msg_timeout = 0; }), Catch::Contains("sendMsgTimeout"));
  CHECK_THAT(bad([](ProducerConfig& c) { c.send_msg_timeout = -5; }), Catch::Contains("-5"));
  CHECK_THAT(bad([](ProducerConfig& c) { c.max_message_size = 0; }), Catch::Contains("maxMessageSize"));
  CHECK_THAT(bad([](ProducerConfig& c) { c.retry_times_when_send_failed = -1; }),
             Catch::Contains("retryTimesWhenSendFailed"));
  CHECK_THAT(bad([](ProducerConfig& c) { c.retry_times_when_send_async_failed = -1; }),
             Catch::Contains("retryTimesWhenSendAsyncFailed"));
  CHECK_THAT(bad([](ProducerConfig& c) { c.compress_level = 10; }), Catch::Contains("compressLevel"));
  CHECK_THAT(bad([](ProducerConfig& c) { c.default_topic_queue_nums = 0; }),
             Catch::Contains("defaultTopicQueueNums"));
  CHECK_THAT(bad([](ProducerConfig& c) { c.create_topic_key = "bad key"; }),
             Catch::Contains("createTopicKey"));
}

TEST_CASE("a send before Start or after Shutdown fails with FailedPrecondition") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA");
  Producer producer(cluster.Config());
  Message msg("TopicA", "x");
  CHECK(producer.Send(msg).status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(producer.SendOneway(msg).code() == absl::StatusCode::kFailedPrecondition);
  std::vector<Message> batch = {msg};
  CHECK(producer.SendBatch(batch).status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(producer.Send(msg, MessageQueue("TopicA", "broker-a", 0)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(producer.FetchPublishMessageQueues("TopicA").status().code() ==
        absl::StatusCode::kFailedPrecondition);
  // Shutdown before Start changes nothing (as RocketMQ's CREATE_JUST).
  producer.Shutdown();

  REQUIRE(producer.Start().ok());
  CHECK(producer.Start().code() == absl::StatusCode::kFailedPrecondition);  // Once only.
  REQUIRE(producer.Send(msg).ok());
  producer.Shutdown();
  producer.Shutdown();  // Idempotent.
  auto after = producer.Send(msg);
  CHECK(after.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(after.status().message()), Catch::Contains("shut down"));
  CHECK(producer.SendOneway(msg).code() == absl::StatusCode::kFailedPrecondition);
  CHECK(producer.Start().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(cluster.broker(0).send_count() == 1);
}

TEST_CASE("two producers of one group on one client instance: the second gets AlreadyExists") {
  ProducerTestCluster cluster(1);
  Producer first(cluster.Config("PG_Dup"));
  REQUIRE(first.Start().ok());
  Producer second(cluster.Config("PG_Dup"));
  absl::Status dup = second.Start();
  CHECK(dup.code() == absl::StatusCode::kAlreadyExists);
  CHECK_THAT(std::string(dup.message()), Catch::Contains("PG_Dup"));
  // Another group is fine, and so is the same group once the first is gone.
  Producer other(cluster.Config("PG_Other"));
  CHECK(other.Start().ok());
  first.Shutdown();
  CHECK(second.Start().ok());
}

TEST_CASE("messages are checked before anything goes to a broker") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA");
  ProducerConfig config = cluster.Config();
  config.max_message_size = 1000;
  auto producer = StartedProducer(config);
  auto rejected = [&](const Message& msg) {
    auto result = producer->Send(msg);
    INFO(result.status().ToString());
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(producer->SendOneway(msg).code() == absl::StatusCode::kInvalidArgument);
    CHECK(producer->Send(msg, MessageQueue(msg.topic(), "broker-a", 0)).status().code() ==
          absl::StatusCode::kInvalidArgument);
    SelectMessageQueueByHash by_hash;
    CHECK(producer->Send(msg, by_hash, "k").status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(result.status().message());
  };
  CHECK_THAT(rejected(Message("TopicA", "")), Catch::Contains("the message body is empty"));
  std::string too_big = rejected(Message("TopicA", std::string(1001, 'x')));
  CHECK_THAT(too_big, Catch::Contains("1001") && Catch::Contains("1000"));
  rejected(Message("", "x"));
  CHECK_THAT(rejected(Message("bad topic", "x")), Catch::Contains("bad topic"));
  rejected(Message(std::string(128, 't'), "x"));
  for (const char* system : {"SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC",
                             "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC",
                             "SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT"}) {
    CHECK_THAT(rejected(Message(system, "x")), Catch::Contains(system));
  }
  Message bad_property("TopicA", "x");
  bad_property.PutProperty("k", std::string("a\x01") + "b");
  rejected(bad_property);
  CHECK(cluster.broker(0).send_count() == 0);

  // A body of exactly maxMessageSize is fine.
  CHECK(producer->Send(Message("TopicA", std::string(1000, 'x'))).ok());
}

TEST_CASE("config() returns the producer's settings") {
  ProducerTestCluster cluster(1);
  ProducerConfig config = cluster.Config("PG_Config");
  config.retry_times_when_send_failed = 7;
  Producer producer(config);
  CHECK(producer.config().group_name == "PG_Config");
  CHECK(producer.config().retry_times_when_send_failed == 7);
}

}  // namespace
}  // namespace rmq::testing
