// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// NameServer: RocketMQ's routing registry. Brokers register their topics
// every 30 s; clients ask it which brokers serve a topic. A broker silent
// for 120 s is dropped (checked every 10 s). It keeps no disk state.
//
// A NameServer answers RocketMQ remoting requests; serve it in this process
// (EmbeddedCluster, FakeCluster bind it under "inproc://NAME") or over TCP.

#ifndef RMQ_NAMESRV_H_
#define RMQ_NAMESRV_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "rmq/clock.h"

namespace rmq {

namespace internal {
class RequestHandler;
}

// RocketMQ's NamesrvConfig names and defaults.
struct NamesrvConfig {
  // How often to look for silent brokers (scanNotActiveBrokerInterval), ms.
  int64_t scan_not_active_broker_interval = 10000;
  // A broker not heard from for this long is removed (BROKER_CHANNEL_EXPIRED_TIME), ms.
  int64_t broker_channel_expired_time = 120000;
  // Whether GET_ROUTEINFO_BY_TOPIC includes the topic's ORDER_TOPIC_CONFIG (orderMessageEnable).
  bool order_message_enable = false;
};

class NameServer {
 public:
  // A name server whose periodic scan runs on `clock` (default: the system clock).
  static absl::StatusOr<std::unique_ptr<NameServer>> Create(
      const NamesrvConfig& config, std::shared_ptr<Clock> clock = nullptr);
  virtual ~NameServer() = default;  // Shuts down.

  // Starts the periodic scan for silent brokers.
  virtual absl::Status Start() = 0;
  // Stops the scan. Requests are still answered until destruction.
  virtual void Shutdown() = 0;

  // Runs one scan for silent brokers now; returns how many were removed.
  virtual int ScanNotActiveBrokers() = 0;

  // The remoting request handler, to serve this name server on a transport.
  virtual internal::RequestHandler* handler() = 0;
};

}  // namespace rmq

#endif  // RMQ_NAMESRV_H_
