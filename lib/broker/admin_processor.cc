// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/admin_processor.h"

#include "broker/processor_util.h"
#include "common/config_persister.h"
#include "common/str_cat.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "spdlog/spdlog.h"
#include "store/topic_validator.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;
namespace rq = request_code;

// A status from CreateTopic or a check, as a response.
RemotingCommand FromStatus(const absl::Status& status) {
  if (status.ok()) return Reply(rc::kSuccess);
  return Reply(rc::kSystemError, std::string(status.message()));
}

RemotingCommand OffsetReply(int64_t offset) {
  auto header = std::make_unique<OffsetResponseHeader>();
  header->offset = offset;
  return ReplyWith(std::move(header));
}

}  // namespace

RemotingCommand AdminProcessor::Process(RemotingCommand& request) {
  switch (request.code) {
    case rq::kGetMaxOffset: return GetMaxOffset(request);
    case rq::kGetMinOffset: return GetMinOffset(request);
    case rq::kSearchOffsetByTimestamp: return SearchOffsetByTimestamp(request);
    case rq::kGetEarliestMsgStoreTime: return GetEarliestMsgStoretime(request);
    case rq::kUpdateAndCreateTopic: return UpdateAndCreateTopic(request);
    case rq::kDeleteTopicInBroker: return DeleteTopic(request);
    case rq::kGetAllTopicConfig: return GetAllTopicConfig();
    case rq::kUpdateAndCreateSubscriptionGroup: return UpdateAndCreateSubscriptionGroup(request);
    case rq::kGetAllSubscriptionGroupConfig: return GetAllSubscriptionGroupConfig();
    case rq::kDeleteSubscriptionGroup: return DeleteSubscriptionGroup(request);
    case rq::kGetAllConsumerOffset: return GetAllConsumerOffset();
    case rq::kGetAllDelayOffset: return GetAllDelayOffset();
    default:
      return Reply(rc::kRequestCodeNotSupported,
                   StrCat("request code ", request.code, " not supported"));
  }
}

RemotingCommand AdminProcessor::GetMaxOffset(RemotingCommand& request) {
  auto header = request.DecodeHeader<QueueRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  return OffsetReply(ctx_.store->GetMaxOffsetInQueue((*header)->topic, (*header)->queue_id));
}

RemotingCommand AdminProcessor::GetMinOffset(RemotingCommand& request) {
  auto header = request.DecodeHeader<QueueRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  return OffsetReply(ctx_.store->GetMinOffsetInQueue((*header)->topic, (*header)->queue_id));
}

RemotingCommand AdminProcessor::SearchOffsetByTimestamp(RemotingCommand& request) {
  auto header = request.DecodeHeader<SearchOffsetRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const auto& h = **header;
  return OffsetReply(ctx_.store->GetOffsetInQueueByTime(h.topic, h.queue_id, h.timestamp));
}

RemotingCommand AdminProcessor::GetEarliestMsgStoretime(RemotingCommand& request) {
  auto header = request.DecodeHeader<QueueRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const auto& h = **header;
  auto response = std::make_unique<GetEarliestMsgStoretimeResponseHeader>();
  response->timestamp = ctx_.store->GetMessageStoreTimestamp(
      h.topic, h.queue_id, ctx_.store->GetMinOffsetInQueue(h.topic, h.queue_id));
  return ReplyWith(std::move(response));
}

absl::Status AdminProcessor::CreateTopic(const TopicConfig& config) {
  if (absl::Status s = ValidateTopic(config.topic_name, ctx_.config->store.max_topic_length);
      !s.ok()) {
    return s;
  }
  if (ctx_.topics->IsSystemTopic(config.topic_name)) {
    return absl::InvalidArgumentError(
        StrCat("The topic[", config.topic_name, "] is conflict with system topic."));
  }
  if (config.read_queue_nums <= 0 || config.write_queue_nums <= 0) {
    return absl::InvalidArgumentError(
        StrCat("topic ", config.topic_name, ": queue counts must be positive, not read ",
               config.read_queue_nums, " / write ", config.write_queue_nums));
  }
  if (config.perm < 0 || config.perm > 7) {
    return absl::InvalidArgumentError(
        StrCat("topic ", config.topic_name, ": perm ", config.perm,
               " is not a permission (4 read | 2 write | 1 inherit)"));
  }
  return ctx_.topics->UpdateTopicConfig(config);
}

RemotingCommand AdminProcessor::UpdateAndCreateTopic(RemotingCommand& request) {
  auto header = request.DecodeHeader<CreateTopicRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const auto& h = **header;
  TopicConfig config;
  config.topic_name = h.topic;
  config.read_queue_nums = h.read_queue_nums;
  config.write_queue_nums = h.write_queue_nums;
  config.perm = h.perm;
  config.topic_filter_type = h.topic_filter_type;
  config.topic_sys_flag = h.topic_sys_flag.value_or(0);
  config.order = h.order;
  return FromStatus(CreateTopic(config));
}

RemotingCommand AdminProcessor::DeleteTopic(RemotingCommand& request) {
  auto header = request.DecodeHeader<DeleteTopicRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const std::string& topic = (*header)->topic;
  if (absl::Status s = ValidateTopic(topic, ctx_.config->store.max_topic_length); !s.ok()) {
    return FromStatus(s);
  }
  if (ctx_.topics->IsSystemTopic(topic)) {
    return Reply(rc::kSystemError, StrCat("The topic[", topic, "] is conflict with system topic."));
  }
  // Only the config goes: the store cannot delete a topic's consume queues
  // yet, so its messages stay on disk until the commit log segments holding
  // them expire. Re-creating the topic makes them visible again.
  ctx_.topics->DeleteTopicConfig(topic);
  return Reply(rc::kSuccess);
}

RemotingCommand AdminProcessor::GetAllConsumerOffset() {
  RemotingCommand response = Reply(rc::kSuccess);
  response.body = Payload(ctx_.offsets->Encode());
  return response;
}

RemotingCommand AdminProcessor::GetAllDelayOffset() {
  // As RocketMQ: the file as last saved (every flushDelayOffsetInterval), the
  // schedule's progress a slave copies.
  const std::string path = StrCat(ctx_.config->store.store_path_root_dir, "/config/delayOffset.json");
  std::string content;
  auto loaded = LoadConfigFile(path, [&content](std::string_view text) {
    content.assign(text);
    return absl::OkStatus();
  });
  if (!loaded.ok()) return Reply(rc::kSystemError, std::string(loaded.status().message()));
  if (!*loaded || content.empty()) {
    return Reply(rc::kSystemError, StrCat("No delay offset in this broker (", path, ")"));
  }
  RemotingCommand response = Reply(rc::kSuccess);
  response.body = Payload(std::move(content));
  return response;
}

RemotingCommand AdminProcessor::GetAllTopicConfig() {
  RemotingCommand response = Reply(rc::kSuccess);
  response.body = Payload(ToJson(ctx_.topics->BuildSerializeWrapper()));
  return response;
}

RemotingCommand AdminProcessor::UpdateAndCreateSubscriptionGroup(RemotingCommand& request) {
  auto config = FromJson<SubscriptionGroupConfig>(request.body.ToString(),
                                                  "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP body");
  if (!config.ok()) return FromStatus(config.status());
  if (config->group_name.empty()) {
    return Reply(rc::kSystemError, "the subscription group config has no groupName");
  }
  return FromStatus(ctx_.groups->Update(*config));
}

RemotingCommand AdminProcessor::GetAllSubscriptionGroupConfig() {
  RemotingCommand response = Reply(rc::kSuccess);
  response.body = Payload(ToJson(ctx_.groups->BuildWrapper()));
  return response;
}

RemotingCommand AdminProcessor::DeleteSubscriptionGroup(RemotingCommand& request) {
  auto header = request.DecodeHeader<DeleteSubscriptionGroupRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const std::string& group = (*header)->group_name;
  // As RocketMQ: deleting a group that is not there succeeds too.
  const bool existed = ctx_.groups->Delete(group);
  int offsets = 0;
  if ((*header)->remove_offset.value_or(false)) offsets = ctx_.offsets->RemoveGroup(group);
  spdlog::info("deleted subscription group {} ({}; offsets in {} topic(s) removed)", group,
               existed ? "it existed" : "it did not exist", offsets);
  return Reply(rc::kSuccess);
}

}  // namespace rmq::internal
