// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_BROKER_CLIENT_CHANNEL_INFO_H_
#define RMQ_BROKER_CLIENT_CHANNEL_INFO_H_

#include <cstdint>
#include <memory>
#include <string>

#include "remoting/transport.h"

namespace rmq::internal {

// One client connection of a producer or consumer group, as its last
// heartbeat described it (RocketMQ's ClientChannelInfo).
struct ClientChannelInfo {
  std::shared_ptr<Channel> channel;
  std::string client_id;
  std::string language;
  int32_t version = 0;
  int64_t last_update_ms = 0;  // Time of the last heartbeat.
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_CLIENT_CHANNEL_INFO_H_
