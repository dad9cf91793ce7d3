// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Remoting frame decoding on arbitrary bytes: a frame comes straight from a
// peer, so DecodeFrameLength and DecodeFrame must take anything without
// crashing and refuse it with InvalidArgument. The input is wire bytes, length
// field first; the rest is decoded as a frame whatever the length field says,
// so that mutations reach the header decoders. A frame that decodes must
// re-encode in its serialize type to a frame that decodes to the same fields.
// Decoded with the client's typed_response too, a frame decodes exactly
// when it does without, and a send's answer it types is the header its
// ext fields make.

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "remoting/frame_codec.h"
#include "remoting/protocol_headers.h"
#include "remoting/remoting_command.h"
#include "remoting/typed_responses.h"

using namespace rmq::internal;

namespace {

void Same(const RemotingCommand& a, const RemotingCommand& b) {
  if (a.code != b.code || a.language != b.language || a.version != b.version ||
      a.opaque != b.opaque || a.flag != b.flag || a.remark != b.remark ||
      a.ext_fields != b.ext_fields || a.serialize_type != b.serialize_type ||
      a.body.ToString() != b.body.ToString()) {
    std::abort();
  }
}

// `typed` decoded the same bytes as `plain`, with typed_response.
void SameAsTyped(const absl::StatusOr<RemotingCommand>& plain,
                 const absl::StatusOr<RemotingCommand>& typed) {
  if (typed.ok() != plain.ok()) std::abort();
  if (!typed.ok() || typed->header == nullptr) return;
  const auto* header = dynamic_cast<const SendMessageResponseHeader*>(typed->header.get());
  if (header == nullptr || !typed->ext_fields.empty()) std::abort();
  absl::StatusOr<SendMessageResponseHeader> from_fields =
      SendMessageResponseHeader::Decode(plain->ext_fields);
  if (!from_fields.ok() || from_fields->msg_id != header->msg_id ||
      from_fields->queue_id != header->queue_id ||
      from_fields->queue_offset != header->queue_offset ||
      from_fields->transaction_id != header->transaction_id) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const FrameLimits limits;

  absl::StatusOr<uint32_t> length = DecodeFrameLength(input, limits);
  if (length.ok()) {
    if (*length < 4 || *length > limits.max_frame_size) std::abort();
  } else if (length.status().code() != absl::StatusCode::kInvalidArgument) {
    std::abort();
  }

  const std::string frame(input.substr(size < 4 ? size : 4));
  absl::StatusOr<RemotingCommand> decoded = DecodeFrame(frame, limits);
  SameAsTyped(decoded, DecodeFrame(frame, limits, nullptr, &DecodeSendResponseFromWire));
  if (!decoded.ok()) {
    if (decoded.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }

  const SerializeType type = decoded->serialize_type;
  const std::string wire = EncodeFrame(*decoded, type);
  std::string head;
  EncodeFrameHead(*decoded, type, &head);
  if (head + decoded->body.ToString() != wire) std::abort();

  // Re-encoding may grow the header (ext field numbers become strings), so
  // the second decode takes anything the 24-bit header length can express.
  FrameLimits unlimited;
  unlimited.max_frame_size = std::numeric_limits<uint32_t>::max();
  unlimited.max_header_size = 0xFFFFFF;
  absl::StatusOr<uint32_t> again_length = DecodeFrameLength(wire, unlimited);
  if (!again_length.ok() || *again_length != wire.size() - 4) std::abort();
  absl::StatusOr<RemotingCommand> again = DecodeFrame(wire.substr(4), unlimited);
  if (!again.ok()) std::abort();
  Same(*decoded, *again);
  return 0;
}
