// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// StatsProcessor: the read-only queries of RocketMQ's AdminBrokerProcessor
// that admin tools (mqadmin, rmq-admin) show: GET_TOPIC_STATS_INFO (each
// queue's min/max offset and last store time), GET_BROKER_RUNTIME_INFO (the
// broker's figures as name → text) and GET_CONSUME_STATS (a group's offsets
// against each queue's end, and its pull rate).

#ifndef RMQ_BROKER_STATS_PROCESSOR_H_
#define RMQ_BROKER_STATS_PROCESSOR_H_

#include "broker/broker_context.h"
#include "remoting/protocol_bodies.h"
#include "remoting/remoting_command.h"

namespace rmq::internal {

class StatsProcessor {
 public:
  explicit StatsProcessor(const BrokerContext& context) : ctx_(context) {}

  // Answers one of the codes above.
  RemotingCommand Process(RemotingCommand& request);

  // GET_BROKER_RUNTIME_INFO's table.
  KVTable RuntimeInfo() const;

 private:
  RemotingCommand GetTopicStatsInfo(RemotingCommand& request);
  RemotingCommand GetConsumeStats(RemotingCommand& request);

  const BrokerContext& ctx_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_STATS_PROCESSOR_H_
