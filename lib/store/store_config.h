// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_STORE_STORE_CONFIG_H_
#define RMQ_STORE_STORE_CONFIG_H_

#include "absl/status/status.h"
#include "common/config_file.h"
#include "rmq/store.h"

namespace rmq::internal {

// Binds every MessageStoreConfig key (RocketMQ's names) to `config`, so a
// broker can load store and broker keys from one file.
void BindMessageStoreConfig(ConfigBinder* binder, MessageStoreConfig* config);

// Checks values that parse but cannot work, naming the key.
absl::Status ValidateMessageStoreConfig(const MessageStoreConfig& config);

}  // namespace rmq::internal

#endif  // RMQ_STORE_STORE_CONFIG_H_
