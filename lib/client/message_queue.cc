// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "rmq/message_queue.h"

#include "fmt/format.h"

namespace rmq {

std::string MessageQueue::ToString() const {
  return fmt::format("MessageQueue [topic={}, brokerName={}, queueId={}]", topic, broker_name,
                     queue_id);
}

}  // namespace rmq
