// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <string>

#include <catch2/catch.hpp>

#include "absl/strings/str_split.h"
#include "broker/message_batch_codec.h"
#include "common/msg_id.h"
#include "unit/broker/broker_fixture.h"

namespace rmq::testing {
namespace {

using internal::Payload;
using internal::SendMessageResponseHeader;

std::string Remark(const RemotingCommand& r) { return r.remark; }

TEST_CASE("a sent message comes back from a pull with its tags, keys and properties") {
  BrokerFixture f;
  Message msg("TopicA", "TagA", "key1 key2", "hello broker");
  msg.PutProperty("color", "blue");
  msg.set_flag(7);
  RemotingCommand sent = f.Send(msg, 1);
  REQUIRE(sent.code == rc::kSuccess);
  auto header = ResponseHeader<SendMessageResponseHeader>(sent);
  CHECK(header.queue_id == 1);
  CHECK(header.queue_offset == 0);

  RemotingCommand pulled = f.Pull("G1", "TopicA", 1, 0);
  REQUIRE(pulled.code == rc::kSuccess);
  CHECK(pulled.remark == "FOUND");
  auto msgs = DecodeRecords(pulled.body);
  REQUIRE(msgs.size() == 1);
  const MessageExt& got = msgs[0];
  CHECK(got.topic() == "TopicA");
  CHECK(got.body() == "hello broker");
  CHECK(got.tags() == "TagA");
  CHECK(got.keys() == "key1 key2");
  CHECK(got.GetProperty("color") == "blue");
  CHECK(got.GetProperty("CLUSTER") == "DefaultCluster");  // Stamped by the broker.
  CHECK_FALSE(got.HasProperty(property::kWaitStoreMsgOk));
  CHECK(got.flag() == 7);
  CHECK(got.queue_id == 1);
  CHECK(got.born_timestamp == 1700000000000);
  // An in-process client has no IP: the born host says 127.0.0.1:0.
  CHECK(got.born_host == HostAddress::Ipv4(127, 0, 0, 1, 0));
  // The msgId answered is the record's offset msgId.
  CHECK(header.msg_id == got.OffsetMsgId());
}

TEST_CASE("each message keeps exactly its own properties, send after send") {
  BrokerFixture f;
  Message first("Props", "T1", "one");
  first.PutProperty("a", "1");
  first.PutProperty("b", "2");
  Message second("Props", "two");
  second.PutProperty("b", "3");
  Message third("Props", "three");
  third.set_flag(5);
  for (const Message* m : {&first, &second, &third}) REQUIRE(f.Send(*m).code == rc::kSuccess);
  auto msgs = DecodeRecords(f.Pull("G", "Props", 0, 0).body);
  REQUIRE(msgs.size() == 3);
  CHECK(msgs[0].GetProperty("a") == "1");
  CHECK(msgs[0].GetProperty("b") == "2");
  CHECK(msgs[0].tags() == "T1");
  CHECK_FALSE(msgs[1].HasProperty("a"));
  CHECK(msgs[1].GetProperty("b") == "3");
  CHECK_FALSE(msgs[1].HasProperty("TAGS"));
  CHECK(msgs[1].body() == "two");
  CHECK(msgs[2].properties().size() == 1);  // CLUSTER only.
  CHECK(msgs[2].flag() == 5);
  CHECK(msgs[2].body() == "three");
  CHECK(msgs[1].flag() == 0);
}

TEST_CASE("SEND_MESSAGE_V2 with one-letter ext fields is decoded like SEND_MESSAGE") {
  BrokerFixture f;
  RemotingCommand request = RemotingCommand::Request(rq::kSendMessageV2);
  Message::Properties props{{"TAGS", "TagV2"}};
  request.ext_fields = {{"a", "PG"},  {"b", "TopicV2"}, {"c", "TBW102"},
                        {"d", "4"},   {"e", "2"},       {"f", "0"},
                        {"g", "123"}, {"h", "0"},       {"i", internal::EncodeProperties(props)}};
  request.body = Payload(std::string("v2 body"));
  RemotingCommand response = f.Call(std::move(request));
  REQUIRE(response.code == rc::kSuccess);
  CHECK(ResponseHeader<SendMessageResponseHeader>(response).queue_id == 2);
  auto msgs = DecodeRecords(f.Pull("G", "TopicV2", 2, 0).body);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].tags() == "TagV2");
  CHECK(msgs[0].born_timestamp == 123);
}

TEST_CASE("the typed V2 header is accepted too") {
  BrokerFixture f;
  internal::SendMessageRequestHeader v1;
  v1.topic = "TopicT";
  v1.queue_id = 0;
  auto v2 = std::make_unique<internal::SendMessageRequestHeaderV2>(
      internal::SendMessageRequestHeaderV2::FromV1(v1));
  RemotingCommand request = RemotingCommand::Request(rq::kSendMessageV2, std::move(v2));
  request.body = Payload(std::string("x"));
  CHECK(f.Call(std::move(request)).code == rc::kSuccess);
}

TEST_CASE("topics are created on first send while autoCreateTopicEnable is on") {
  BrokerFixture f([](BrokerConfig& c) { c.default_topic_queue_nums = 4; });
  RemotingCommand request = BrokerFixture::SendRequest(Message("NewTopic", "x"), 0);
  static_cast<internal::SendMessageRequestHeader*>(request.header.get())->default_topic_queue_nums = 8;
  REQUIRE(f.Call(std::move(request)).code == rc::kSuccess);
  // min(the client's 8, TBW102's 4).
  RemotingCommand all = f.Call(RemotingCommand::Request(rq::kGetAllTopicConfig));
  auto wrapper = internal::FromJson<internal::TopicConfigSerializeWrapper>(all.body.ToString(), "t");
  REQUIRE(wrapper.ok());
  REQUIRE(wrapper->topic_config_table.contains("NewTopic"));
  const auto& topic = wrapper->topic_config_table.at("NewTopic");
  CHECK(topic.write_queue_nums == 4);
  CHECK(topic.read_queue_nums == 4);
  CHECK(topic.perm == 6);  // TBW102's perm without inherit.
  // Queue 4 is out of range now.
  RemotingCommand bad = f.Send(Message("NewTopic", "x"), 4);
  CHECK(bad.code == rc::kSystemError);
  CHECK_THAT(Remark(bad), Catch::Contains("queueId[4] is illegal"));
}

TEST_CASE("without autoCreateTopicEnable an unknown topic is TOPIC_NOT_EXIST") {
  BrokerFixture f([](BrokerConfig& c) { c.auto_create_topic_enable = false; });
  RemotingCommand response = f.Send(Message("Unknown", "x"));
  CHECK(response.code == rc::kTopicNotExist);
  CHECK_THAT(Remark(response), Catch::StartsWith("topic[Unknown] not exist, apply first please!"));
  // A created topic works.
  REQUIRE(f.broker().CreateTopic("Known", 2).ok());
  CHECK(f.Send(Message("Known", "x"), 1).code == rc::kSuccess);
  // A retry topic is still created on demand (createTopicInSendMessageBackMethod).
  CHECK(f.Send(Message("%RETRY%G1", "x"), 0).code == rc::kSuccess);
}

TEST_CASE("a queue id below zero picks a random writable queue") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("Rand", 3).ok());
  for (int i = 0; i < 20; ++i) {
    RemotingCommand r = f.Send(Message("Rand", "x"), -1);
    REQUIRE(r.code == rc::kSuccess);
    int32_t q = ResponseHeader<SendMessageResponseHeader>(r).queue_id;
    CHECK((q >= 0 && q < 3));
  }
}

TEST_CASE("bad topic names are refused") {
  BrokerFixture f;
  for (std::string topic : {std::string("bad topic"), std::string("a/b"), std::string(""),
                            std::string(128, 'x')}) {
    RemotingCommand r = f.Send(Message(topic, "x"));
    INFO(topic);
    CHECK(r.code == rc::kSystemError);
    CHECK_THAT(Remark(r), Catch::Contains("topic"));
  }
  RemotingCommand forbidden = f.Send(Message("SCHEDULE_TOPIC_XXXX", "x"));
  CHECK(forbidden.code == rc::kNoPermission);
  CHECK_THAT(Remark(forbidden), Catch::Contains("Sending message to topic[SCHEDULE_TOPIC_XXXX] is forbidden"));
}

TEST_CASE("a topic found valid before does not let a bad one or a too long one through") {
  // The broker remembers the last valid topic per thread: a bad name sent
  // right after a good one, and the good one sent to a broker with a lower
  // maxTopicLength, must still be refused.
  BrokerFixture f;
  REQUIRE(f.Send(Message("GoodTopicName20Chars", "x")).code == rc::kSuccess);
  CHECK(f.Send(Message("GoodTopicName20Chars/", "x")).code == rc::kSystemError);
  CHECK(f.Send(Message("GoodTopicName20Char", "x")).code == rc::kSuccess);
  CHECK(f.Send(Message("bad topic", "x")).code == rc::kSystemError);
  REQUIRE(f.Send(Message("GoodTopicName20Chars", "x")).code == rc::kSuccess);
  BrokerFixture strict([](BrokerConfig& config) { config.store.max_topic_length = 10; });
  RemotingCommand too_long = strict.Send(Message("GoodTopicName20Chars", "x"));
  CHECK(too_long.code == rc::kSystemError);
  CHECK_THAT(Remark(too_long), Catch::Contains("more than 10"));
  CHECK(f.Send(Message("GoodTopicName20Chars", "x")).code == rc::kSuccess);
}

TEST_CASE("a body over maxMessageSize is MESSAGE_ILLEGAL") {
  BrokerFixture f([](BrokerConfig& c) { c.store.max_message_size = 1024; });
  CHECK(f.Send(Message("Big", std::string(1024, 'x'))).code == rc::kSuccess);
  RemotingCommand r = f.Send(Message("Big", std::string(1025, 'x')));
  CHECK(r.code == rc::kMessageIllegal);
  CHECK_THAT(Remark(r), Catch::Contains("1025") && Catch::Contains("maxMessageSize 1024"));
}

TEST_CASE("a send sees a topic's new queue count and permission at once") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("Shrink", 4).ok());
  REQUIRE(f.Send(Message("Shrink", "x"), 3).code == rc::kSuccess);
  REQUIRE(f.broker().CreateTopic("Shrink", 2).ok());
  CHECK(f.Send(Message("Shrink", "x"), 3).code == rc::kSystemError);
  REQUIRE(f.broker().CreateTopic("Shrink", 2, 4).ok());
  CHECK(f.Send(Message("Shrink", "x"), 1).code == rc::kNoPermission);
}

TEST_CASE("a topic without write permission refuses sends") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("ReadOnly", 1, 4).ok());
  RemotingCommand r = f.Send(Message("ReadOnly", "x"));
  CHECK(r.code == rc::kNoPermission);
  CHECK_THAT(Remark(r), Catch::Contains("the topic[ReadOnly] sending message is forbidden"));
}

TEST_CASE("malformed properties are MESSAGE_ILLEGAL") {
  BrokerFixture f;
  RemotingCommand request = BrokerFixture::SendRequest(Message("T", "x"), 0);
  static_cast<internal::SendMessageRequestHeader*>(request.header.get())->properties =
      std::string("noseparator\x02", 12);
  CHECK(f.Call(std::move(request)).code == rc::kMessageIllegal);
}

std::string BatchBody(const std::vector<Message>& msgs) {
  std::string body;
  for (const Message& m : msgs) internal::EncodeBatchEntry(m, &body);
  return body;
}

RemotingCommand BatchRequest(const std::string& topic, int32_t queue_id, std::string body) {
  auto header = std::make_unique<internal::SendMessageRequestHeader>();
  header->topic = topic;
  header->queue_id = queue_id;
  header->batch = true;
  Message::Properties props{{"BATCHPROP", "1"}};
  header->properties = internal::EncodeProperties(props);
  RemotingCommand request = RemotingCommand::Request(rq::kSendBatchMessage, std::move(header));
  request.body = Payload(std::move(body));
  return request;
}

TEST_CASE("a batch is stored atomically with contiguous offsets and one msgId each") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("Batch", 2).ok());
  REQUIRE(f.Send(Message("Batch", "before"), 1).code == rc::kSuccess);
  std::vector<Message> msgs;
  for (int i = 0; i < 5; ++i) {
    Message m("Batch", "Tag" + std::to_string(i), "body-" + std::to_string(i));
    m.set_flag(i);
    msgs.push_back(m);
  }
  RemotingCommand response = f.Call(BatchRequest("Batch", 1, BatchBody(msgs)));
  REQUIRE(response.code == rc::kSuccess);
  auto header = ResponseHeader<SendMessageResponseHeader>(response);
  CHECK(header.queue_id == 1);
  CHECK(header.queue_offset == 1);
  std::vector<std::string> ids;
  for (absl::string_view id : absl::StrSplit(header.msg_id, ',')) ids.emplace_back(id);
  REQUIRE(ids.size() == 5);

  auto got = DecodeRecords(f.Pull("G", "Batch", 1, 1).body);
  REQUIRE(got.size() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(got[i].queue_offset == 1 + i);
    CHECK(got[i].body() == "body-" + std::to_string(i));
    CHECK(got[i].tags() == "Tag" + std::to_string(i));
    CHECK(got[i].flag() == i);
    CHECK(got[i].GetProperty("BATCHPROP") == "1");
    CHECK(got[i].OffsetMsgId() == ids[i]);
  }
}

TEST_CASE("a corrupt batch body is rejected and nothing is stored") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("Batch", 1).ok());
  std::string body = BatchBody({Message("Batch", "a"), Message("Batch", "b")});
  SECTION("truncated") { body.resize(body.size() - 3); }
  SECTION("a size that disagrees with its fields") { body[3] = static_cast<char>(body[3] + 1); }
  SECTION("empty") { body.clear(); }
  RemotingCommand response = f.Call(BatchRequest("Batch", 0, body));
  CHECK(response.code == rc::kMessageIllegal);
  CHECK_THAT(Remark(response), Catch::Contains("batch body"));
  f.broker().store()->WaitForDispatch();
  CHECK(f.broker().store()->GetMaxOffsetInQueue("Batch", 0) == 0);
}

TEST_CASE("a transactional batch is MESSAGE_ILLEGAL and nothing is stored") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("Batch", 1).ok());
  RemotingCommand request =
      BatchRequest("Batch", 0, BatchBody({Message("Batch", "a"), Message("Batch", "b")}));
  static_cast<internal::SendMessageRequestHeader*>(request.header.get())->sys_flag =
      sysflag::kTransactionPreparedType;
  RemotingCommand response = f.Call(std::move(request));
  CHECK(response.code == rc::kMessageIllegal);
  CHECK_THAT(Remark(response), Catch::Contains("a batch cannot be transactional"));
  f.broker().store()->WaitForDispatch();
  CHECK(f.broker().store()->GetMaxOffsetInQueue("Batch", 0) == 0);
}

TEST_CASE("a send to a retry topic past the group's max retries goes to the DLQ") {
  BrokerFixture f;
  RemotingCommand request = BrokerFixture::SendRequest(Message("%RETRY%G9", "dead"), 0);
  auto* header = static_cast<internal::SendMessageRequestHeader*>(request.header.get());
  header->reconsume_times = 16;
  RemotingCommand response = f.Call(std::move(request));
  REQUIRE(response.code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();
  CHECK(f.broker().store()->GetMaxOffsetInQueue("%DLQ%G9", 0) == 1);
  CHECK(f.broker().store()->GetMaxOffsetInQueue("%RETRY%G9", 0) == 0);
}

TEST_CASE("requests outside Start..Shutdown get SERVICE_NOT_AVAILABLE; unknown codes are refused") {
  BrokerFixture f;
  RemotingCommand unknown = f.Call(RemotingCommand::Request(9999));
  CHECK(unknown.code == rc::kRequestCodeNotSupported);
  CHECK_THAT(Remark(unknown), Catch::Contains("9999"));

  f.broker().Shutdown();
  RemotingCommand after = f.Send(Message("T", "x"));
  CHECK(after.code == rc::kServiceNotAvailable);
  CHECK_THAT(Remark(after), Catch::Contains("shut down"));
  CHECK(f.broker().CreateTopic("T2", 1).code() == absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace rmq::testing
