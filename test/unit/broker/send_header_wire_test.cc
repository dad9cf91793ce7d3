// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// DecodeSendHeaderFromWire: a send request's header decoded straight from a
// frame's fields is the header DecodeSendHeader makes of the ext_fields the
// same fields make, in either naming (V1 long names, V2 one-letter names),
// in any order and with repeated names; fields it cannot decode are left to
// ext_fields, where DecodeSendHeader reports the field.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "broker/send_message_processor.h"
#include "remoting/frame_codec.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"

namespace rmq::internal {
namespace {

namespace rq = request_code;

constexpr int32_t kSendCodes[] = {rq::kSendMessage, rq::kSendMessageV2, rq::kSendBatchMessage};

// As a Java producer sends SendMessageRequestHeaderV2, in HashMap order.
const std::vector<WireField> kV2 = {
    {"d", "4"}, {"e", "2"},  {"a", "PG"},         {"f", "0"}, {"b", "TopicV2"}, {"g", "1700000000123"},
    {"h", "0"}, {"c", "TBW102"}, {"i", "TAGS\x01TagA\x02"}, {"j", "0"}, {"k", "false"}, {"m", "false"}};

// Long names, out of order, with a repeated queueId (the last counts).
const std::vector<WireField> kV1 = {
    {"topic", "TopicV1"},      {"queueId", "9"},        {"producerGroup", "PG"},
    {"defaultTopic", "TBW102"}, {"defaultTopicQueueNums", "8"}, {"sysFlag", "4"},
    {"bornTimestamp", "17"},   {"flag", "3"},            {"properties", "KEYS\x01k\x02"},
    {"unitMode", "TRUE"},      {"maxReconsumeTimes", "5"}, {"queueId", "1"},
    {"x-trace", "ignored"}};

// The header as its ext fields, to compare two headers field by field.
ExtFields Fields(const SendMessageRequestHeader& header) {
  ExtFields fields;
  header.Encode(&fields);
  return fields;
}

// What DecodeSendHeader makes of the ext_fields `wire` makes.
absl::StatusOr<ExtFields> ViaExtFields(int32_t code, std::span<const WireField> wire) {
  RemotingCommand request = RemotingCommand::Request(code);
  request.ext_fields.AssignFromWire(wire);
  auto header = DecodeSendHeader(request);
  if (!header.ok()) return header.status();
  return Fields(**header);
}

// The send header a typed header holds: itself (V1) or its fields (V2);
// null for any other header.
SendMessageRequestHeader* SendFieldsOf(CommandHeader* typed) {
  if (auto* v2 = dynamic_cast<SendMessageRequestHeaderV2*>(typed)) return &v2->v1;
  return dynamic_cast<SendMessageRequestHeader*>(typed);
}

void CheckSameAsViaExtFields(int32_t code, std::span<const WireField> wire) {
  std::unique_ptr<CommandHeader> typed = DecodeSendHeaderFromWire(code, wire);
  REQUIRE(typed != nullptr);
  SendMessageRequestHeader* header = SendFieldsOf(typed.get());
  REQUIRE(header != nullptr);
  auto want = ViaExtFields(code, wire);
  REQUIRE(want.ok());
  CHECK(Fields(*header) == *want);
}

TEST_CASE("a send header from the wire is the one DecodeSendHeader makes of ext_fields") {
  for (int32_t code : kSendCodes) {
    INFO("code " << code);
    CheckSameAsViaExtFields(code, kV2);
    CheckSameAsViaExtFields(code, kV1);
    // Both namings at once: the long names count, as via ext_fields.
    std::vector<WireField> both = kV1;
    both.insert(both.end(), kV2.begin(), kV2.end());
    CheckSameAsViaExtFields(code, both);
  }
  auto v2 = DecodeSendHeaderFromWire(rq::kSendMessageV2, kV2);
  // One-letter names make the V2 form, holding the fields without a copy.
  REQUIRE(dynamic_cast<SendMessageRequestHeaderV2*>(v2.get()) != nullptr);
  const SendMessageRequestHeader& header = *SendFieldsOf(v2.get());
  CHECK(header.topic == "TopicV2");
  CHECK(header.queue_id == 2);
  CHECK(header.born_timestamp == 1700000000123);
  CHECK(header.properties == "TAGS\x01TagA\x02");
  auto v1 = DecodeSendHeaderFromWire(rq::kSendMessage, kV1);
  const auto& long_names = dynamic_cast<SendMessageRequestHeader&>(*v1);
  CHECK(long_names.queue_id == 1);
  CHECK(long_names.unit_mode == true);
}

TEST_CASE("fields a send header cannot take are left to ext_fields, which name them") {
  std::vector<WireField> bad_queue = kV2;
  bad_queue.push_back({"e", "2x"});
  std::vector<WireField> no_group;
  for (const WireField& field : kV1) {
    if (field.name != "producerGroup") no_group.push_back(field);
  }
  for (int32_t code : kSendCodes) {
    CHECK(DecodeSendHeaderFromWire(code, bad_queue) == nullptr);
    CHECK(ViaExtFields(code, bad_queue).status().message() ==
          "SendMessageRequestHeaderV2: field e '2x' is not a 32-bit integer");
    CHECK(DecodeSendHeaderFromWire(code, no_group) == nullptr);
    CHECK(ViaExtFields(code, no_group).status().message() ==
          "SendMessageRequestHeader: field producerGroup is missing");
  }
  // Other codes are never decoded here.
  CHECK(DecodeSendHeaderFromWire(rq::kPullMessage, kV1) == nullptr);
  CHECK(DecodeSendHeaderFromWire(rq::kHeartBeat, {}) == nullptr);
}

TEST_CASE("DecodeFrame with the send decoder: typed send requests, everything else in ext_fields") {
  for (SerializeType type : {SerializeType::kJson, SerializeType::kRocketmq}) {
    INFO("serialize type " << static_cast<int>(type));
    RemotingCommand send = RemotingCommand::Request(rq::kSendMessageV2);
    send.ext_fields.AssignFromWire(kV2);
    send.body = Payload(std::string("body"));
    const std::string frame = EncodeFrame(send, type);
    auto decoded = DecodeFrame(frame.substr(4), FrameLimits{}, &DecodeSendHeaderFromWire);
    REQUIRE(decoded.ok());
    CHECK(decoded->ext_fields.empty());
    SendMessageRequestHeader* header = SendFieldsOf(decoded->header.get());
    REQUIRE(header != nullptr);
    CHECK(Fields(*header) == *ViaExtFields(rq::kSendMessageV2, kV2));
    CHECK(decoded->body.ToString() == "body");

    // A response with the same code and fields, and a malformed send: ext_fields.
    RemotingCommand response = RemotingCommand::Response(rq::kSendMessageV2);
    response.ext_fields = send.ext_fields;
    auto decoded_response =
        DecodeFrame(EncodeFrame(response, type).substr(4), FrameLimits{}, &DecodeSendHeaderFromWire);
    REQUIRE(decoded_response.ok());
    CHECK(decoded_response->header == nullptr);
    CHECK(decoded_response->ext_fields == send.ext_fields);
    RemotingCommand malformed = RemotingCommand::Request(rq::kSendMessageV2);
    malformed.ext_fields = {{"b", "TopicV2"}};
    auto decoded_malformed = DecodeFrame(EncodeFrame(malformed, type).substr(4), FrameLimits{},
                                         &DecodeSendHeaderFromWire);
    REQUIRE(decoded_malformed.ok());
    CHECK(decoded_malformed->header == nullptr);
    CHECK(decoded_malformed->ext_fields == malformed.ext_fields);
  }
}

}  // namespace
}  // namespace rmq::internal
