// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/remoting_command.h"

#include <stdexcept>

#include "common/str_cat.h"
#include "remoting/request_code.h"

namespace rmq::internal {

const std::string& ExtFields::at(std::string_view key) const {
  auto it = find(key);
  if (it == end()) throw std::out_of_range(StrCat("ExtFields::at: no field '", key, "'"));
  return it->second;
}

void ExtFields::AssignFromWire(std::span<const WireField> wire) {
  // rmq's encoder writes the names in ascending order (so no name twice):
  // then the fields are stored as they come.
  bool ascending = true;
  for (size_t i = 1; i < wire.size() && ascending; ++i) {
    ascending = wire[i - 1].name < wire[i].name;
  }
  if (ascending) {
    fields_.clear();
    fields_.reserve(wire.size());
    for (const WireField& field : wire) {
      fields_.emplace_back(std::string(field.name), std::string(field.text));
    }
    return;
  }
  // Otherwise sorted once, then stored in one go: inserting the fields one
  // by one would move the entries after each out-of-order name and grow the
  // vector field by field. The position breaks ties, so the last of a
  // repeated name is the last of its run (std::sort allocates nothing,
  // unlike std::stable_sort).
  struct Placed {
    WireField field;
    size_t position;
  };
  absl::InlinedVector<Placed, 16> placed;
  placed.reserve(wire.size());
  for (size_t i = 0; i < wire.size(); ++i) placed.push_back({wire[i], i});
  std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
    const int order = a.field.name.compare(b.field.name);
    return order != 0 ? order < 0 : a.position < b.position;
  });
  fields_.clear();
  fields_.reserve(placed.size());
  for (size_t i = 0; i < placed.size(); ++i) {
    const WireField& field = placed[i].field;
    if (i + 1 < placed.size() && placed[i + 1].field.name == field.name) continue;
    fields_.emplace_back(std::string(field.name), std::string(field.text));
  }
}

Payload::Payload(std::string bytes) {
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  chunks_.push_back(*owned);
  keep_alive_ = std::move(owned);
}

Payload Payload::Borrow(std::string_view bytes) {
  Payload payload;
  payload.chunks_.push_back(bytes);
  return payload;
}

Payload Payload::Shared(Chunks chunks, std::shared_ptr<const void> keep_alive) {
  Payload payload;
  payload.chunks_ = std::move(chunks);
  payload.keep_alive_ = std::move(keep_alive);
  return payload;
}

size_t Payload::size() const {
  size_t total = 0;
  for (std::string_view chunk : chunks_) total += chunk.size();
  return total;
}

std::string Payload::ToString() const {
  std::string out;
  out.reserve(size());
  for (std::string_view chunk : chunks_) out.append(chunk);
  return out;
}

RemotingCommand RemotingCommand::Request(int32_t code, std::unique_ptr<CommandHeader> header) {
  RemotingCommand command;
  command.code = code;
  command.header = std::move(header);
  return command;
}

RemotingCommand RemotingCommand::Response(int32_t code, std::string remark,
                                          std::unique_ptr<CommandHeader> header) {
  RemotingCommand command;
  command.code = code;
  command.flag = kResponseFlag;
  command.remark = std::move(remark);
  command.header = std::move(header);
  return command;
}

void RemotingCommand::EncodeHeaderFields() {
  if (header != nullptr) header->Encode(&ext_fields);
}

absl::Status ResponseToStatus(const RemotingCommand& response, std::string_view what) {
  if (response.code == response_code::kSuccess) return absl::OkStatus();
  std::string message =
      StrCat(what, ": ", response.remark.empty() ? "request failed" : response.remark,
             " (response code ", response.code, ")");
  switch (response.code) {
    case response_code::kTopicNotExist:
    case response_code::kSubscriptionGroupNotExist:
    case response_code::kSubscriptionNotExist:
    case response_code::kQueryNotFound:
    case response_code::kConsumerNotOnline:
      return absl::NotFoundError(message);
    case response_code::kNoPermission:
      return absl::PermissionDeniedError(message);
    case response_code::kMessageIllegal:
    case response_code::kSubscriptionParseFailed:
    case response_code::kInvalidParameter:
    case response_code::kRequestCodeNotSupported:
    case response_code::kVersionNotSupported:
      return absl::InvalidArgumentError(message);
    case response_code::kTopicExistAlready:
      return absl::AlreadyExistsError(message);
    case response_code::kSystemBusy:
      return absl::ResourceExhaustedError(message);
    case response_code::kServiceNotAvailable:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

std::string RequestCodeName(int32_t code) {
  namespace rc = request_code;
  switch (code) {
    case rc::kSendMessage: return "SEND_MESSAGE";
    case rc::kPullMessage: return "PULL_MESSAGE";
    case rc::kQueryMessage: return "QUERY_MESSAGE";
    case rc::kQueryConsumerOffset: return "QUERY_CONSUMER_OFFSET";
    case rc::kUpdateConsumerOffset: return "UPDATE_CONSUMER_OFFSET";
    case rc::kUpdateAndCreateTopic: return "UPDATE_AND_CREATE_TOPIC";
    case rc::kGetAllTopicConfig: return "GET_ALL_TOPIC_CONFIG";
    case rc::kGetBrokerRuntimeInfo: return "GET_BROKER_RUNTIME_INFO";
    case rc::kSearchOffsetByTimestamp: return "SEARCH_OFFSET_BY_TIMESTAMP";
    case rc::kGetMaxOffset: return "GET_MAX_OFFSET";
    case rc::kGetMinOffset: return "GET_MIN_OFFSET";
    case rc::kGetEarliestMsgStoreTime: return "GET_EARLIEST_MSG_STORETIME";
    case rc::kViewMessageById: return "VIEW_MESSAGE_BY_ID";
    case rc::kHeartBeat: return "HEART_BEAT";
    case rc::kUnregisterClient: return "UNREGISTER_CLIENT";
    case rc::kConsumerSendMsgBack: return "CONSUMER_SEND_MSG_BACK";
    case rc::kEndTransaction: return "END_TRANSACTION";
    case rc::kGetConsumerListByGroup: return "GET_CONSUMER_LIST_BY_GROUP";
    case rc::kCheckTransactionState: return "CHECK_TRANSACTION_STATE";
    case rc::kNotifyConsumerIdsChanged: return "NOTIFY_CONSUMER_IDS_CHANGED";
    case rc::kLockBatchMq: return "LOCK_BATCH_MQ";
    case rc::kUnlockBatchMq: return "UNLOCK_BATCH_MQ";
    case rc::kGetAllConsumerOffset: return "GET_ALL_CONSUMER_OFFSET";
    case rc::kGetAllDelayOffset: return "GET_ALL_DELAY_OFFSET";
    case rc::kCheckClientConfig: return "CHECK_CLIENT_CONFIG";
    case rc::kRegisterBroker: return "REGISTER_BROKER";
    case rc::kUnregisterBroker: return "UNREGISTER_BROKER";
    case rc::kGetRouteInfoByTopic: return "GET_ROUTEINFO_BY_TOPIC";
    case rc::kGetBrokerClusterInfo: return "GET_BROKER_CLUSTER_INFO";
    case rc::kUpdateAndCreateSubscriptionGroup: return "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP";
    case rc::kGetAllSubscriptionGroupConfig: return "GET_ALL_SUBSCRIPTIONGROUP_CONFIG";
    case rc::kGetTopicStatsInfo: return "GET_TOPIC_STATS_INFO";
    case rc::kGetConsumerConnectionList: return "GET_CONSUMER_CONNECTION_LIST";
    case rc::kGetAllTopicListFromNameServer: return "GET_ALL_TOPIC_LIST_FROM_NAMESERVER";
    case rc::kDeleteSubscriptionGroup: return "DELETE_SUBSCRIPTIONGROUP";
    case rc::kGetConsumeStats: return "GET_CONSUME_STATS";
    case rc::kDeleteTopicInBroker: return "DELETE_TOPIC_IN_BROKER";
    case rc::kDeleteTopicInNamesrv: return "DELETE_TOPIC_IN_NAMESRV";
    case rc::kResetConsumerClientOffset: return "RESET_CONSUMER_CLIENT_OFFSET";
    case rc::kInvokeBrokerToResetOffset: return "INVOKE_BROKER_TO_RESET_OFFSET";
    case rc::kGetConsumerRunningInfo: return "GET_CONSUMER_RUNNING_INFO";
    case rc::kSendMessageV2: return "SEND_MESSAGE_V2";
    case rc::kSendBatchMessage: return "SEND_BATCH_MESSAGE";
    default: return StrCat("CODE_", code);
  }
}

}  // namespace rmq::internal
