// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Settings every client (producer or consumer) shares, under RocketMQ's
// ClientConfig names and defaults. Clients with the same name server,
// instance name and clock share one client instance (route cache, heartbeats,
// rebalancing), as RocketMQ's MQClientInstance.

#ifndef RMQ_CLIENT_CONFIG_H_
#define RMQ_CLIENT_CONFIG_H_

#include <cstdint>
#include <memory>
#include <string>

#include "rmq/clock.h"

namespace rmq {

struct ClientConfig {
  // Name server address(es): "inproc://NAME" in this process or
  // "host:port;host:port". Required.
  std::string namesrv_addr;                    // namesrvAddr
  std::string instance_name = "DEFAULT";       // instanceName
  std::string client_ip = "127.0.0.1";         // clientIP (part of the client id)
  int32_t poll_name_server_interval = 30000;   // pollNameServerInterval, ms (route refresh)
  int32_t heartbeat_broker_interval = 30000;   // heartbeatBrokerInterval, ms
  int32_t persist_consumer_offset_interval = 5000;  // persistConsumerOffsetInterval, ms
  int32_t mq_client_api_timeout = 3000;        // mqClientApiTimeout, ms (admin requests)
  // Where broadcasting consumers keep their offsets
  // (rocketmq.client.localOffsetStoreDir); "" = $HOME/.rocketmq_offsets.
  std::string local_offset_store_dir;
  // Time for every periodic task and timeout; null = the system clock.
  // FakeCluster hands out configs with its VirtualClock.
  std::shared_ptr<Clock> clock;

  // "clientIP@instanceName", RocketMQ's client id.
  std::string BuildClientId() const { return client_ip + "@" + instance_name; }
};

}  // namespace rmq

#endif  // RMQ_CLIENT_CONFIG_H_
