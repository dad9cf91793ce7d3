// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The body of a SEND_BATCH_MESSAGE request, as RocketMQ's
// MessageDecoder.encodeMessages writes it: the messages back to back, each
//
//   TOTALSIZE  int32   bytes of this entry, these 4 included
//   MAGICCODE  int32   0 (unused)
//   BODYCRC    int32   0 (unused)
//   FLAG       int32
//   BODY       int32 length + bytes
//   PROPERTIES int16 length + "key\x01value\x02…" (each message's own UNIQ_KEY among them)
//
// big-endian. The topic and queue travel in the request header. The broker
// splits the body again (lib/broker/message_batch_codec.h).

#ifndef RMQ_CLIENT_BATCH_ENCODER_H_
#define RMQ_CLIENT_BATCH_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "rmq/message.h"

namespace rmq::internal {

// The rules of RocketMQ's MessageBatch.generateFromList: at least one
// message; all of one topic and one waitStoreMsgOK; none with a delay level,
// none to a retry topic (%RETRY%…), none a transaction half message.
// InvalidArgument names the offending message's index.
absl::Status CheckBatchRules(std::span<const Message> msgs);

// Appends the batch encoding of `msgs` to `out`. `uniq_keys[i]` is added as
// UNIQ_KEY to message i unless it has one already. InvalidArgument (naming
// the message) if a message's properties exceed the 32767 bytes their int16
// length can say.
absl::Status EncodeBatch(std::span<const Message> msgs, std::span<const std::string> uniq_keys,
                         std::string* out);

// The bytes `msg` takes in an encoded batch (EncodeBatch), counting the
// UNIQ_KEY property the send adds when the message has none. RocketMQ's
// ListSplitter example counts less (topic, body, properties, 20 bytes) and so
// needs a limit well under maxMessageSize; this count makes any limit exact.
size_t EncodedBatchEntrySize(const Message& msg);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_BATCH_ENCODER_H_
