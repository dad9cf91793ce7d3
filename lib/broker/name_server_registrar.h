// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// NameServerRegistrar: the broker's side of routing (RocketMQ's
// BrokerOuterAPI.registerBrokerAll / unregisterBrokerAll). Sends
// REGISTER_BROKER, with the topic table as a RegisterBrokerBody, to every
// name server in namesrvAddr: at start, every registerNameServerPeriod, and
// whenever a topic is created or changed; UNREGISTER_BROKER at shutdown.
// A name server that cannot be reached is logged, never fatal: the next
// period tries again.

#ifndef RMQ_BROKER_NAME_SERVER_REGISTRAR_H_
#define RMQ_BROKER_NAME_SERVER_REGISTRAR_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/periodic_timer.h"
#include "remoting/protocol_bodies.h"
#include "remoting/transport.h"
#include "rmq/broker.h"
#include "rmq/clock.h"

namespace rmq::internal {

class NameServerRegistrar {
 public:
  // `topics` returns the table to register (called on each registration).
  NameServerRegistrar(const BrokerConfig& config, std::shared_ptr<Clock> clock,
                      std::function<TopicConfigSerializeWrapper()> topics);
  ~NameServerRegistrar();  // Stop()

  // Registers now, waiting for every answer; the first failure is returned
  // (after all name servers were tried).
  absl::Status RegisterAll();
  // Registers without waiting (from timers and topic changes); failures are logged.
  void RegisterAllAsync();
  // Registers now and then every registerNameServerPeriod.
  void Start();
  // Stops the periodic registration, unregisters from every name server and
  // closes the transport.
  void Stop();

  bool has_name_servers() const { return !addresses_.empty(); }

 private:
  RemotingCommand BuildRegisterRequest();

  const BrokerConfig& config_;
  const std::shared_ptr<Clock> clock_;
  const std::function<TopicConfigSerializeWrapper()> topics_;
  const std::vector<std::string> addresses_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<PeriodicTimer> timer_;
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_NAME_SERVER_REGISTRAR_H_
