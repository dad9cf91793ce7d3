// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/client_manage_processor.h"

#include "broker/processor_util.h"
#include "common/str_cat.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

RemotingCommand ClientManageProcessor::HeartBeat(const std::shared_ptr<Channel>& channel,
                                                 RemotingCommand& request) {
  auto heartbeat = FromJson<HeartbeatData>(request.body.ToString(), "HEART_BEAT body");
  if (!heartbeat.ok()) {
    return Reply(response_code::kSystemError, std::string(heartbeat.status().message()));
  }
  ClientChannelInfo info;
  info.channel = channel;
  info.client_id = heartbeat->client_id;
  info.language = request.language;
  info.version = request.version;
  info.last_update_ms = ctx_.clock->NowMillis();

  for (const ConsumerData& consumer : heartbeat->consumer_data_set) {
    if (auto group = ctx_.groups->FindOrCreate(consumer.group_name)) {
      // TopicSysFlag.buildSysFlag(false, true) for unit-mode consumers.
      int32_t topic_sys_flag = consumer.unit_mode ? 0x2 : 0;
      ctx_.topics->CreateTopicInSendMessageBackMethod(
          StrCat(kRetryGroupTopicPrefix, consumer.group_name), group->retry_queue_nums,
          perm::kRead | perm::kWrite, topic_sys_flag);
    }
    ctx_.consumers->RegisterConsumer(consumer, info);
  }
  for (const ProducerData& producer : heartbeat->producer_data_set) {
    ctx_.producers->RegisterProducer(producer.group_name, info);
  }
  return Reply(response_code::kSuccess);
}

RemotingCommand ClientManageProcessor::UnregisterClient(const std::shared_ptr<Channel>& channel,
                                                        RemotingCommand& request) {
  auto header = request.DecodeHeader<UnregisterClientRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  if ((*header)->producer_group.has_value()) {
    ctx_.producers->UnregisterProducer(*(*header)->producer_group, channel);
  }
  if ((*header)->consumer_group.has_value()) {
    ctx_.consumers->UnregisterConsumer(*(*header)->consumer_group, channel);
  }
  return Reply(response_code::kSuccess);
}

RemotingCommand ClientManageProcessor::CheckClientConfig(RemotingCommand& request) {
  if (request.body.empty()) return Reply(response_code::kSuccess);  // Java: a null body
  auto body = FromJson<CheckClientRequestBody>(request.body.ToString(), "CHECK_CLIENT_CONFIG body");
  if (!body.ok()) return Reply(response_code::kSystemError, std::string(body.status().message()));
  if (!body->subscription_data.has_value()) return Reply(response_code::kSuccess);
  const SubscriptionData& sub = *body->subscription_data;
  if (IsTagType(sub.expression_type)) return Reply(response_code::kSuccess);
  if (!ctx_.config->enable_property_filter) {
    return Reply(response_code::kSystemError,
                 StrCat("The broker does not support consumer to filter message by ",
                        sub.expression_type, " (enablePropertyFilter is false on broker ",
                        ctx_.config->broker_name, ")"));
  }
  auto compiled = CompileFilterExpression(sub.expression_type, sub.sub_string);
  if (!compiled.ok()) {
    spdlog::warn("client {} of group {}: {} subscription to {} does not compile: {}",
                 body->client_id, body->group, sub.expression_type, sub.topic,
                 compiled.status().ToString());
    return Reply(response_code::kSubscriptionParseFailed, std::string(compiled.status().message()));
  }
  return Reply(response_code::kSuccess);
}

}  // namespace rmq::internal
