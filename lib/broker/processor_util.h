// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Small helpers shared by the request processors.

#ifndef RMQ_BROKER_PROCESSOR_UTIL_H_
#define RMQ_BROKER_PROCESSOR_UTIL_H_

#include <cstdint>
#include <memory>
#include <random>
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
  return channel.remote_host().value_or(HostAddress::Ipv4(127, 0, 0, 1, 0));
}

// MixAll.DLQ_NUMS_PER_GROUP: a group's dead-letter topic has one queue.
inline constexpr int32_t kDlqNumsPerGroup = 1;
// MQVersion.Version.V3_4_9.ordinal(): from this client version on, a send to
// a retry topic or a send-back may carry the consumer's own maxReconsumeTimes.
inline constexpr int32_t kVersionV3_4_9 = 96;

// A queue among `queue_nums` picked as RocketMQ does
// (ThreadLocalRandom.nextInt(99999999) % queue_nums); 0 if there are none.
inline int32_t RandomQueueId(int32_t queue_nums) {
  thread_local std::minstd_rand random(std::random_device{}());
  if (queue_nums <= 0) return 0;
  return static_cast<int32_t>(random() % 99999999) % queue_nums;
}

}  // namespace rmq::internal

#endif  // RMQ_BROKER_PROCESSOR_UTIL_H_
