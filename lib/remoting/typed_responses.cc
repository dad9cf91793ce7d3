// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/typed_responses.h"

#include <string_view>

#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"

namespace rmq::internal {

namespace {

bool StoredMessageCode(int32_t code) {
  namespace rc = response_code;
  return code == rc::kSuccess || code == rc::kFlushDiskTimeout ||
         code == rc::kFlushSlaveTimeout || code == rc::kSlaveNotAvailable;
}

}  // namespace

std::unique_ptr<CommandHeader> DecodeSendResponseFromWire(int32_t code,
                                                          std::span<const WireField> fields) {
  if (!StoredMessageCode(code)) return nullptr;
  bool msg_id = false, queue_id = false, queue_offset = false;
  for (const WireField& field : fields) {
    msg_id = msg_id || field.name == "msgId";
    queue_id = queue_id || field.name == "queueId";
    queue_offset = queue_offset || field.name == "queueOffset";
  }
  if (!msg_id || !queue_id || !queue_offset) return nullptr;
  auto header = std::make_unique<SendMessageResponseHeader>();
  if (!SendMessageResponseHeader::DecodeWireInto(fields, header.get()).ok()) return nullptr;
  return header;
}

}  // namespace rmq::internal
