// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ParseSendResponse: a broker's answer to a send becomes a SendResult,
// whether its header came over the wire (fields to decode) or from a broker
// in this process (a typed header), and a malformed one an error.

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "client/send_request.h"
#include "common/msg_id.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/clock.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;

struct Prepared {
  Prepared() : ids(clock, HostAddress::Ipv4(10, 0, 0, 2, 0)) {
    REQUIRE(send.PrepareMessage(msg, config, ids).ok());
  }
  VirtualClock clock;
  UniqKeyGenerator ids;
  ProducerConfig config;
  Message msg{"TopicA", "body"};
  PreparedSend send;
  MessageQueue mq{"TopicA", "broker-a", 3};
};

absl::StatusOr<SendResult> Parse(const Prepared& p, RemotingCommand response) {
  int32_t broker_code = -1;
  return ParseSendResponse(response, p.send, p.mq, "10.0.0.1:10911", &broker_code);
}

TEST_CASE("An answer's header from the wire or in process makes the same result") {
  Prepared p;
  RemotingCommand wire = RemotingCommand::Response(rc::kSuccess);
  wire.ext_fields = {{"msgId", "0A00000100002A9F0000000000000064"},
                     {"queueId", "3"},
                     {"queueOffset", "41"},
                     {"transactionId", "tx-1"}};
  auto typed_header = std::make_unique<SendMessageResponseHeader>();
  typed_header->msg_id = "0A00000100002A9F0000000000000064";
  typed_header->queue_id = 3;
  typed_header->queue_offset = 41;
  typed_header->transaction_id = "tx-1";
  RemotingCommand typed = RemotingCommand::Response(rc::kSuccess, {}, std::move(typed_header));

  for (auto* response : {&wire, &typed}) {
    auto result = Parse(p, std::move(*response));
    REQUIRE(result.ok());
    CHECK(result->send_status == SendStatus::kSendOk);
    CHECK(result->msg_id == p.send.MsgId());
    CHECK(result->offset_msg_id == "0A00000100002A9F0000000000000064");
    CHECK(result->message_queue.topic == "TopicA");
    CHECK(result->message_queue.broker_name == "broker-a");
    CHECK(result->message_queue.queue_id == 3);
    CHECK(result->queue_offset == 41);
    CHECK(result->transaction_id == "tx-1");
  }
}

TEST_CASE("An answer missing a required field is an error naming it") {
  Prepared p;
  RemotingCommand wire = RemotingCommand::Response(rc::kSuccess);
  wire.ext_fields = {{"msgId", "0A00000100002A9F0000000000000064"}, {"queueId", "3"}};
  auto result = Parse(p, std::move(wire));
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(result.status().message()),
             Catch::Contains("broker-a") && Catch::Contains("queueOffset"));
}

}  // namespace
}  // namespace rmq::internal
