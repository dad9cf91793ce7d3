// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Where clients make trace records: RocketMQ's SendMessageTraceHookImpl
// (a Pub record per message sent), EndTransactionTraceHookImpl (an
// EndTransaction record per END_TRANSACTION a producer sends) and
// ConsumeMessageTraceHookImpl (SubBefore before a listener runs, SubAfter
// after it).

#ifndef RMQ_CLIENT_TRACE_TRACE_HOOKS_H_
#define RMQ_CLIENT_TRACE_TRACE_HOOKS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

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
// An END_TRANSACTION for `msg` (the half message as sent, or as the
// broker's check presented it) whose UNIQ_KEY is `msg_id`, sent to
// `broker_addr` with `state` ("COMMIT_MESSAGE", "ROLLBACK_MESSAGE",
// "UNKNOW"). The transaction id is the UNIQ_KEY, as RocketMQ's producer sets
// it; msgType is Trans_msg_Commit whatever the state, as RocketMQ writes it.
void TraceEndTransaction(TraceDispatcher& d, const std::string& group, const Message& msg,
                         const std::string& msg_id, const std::string& broker_addr,
                         std::string_view state, bool from_check);

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
