// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The body of SEND_BATCH_MESSAGE (RocketMQ's MessageDecoder.encodeMessages):
// the messages back to back, each as
//
//   TOTALSIZE  4   bytes of this entry, these 4 included
//   MAGICCODE  4   unused (0)
//   BODYCRC    4   unused (0)
//   FLAG       4
//   BODY       4 + n
//   PROPERTIES 2 + n   properties_codec.h encoding
//
// all integers big-endian. The topic, queue and the batch-wide properties
// travel in the request header.

#ifndef RMQ_BROKER_MESSAGE_BATCH_CODEC_H_
#define RMQ_BROKER_MESSAGE_BATCH_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rmq/message.h"

namespace rmq::internal {

// One entry of a batch body; the views point into the body.
struct BatchEntry {
  int32_t flag = 0;
  std::string_view body;
  std::string_view properties;  // Encoded.
};

// Splits a batch body into its entries. InvalidArgument says which entry is
// malformed and how (a size that disagrees with its fields, a field running
// past the body, an empty batch).
absl::Status DecodeMessageBatch(std::string_view data, std::vector<BatchEntry>* entries);

// Appends the encoding of `msg` (flag, body, properties) to `out`.
void EncodeBatchEntry(const Message& msg, std::string* out);

}  // namespace rmq::internal

#endif  // RMQ_BROKER_MESSAGE_BATCH_CODEC_H_
