// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/trace/trace_hooks.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "common/msg_id.h"
#include "common/str_cat.h"

namespace rmq::internal {
namespace {

// As sendKernelImpl picks the context's MessageType.
TraceMessageType MsgTypeOf(const Message& msg) {
  if (absl::EqualsIgnoreCase(AbslView(msg.GetProperty(property::kTransactionPrepared)), "true")) {
    return TraceMessageType::kTransHalf;
  }
  if (msg.HasProperty(property::kDelayTimeLevel) && msg.GetProperty(property::kDelayTimeLevel) != "0") {
    return TraceMessageType::kDelay;
  }
  return TraceMessageType::kNormal;
}

// A batch's comma-separated ids.
std::vector<std::string_view> SplitIds(std::string_view ids) {
  std::vector<std::string_view> out;
  while (true) {
    size_t comma = ids.find(',');
    out.push_back(ids.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    ids.remove_prefix(comma + 1);
  }
}

// The broker "ip:port" an offset msgId names; "" if it names none.
std::string StoreHostOf(std::string_view offset_msg_id) {
  auto decoded = DecodeOffsetMsgId(offset_msg_id);
  return decoded.ok() ? decoded->store_host.ToString() : std::string();
}

TraceContext PubContext(const std::string& group, const Message& msg, int64_t begin_ms,
                        int64_t now_ms) {
  TraceContext ctx;
  ctx.type = TraceType::kPub;
  ctx.time_stamp = begin_ms;
  ctx.region_id = std::string(kDefaultTraceRegionId);
  ctx.group_name = group;
  ctx.cost_time = static_cast<int32_t>(now_ms - begin_ms);
  TraceBean bean;
  bean.topic = msg.topic();
  bean.tags = std::string(msg.tags());
  bean.keys = std::string(msg.keys());
  bean.body_length = static_cast<int32_t>(msg.body().size());
  bean.msg_type = MsgTypeOf(msg);
  bean.store_time = begin_ms + ctx.cost_time / 2;
  ctx.beans.push_back(std::move(bean));
  return ctx;
}

bool IsTraceMessage(const TraceDispatcher& d, const Message& msg) {
  return msg.topic().starts_with(d.trace_topic());
}

// SubBefore for `msgs` (ConsumeMessageTraceHookImpl.consumeMessageBefore);
// no beans if every message has TRACE_ON=false.
TraceContext SubBefore(TraceDispatcher& d, const std::string& group,
                       std::span<const MessageExt> msgs) {
  TraceContext ctx;
  ctx.type = TraceType::kSubBefore;
  ctx.group_name = group;
  ctx.request_id = d.NewRequestId();
  ctx.region_id = std::string(kDefaultTraceRegionId);
  for (const MessageExt& msg : msgs) {
    if (msg.GetProperty(property::kTraceSwitch) == "false") continue;
    if (std::string_view region = msg.GetProperty(property::kMsgRegion); !region.empty()) {
      ctx.region_id = std::string(region);
    }
    TraceBean bean;
    bean.topic = msg.topic();
    std::string_view uniq = msg.GetProperty(property::kUniqKey);
    bean.msg_id = uniq.empty() ? msg.OffsetMsgId() : std::string(uniq);
    bean.tags = std::string(msg.tags());
    bean.keys = std::string(msg.keys());
    bean.store_time = msg.store_timestamp;
    bean.body_length = msg.store_size;
    bean.retry_times = msg.reconsume_times;
    ctx.beans.push_back(std::move(bean));
  }
  ctx.time_stamp = d.clock().NowMillis();
  return ctx;
}

// SubAfter for a SubBefore (consumeMessageAfter).
void SubAfter(TraceDispatcher& d, const TraceContext& before, size_t msg_count, bool success,
              TraceConsumeReturnType code) {
  TraceContext ctx;
  ctx.type = TraceType::kSubAfter;
  ctx.region_id = before.region_id;
  ctx.group_name = before.group_name;
  ctx.request_id = before.request_id;
  ctx.success = success;
  ctx.time_stamp = d.clock().NowMillis();
  ctx.cost_time =
      static_cast<int32_t>((ctx.time_stamp - before.time_stamp) / static_cast<int64_t>(msg_count));
  ctx.context_code = static_cast<int32_t>(code);
  ctx.beans = before.beans;
  d.Append(std::move(ctx));
}

// Runs `call` between a SubBefore and a SubAfter; `ok` says whether its result is a success.
template <typename Call, typename Ok>
auto Traced(TraceDispatcher& d, const std::string& group, std::span<const MessageExt> msgs,
            Call&& call, Ok&& ok) {
  TraceContext before = SubBefore(d, group, msgs);
  const bool traced = !before.beans.empty() && !msgs.empty();
  if (traced) d.Append(before);
  try {
    auto status = call();
    if (traced) {
      const bool success = ok(status);
      SubAfter(d, before, msgs.size(), success,
               success ? TraceConsumeReturnType::kSuccess : TraceConsumeReturnType::kFailed);
    }
    return status;
  } catch (...) {
    if (traced) SubAfter(d, before, msgs.size(), false, TraceConsumeReturnType::kException);
    throw;
  }
}

}  // namespace

void TraceSendResult(TraceDispatcher& d, const std::string& group, std::span<const Message> msgs,
                     int64_t begin_ms, const SendResult& result) {
  if (msgs.empty() || IsTraceMessage(d, msgs.front())) return;
  const int64_t now_ms = d.clock().NowMillis();
  std::vector<std::string_view> ids = SplitIds(result.msg_id);
  std::vector<std::string_view> offset_ids = SplitIds(result.offset_msg_id);
  for (size_t i = 0; i < msgs.size(); ++i) {
    TraceContext ctx = PubContext(group, msgs[i], begin_ms, now_ms);
    ctx.success = result.send_status == SendStatus::kSendOk;
    TraceBean& bean = ctx.beans.front();
    if (i < ids.size()) bean.msg_id = std::string(ids[i]);
    if (i < offset_ids.size()) bean.offset_msg_id = std::string(offset_ids[i]);
    bean.store_host = StoreHostOf(bean.offset_msg_id);
    d.Append(std::move(ctx));
  }
}

void TraceSendOneway(TraceDispatcher& d, const std::string& group, const Message& msg,
                     int64_t begin_ms, const std::string& msg_id, const std::string& broker_addr) {
  if (IsTraceMessage(d, msg)) return;
  TraceContext ctx = PubContext(group, msg, begin_ms, d.clock().NowMillis());
  ctx.beans.front().msg_id = msg_id;
  ctx.beans.front().store_host = broker_addr;
  d.Append(std::move(ctx));
}

void TraceEndTransaction(TraceDispatcher& d, const std::string& group, const Message& msg,
                         const std::string& msg_id, const std::string& broker_addr,
                         std::string_view state, bool from_check) {
  if (IsTraceMessage(d, msg)) return;
  TraceContext ctx;
  ctx.type = TraceType::kEndTransaction;
  ctx.time_stamp = d.clock().NowMillis();
  ctx.group_name = group;
  std::string_view region = msg.GetProperty(property::kMsgRegion);
  ctx.region_id = std::string(region.empty() ? kDefaultTraceRegionId : region);
  TraceBean bean;
  bean.topic = msg.topic();
  bean.tags = std::string(msg.tags());
  bean.keys = std::string(msg.keys());
  bean.store_host = broker_addr;
  bean.msg_type = TraceMessageType::kTransCommit;
  bean.msg_id = msg_id;
  bean.transaction_id = msg_id;
  bean.transaction_state = std::string(state);
  bean.from_transaction_check = from_check;
  ctx.beans.push_back(std::move(bean));
  d.Append(std::move(ctx));
}

MessageListenerConcurrently TracedListener(MessageListenerConcurrently listener,
                                           TraceDispatcher* d, std::string group) {
  return [listener = std::move(listener), d, group = std::move(group)](
             std::span<const MessageExt> msgs, ConsumeConcurrentlyContext& context) {
    return Traced(
        *d, group, msgs, [&] { return listener(msgs, context); },
        [](ConsumeConcurrentlyStatus s) { return s == ConsumeConcurrentlyStatus::kConsumeSuccess; });
  };
}

MessageListenerOrderly TracedListener(MessageListenerOrderly listener, TraceDispatcher* d,
                                      std::string group) {
  return [listener = std::move(listener), d, group = std::move(group)](
             std::span<const MessageExt> msgs, ConsumeOrderlyContext& context) {
    return Traced(
        *d, group, msgs, [&] { return listener(msgs, context); },
        [](ConsumeOrderlyStatus s) { return s == ConsumeOrderlyStatus::kSuccess; });
  };
}

}  // namespace rmq::internal
