// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PreparedSend::BuildRequest with a lent header (a sync send to an
// in-process broker): the request borrows the header, filled in place, and
// never deletes it; the header is reused send to send; a batch, a nested
// send or a send to a TCP broker gets a header of its own.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "client/send_request.h"
#include "common/msg_id.h"
#include "common/properties_codec.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/clock.h"

namespace rmq::internal {
namespace {

struct Fixture {
  VirtualClock clock;
  UniqKeyGenerator ids{clock, HostAddress::Ipv4(10, 0, 0, 2, 0)};
  ProducerConfig config;
  MessageQueue mq{"TopicA", "broker-a", 3};
};

Message::Properties PropertiesOf(const SendMessageRequestHeader& header) {
  Message::Properties props;
  REQUIRE(header.properties.has_value());
  REQUIRE(DecodeProperties(*header.properties, &props).ok());
  return props;
}

TEST_CASE("a request borrows a lent header, filled in place, and leaves it alive") {
  Fixture f;
  f.config.group_name = "a-producer-group-longer-than-sso";
  SendMessageRequestHeaderV2 lent_v2;
  const SendMessageRequestHeader& lent = lent_v2.v1;
  Message first("TopicA", "one");
  first.PutProperty("TAGS", "TagA");
  first.PutProperty("KEYS", "a-key-long-enough-to-need-the-heap");
  {
    PreparedSend send;
    REQUIRE(send.PrepareMessage(first, f.config, f.ids).ok());
    RemotingCommand request =
        send.BuildRequest(f.mq, f.config, 1234, Payload::Borrow("one"), &lent_v2);
    CHECK(request.code == request_code::kSendMessageV2);  // as RocketMQ's clients send
    CHECK(request.header.get() == &lent_v2);
    CHECK(lent.producer_group == f.config.group_name);
    CHECK(lent.topic == "TopicA");
    CHECK(lent.queue_id == 3);
    CHECK(lent.born_timestamp == 1234);
    const Message::Properties props = PropertiesOf(lent);
    CHECK(props.size() == 3);
    CHECK(props.find("UNIQ_KEY")->second == send.MsgId());
    // The request goes out of scope here: it must not delete `lent`.
  }
  CHECK(lent.topic == "TopicA");

  // The next send overwrites every field; nothing of the last one is left.
  Message second("TopicB", "two");
  second.set_flag(7);
  PreparedSend send;
  REQUIRE(send.PrepareMessage(second, f.config, f.ids).ok());
  const MessageQueue mq{"TopicB", "broker-a", 1};
  RemotingCommand request = send.BuildRequest(mq, f.config, 5678, Payload::Borrow("two"), &lent_v2);
  CHECK(request.header.get() == &lent_v2);
  CHECK(lent.topic == "TopicB");
  CHECK(lent.queue_id == 1);
  CHECK(lent.flag == 7);
  CHECK(lent.born_timestamp == 5678);
  const Message::Properties props = PropertiesOf(lent);
  CHECK(props.size() == 1);
  CHECK(props.find("UNIQ_KEY")->second == send.MsgId());

  // Without a lent header the request owns a header of its own, equal in content.
  RemotingCommand owned = send.BuildRequest(mq, f.config, 5678, Payload::Borrow("two"));
  CHECK(owned.code == request_code::kSendMessageV2);
  auto* header = dynamic_cast<SendMessageRequestHeaderV2*>(owned.header.get());
  REQUIRE(header != nullptr);
  CHECK(header != &lent_v2);
  CHECK(header->v1.topic == lent.topic);
  CHECK(header->v1.properties == lent.properties);
}

TEST_CASE("a batch borrows the lent header too, as SEND_BATCH_MESSAGE") {
  Fixture f;
  SendMessageRequestHeaderV2 lent;
  lent.v1.reconsume_times = 5;  // left from an earlier send
  std::vector<Message> msgs{Message("TopicA", "a"), Message("TopicA", "b")};
  PreparedSend send;
  REQUIRE(send.PrepareBatch(msgs, f.config, f.ids).ok());
  RemotingCommand request = send.BuildRequest(f.mq, f.config, 1, Payload::Borrow(send.body()), &lent);
  CHECK(request.code == request_code::kSendBatchMessage);
  CHECK(request.header.get() == &lent);
  CHECK(lent.v1.batch == true);
  CHECK(lent.v1.reconsume_times == 0);
  CHECK(lent.v1.topic == "TopicA");
  // Owned, it is the same V2 header.
  RemotingCommand owned = send.BuildRequest(f.mq, f.config, 1, Payload::Borrow(send.body()));
  CHECK(owned.code == request_code::kSendBatchMessage);
  auto* header = dynamic_cast<SendMessageRequestHeaderV2*>(owned.header.get());
  REQUIRE(header != nullptr);
  CHECK(header->v1.properties == lent.v1.properties);
}

TEST_CASE("a send's UNIQ_KEY carries the time the send read, else the clock's") {
  Fixture f;
  f.clock.Advance(absl::Hours(24 * 400));
  const int64_t clock_ms = f.clock.NowMillis();
  Message msg("TopicA", "body");
  PreparedSend given;
  REQUIRE(given.PrepareMessage(msg, f.config, f.ids, clock_ms - 2500).ok());
  auto at = UniqKeyTimestamp(given.MsgId(), clock_ms);
  REQUIRE(at.ok());
  CHECK(*at == clock_ms - 2500);
  PreparedSend from_clock;
  REQUIRE(from_clock.PrepareMessage(msg, f.config, f.ids).ok());
  at = UniqKeyTimestamp(from_clock.MsgId(), clock_ms);
  REQUIRE(at.ok());
  CHECK(*at == clock_ms);
}

TEST_CASE("this thread's header is lent to one send at a time, and only when wanted") {
  SendMessageRequestHeaderV2* first_lent = nullptr;
  {
    const LentSendHeader tcp(/*wanted=*/false);
    CHECK(tcp.get() == nullptr);
    const LentSendHeader outer(true);
    REQUIRE(outer.get() != nullptr);
    first_lent = outer.get();
    const LentSendHeader nested(true);  // a send made during the outer one's call
    CHECK(nested.get() == nullptr);
  }
  const LentSendHeader again(true);
  CHECK(again.get() == first_lent);  // the same header, reused
  SendMessageRequestHeaderV2* other_thread = nullptr;
  std::thread([&] {
    const LentSendHeader there(true);
    other_thread = there.get();
  }).join();
  CHECK(other_thread != nullptr);
  CHECK(other_thread != first_lent);
}

}  // namespace
}  // namespace rmq::internal
