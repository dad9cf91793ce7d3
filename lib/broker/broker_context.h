// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What the request processors share: the config, the clock, the store and
// the managers. The Broker owns them all; the processors only borrow.

#ifndef RMQ_BROKER_BROKER_CONTEXT_H_
#define RMQ_BROKER_BROKER_CONTEXT_H_

#include <functional>
#include <memory>

#include "broker/broker_stats.h"
#include "broker/consumer_filter_manager.h"
#include "broker/consumer_manager.h"
#include "broker/consumer_offset_manager.h"
#include "broker/producer_manager.h"
#include "broker/subscription_group_manager.h"
#include "broker/topic_config_manager.h"
#include "rmq/broker.h"
#include "rmq/clock.h"
#include "rmq/store.h"

namespace rmq::internal {

class TransactionalMessageService;

struct BrokerContext {
  const BrokerConfig* config = nullptr;
  std::shared_ptr<Clock> clock;
  MessageStore* store = nullptr;  // Set between Start and Shutdown.
  TopicConfigManager* topics = nullptr;
  SubscriptionGroupManager* groups = nullptr;
  ConsumerOffsetManager* offsets = nullptr;
  ConsumerManager* consumers = nullptr;
  ConsumerFilterManager* filters = nullptr;  // SQL92 subscriptions, compiled
  ProducerManager* producers = nullptr;
  BrokerStats* stats = nullptr;
  TransactionalMessageService* transactions = nullptr;
  int64_t boot_timestamp_ms = 0;  // When Start opened the store.
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_BROKER_CONTEXT_H_
