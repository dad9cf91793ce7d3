// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/queue_offset_api.h"

#include "absl/time/time.h"
#include "client/client_instance.h"
#include "common/str_cat.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"

namespace rmq::internal {
namespace {

absl::StatusOr<int64_t> AskBroker(ClientInstance& instance, const MessageQueue& queue,
                                  RemotingCommand request, std::string_view what) {
  std::string addr = instance.FindBrokerAddressInSubscribe(queue.broker_name);
  if (addr.empty() && instance.UpdateTopicRoute(queue.topic).ok()) {
    addr = instance.FindBrokerAddressInSubscribe(queue.broker_name);
  }
  if (addr.empty()) {
    return absl::UnavailableError(StrCat(what, " of ", queue.ToString(), ": broker ",
                                         queue.broker_name, " is unknown"));
  }
  auto response = instance.transport().InvokeSync(
      addr, std::move(request), absl::Milliseconds(instance.config().mq_client_api_timeout));
  if (!response.ok()) return response.status();
  if (absl::Status s = ResponseToStatus(*response, StrCat(what, " of ", queue.ToString())); !s.ok()) {
    return s;
  }
  auto header = response->DecodeHeader<OffsetResponseHeader>();
  if (!header.ok()) return header.status();
  return (*header)->offset;
}

RemotingCommand QueueRequest(int32_t code, const MessageQueue& queue) {
  auto header = std::make_unique<QueueRequestHeader>();
  header->topic = queue.topic;
  header->queue_id = queue.queue_id;
  return RemotingCommand::Request(code, std::move(header));
}

}  // namespace

absl::StatusOr<int64_t> QueryMaxOffset(ClientInstance& instance, const MessageQueue& queue) {
  return AskBroker(instance, queue, QueueRequest(request_code::kGetMaxOffset, queue), "max offset");
}

absl::StatusOr<int64_t> QueryMinOffset(ClientInstance& instance, const MessageQueue& queue) {
  return AskBroker(instance, queue, QueueRequest(request_code::kGetMinOffset, queue), "min offset");
}

absl::StatusOr<int64_t> SearchOffset(ClientInstance& instance, const MessageQueue& queue,
                                     int64_t timestamp_ms) {
  auto header = std::make_unique<SearchOffsetRequestHeader>();
  header->topic = queue.topic;
  header->queue_id = queue.queue_id;
  header->timestamp = timestamp_ms;
  return AskBroker(instance, queue,
                   RemotingCommand::Request(request_code::kSearchOffsetByTimestamp, std::move(header)),
                   "offset by timestamp");
}

absl::StatusOr<int64_t> ParseConsumeTimestamp(std::string_view text) {
  absl::Time time;
  std::string error;
  // %E4Y: a plain %Y would take every digit of the string as the year.
  if (text.size() != 14 ||
      !absl::ParseTime("%E4Y%m%d%H%M%S", AbslView(text), absl::UTCTimeZone(), &time, &error)) {
    return absl::InvalidArgumentError(
        StrCat("consume_timestamp '", text, "' is not yyyyMMddHHmmss (e.g. 20261126093000)"));
  }
  return absl::ToUnixMillis(time);
}

}  // namespace rmq::internal
