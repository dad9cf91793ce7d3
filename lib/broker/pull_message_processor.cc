// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/pull_message_processor.h"

#include <algorithm>
#include <utility>

#include "broker/expression_message_filter.h"
#include "broker/processor_util.h"
#include "common/str_cat.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;

// The response code for a store status, as PullMessageProcessor 4.9 maps it.
int32_t PullCode(GetStatus status, int64_t requested_offset) {
  switch (status) {
    case GetStatus::kFound:
      return rc::kSuccess;
    case GetStatus::kMessageWasRemoving:
    case GetStatus::kNoMatchedMessage:
      return rc::kPullRetryImmediately;
    case GetStatus::kNoMatchedLogicQueue:
    case GetStatus::kNoMessageInQueue:
      return requested_offset != 0 ? rc::kPullOffsetMoved : rc::kPullNotFound;
    case GetStatus::kOffsetFoundNull:
    case GetStatus::kOffsetOverflowOne:
      return rc::kPullNotFound;
    case GetStatus::kOffsetOverflowBadly:
    case GetStatus::kOffsetTooSmall:
      return rc::kPullOffsetMoved;
  }
  return rc::kSystemError;
}

}  // namespace

struct PullMessageProcessor::Outcome {
  RemotingCommand response;
  bool hold = false;  // Hold the request instead of answering.
  absl::Duration hold_for;
  std::shared_ptr<const MessageFilter> filter;
};

void PullMessageProcessor::Process(std::shared_ptr<Channel> channel, RemotingCommand request,
                                   Responder responder, bool allow_suspend) {
  Outcome outcome = Run(*channel, request, allow_suspend);
  if (!outcome.hold || holds_ == nullptr) {
    responder.Respond(std::move(outcome.response));
    return;
  }
  auto* header = static_cast<PullMessageRequestHeader*>(request.header.get());
  auto held = std::make_unique<HeldPull>();
  held->topic = header->topic;
  held->queue_id = header->queue_id;
  held->pull_from_offset = header->queue_offset;
  held->filter = std::move(outcome.filter);
  held->channel = std::move(channel);
  held->request = std::move(request);
  held->responder = std::move(responder);
  holds_->Suspend(std::move(held), outcome.hold_for);
}

PullMessageProcessor::Outcome PullMessageProcessor::Run(const Channel& channel,
                                                        RemotingCommand& request,
                                                        bool allow_suspend) {
  Outcome out;
  auto decoded = request.DecodeHeader<PullMessageRequestHeader>();
  if (!decoded.ok()) {
    out.response = BadHeader(decoded.status());
    return out;
  }
  const PullMessageRequestHeader& header = **decoded;
  const BrokerConfig& config = *ctx_.config;

  if (!perm::IsReadable(config.broker_permission)) {
    out.response = Reply(rc::kNoPermission, StrCat("the broker[", config.broker_name,
                                                   "] pulling message is forbidden"));
    return out;
  }
  auto group = ctx_.groups->FindOrCreate(header.consumer_group);
  if (!group) {
    out.response = Reply(rc::kSubscriptionGroupNotExist,
                         StrCat("subscription group [", header.consumer_group,
                                "] does not exist (autoCreateSubscriptionGroup is false)"));
    return out;
  }
  if (!group->consume_enable) {
    out.response = Reply(rc::kNoPermission,
                         StrCat("subscription group no permission, ", header.consumer_group));
    return out;
  }
  const bool has_suspend = (header.sys_flag & pull_sysflag::kSuspend) != 0;
  const bool has_commit_offset = (header.sys_flag & pull_sysflag::kCommitOffset) != 0;
  const bool has_subscription = (header.sys_flag & pull_sysflag::kSubscription) != 0;

  auto topic = ctx_.topics->Lookup(header.topic);
  if (!topic) {
    out.response = Reply(rc::kTopicNotExist,
                         StrCat("topic[", header.topic, "] not exist, apply first please!"));
    return out;
  }
  if (!perm::IsReadable(topic->perm)) {
    out.response = Reply(rc::kNoPermission,
                         StrCat("the topic[", header.topic, "] pulling message is forbidden"));
    return out;
  }
  if (header.queue_id < 0 || header.queue_id >= topic->read_queue_nums) {
    out.response = Reply(rc::kSystemError,
                         StrCat("queueId[", header.queue_id, "] is illegal, topic:[", header.topic,
                                "] topicConfig.readQueueNums:[", topic->read_queue_nums,
                                "] consumer:[", channel.remote_address(), "]"));
    return out;
  }

  SubscriptionData sub;
  if (has_subscription) {
    // The pull carries its subscription (FilterAPI.build): the expression,
    // its type and its version.
    sub.topic = header.topic;
    sub.sub_string = header.subscription.value_or("*");
    sub.expression_type = header.expression_type.value_or("TAG");
    sub.sub_version = header.sub_version;
  } else {
    bool broadcasting = false;
    switch (ctx_.consumers->FindSubscription(header.consumer_group, header.topic, &sub,
                                             &broadcasting)) {
      case ConsumerManager::Lookup::kNoGroup:
        out.response = Reply(rc::kSubscriptionNotExist,
                             StrCat("the consumer's group info not exist: no consumer of group ",
                                    header.consumer_group, " has sent a heartbeat"));
        return out;
      case ConsumerManager::Lookup::kNoSubscription:
        out.response = Reply(rc::kSubscriptionNotExist,
                             StrCat("the consumer's subscription not exist: group ",
                                    header.consumer_group, " does not subscribe to ", header.topic));
        return out;
      case ConsumerManager::Lookup::kFound:
        break;
    }
    if (broadcasting && !group->consume_broadcast_enable) {
      out.response = Reply(rc::kNoPermission, StrCat("the consumer group[", header.consumer_group,
                                                     "] can not consume by broadcast way"));
      return out;
    }
    if (sub.sub_version < header.sub_version) {
      out.response = Reply(rc::kSubscriptionNotLatest, "the consumer's subscription not latest");
      return out;
    }
  }
  std::shared_ptr<const MessageFilter> filter;
  if (IsTagType(sub.expression_type)) {
    filter = MessageFilter::ForTags(sub.sub_string);
  } else {
    // Checked before anything is compiled: a broker that does not filter by
    // properties keeps no filters.
    if (!config.enable_property_filter) {
      out.response = Reply(rc::kSystemError,
                           StrCat("The broker does not support consumer to filter message by ",
                                  sub.expression_type, " (enablePropertyFilter is false on broker ",
                                  config.broker_name, ")"));
      return out;
    }
    std::shared_ptr<const ConsumerFilter> compiled =
        ctx_.filters->Resolve(header.consumer_group, sub);
    if (!compiled->compiled.ok()) {
      out.response = Reply(
          rc::kSubscriptionParseFailed,
          StrCat("parse the consumer's subscription failed: group ", header.consumer_group,
                 ", topic ", header.topic, ": ", StdView(compiled->compiled.status().message())));
      return out;
    }
    filter = NewSqlMessageFilter(std::move(compiled));
  }

  const int32_t max_msgs = std::min(header.max_msg_nums, config.max_msgs_num_batch);
  auto result = std::make_shared<GetMessageResult>(ctx_.store->Get(
      header.topic, header.queue_id, header.queue_offset, max_msgs, filter.get()));

  auto response_header = std::make_unique<PullMessageResponseHeader>();
  response_header->next_begin_offset = result->next_begin_offset;
  response_header->min_offset = result->min_offset;
  response_header->max_offset = result->max_offset;
  response_header->suggest_which_broker_id = kMasterId;
  const int32_t code = PullCode(result->status, header.queue_offset);
  out.response =
      RemotingCommand::Response(code, std::string(GetStatusName(result->status)),
                                std::move(response_header));

  if (code == rc::kSuccess) {
    Payload::Chunks chunks;
    chunks.reserve(result->message_count());
    for (size_t i = 0; i < result->message_count(); ++i) chunks.push_back(result->record(i));
    ctx_.stats->OnGet(header.consumer_group, header.topic,
                      static_cast<int64_t>(result->message_count()));
    out.response.body = Payload::Shared(std::move(chunks), std::move(result));
  } else if (code == rc::kPullNotFound && allow_suspend && has_suspend) {
    out.hold = true;
    out.hold_for = absl::Milliseconds(config.long_polling_enable ? header.suspend_timeout_millis
                                                                 : config.short_polling_time_mills);
    out.filter = std::move(filter);
  } else if (code == rc::kPullOffsetMoved) {
    // Only masters exist here, so the offset is always corrected (RocketMQ's
    // offsetCheckInSlave applies to slaves).
    spdlog::warn("PULL_OFFSET_MOVED: topic={} queue={} group={} requested {} -> {}",
                 header.topic, header.queue_id, header.consumer_group, header.queue_offset,
                 result->next_begin_offset);
    RecordOffsetMoved(header, result->next_begin_offset);
  }

  if (allow_suspend && has_commit_offset) {
    ctx_.offsets->CommitOffset(channel.remote_address(), header.consumer_group, header.topic,
                               header.queue_id, header.commit_offset);
  }
  return out;
}

void PullMessageProcessor::RecordOffsetMoved(const PullMessageRequestHeader& header,
                                             int64_t offset_new) {
  // OffsetMovedEvent's JSON, for tools that watch consumers fall behind.
  nlohmann::json event = {
      {"consumerGroup", header.consumer_group},
      {"messageQueue",
       {{"topic", header.topic}, {"brokerName", ctx_.config->broker_name},
        {"queueId", header.queue_id}}},
      {"offsetRequest", header.queue_offset},
      {"offsetNew", offset_new},
  };
  MessageExt msg(std::string(kOffsetMovedEventTopic), header.consumer_group, header.consumer_group,
                 event.dump());
  msg.queue_id = 0;
  msg.born_timestamp = ctx_.clock->NowMillis();
  auto host = HostAddress::Parse(ctx_.config->broker_addr);
  msg.born_host = host ? *host : HostAddress::Ipv4(127, 0, 0, 1, 0);
  auto put = ctx_.store->Put(msg);
  if (!put.ok()) spdlog::warn("recording an OffsetMovedEvent failed: {}", put.status().ToString());
}

}  // namespace rmq::internal
