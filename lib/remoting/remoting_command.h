// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RemotingCommand: one request or response of RocketMQ's remoting protocol,
// the unit every Transport carries.
//
// On the wire (TCP) a command is a frame: code, opaque (matches a response to
// its request), flag (response / oneway bits), language, version, remark, a
// string map of header fields ("extFields") and a body. In this process the
// same command travels without being encoded: its header is a typed struct
// (command_header.h) and its body a Payload that borrows the bytes it
// carries, so an in-process send or pull copies no message bytes.

#ifndef RMQ_REMOTING_REMOTING_COMMAND_H_
#define RMQ_REMOTING_REMOTING_COMMAND_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rmq::internal {

// Header fields as the wire carries them: RocketMQ field name → text value.
using ExtFields = std::map<std::string, std::string, std::less<>>;

// A typed request or response header (command_header.h defines them).
class CommandHeader {
 public:
  virtual ~CommandHeader() = default;
  // Writes every present field into `fields`, under RocketMQ's names.
  virtual void Encode(ExtFields* fields) const = 0;
};

// The body of a command: zero or more chunks of bytes. A body received from
// the network owns one chunk; a body built in this process may borrow chunks
// (a producer's message body, records in the store's mapped segments), kept
// valid by `keep_alive` or, for a borrowed request body, by the caller until
// the request completes.
class Payload {
 public:
  using Chunks = absl::InlinedVector<std::string_view, 1>;

  Payload() = default;
  // Owns `bytes`.
  explicit Payload(std::string bytes);
  // Borrows `bytes`: they must outlive every use of this payload.
  static Payload Borrow(std::string_view bytes);
  // Borrows `chunks`, kept valid by `keep_alive`.
  static Payload Shared(Chunks chunks, std::shared_ptr<const void> keep_alive);

  const Chunks& chunks() const { return chunks_; }
  size_t size() const;
  bool empty() const { return size() == 0; }
  // The chunks concatenated (copies unless there is exactly one chunk).
  std::string ToString() const;

 private:
  Chunks chunks_;
  std::shared_ptr<const void> keep_alive_;
};

// How a command's header is serialized on the wire (RocketMQ's SerializeType).
// A server answers in the type of the request.
enum class SerializeType : uint8_t { kJson = 0, kRocketmq = 1 };

class RemotingCommand {
 public:
  // Flag bits (RemotingCommand.RPC_TYPE, RPC_ONEWAY).
  static constexpr int32_t kResponseFlag = 0x1;
  static constexpr int32_t kOnewayFlag = 0x2;
  // The protocol version rmq announces (MQVersion.Version.V4_9_4's ordinal).
  static constexpr int32_t kVersion = 401;

  RemotingCommand() = default;
  RemotingCommand(RemotingCommand&&) = default;
  RemotingCommand& operator=(RemotingCommand&&) = default;

  static RemotingCommand Request(int32_t code, std::unique_ptr<CommandHeader> header = nullptr);
  static RemotingCommand Response(int32_t code, std::string remark = {},
                                  std::unique_ptr<CommandHeader> header = nullptr);

  int32_t code = 0;
  std::string language = "CPP";
  int32_t version = kVersion;
  int32_t opaque = 0;
  int32_t flag = 0;
  SerializeType serialize_type = SerializeType::kJson;  // As received (TCP only).
  std::string remark;
  ExtFields ext_fields;  // Header fields not (yet) decoded into `header`.
  std::unique_ptr<CommandHeader> header;
  Payload body;

  bool is_response() const { return (flag & kResponseFlag) != 0; }
  bool is_oneway() const { return (flag & kOnewayFlag) != 0; }

  // The header as type H: the typed header if it is one, else decoded from
  // ext_fields (and kept). InvalidArgument names the missing or bad field.
  template <typename H>
  absl::StatusOr<H*> DecodeHeader() {
    if (auto* typed = dynamic_cast<H*>(header.get())) return typed;
    auto decoded = H::Decode(ext_fields);
    if (!decoded.ok()) return decoded.status();
    header = std::make_unique<H>(std::move(*decoded));
    return static_cast<H*>(header.get());
  }

  // Writes the typed header, if any, into ext_fields (before encoding a frame).
  void EncodeHeaderFields();
};

// The error a non-success response stands for: "<what>: <remark> (code N)".
// Maps RocketMQ's response codes to the nearest absl::StatusCode.
absl::Status ResponseToStatus(const RemotingCommand& response, std::string_view what);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_REMOTING_COMMAND_H_
