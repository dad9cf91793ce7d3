// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// DecodeSendResponseFromWire: a send's answer decoded straight from its
// frame into SendMessageResponseHeader, and nothing else; DecodeFrame's
// typed_response.

#include "remoting/typed_responses.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "remoting/frame_codec.h"
#include "remoting/protocol_headers.h"
#include "remoting/remoting_command.h"
#include "remoting/request_code.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;

// What a Java 4.9 broker's answer to a send carries, in its order.
const std::vector<WireField> kSendAnswer = {{"msgId", "C0A8000100002A9F0000000000000064"},
                                            {"queueId", "3"},
                                            {"queueOffset", "100"},
                                            {"TRACE_ON", "true"},
                                            {"MSG_REGION", "DefaultRegion"}};

const SendMessageResponseHeader* AsSendHeader(const CommandHeader* header) {
  return dynamic_cast<const SendMessageResponseHeader*>(header);
}

TEST_CASE("a send's answer becomes a SendMessageResponseHeader for every stored-message code") {
  for (int32_t code : {rc::kSuccess, rc::kFlushDiskTimeout, rc::kFlushSlaveTimeout,
                       rc::kSlaveNotAvailable}) {
    INFO("code " << code);
    std::unique_ptr<CommandHeader> header = DecodeSendResponseFromWire(code, kSendAnswer);
    const SendMessageResponseHeader* send = AsSendHeader(header.get());
    REQUIRE(send != nullptr);
    CHECK(send->msg_id == "C0A8000100002A9F0000000000000064");
    CHECK(send->queue_id == 3);
    CHECK(send->queue_offset == 100);
    CHECK_FALSE(send->transaction_id.has_value());
  }
  std::vector<WireField> with_tx = kSendAnswer;
  with_tx.push_back({"transactionId", "TX1"});
  with_tx.push_back({"queueOffset", "101"});  // A repeated name: the last counts.
  std::unique_ptr<CommandHeader> header = DecodeSendResponseFromWire(rc::kSuccess, with_tx);
  const SendMessageResponseHeader* send = AsSendHeader(header.get());
  REQUIRE(send != nullptr);
  CHECK(send->transaction_id == "TX1");
  CHECK(send->queue_offset == 101);
}

TEST_CASE("other answers are left to ext_fields") {
  // Another code: an error, or a success of a request that is no send.
  CHECK(DecodeSendResponseFromWire(rc::kSystemError, kSendAnswer) == nullptr);
  CHECK(DecodeSendResponseFromWire(rc::kTopicNotExist, kSendAnswer) == nullptr);
  // A success without the three fields a send's answer has together.
  for (std::string_view missing : {"msgId", "queueId", "queueOffset"}) {
    INFO("without " << missing);
    std::vector<WireField> fields;
    for (const WireField& f : kSendAnswer) {
      if (f.name != missing) fields.push_back(f);
    }
    CHECK(DecodeSendResponseFromWire(rc::kSuccess, fields) == nullptr);
  }
  CHECK(DecodeSendResponseFromWire(rc::kSuccess, {}) == nullptr);
  // The fields, but one that does not decode: ext_fields, where the reader
  // reports it.
  std::vector<WireField> bad = kSendAnswer;
  bad[1].text = "three";
  CHECK(DecodeSendResponseFromWire(rc::kSuccess, bad) == nullptr);
}

RemotingCommand SendAnswer() {
  RemotingCommand response = RemotingCommand::Response(rc::kSuccess);
  response.opaque = 7;
  response.ext_fields = {{"MSG_REGION", "DefaultRegion"},
                         {"msgId", "C0A8000100002A9F0000000000000064"},
                         {"queueId", "3"},
                         {"queueOffset", "100"}};
  return response;
}

TEST_CASE("DecodeFrame's typed_response types a send's answer, in both header types") {
  for (SerializeType type : {SerializeType::kRocketmq, SerializeType::kJson}) {
    INFO("serialize type " << static_cast<int>(type));
    const std::string frame = EncodeFrame(SendAnswer(), type).substr(4);
    auto typed = DecodeFrame(frame, FrameLimits{}, nullptr, &DecodeSendResponseFromWire);
    REQUIRE(typed.ok());
    CHECK(typed->opaque == 7);
    CHECK(typed->ext_fields.empty());
    const SendMessageResponseHeader* send = AsSendHeader(typed->header.get());
    REQUIRE(send != nullptr);
    CHECK(send->queue_offset == 100);

    // Without the decoder, and with it given as a request decoder only: ext_fields.
    for (TypedHeaderDecoder as_request : {TypedHeaderDecoder{nullptr}, &DecodeSendResponseFromWire}) {
      auto decoded = DecodeFrame(frame, FrameLimits{}, as_request);
      REQUIRE(decoded.ok());
      CHECK(decoded->header == nullptr);
      CHECK(decoded->ext_fields.size() == 4);
    }
  }
}

TEST_CASE("typed_response is not applied to requests") {
  RemotingCommand request = RemotingCommand::Request(request_code::kSendMessage);
  request.code = rc::kSuccess;  // A request whose code is a stored-message code...
  request.ext_fields = SendAnswer().ext_fields;  // ...and a send answer's fields.
  auto decoded = DecodeFrame(EncodeFrame(request, SerializeType::kRocketmq).substr(4),
                             FrameLimits{}, nullptr, &DecodeSendResponseFromWire);
  REQUIRE(decoded.ok());
  CHECK(decoded->header == nullptr);
  CHECK(decoded->ext_fields.size() == 4);
}

TEST_CASE("a typed answer encodes again to the fields it was decoded from") {
  auto decoded = DecodeFrame(EncodeFrame(SendAnswer(), SerializeType::kRocketmq).substr(4),
                             FrameLimits{}, nullptr, &DecodeSendResponseFromWire);
  REQUIRE(decoded.ok());
  REQUIRE(AsSendHeader(decoded->header.get()) != nullptr);
  decoded->EncodeHeaderFields();
  // MSG_REGION is the one field left out: the client reads none of those.
  ExtFields expected = SendAnswer().ext_fields;
  expected.erase("MSG_REGION");
  CHECK(decoded->ext_fields == expected);
}

}  // namespace
}  // namespace rmq::internal
