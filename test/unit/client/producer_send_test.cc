// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What a producer puts on the wire for a send, and what it makes of the
// broker's answer (RocketMQ's sendKernelImpl / processSendResponse).

#include <zlib.h>

#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "unit/client/producer_test_cluster.h"

namespace rmq::testing {
namespace {

std::string Inflate(const std::string& compressed, size_t size) {
  std::string out(size, '\0');
  uLongf len = size;
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(out.data()), &len,
                     reinterpret_cast<const Bytef*>(compressed.data()), compressed.size()) == Z_OK);
  out.resize(len);
  return out;
}

TEST_CASE("a sync send carries RocketMQ's header, the properties with a new UNIQ_KEY and the body") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA", 4);
  auto producer = StartedProducer(cluster.Config("PG_Send"));
  Message msg("TopicA", "TagA", "k1 k2", "hello");
  msg.set_flag(42);
  msg.PutProperty("color", "blue");
  auto result = producer->Send(msg);
  INFO(result.status().ToString());
  REQUIRE(result.ok());

  auto sends = cluster.broker(0).sends();
  REQUIRE(sends.size() == 1);
  const ReceivedSend& got = sends[0];
  // SEND_MESSAGE_V2, one-letter names: what RocketMQ's clients send by
  // default (sendSmartMsg).
  CHECK(got.code == rq::kSendMessageV2);
  CHECK(got.v2_header);
  CHECK(got.header.producer_group == "PG_Send");
  CHECK(got.header.topic == "TopicA");
  CHECK(got.header.default_topic == "TBW102");
  CHECK(got.header.default_topic_queue_nums == 4);
  CHECK(got.header.queue_id == result->message_queue.queue_id);
  CHECK(got.header.sys_flag == 0);
  CHECK(got.header.born_timestamp == cluster.clock().NowMillis());
  CHECK(got.header.flag == 42);
  CHECK(got.header.reconsume_times == 0);
  CHECK(got.header.batch == false);
  CHECK(got.body == "hello");
  CHECK(got.properties.at("TAGS") == "TagA");
  CHECK(got.properties.at("KEYS") == "k1 k2");
  CHECK(got.properties.at("color") == "blue");
  const std::string& uniq = got.properties.at("UNIQ_KEY");
  CHECK(uniq.size() == 32);
  CHECK(got.properties.size() == 4);

  // msgId is the UNIQ_KEY; offsetMsgId and the queue are the broker's.
  CHECK(result->send_status == SendStatus::kSendOk);
  CHECK(result->msg_id == uniq);
  CHECK(result->offset_msg_id ==
        internal::CreateOffsetMsgId(HostAddress::Ipv4(10, 0, 0, 1, 10911), 0));
  CHECK(result->message_queue.topic == "TopicA");
  CHECK(result->message_queue.broker_name == "broker-a");
  CHECK(result->queue_offset == 0);
  // The caller's message is untouched.
  CHECK_FALSE(msg.HasProperty("UNIQ_KEY"));
}

TEST_CASE("a topic sent to before does not let a bad or too long name through") {
  // The producer remembers the last valid topic per thread: names checked
  // right after it must still be refused, before any broker sees them.
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA", 4);
  auto producer = StartedProducer(cluster.Config("PG_Topics"));
  REQUIRE(producer->Send(Message("TopicA", "x")).ok());
  for (const std::string& bad :
       {std::string("TopicA/"), std::string("TopicA TopicA"), std::string(128, 'T')}) {
    INFO(bad);
    auto refused = producer->Send(Message(bad, "x"));
    CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);
    REQUIRE(producer->Send(Message("TopicA", "x")).ok());
  }
  CHECK(cluster.broker(0).sends().size() == 4);
}

TEST_CASE("every send gets its own UNIQ_KEY; a message that has one keeps it") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA");
  auto producer = StartedProducer(cluster.Config());
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    auto result = producer->Send(Message("TopicA", "body"));
    REQUIRE(result.ok());
    ids.insert(result->msg_id);
  }
  CHECK(ids.size() == 20);

  Message own("TopicA", "body");
  own.PutProperty("UNIQ_KEY", "0A0000010000000000000000000000AB");
  auto result = producer->Send(own);
  REQUIRE(result.ok());
  CHECK(result->msg_id == "0A0000010000000000000000000000AB");
  auto sends = cluster.broker(0).sends();
  CHECK(sends.back().properties.at("UNIQ_KEY") == "0A0000010000000000000000000000AB");
  CHECK(sends.back().properties.size() == 1);
}

TEST_CASE("the default send spreads messages round-robin over the topic's queues") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 3);
  auto producer = StartedProducer(cluster.Config());
  std::map<std::pair<std::string, int32_t>, int> per_queue;
  for (int i = 0; i < 60; ++i) {
    auto result = producer->Send(Message("TopicA", "x"));
    REQUIRE(result.ok());
    ++per_queue[{result->message_queue.broker_name, result->message_queue.queue_id}];
  }
  REQUIRE(per_queue.size() == 6);
  for (const auto& [queue, count] : per_queue) CHECK(count == 10);
}

TEST_CASE("a body of at least compressMsgBodyOverHowmuch bytes is sent zlib-compressed") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA");
  ProducerConfig config = cluster.Config();
  config.compress_msg_body_over_howmuch = 100;
  auto producer = StartedProducer(config);

  const std::string below(99, 'a');
  const std::string at(100, 'b');
  const std::string large(10000, 'c');
  REQUIRE(producer->Send(Message("TopicA", below)).ok());
  REQUIRE(producer->Send(Message("TopicA", at)).ok());
  REQUIRE(producer->Send(Message("TopicA", large)).ok());
  auto sends = cluster.broker(0).sends();
  REQUIRE(sends.size() == 3);
  CHECK(sends[0].header.sys_flag == 0);
  CHECK(sends[0].body == below);
  CHECK(sends[1].header.sys_flag == sysflag::kCompressed);
  CHECK(Inflate(sends[1].body, at.size()) == at);
  CHECK(sends[2].header.sys_flag == sysflag::kCompressed);
  CHECK(sends[2].body.size() < 200);
  CHECK(Inflate(sends[2].body, large.size()) == large);
  // zlib's stream format, as java.util.zip.Deflater writes it.
  CHECK(static_cast<uint8_t>(sends[2].body[0]) == 0x78);
}

TEST_CASE("a transaction half message is flagged, a retry topic's counts move into the header") {
  ProducerTestCluster cluster(1);
  cluster.AddTopic("TopicA");
  cluster.AddTopic("%RETRY%GroupX");
  auto producer = StartedProducer(cluster.Config());

  Message half("TopicA", "half");
  half.PutProperty("TRAN_MSG", "true");
  REQUIRE(producer->Send(half).ok());

  Message retry("%RETRY%GroupX", "again");
  retry.PutProperty("RECONSUME_TIME", "3");
  retry.PutProperty("MAX_RECONSUME_TIMES", "5");
  retry.PutProperty("ORIGIN_MESSAGE_ID", "ABC");
  REQUIRE(producer->Send(retry).ok());

  auto sends = cluster.broker(0).sends();
  REQUIRE(sends.size() == 2);
  CHECK(sends[0].header.sys_flag == sysflag::kTransactionPreparedType);
  CHECK(sends[1].header.reconsume_times == 3);
  CHECK(sends[1].header.max_reconsume_times == 5);
  CHECK_FALSE(sends[1].properties.contains("RECONSUME_TIME"));
  CHECK_FALSE(sends[1].properties.contains("MAX_RECONSUME_TIMES"));
  CHECK(sends[1].properties.at("ORIGIN_MESSAGE_ID") == "ABC");
  CHECK(sends[1].properties.contains("UNIQ_KEY"));

  Message bad("%RETRY%GroupX", "again");
  bad.PutProperty("RECONSUME_TIME", "three");
  auto result = producer->Send(bad);
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(cluster.broker(0).send_count() == 2);
}

TEST_CASE("a topic the name server does not know goes to the brokers of TBW102") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TBW102", 8, {1});  // Only broker-b creates topics.
  ProducerConfig config = cluster.Config();
  config.default_topic_queue_nums = 2;
  auto producer = StartedProducer(config);
  auto result = producer->Send(Message("NewTopic", "first"));
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(result->message_queue.broker_name == "broker-b");
  CHECK(result->message_queue.queue_id < 2);
  auto sends = cluster.broker(1).sends();
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].header.topic == "NewTopic");
  CHECK(sends[0].header.default_topic == "TBW102");
  CHECK(sends[0].header.default_topic_queue_nums == 2);
}

TEST_CASE("a topic without any route fails with NotFound naming it, before any broker is asked") {
  ProducerTestCluster cluster(1);
  auto producer = StartedProducer(cluster.Config());
  auto result = producer->Send(Message("Nowhere", "x"));
  CHECK(result.status().code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("Nowhere"));
  CHECK(cluster.broker(0).send_count() == 0);
}

TEST_CASE("a send to a given queue goes there and nowhere else") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 4);
  auto producer = StartedProducer(cluster.Config());
  MessageQueue queue("TopicA", "broker-b", 3);
  for (int i = 0; i < 5; ++i) {
    auto result = producer->Send(Message("TopicA", "q"), queue);
    REQUIRE(result.ok());
    CHECK(result->message_queue == queue);
    CHECK(result->queue_offset == i);
  }
  CHECK(cluster.broker(0).send_count() == 0);
  for (const ReceivedSend& send : cluster.broker(1).sends()) CHECK(send.header.queue_id == 3);

  auto wrong_topic = producer->Send(Message("TopicB", "q"), queue);
  CHECK(wrong_topic.status().code() == absl::StatusCode::kInvalidArgument);

  // No retry elsewhere when that broker fails.
  cluster.broker(1).AnswerWith(rc::kSystemError);
  auto failed = producer->Send(Message("TopicA", "q"), queue);
  CHECK(failed.status().code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(failed.status().message()), Catch::Contains("broker-b"));
  CHECK(cluster.broker(1).send_count() == 6);
  CHECK(cluster.broker(0).send_count() == 0);
}

TEST_CASE("a oneway send is not answered and not retried") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 2);
  auto producer = StartedProducer(cluster.Config());
  REQUIRE(producer->SendOneway(Message("TopicA", "fire")).ok());
  size_t total = cluster.broker(0).send_count() + cluster.broker(1).send_count();
  REQUIRE(total == 1);
  ReceivedSend send = cluster.broker(0).send_count() == 1 ? cluster.broker(0).sends()[0]
                                                          : cluster.broker(1).sends()[0];
  CHECK(send.oneway);
  CHECK(send.body == "fire");
  CHECK(send.properties.contains("UNIQ_KEY"));

  cluster.server(0).SetReachable(false);
  cluster.server(1).SetReachable(false);
  absl::Status failed = producer->SendOneway(Message("TopicA", "lost"));
  CHECK(failed.code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(failed.message()), Catch::Contains("TopicA"));
}

TEST_CASE("FetchPublishMessageQueues lists the writable queues from the name server") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 2);
  auto producer = StartedProducer(cluster.Config());
  auto queues = producer->FetchPublishMessageQueues("TopicA");
  REQUIRE(queues.ok());
  std::vector<MessageQueue> expected = {{"TopicA", "broker-a", 0}, {"TopicA", "broker-a", 1},
                                        {"TopicA", "broker-b", 0}, {"TopicA", "broker-b", 1}};
  CHECK(*queues == expected);
  CHECK(producer->FetchPublishMessageQueues("Unknown").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("SendStatusName gives RocketMQ's names") {
  CHECK(SendStatusName(SendStatus::kSendOk) == "SEND_OK");
  CHECK(SendStatusName(SendStatus::kFlushDiskTimeout) == "FLUSH_DISK_TIMEOUT");
  CHECK(SendStatusName(SendStatus::kFlushSlaveTimeout) == "FLUSH_SLAVE_TIMEOUT");
  CHECK(SendStatusName(SendStatus::kSlaveNotAvailable) == "SLAVE_NOT_AVAILABLE");
}

}  // namespace
}  // namespace rmq::testing
