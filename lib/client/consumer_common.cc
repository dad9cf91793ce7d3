// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/consumer_common.h"

#include "client/client_instance.h"
#include "client/queue_offset_api.h"
#include "client/subscription.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/request_code.h"

namespace rmq::internal {

std::string_view ConsumeFromWhereName(ConsumeFromWhere where) {
  switch (where) {
    case ConsumeFromWhere::kLastOffset: return "CONSUME_FROM_LAST_OFFSET";
    case ConsumeFromWhere::kFirstOffset: return "CONSUME_FROM_FIRST_OFFSET";
    case ConsumeFromWhere::kTimestamp: return "CONSUME_FROM_TIMESTAMP";
  }
  return "CONSUME_FROM_LAST_OFFSET";
}

absl::Status CheckRange(std::string_view name, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat(name, " is ", value, "; it must be within [", min, ", ", max, "]"));
}

ConsumerData MakeConsumerData(const std::string& group, std::string_view consume_type,
                              MessageModel model, ConsumeFromWhere where,
                              const RebalanceImpl* rebalance) {
  ConsumerData data;
  data.group_name = group;
  data.consume_type = std::string(consume_type);
  data.message_model = model == MessageModel::kClustering ? "CLUSTERING" : "BROADCASTING";
  data.consume_from_where = std::string(ConsumeFromWhereName(where));
  if (rebalance != nullptr) {
    data.subscription_data_set = rebalance->Subscriptions();
  }
  return data;
}

std::vector<std::string> SubscribedTopicsOf(const RebalanceImpl* rebalance) {
  std::vector<std::string> topics;
  if (rebalance == nullptr) return topics;
  for (const SubscriptionData& sub : rebalance->Subscriptions()) {
    topics.push_back(sub.topic);
  }
  return topics;
}

absl::StatusOr<int64_t> ComputeStartOffset(ClientInstance& instance, OffsetStore& offsets,
                                           const std::string& group, ConsumeFromWhere where,
                                           const std::string& consume_timestamp,
                                           const MessageQueue& queue) {
  const int64_t last = offsets.ReadOffset(queue, ReadOffsetType::kReadFromStore);
  if (last >= 0) return last;
  if (last != kOffsetNotFound) {
    return absl::UnavailableError(StrCat("cannot read the committed offset of ", queue.ToString(),
                                         " for group '", group, "'"));
  }
  const bool retry_topic = queue.topic.starts_with(kRetryGroupTopicPrefix);
  switch (where) {
    case ConsumeFromWhere::kFirstOffset:
      return 0;
    case ConsumeFromWhere::kLastOffset:
      if (retry_topic) return 0;
      return QueryMaxOffset(instance, queue);
    case ConsumeFromWhere::kTimestamp: {
      if (retry_topic) return QueryMaxOffset(instance, queue);
      auto when = ParseConsumeTimestamp(consume_timestamp);
      if (!when.ok()) return when.status();
      return SearchOffset(instance, queue, *when);
    }
  }
  return absl::InternalError("unknown ConsumeFromWhere");
}

absl::Status CheckClientInBroker(ClientInstance& instance, std::string_view group,
                                 const std::vector<SubscriptionData>& subscriptions) {
  for (const SubscriptionData& sub : subscriptions) {
    std::string addr = instance.FindBrokerAddressByTopic(sub.topic);
    if (addr.empty()) {
      (void)instance.UpdateTopicRoute(sub.topic);
      addr = instance.FindBrokerAddressByTopic(sub.topic);
      if (addr.empty()) continue;  // No broker yet: nothing to ask.
    }
    CheckClientRequestBody body;
    body.client_id = instance.client_id();
    body.group = std::string(group);
    body.subscription_data = sub;
    RemotingCommand request = RemotingCommand::Request(request_code::kCheckClientConfig);
    request.body = Payload(ToJson(body));
    const std::string what = StrCat("consumer group '", group, "': broker ", addr, ", ",
                                    sub.expression_type, " subscription to topic '", sub.topic, "'");
    auto response = instance.transport().InvokeSync(
        addr, std::move(request), absl::Milliseconds(instance.config().mq_client_api_timeout));
    if (!response.ok()) {
      return absl::Status(response.status().code(),
                          StrCat(what, ": could not check it with the broker: ",
                                 StdView(response.status().message())));
    }
    if (response->code == response_code::kSystemError) {
      return absl::FailedPreconditionError(
          StrCat(what, ": ", response->remark, " (response code ", response->code, ")"));
    }
    RMQ_RETURN_IF_ERROR(ResponseToStatus(*response, what));
  }
  return absl::OkStatus();
}

}  // namespace rmq::internal
