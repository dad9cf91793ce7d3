// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RocketMQ's remoting frame: how a RemotingCommand travels over TCP.
//
//   int32 length          bytes after this field (4 + header length + body length)
//   int32 header_info     high byte: serialize type (0 JSON, 1 ROCKETMQ binary);
//                         low 24 bits: header length
//   header                code, language, version, opaque, flag, remark, extFields
//   body                  the rest of the frame
//
// All integers are big-endian. The JSON header is the object fastjson writes
// for RemotingCommand, keys sorted ({"code":..,"extFields":{..},"flag":..,
// "language":"JAVA","opaque":..,"remark":..,"serializeTypeCurrentRPC":"JSON",
// "version":..});
// the ROCKETMQ header is RocketMQSerializable's binary layout. A server
// answers in the serialize type of the request.
//
// Encoding writes the length prefix and header into a buffer and leaves the
// body's chunks where they are, so a transport can gather-write them without
// copying message bytes.

#ifndef RMQ_REMOTING_FRAME_CODEC_H_
#define RMQ_REMOTING_FRAME_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "remoting/remoting_command.h"

namespace rmq::internal {

// Bytes before a frame's header: the length field and the header-info field.
inline constexpr size_t kFramePrefixSize = 8;

// Limits a decoder enforces on what a peer sends.
struct FrameLimits {
  // Largest accepted value of the length field (RocketMQ's default 16 MiB).
  uint32_t max_frame_size = 16 * 1024 * 1024;
  // Largest accepted header.
  uint32_t max_header_size = 64 * 1024;
};

// Appends to `out` the length field, header-info field and header of
// `command` in `type`, for a frame whose body is `command.body` (its chunks
// follow on the wire). Writes the typed header's fields, if any, as
// extFields (the command itself is not changed).
void EncodeFrameHead(const RemotingCommand& command, SerializeType type, std::string* out);

// The whole frame in one string (head followed by the body's bytes).
std::string EncodeFrame(const RemotingCommand& command, SerializeType type);

// Reads the length field at the start of `prefix` (at least 4 bytes) and
// checks it against `limits`: the number of bytes that follow it. Rejects a
// length below 4 or above limits.max_frame_size, naming both.
absl::StatusOr<uint32_t> DecodeFrameLength(std::string_view prefix, const FrameLimits& limits);

// Decodes a request's header fields straight into its typed header, for the
// requests a server gets most (a broker's sends), so that no ext_fields are
// built for them: the header, or nullptr to leave the fields to ext_fields
// (another code, or fields it cannot decode: the handler then decodes them
// from ext_fields and reports why). `fields` come in wire order; of a
// repeated name the last counts (as in ext_fields).
// For a response, a decoder is given the response's code (it does not know
// the request's) and recognises the header by its fields.
using TypedHeaderDecoder = std::unique_ptr<CommandHeader> (*)(int32_t code,
                                                              std::span<const WireField> fields);

// Decodes one frame without its length field (`frame` is the `length` bytes
// after it). The command's body owns its bytes (sharing `frame`'s storage
// where it can); its header fields are in ext_fields (or, for a request
// `typed_header` decodes or a response `typed_response` decodes, in header),
// its serialize type in serialize_type. InvalidArgument says what is wrong
// and at which byte.
absl::StatusOr<RemotingCommand> DecodeFrame(std::string frame, const FrameLimits& limits,
                                            TypedHeaderDecoder typed_header = nullptr,
                                            TypedHeaderDecoder typed_response = nullptr);
// The same for a frame in shared storage (a connection's read buffer): the
// body points into `frame`, kept valid by `storage`; no byte is copied and
// nothing is allocated for it.
absl::StatusOr<RemotingCommand> DecodeFrame(std::string_view frame,
                                            const std::shared_ptr<const void>& storage,
                                            const FrameLimits& limits,
                                            TypedHeaderDecoder typed_header = nullptr,
                                            TypedHeaderDecoder typed_response = nullptr);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_FRAME_CODEC_H_
