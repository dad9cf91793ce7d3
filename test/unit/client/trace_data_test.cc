// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The message trace text format against records written by hand from
// RocketMQ 4.9's TraceDataEncoder, and decode(encode(x)) == x.

#include "client/trace/trace_data.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace rmq::internal {
namespace {

TraceContext Pub() {
  TraceContext ctx;
  ctx.type = TraceType::kPub;
  ctx.time_stamp = 1767225600123;
  ctx.region_id = "DefaultRegion";
  ctx.group_name = "PG";
  ctx.cost_time = 7;
  ctx.success = true;
  TraceBean b;
  b.topic = "TopicA";
  b.msg_id = "7F00000100002A9F0000000000000001";
  b.tags = "TagA";
  b.keys = "order-1";
  b.store_host = "127.0.0.1:10911";
  b.body_length = 11;
  b.msg_type = TraceMessageType::kDelay;
  b.offset_msg_id = "7F00000100002A9F00000000000000C8";
  ctx.beans.push_back(b);
  return ctx;
}

TraceBean ConsumedBean(std::string msg_id, std::string keys, int32_t retry) {
  TraceBean b;
  b.msg_id = std::move(msg_id);
  b.keys = std::move(keys);
  b.retry_times = retry;
  return b;
}

TEST_CASE("Pub record: RocketMQ's 14 fields in encoderFromContextBean's order") {
  TraceTransferBean t = EncodeTraceContext(Pub());
  CHECK(t.data ==
        "Pub\x01"
        "1767225600123\x01"
        "DefaultRegion\x01"
        "PG\x01"
        "TopicA\x01"
        "7F00000100002A9F0000000000000001\x01"
        "TagA\x01"
        "order-1\x01"
        "127.0.0.1:10911\x01"
        "11\x01"
        "7\x01"
        "3\x01"
        "7F00000100002A9F00000000000000C8\x01"
        "true\x02");
  CHECK(t.keys == std::vector<std::string>{"7F00000100002A9F0000000000000001", "order-1"});
}

TEST_CASE("SubBefore and SubAfter: one record per message") {
  TraceContext before;
  before.type = TraceType::kSubBefore;
  before.time_stamp = 1767225600200;
  before.region_id = "DefaultRegion";
  before.group_name = "CG";
  before.request_id = "REQ1";
  before.beans = {ConsumedBean("M1", "k1", 0), ConsumedBean("M2", "", 2)};
  TraceTransferBean t = EncodeTraceContext(before);
  CHECK(t.data ==
        "SubBefore\x01" "1767225600200\x01" "DefaultRegion\x01" "CG\x01" "REQ1\x01" "M1\x01"
        "0\x01" "k1\x02"
        "SubBefore\x01" "1767225600200\x01" "DefaultRegion\x01" "CG\x01" "REQ1\x01" "M2\x01"
        "2\x01" "\x02");
  // Keys: each msgId, and the keys of messages that have some.
  CHECK(t.keys == std::vector<std::string>{"M1", "k1", "M2"});

  TraceContext after;
  after.type = TraceType::kSubAfter;
  after.request_id = "REQ1";
  after.cost_time = 15;
  after.success = false;
  after.context_code = static_cast<int32_t>(TraceConsumeReturnType::kFailed);
  after.time_stamp = 1767225600230;
  after.beans = {ConsumedBean("M1", "k1", 0)};
  CHECK(EncodeTraceContext(after).data ==
        "SubAfter\x01" "REQ1\x01" "M1\x01" "15\x01" "false\x01" "k1\x01" "4\x01"
        "1767225600230\x02");
}

TEST_CASE("EndTransaction record") {
  TraceContext ctx;
  ctx.type = TraceType::kEndTransaction;
  ctx.time_stamp = 5;
  ctx.region_id = "DefaultRegion";
  ctx.group_name = "TG";
  TraceBean b;
  b.topic = "T";
  b.msg_id = "M";
  b.tags = "";
  b.keys = "K";
  b.store_host = "10.0.0.1:10911";
  b.msg_type = TraceMessageType::kTransHalf;
  b.transaction_id = "TX";
  b.transaction_state = "COMMIT_MESSAGE";
  b.from_transaction_check = true;
  ctx.beans.push_back(b);
  CHECK(EncodeTraceContext(ctx).data ==
        "EndTransaction\x01" "5\x01" "DefaultRegion\x01" "TG\x01" "T\x01" "M\x01" "\x01" "K\x01"
        "10.0.0.1:10911\x01" "1\x01" "TX\x01" "COMMIT_MESSAGE\x01" "true\x02");
}

TEST_CASE("decode(encode(x)) == x for every type, records concatenated as a trace body") {
  TraceContext pub = Pub();
  TraceContext before;
  before.type = TraceType::kSubBefore;
  before.time_stamp = 10;
  before.region_id = "DefaultRegion";
  before.group_name = "CG";
  before.request_id = "R";
  before.beans = {ConsumedBean("M1", "k1", 3)};
  TraceContext after;
  after.type = TraceType::kSubAfter;
  after.request_id = "R";
  after.cost_time = 2;
  after.success = true;
  after.time_stamp = 12;
  after.beans = {ConsumedBean("M1", "k1", 0)};
  std::string body = EncodeTraceContext(pub).data + EncodeTraceContext(before).data +
                     EncodeTraceContext(after).data;
  auto decoded = DecodeTraceData(body);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == 3);
  CHECK((*decoded)[0] == pub);
  CHECK((*decoded)[1] == before);
  CHECK((*decoded)[2] == after);
}

TEST_CASE("decoder reads older layouts as RocketMQ does") {
  // 13 fields: no offsetMsgId; 15: an older client's clientHost at the end;
  // SubAfter with 6 fields: no contextCode, no timestamp.
  std::string body =
      "Pub\x01" "1\x01" "R\x01" "G\x01" "T\x01" "M\x01" "tg\x01" "k\x01" "h:1\x01" "4\x01" "2\x01"
      "0\x01" "false\x02"
      "Pub\x01" "1\x01" "R\x01" "G\x01" "T\x01" "M\x01" "tg\x01" "k\x01" "h:1\x01" "4\x01" "2\x01"
      "0\x01" "OFF\x01" "TRUE\x01" "10.1.1.1\x02"
      "SubAfter\x01" "R\x01" "M\x01" "9\x01" "true\x01" "k\x02"
      "\x02"
      "Unknown\x01" "x\x02";
  auto decoded = DecodeTraceData(body);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == 3);
  CHECK_FALSE((*decoded)[0].success);
  CHECK((*decoded)[0].beans[0].offset_msg_id.empty());
  CHECK((*decoded)[1].success);
  CHECK((*decoded)[1].beans[0].offset_msg_id == "OFF");
  CHECK((*decoded)[1].beans[0].client_host == "10.1.1.1");
  CHECK((*decoded)[2].cost_time == 9);
  CHECK((*decoded)[2].context_code == 0);
  CHECK((*decoded)[2].time_stamp == 0);
}

TEST_CASE("decoder rejects short records, bad numbers and unknown message types") {
  CHECK(DecodeTraceData("").ok());
  CHECK_FALSE(DecodeTraceData("Pub\x01" "1\x02").ok());
  CHECK_FALSE(DecodeTraceData("SubBefore\x01" "x\x01" "R\x01" "G\x01" "Q\x01" "M\x01" "0\x01" "k\x02").ok());
  CHECK_FALSE(DecodeTraceData("Pub\x01" "1\x01" "R\x01" "G\x01" "T\x01" "M\x01" "tg\x01" "k\x01"
                              "h\x01" "4\x01" "2\x01" "9\x02").ok());
  absl::Status s = DecodeTraceData("SubAfter\x01" "R\x01" "M\x01" "slow\x01" "true\x01" "k\x02").status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("'slow'") != std::string::npos);
}

}  // namespace
}  // namespace rmq::internal
