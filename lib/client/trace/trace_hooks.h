// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Where clients make trace records: RocketMQ's SendMessageTraceHookImpl
// (a Pub record per message sent) and ConsumeMessageTraceHookImpl
// (SubBefore before a listener runs, SubAfter after it).

#ifndef RMQ_CLIENT_TRACE_TRACE_HOOKS_H_
#define RMQ_CLIENT_TRACE_TRACE_HOOKS_H_

#include <cstdint>
#include <span>
#include <string>

#include "client/trace/trace_dispatcher.h"
#include "rmq/consumer.h"
#include "rmq/message.h"
#include "rmq/producer.h"

namespace rmq::internal {

// Pub records for `msgs` (one message, or a batch: one record each) sent by
// `group` from `begin_ms` with `result`. success = SEND_OK. Messages to the
// trace topic itself are not traced.
void TraceSendResult(TraceDispatcher& d, const std::string& group, std::span<const Message> msgs,
                     int64_t begin_ms, const SendResult& result);
// A oneway send: the UNIQ_KEY is known, the store offset is not
// (offsetMsgId ""); `broker_addr` is where it went.
void TraceSendOneway(TraceDispatcher& d, const std::string& group, const Message& msg,
                     int64_t begin_ms, const std::string& msg_id, const std::string& broker_addr);

// `listener` with SubBefore/SubAfter records around each call. SubAfter's
// success is the listener's verdict (CONSUME_SUCCESS / SUCCESS); a listener
// that throws gives success false, contextCode EXCEPTION, and the exception
// goes on. `d` must outlive the listener's calls.
MessageListenerConcurrently TracedListener(MessageListenerConcurrently listener,
                                           TraceDispatcher* d, std::string group);
MessageListenerOrderly TracedListener(MessageListenerOrderly listener, TraceDispatcher* d,
                                      std::string group);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_TRACE_TRACE_HOOKS_H_
