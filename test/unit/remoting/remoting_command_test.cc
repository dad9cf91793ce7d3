// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RemotingCommand: typed headers and ext fields (DecodeHeader,
// EncodeHeaderFields), the flag bits, response codes as absl::Status, and
// Payload ownership.

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "remoting/protocol_headers.h"
#include "remoting/remoting_command.h"
#include "remoting/request_code.h"
#include "unit/remoting/header_samples.h"

namespace rmq::internal {
namespace {

using namespace header_samples;

// ---- RemotingCommand --------------------------------------------------------------

TEST_CASE("DecodeHeader decodes ext fields once and keeps the typed header", "[command]") {
  // A command as it comes off the wire: header fields as text.
  RemotingCommand command = RemotingCommand::Request(request_code::kGetMaxOffset);
  command.ext_fields = Encode(Filled<QueueRequestHeader>::Make());

  auto first = command.DecodeHeader<QueueRequestHeader>();
  REQUIRE(first.ok());
  CHECK((*first)->topic == "TopicA");
  CHECK((*first)->queue_id == 7);
  CHECK(command.header.get() == *first);

  // Later calls return the typed header, not a new decode of ext_fields.
  command.ext_fields["queueId"] = "8";
  auto second = command.DecodeHeader<QueueRequestHeader>();
  REQUIRE(second.ok());
  CHECK(*second == *first);
  CHECK((*second)->queue_id == 7);
}

TEST_CASE("DecodeHeader returns a typed header of the same type as it is", "[command]") {
  // A command from this process: typed header, no ext fields at all.
  auto header = std::make_unique<PullMessageRequestHeader>(Filled<PullMessageRequestHeader>::Make());
  PullMessageRequestHeader* raw = header.get();
  RemotingCommand command = RemotingCommand::Request(request_code::kPullMessage, std::move(header));
  REQUIRE(command.ext_fields.empty());

  auto decoded = command.DecodeHeader<PullMessageRequestHeader>();
  REQUIRE(decoded.ok());
  CHECK(*decoded == raw);
  CHECK((*decoded)->queue_offset == 1000);
  CHECK(command.ext_fields.empty());  // nothing was encoded on the way
}

TEST_CASE("DecodeHeader of another type decodes from ext fields", "[command]") {
  // QUERY_CONSUMER_OFFSET and UPDATE_CONSUMER_OFFSET share field names; a
  // typed header of one type is not taken for the other.
  RemotingCommand command = RemotingCommand::Request(
      request_code::kQueryConsumerOffset,
      std::make_unique<QueryConsumerOffsetRequestHeader>(
          Filled<QueryConsumerOffsetRequestHeader>::Make()));

  auto missing = command.DecodeHeader<UpdateConsumerOffsetRequestHeader>();
  REQUIRE(missing.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(missing.status().message() ==
        "UpdateConsumerOffsetRequestHeader: field consumerGroup is missing");
  // A failed decode leaves the typed header in place.
  CHECK(dynamic_cast<QueryConsumerOffsetRequestHeader*>(command.header.get()) != nullptr);

  command.EncodeHeaderFields();
  command.ext_fields["commitOffset"] = "77";
  auto decoded = command.DecodeHeader<UpdateConsumerOffsetRequestHeader>();
  REQUIRE(decoded.ok());
  CHECK((*decoded)->consumer_group == "CG");
  CHECK((*decoded)->queue_id == 5);
  CHECK((*decoded)->commit_offset == 77);
}

TEST_CASE("DecodeHeader reports a bad field of a wire command", "[command]") {
  RemotingCommand command = RemotingCommand::Request(request_code::kViewMessageById);
  command.ext_fields = {{"offset", "12x"}};
  auto decoded = command.DecodeHeader<ViewMessageRequestHeader>();
  REQUIRE(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(decoded.status().message() ==
        "ViewMessageRequestHeader: field offset '12x' is not a 64-bit integer");
  CHECK(command.header == nullptr);
}

TEST_CASE("EncodeHeaderFields writes the typed header into ext fields", "[command]") {
  RemotingCommand command = RemotingCommand::Response(
      response_code::kSuccess, "",
      std::make_unique<SendMessageResponseHeader>(Filled<SendMessageResponseHeader>::Make()));
  command.ext_fields["traceOn"] = "true";
  command.EncodeHeaderFields();
  CHECK(command.ext_fields ==
        ExtFields{{"msgId", "7F00000100002A9F0000000000000000"},
                  {"queueId", "1"},
                  {"queueOffset", "99"},
                  {"transactionId", "tx-1"},
                  {"traceOn", "true"}});
  CHECK(command.is_response());

  RemotingCommand bare = RemotingCommand::Request(request_code::kHeartBeat);
  bare.EncodeHeaderFields();
  CHECK(bare.ext_fields.empty());
}

TEST_CASE("Request and Response set the flag bits", "[command]") {
  RemotingCommand request = RemotingCommand::Request(request_code::kSendMessage);
  CHECK(request.code == 10);
  CHECK(request.flag == 0);
  CHECK_FALSE(request.is_response());
  CHECK_FALSE(request.is_oneway());
  CHECK(request.language == "CPP");
  CHECK(request.version == 401);  // MQVersion.Version.V4_9_4.ordinal()

  RemotingCommand response = RemotingCommand::Response(response_code::kTopicNotExist, "no topic");
  CHECK(response.flag == RemotingCommand::kResponseFlag);
  CHECK(response.is_response());
  CHECK(response.remark == "no topic");

  request.flag |= RemotingCommand::kOnewayFlag;
  CHECK(request.is_oneway());
  CHECK(RemotingCommand::kResponseFlag == 1);  // RPC_TYPE bit 0
  CHECK(RemotingCommand::kOnewayFlag == 2);    // RPC_ONEWAY bit 1
}

TEST_CASE("ResponseToStatus maps response codes and keeps the remark", "[command]") {
  CHECK(ResponseToStatus(RemotingCommand::Response(response_code::kSuccess), "send").ok());

  absl::Status not_found = ResponseToStatus(
      RemotingCommand::Response(response_code::kTopicNotExist, "topic[T] not exist"),
      "SEND_MESSAGE to broker-a");
  CHECK(not_found.code() == absl::StatusCode::kNotFound);
  CHECK(not_found.message() == "SEND_MESSAGE to broker-a: topic[T] not exist (response code 17)");

  CHECK(ResponseToStatus(RemotingCommand::Response(response_code::kNoPermission), "x").code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(ResponseToStatus(RemotingCommand::Response(response_code::kSystemBusy), "x").code() ==
        absl::StatusCode::kResourceExhausted);
  CHECK(ResponseToStatus(RemotingCommand::Response(response_code::kServiceNotAvailable), "x")
            .code() == absl::StatusCode::kUnavailable);
  CHECK(ResponseToStatus(RemotingCommand::Response(response_code::kTopicExistAlready), "x")
            .code() == absl::StatusCode::kAlreadyExists);
  CHECK(ResponseToStatus(RemotingCommand::Response(response_code::kRequestCodeNotSupported), "x")
            .code() == absl::StatusCode::kInvalidArgument);
  absl::Status other = ResponseToStatus(RemotingCommand::Response(response_code::kSystemError), "x");
  CHECK(other.code() == absl::StatusCode::kInternal);
  CHECK(other.message() == "x: request failed (response code 1)");
}

TEST_CASE("RequestCodeName names RocketMQ's codes", "[command]") {
  CHECK(RequestCodeName(request_code::kSendMessage) == "SEND_MESSAGE");
  CHECK(RequestCodeName(request_code::kGetRouteInfoByTopic) == "GET_ROUTEINFO_BY_TOPIC");
  CHECK(RequestCodeName(request_code::kSendMessageV2) == "SEND_MESSAGE_V2");
  CHECK(RequestCodeName(99999) == "CODE_99999");
}


// ---- Payload ------------------------------------------------------------------------

TEST_CASE("an owning payload keeps its bytes where they are when moved", "[payload]") {
  Payload owned(std::string(1000, 'x'));
  const char* data = owned.chunks()[0].data();
  Payload moved = std::move(owned);
  CHECK(moved.chunks()[0].data() == data);
  CHECK(moved.size() == 1000);
  CHECK_FALSE(moved.empty());
  Payload copy = moved;  // copies share the bytes
  CHECK(copy.chunks()[0].data() == data);
  CHECK(Payload().empty());
  CHECK(Payload().ToString().empty());
  CHECK(Payload(std::string()).empty());
}

TEST_CASE("a borrowed payload points at the caller's bytes", "[payload]") {
  const std::string bytes = "message body";
  Payload borrowed = Payload::Borrow(bytes);
  REQUIRE(borrowed.chunks().size() == 1);
  CHECK(borrowed.chunks()[0].data() == bytes.data());
  CHECK(borrowed.size() == bytes.size());
  CHECK(borrowed.ToString() == bytes);
}


TEST_CASE("ExtFields is a map kept sorted by name", "[remoting]") {
  ExtFields fields = {{"b", "2"}, {"a", "1"}, {"b", "ignored"}};  // as std::map: first wins
  CHECK(fields.size() == 2);
  CHECK(fields.at("b") == "2");
  fields.insert_or_assign("c", std::string_view("3"));
  fields.insert_or_assign("a", "one");
  fields["0"] = "zero";
  CHECK_FALSE(fields.emplace("c", "x").second);
  CHECK(fields.emplace("d", "4").second);
  fields.insert_or_assign("e", "five");
  fields.insert_or_assign("bb", "22");
  std::vector<std::string> names;
  for (const auto& [name, value] : fields) names.push_back(name);
  CHECK(names == std::vector<std::string>{"0", "a", "b", "bb", "c", "d", "e"});
  CHECK(fields.at("a") == "one");
  CHECK(fields.at("e") == "five");
  CHECK(fields.contains("bb"));
  CHECK(fields.count("zz") == 0);
  CHECK(fields.find("zz") == fields.end());
  CHECK_THROWS_AS(fields.at("zz"), std::out_of_range);
  CHECK(fields.erase("bb") == 1);
  CHECK(fields.erase("bb") == 0);
  CHECK(fields == ExtFields{{"0", "zero"}, {"a", "one"}, {"b", "2"}, {"c", "3"}, {"d", "4"},
                            {"e", "five"}});
}
TEST_CASE("ExtFields from the wire: sorted by name, the last of a repeated name wins",
          "[remoting]") {
  // A Java peer's HashMap order, with a name repeated (Java's map.put keeps
  // the last), replacing what was there.
  ExtFields fields = {{"stale", "x"}};
  const WireField wire[] = {{"queueId", "1"}, {"b", "TopicA"}, {"a", "PG"},
                            {"queueId", "2"}, {"", "empty name"}, {"b", "TopicB"},
                            {"queueId", "3"}, {"long", std::string_view("value longer than sso ...")}};
  fields.AssignFromWire(wire);
  CHECK(fields == ExtFields{{"", "empty name"},
                            {"a", "PG"},
                            {"b", "TopicB"},
                            {"long", "value longer than sso ..."},
                            {"queueId", "3"}});
  fields.AssignFromWire({});
  CHECK(fields.empty());
}

TEST_CASE("ExtFields from the wire agree with inserting the fields one by one", "[remoting]") {
  // Every order of a few names with repeats: the result is what
  // insert_or_assign field by field (the previous decoder) gives.
  std::vector<WireField> wire = {{"c", "1"}, {"a", "2"}, {"b", "3"}, {"a", "4"}, {"c", "5"}};
  std::sort(wire.begin(), wire.end(),
            [](const WireField& x, const WireField& y) { return x.text < y.text; });
  do {
    ExtFields inserted;
    for (const WireField& field : wire) {
      inserted.insert_or_assign(std::string(field.name), field.text);
    }
    ExtFields assigned;
    assigned.AssignFromWire(wire);
    CHECK(assigned == inserted);
  } while (std::next_permutation(wire.begin(), wire.end(), [](const WireField& x, const WireField& y) {
    return x.text < y.text;
  }));
  // Distinct names in every order, the ascending one (what rmq's encoder
  // writes, stored as it comes) among them; and ascending but for a repeat.
  std::vector<WireField> distinct = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}};
  do {
    ExtFields inserted;
    for (const WireField& field : distinct) {
      inserted.insert_or_assign(std::string(field.name), field.text);
    }
    ExtFields assigned = {{"stale", "x"}};
    assigned.AssignFromWire(distinct);
    CHECK(assigned == inserted);
  } while (std::next_permutation(distinct.begin(), distinct.end(),
                                 [](const WireField& x, const WireField& y) { return x.name < y.name; }));
  const WireField repeated[] = {{"a", "1"}, {"b", "2"}, {"b", "3"}, {"c", "4"}};
  ExtFields assigned;
  assigned.AssignFromWire(repeated);
  CHECK(assigned == ExtFields{{"a", "1"}, {"b", "3"}, {"c", "4"}});
}

}  // namespace
}  // namespace rmq::internal
