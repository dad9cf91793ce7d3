// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/trace/trace_data.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/str_cat.h"

namespace rmq::internal {
namespace {

std::string_view TrueFalse(bool b) { return b ? "true" : "false"; }

// Appends `fields` as one record: CONTENT_SPLITOR between, FIELD_SPLITOR after.
template <typename... Fields>
void AppendRecord(std::string& out, const Fields&... fields) {
  bool first = true;
  auto one = [&](const auto& field) {
    if (!first) out.push_back(kTraceContentSplitor);
    first = false;
    out += StrCat(field);
  };
  (one(fields), ...);
  out.push_back(kTraceFieldSplitor);
}

int32_t Ordinal(TraceMessageType t) { return static_cast<int32_t>(t); }

// Every piece of `s` between `sep`s, empty ones included.
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t begin = 0;
  while (true) {
    size_t end = s.find(sep, begin);
    if (end == std::string_view::npos) {
      out.push_back(s.substr(begin));
      return out;
    }
    out.push_back(s.substr(begin, end - begin));
    begin = end + 1;
  }
}

// The fields of one record, with the record's number for error messages.
class Record {
 public:
  Record(std::vector<std::string_view> fields, size_t index)
      : fields_(std::move(fields)), index_(index) {}
  size_t size() const { return fields_.size(); }
  std::string_view operator[](size_t i) const { return fields_[i]; }

  absl::Status Require(size_t n) const {
    if (fields_.size() >= n) return absl::OkStatus();
    return absl::InvalidArgumentError(StrCat("trace record ", index_, " (", fields_[0],
                                                   ") has ", fields_.size(),
                                                   " fields, needs at least ", n));
  }
  template <typename T>
  absl::Status Number(size_t i, T* out) const {
    if (absl::SimpleAtoi(AbslView(fields_[i]), out)) return absl::OkStatus();
    return absl::InvalidArgumentError(StrCat("trace record ", index_, " (", fields_[0],
                                                   ") field ", i, ": '", fields_[i],
                                                   "' is not a number"));
  }
  absl::Status MsgType(size_t i, TraceMessageType* out) const {
    int32_t ordinal = 0;
    if (absl::Status s = Number(i, &ordinal); !s.ok()) return s;
    if (ordinal < 0 || ordinal > Ordinal(TraceMessageType::kDelay)) {
      return absl::InvalidArgumentError(StrCat("trace record ", index_, " (", fields_[0],
                                                     ") field ", i, ": no message type ",
                                                     ordinal));
    }
    *out = static_cast<TraceMessageType>(ordinal);
    return absl::OkStatus();
  }
  // Boolean.parseBoolean: "true" in any case, anything else false.
  bool Boolean(size_t i) const { return absl::EqualsIgnoreCase(AbslView(fields_[i]), "true"); }

 private:
  std::vector<std::string_view> fields_;
  size_t index_;
};

#define RMQ_TRACE_TRY(expr)                  \
  do {                                       \
    if (absl::Status s = (expr); !s.ok()) { \
      return s;                              \
    }                                        \
  } while (false)

absl::Status DecodePub(const Record& r, TraceContext& ctx) {
  RMQ_TRACE_TRY(r.Require(12));
  TraceBean bean;
  RMQ_TRACE_TRY(r.Number(1, &ctx.time_stamp));
  ctx.region_id = r[2];
  ctx.group_name = r[3];
  bean.topic = r[4];
  bean.msg_id = r[5];
  bean.tags = r[6];
  bean.keys = r[7];
  bean.store_host = r[8];
  RMQ_TRACE_TRY(r.Number(9, &bean.body_length));
  RMQ_TRACE_TRY(r.Number(10, &ctx.cost_time));
  RMQ_TRACE_TRY(r.MsgType(11, &bean.msg_type));
  if (r.size() == 13) {
    ctx.success = r.Boolean(12);
  } else if (r.size() >= 14) {
    bean.offset_msg_id = r[12];
    ctx.success = r.Boolean(13);
    if (r.size() >= 15) bean.client_host = r[14];  // Older clients' records.
  }
  ctx.beans.push_back(std::move(bean));
  return absl::OkStatus();
}

absl::Status DecodeSubBefore(const Record& r, TraceContext& ctx) {
  RMQ_TRACE_TRY(r.Require(8));
  TraceBean bean;
  RMQ_TRACE_TRY(r.Number(1, &ctx.time_stamp));
  ctx.region_id = r[2];
  ctx.group_name = r[3];
  ctx.request_id = r[4];
  bean.msg_id = r[5];
  RMQ_TRACE_TRY(r.Number(6, &bean.retry_times));
  bean.keys = r[7];
  ctx.beans.push_back(std::move(bean));
  return absl::OkStatus();
}

absl::Status DecodeSubAfter(const Record& r, TraceContext& ctx) {
  RMQ_TRACE_TRY(r.Require(6));
  TraceBean bean;
  ctx.request_id = r[1];
  bean.msg_id = r[2];
  RMQ_TRACE_TRY(r.Number(3, &ctx.cost_time));
  ctx.success = r.Boolean(4);
  bean.keys = r[5];
  if (r.size() >= 7) RMQ_TRACE_TRY(r.Number(6, &ctx.context_code));
  if (r.size() >= 8) RMQ_TRACE_TRY(r.Number(7, &ctx.time_stamp));
  ctx.beans.push_back(std::move(bean));
  return absl::OkStatus();
}

absl::Status DecodeEndTransaction(const Record& r, TraceContext& ctx) {
  RMQ_TRACE_TRY(r.Require(13));
  TraceBean bean;
  RMQ_TRACE_TRY(r.Number(1, &ctx.time_stamp));
  ctx.region_id = r[2];
  ctx.group_name = r[3];
  bean.topic = r[4];
  bean.msg_id = r[5];
  bean.tags = r[6];
  bean.keys = r[7];
  bean.store_host = r[8];
  RMQ_TRACE_TRY(r.MsgType(9, &bean.msg_type));
  bean.transaction_id = r[10];
  bean.transaction_state = r[11];
  bean.from_transaction_check = r.Boolean(12);
  ctx.beans.push_back(std::move(bean));
  return absl::OkStatus();
}

#undef RMQ_TRACE_TRY

}  // namespace

std::string_view TraceTypeName(TraceType type) {
  switch (type) {
    case TraceType::kPub:
      return "Pub";
    case TraceType::kSubBefore:
      return "SubBefore";
    case TraceType::kSubAfter:
      return "SubAfter";
    case TraceType::kEndTransaction:
      return "EndTransaction";
  }
  return "";
}

TraceTransferBean EncodeTraceContext(const TraceContext& ctx) {
  TraceTransferBean out;
  std::string& d = out.data;
  const std::string_view type = TraceTypeName(ctx.type);
  switch (ctx.type) {
    case TraceType::kPub:
      if (!ctx.beans.empty()) {
        const TraceBean& b = ctx.beans.front();
        AppendRecord(d, type, ctx.time_stamp, ctx.region_id, ctx.group_name, b.topic, b.msg_id,
                     b.tags, b.keys, b.store_host, b.body_length, ctx.cost_time,
                     Ordinal(b.msg_type), b.offset_msg_id, TrueFalse(ctx.success));
      }
      break;
    case TraceType::kSubBefore:
      for (const TraceBean& b : ctx.beans) {
        AppendRecord(d, type, ctx.time_stamp, ctx.region_id, ctx.group_name, ctx.request_id,
                     b.msg_id, b.retry_times, b.keys);
      }
      break;
    case TraceType::kSubAfter:
      for (const TraceBean& b : ctx.beans) {
        AppendRecord(d, type, ctx.request_id, b.msg_id, ctx.cost_time, TrueFalse(ctx.success), b.keys,
                     ctx.context_code, ctx.time_stamp);
      }
      break;
    case TraceType::kEndTransaction:
      if (!ctx.beans.empty()) {
        const TraceBean& b = ctx.beans.front();
        AppendRecord(d, type, ctx.time_stamp, ctx.region_id, ctx.group_name, b.topic, b.msg_id,
                     b.tags, b.keys, b.store_host, Ordinal(b.msg_type), b.transaction_id,
                     b.transaction_state, TrueFalse(b.from_transaction_check));
      }
      break;
  }
  for (const TraceBean& b : ctx.beans) {
    out.keys.push_back(b.msg_id);
    if (!b.keys.empty()) out.keys.push_back(b.keys);
  }
  return out;
}

absl::StatusOr<std::vector<TraceContext>> DecodeTraceData(std::string_view data) {
  std::vector<TraceContext> out;
  size_t index = 0;
  for (std::string_view record : Split(data, kTraceFieldSplitor)) {
    ++index;
    if (record.empty()) continue;
    Record r(Split(record, kTraceContentSplitor), index);
    TraceContext ctx;
    absl::Status s;
    if (r[0] == "Pub") {
      ctx.type = TraceType::kPub;
      s = DecodePub(r, ctx);
    } else if (r[0] == "SubBefore") {
      ctx.type = TraceType::kSubBefore;
      s = DecodeSubBefore(r, ctx);
    } else if (r[0] == "SubAfter") {
      ctx.type = TraceType::kSubAfter;
      s = DecodeSubAfter(r, ctx);
    } else if (r[0] == "EndTransaction") {
      ctx.type = TraceType::kEndTransaction;
      s = DecodeEndTransaction(r, ctx);
    } else {
      continue;  // As RocketMQ: a record of another type is skipped.
    }
    if (!s.ok()) return s;
    out.push_back(std::move(ctx));
  }
  return out;
}

}  // namespace rmq::internal
