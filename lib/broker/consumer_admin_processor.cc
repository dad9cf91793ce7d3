// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/consumer_admin_processor.h"

#include <memory>
#include <string>

#include "broker/processor_util.h"
#include "common/str_cat.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;
namespace rq = request_code;

// How long the broker waits for a consumer it asks for an admin tool
// (RocketMQ's callConsumer: 5 s).
constexpr absl::Duration kConsumerCallTimeout = absl::Seconds(5);

}  // namespace

RemotingCommand ConsumerAdminProcessor::GetConsumerConnectionList(RemotingCommand& request) {
  auto header = request.DecodeHeader<GetConsumerConnectionListRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const std::string& group = (*header)->consumer_group;
  auto connection = ctx_.consumers->GetConnection(group);
  if (!connection) {
    return Reply(rc::kConsumerNotOnline, StrCat("the consumer group[", group, "] not online"));
  }
  RemotingCommand response = Reply(rc::kSuccess);
  response.body = Payload(ToJson(*connection));
  return response;
}

RemotingCommand ConsumerAdminProcessor::ResetOffset(RemotingCommand& request) {
  auto header = request.DecodeHeader<ResetOffsetRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const ResetOffsetRequestHeader& h = **header;
  auto config = ctx_.topics->Find(h.topic);
  if (!config) {
    return Reply(rc::kSystemError,
                 StrCat("[reset-offset] reset offset failed, no topic in this broker. topic=", h.topic));
  }
  ResetOffsetBody body;
  for (int32_t queue = 0; queue < config->write_queue_nums; ++queue) {
    const int64_t consumer_offset = ctx_.offsets->QueryOffset(h.group, h.topic, queue);
    if (consumer_offset < 0) {
      return Reply(rc::kSystemError, StrCat("the consumer group <", h.group,
                                            "> has no offset in queue ", queue, " of topic ",
                                            h.topic, " on broker ", ctx_.config->broker_name));
    }
    int64_t target = h.timestamp == -1 ? ctx_.store->GetMaxOffsetInQueue(h.topic, queue)
                                       : ctx_.store->GetOffsetInQueueByTime(h.topic, queue,
                                                                            h.timestamp);
    if (target < 0) target = 0;
    // Without force an offset only moves back (re-consume from the time).
    body.offset_table[MessageQueue(h.topic, ctx_.config->broker_name, queue)] =
        h.is_force || target < consumer_offset ? target : consumer_offset;
  }

  auto channels = ctx_.consumers->GetChannels(h.group);
  if (channels.empty()) {
    return Reply(rc::kConsumerNotOnline,
                 StrCat("Consumer not online, so can not reset offset, Group: ", h.group,
                        " Topic: ", h.topic, " Timestamp: ", h.timestamp));
  }
  const std::string body_json = ToJson(body);
  for (const auto& channel : channels) {
    auto notify = std::make_unique<ResetOffsetRequestHeader>(h);
    RemotingCommand reset =
        RemotingCommand::Request(rq::kResetConsumerClientOffset, std::move(notify));
    reset.body = Payload(body_json);
    channel->InvokeOneway(std::move(reset));
  }
  spdlog::info("reset offsets of group {} in topic {} to time {} (force {}) for {} member(s)",
               h.group, h.topic, h.timestamp, h.is_force, channels.size());
  RemotingCommand response = Reply(rc::kSuccess);
  response.body = Payload(body_json);
  return response;
}

void ConsumerAdminProcessor::GetConsumerRunningInfo(RemotingCommand& request,
                                                    Responder responder) {
  auto header = request.DecodeHeader<GetConsumerRunningInfoRequestHeader>();
  if (!header.ok()) return responder.Respond(BadHeader(header.status()));
  const GetConsumerRunningInfoRequestHeader h = **header;
  std::shared_ptr<Channel> channel = ctx_.consumers->FindChannel(h.consumer_group, h.client_id);
  if (!channel) {
    return responder.Respond(Reply(
        rc::kSystemError,
        StrCat("The Consumer <", h.consumer_group, "> <", h.client_id, "> not online")));
  }
  RemotingCommand ask = RemotingCommand::Request(
      rq::kGetConsumerRunningInfo, std::make_unique<GetConsumerRunningInfoRequestHeader>(h));
  channel->InvokeAsync(
      std::move(ask), kConsumerCallTimeout,
      [responder = std::move(responder), h](absl::StatusOr<RemotingCommand> answer) mutable {
        if (answer.ok()) {
          // The consumer's answer as it is (its code, remark and body).
          RemotingCommand response = RemotingCommand::Response(answer->code, answer->remark);
          response.body = std::move(answer->body);
          return responder.Respond(std::move(response));
        }
        const bool timed_out = absl::IsDeadlineExceeded(answer.status());
        responder.Respond(Reply(timed_out ? rc::kConsumeMsgTimeout : rc::kSystemError,
                                StrCat("consumer <", h.consumer_group, "> <", h.client_id, "> ",
                                       timed_out ? "Timeout: " : "failed: ",
                                       StdView(answer.status().message()))));
      });
}

}  // namespace rmq::internal
