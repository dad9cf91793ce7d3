// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Response headers a client decodes straight from the frame (DecodeFrame's
// typed_response), for the answers it gets most: a send's.

#ifndef RMQ_REMOTING_TYPED_RESPONSES_H_
#define RMQ_REMOTING_TYPED_RESPONSES_H_

#include <cstdint>
#include <memory>
#include <span>

#include "remoting/remoting_command.h"

namespace rmq::internal {

// The SendMessageResponseHeader of a send's answer, made from the frame's
// fields without building ext_fields; nullptr for anything else, whose
// fields then go to ext_fields. A response does not say which request it
// answers, so a send's answer is known by its code (one a stored message
// gets: SUCCESS, FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT,
// SLAVE_NOT_AVAILABLE) and its fields (msgId, queueId and queueOffset, which
// no other RocketMQ response header has together). Fields that do not
// decode also give nullptr: the reader then decodes ext_fields and reports
// the field. Other fields (MSG_REGION, TRACE_ON) are dropped, as the client
// reads none of them.
std::unique_ptr<CommandHeader> DecodeSendResponseFromWire(int32_t code,
                                                          std::span<const WireField> fields);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_TYPED_RESPONSES_H_
