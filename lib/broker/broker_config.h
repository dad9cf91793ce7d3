// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// BrokerConfig keys and checks (LoadBrokerConfig itself is in rmq/broker.h).

#ifndef RMQ_BROKER_BROKER_CONFIG_H_
#define RMQ_BROKER_BROKER_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rmq/broker.h"

namespace rmq::internal {

// Checks a config before a Broker is built from it: names, the address, the
// periods and the store settings. InvalidArgument names the key. An empty
// broker_addr is an error only if `require_address`.
absl::Status ValidateBrokerConfig(const BrokerConfig& config, bool require_address = true);

// "ASYNC_MASTER", "SYNC_MASTER", "SLAVE".
std::string_view BrokerRoleName(BrokerRole role);

// The name server addresses of namesrvAddr ("a;b"), empty entries skipped.
std::vector<std::string> SplitNameServerAddresses(std::string_view namesrv_addr);

// registerNameServerPeriod as RocketMQ applies it: clamped to 10 s .. 60 s.
int64_t EffectiveRegisterPeriodMillis(const BrokerConfig& config);

}  // namespace rmq::internal

#endif  // RMQ_BROKER_BROKER_CONFIG_H_
