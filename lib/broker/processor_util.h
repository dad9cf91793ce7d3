// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Small helpers shared by the request processors.

#ifndef RMQ_BROKER_PROCESSOR_UTIL_H_
#define RMQ_BROKER_PROCESSOR_UTIL_H_

#include <memory>
#include <string>
#include <string_view>

#include "remoting/remoting_command.h"
#include "remoting/request_code.h"
#include "remoting/transport.h"
#include "rmq/message.h"

namespace rmq::internal {

// A response with `code` and `remark` and no header.
inline RemotingCommand Reply(int32_t code, std::string remark = {}) {
  return RemotingCommand::Response(code, std::move(remark));
}

// A success response carrying `header`.
template <typename H>
RemotingCommand ReplyWith(std::unique_ptr<H> header) {
  return RemotingCommand::Response(response_code::kSuccess, {}, std::move(header));
}

// The answer to a request whose header cannot be decoded (RocketMQ answers a
// RemotingCommandException with SYSTEM_ERROR and its text).
inline RemotingCommand BadHeader(const absl::Status& status) {
  return Reply(response_code::kSystemError, std::string(status.message()));
}

// The client's address as a host, for a message's born host: the channel's
// "ip:port", or 127.0.0.1:0 when it has none (an in-process client).
inline HostAddress ChannelHost(const Channel& channel) {
  const std::string& address = channel.remote_address();
  if (!address.starts_with("inproc://")) {
    if (auto host = HostAddress::Parse(address)) return *host;
  }
  return HostAddress::Ipv4(127, 0, 0, 1, 0);
}

}  // namespace rmq::internal

#endif  // RMQ_BROKER_PROCESSOR_UTIL_H_
