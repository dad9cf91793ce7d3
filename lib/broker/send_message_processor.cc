// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/send_message_processor.h"

#include <random>
#include <utility>
#include <vector>

#include "broker/message_batch_codec.h"
#include "broker/message_builder.h"
#include "broker/processor_util.h"
#include "broker/transactional_message_service.h"
#include "common/msg_id.h"
#include "common/properties_codec.h"
#include "common/record_codec.h"
#include "common/str_cat.h"
#include "store/topic_validator.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;

// ValidateTopic, remembering the last topic this thread found valid (with
// the length limit it was checked against): a producer sends to one topic
// many times in a row, and the check scans every character of the name.
absl::Status ValidateSendTopic(std::string_view topic, int max_length) {
  struct LastValid {
    std::string topic;
    int max_length = -1;
  };
  thread_local LastValid last;
  if (max_length == last.max_length && topic == last.topic) return absl::OkStatus();
  absl::Status valid = ValidateTopic(topic, max_length);
  if (valid.ok()) {
    last.topic.assign(topic);
    last.max_length = max_length;
  }
  return valid;
}

// A request body as one contiguous view (copied only if it came in pieces).
std::string_view BodyView(const Payload& body, std::string* scratch) {
  if (body.chunks().size() == 1) return body.chunks().front();
  if (body.chunks().empty()) return {};
  *scratch = body.ToString();
  return *scratch;
}

// The response to a store error.
RemotingCommand PutFailure(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return Reply(rc::kMessageIllegal, std::string(status.message()));
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
      return Reply(rc::kServiceNotAvailable,
                   StrCat("service not available now: ", StdView(status.message())));
    default:
      return Reply(rc::kSystemError, std::string(status.message()));
  }
}

int32_t PutStatusCode(PutStatus status) {
  return status == PutStatus::kFlushDiskTimeout ? rc::kFlushDiskTimeout : rc::kSuccess;
}

std::string MessageTooLarge(size_t size, int32_t max) {
  return StrCat("the message is illegal: body of ", size, " bytes exceeds maxMessageSize ", max,
                " (the message properties may take 32 KB)");
}

// RocketMQ's clients send V2 (one-letter names) for SEND_MESSAGE_V2 and
// SEND_BATCH_MESSAGE; either form is accepted for any send code, told apart
// by its topic's name.
bool HasV2Names(bool has_b, bool has_topic) { return has_b && !has_topic; }

// An H decoded from `fields`, or nullptr if they do not decode (the request
// then keeps them in ext_fields, and its processor reports the bad field).
template <typename H>
std::unique_ptr<CommandHeader> DecodedFromWire(std::span<const WireField> fields) {
  auto header = std::make_unique<H>();
  if (!H::DecodeWireInto(fields, header.get()).ok()) return nullptr;
  return header;
}

bool IsSendCode(int32_t code) {
  return code == request_code::kSendMessage || code == request_code::kSendMessageV2 ||
         code == request_code::kSendBatchMessage;
}

}  // namespace

struct SendMessageProcessor::Target {
  std::string_view topic;  // The header's topic, or the DLQ topic below.
  std::string dlq_topic;
  int32_t queue_id = 0;
  TopicQueues queues;
  bool to_dlq = false;
};

absl::StatusOr<SendMessageRequestHeader*> DecodeSendHeader(RemotingCommand& request) {
  // V2 first: rmq's and RocketMQ's clients send it (HeaderAs of a header of
  // another type costs a dynamic_cast).
  if (auto* v2 = HeaderAs<SendMessageRequestHeaderV2>(request.header.get())) return &v2->v1;
  if (auto* v1 = HeaderAs<SendMessageRequestHeader>(request.header.get())) return v1;
  if (HasV2Names(request.ext_fields.contains("b"), request.ext_fields.contains("topic"))) {
    auto v2 = std::make_unique<SendMessageRequestHeaderV2>();
    if (absl::Status decoded = SendMessageRequestHeaderV2::DecodeInto(request.ext_fields, v2.get());
        !decoded.ok()) {
      return decoded;
    }
    SendMessageRequestHeader* fields = &v2->v1;
    request.header = std::move(v2);
    return fields;
  }
  return request.DecodeHeader<SendMessageRequestHeader>();
}

std::unique_ptr<CommandHeader> DecodeSendHeaderFromWire(int32_t code,
                                                         std::span<const WireField> fields) {
  if (!IsSendCode(code)) return nullptr;
  bool has_b = false;
  bool has_topic = false;
  for (const WireField& field : fields) {
    has_b = has_b || field.name == "b";
    has_topic = has_topic || field.name == "topic";
  }
  if (HasV2Names(has_b, has_topic)) return DecodedFromWire<SendMessageRequestHeaderV2>(fields);
  return DecodedFromWire<SendMessageRequestHeader>(fields);
}

RemotingCommand SendMessageProcessor::Process(const Channel& channel, RemotingCommand& request) {
  auto header = DecodeSendHeader(request);
  if (!header.ok()) return BadHeader(header.status());
  if (request.code == request_code::kSendBatchMessage || (*header)->batch.value_or(false)) {
    return SendBatch(channel, request, **header);
  }
  return SendOne(channel, request, **header);
}

bool SendMessageProcessor::CheckAndPickQueue(const Channel& channel,
                                             const SendMessageRequestHeader& header,
                                             Target* target, RemotingCommand* failure) {
  const std::string& topic = header.topic;
  if (!perm::IsWriteable(ctx_.config->broker_permission)) {
    auto existing = ctx_.topics->Lookup(topic);
    if (existing && existing->order) {
      *failure = Reply(rc::kNoPermission, StrCat("the broker[", ctx_.config->broker_name,
                                                 "] sending message is forbidden"));
      return false;
    }
  }
  if (absl::Status valid = ValidateSendTopic(topic, ctx_.config->store.max_topic_length);
      !valid.ok()) {
    *failure = Reply(rc::kSystemError, std::string(valid.message()));
    return false;
  }
  if (IsNotAllowedSendTopic(topic)) {
    *failure = Reply(rc::kNoPermission, StrCat("Sending message to topic[", topic, "] is forbidden."));
    return false;
  }
  std::optional<TopicQueues> queues = ctx_.topics->Lookup(topic);
  if (!queues) {
    const bool retry = topic.starts_with(kRetryGroupTopicPrefix);
    int32_t topic_sys_flag = 0;
    if (header.unit_mode.value_or(false)) topic_sys_flag = retry ? 0x2 : 0x1;  // TopicSysFlag unit bits
    queues = ctx_.topics->CreateTopicInSendMessageMethod(topic, header.default_topic,
                                                         channel.remote_address(),
                                                         header.default_topic_queue_nums,
                                                         topic_sys_flag);
    if (!queues && retry) {
      queues = ctx_.topics->CreateTopicInSendMessageBackMethod(topic, 1, perm::kRead | perm::kWrite,
                                                               topic_sys_flag);
    }
    if (!queues) {
      *failure = Reply(rc::kTopicNotExist,
                       StrCat("topic[", topic, "] not exist, apply first please! (broker ",
                              ctx_.config->broker_name, " has autoCreateTopicEnable=",
                              ctx_.config->auto_create_topic_enable ? "true" : "false",
                              "; create the topic first)"));
      return false;
    }
  }
  if (!perm::IsWriteable(queues->perm)) {
    *failure = Reply(rc::kNoPermission,
                     StrCat("the topic[", topic, "] sending message is forbidden (perm ",
                            queues->perm, ")"));
    return false;
  }
  int32_t queue_id = header.queue_id;
  if (queue_id >= std::max(queues->write_queue_nums, queues->read_queue_nums)) {
    *failure = Reply(rc::kSystemError,
                     StrCat("request queueId[", queue_id, "] is illegal, topic ", topic, " has ",
                            queues->write_queue_nums, " write and ", queues->read_queue_nums,
                            " read queues. Producer: ", channel.remote_address()));
    return false;
  }
  if (queue_id < 0) queue_id = RandomQueueId(queues->write_queue_nums);
  target->topic = topic;
  target->queue_id = queue_id;
  target->queues = *queues;
  return true;
}

bool SendMessageProcessor::HandleRetryAndDlq(const RemotingCommand& request,
                                             const SendMessageRequestHeader& header,
                                             Target* target, RemotingCommand* failure) {
  std::string_view topic = header.topic;
  if (!topic.starts_with(kRetryGroupTopicPrefix)) return true;
  std::string_view group = topic.substr(kRetryGroupTopicPrefix.size());
  auto group_config = ctx_.groups->FindOrCreate(group);
  if (!group_config) {
    *failure = Reply(rc::kSubscriptionGroupNotExist,
                     StrCat("subscription group not exist, ", group,
                            " (autoCreateSubscriptionGroup is false)"));
    return false;
  }
  int32_t max_reconsume_times = group_config->retry_max_times;
  if (request.version >= kVersionV3_4_9 && header.max_reconsume_times.has_value()) {
    max_reconsume_times = *header.max_reconsume_times;
  }
  if (header.reconsume_times.value_or(0) < max_reconsume_times) return true;
  target->dlq_topic = StrCat(kDlqGroupTopicPrefix, group);
  target->queues = ctx_.topics->CreateTopicInSendMessageBackMethod(
      target->dlq_topic, kDlqNumsPerGroup, perm::kRead | perm::kWrite, 0);
  target->topic = target->dlq_topic;
  target->queue_id = RandomQueueId(kDlqNumsPerGroup);
  target->to_dlq = true;
  return true;
}

RemotingCommand SendMessageProcessor::TransactionsForbidden() const {
  return Reply(rc::kNoPermission,
               StrCat("the broker[", ctx_.config->broker_name,
                      "] sending transaction message is forbidden (rejectTransactionMessage)"));
}

bool SendMessageProcessor::PutDecoded(const Channel& channel, const SendMessageRequestHeader& header,
                                      const Target& target, std::string_view encoded,
                                      std::string_view body, int32_t sys_flag,
                                      absl::StatusOr<PutMessageResult>* put,
                                      RemotingCommand* failure) {
  MessageExt& msg = ThreadMessage();
  Message::Properties& props = msg.mutable_properties();
  if (absl::Status s = AssignProperties(encoded, &props, property::kCluster); !s.ok()) {
    *failure = Reply(rc::kMessageIllegal, std::string(s.message()));
    return false;
  }
  const bool prepared = ParseJavaBoolean(msg.GetProperty(property::kTransactionPrepared));
  if (prepared && ctx_.config->reject_transaction_message) {
    *failure = TransactionsForbidden();
    return false;
  }
  if (target.to_dlq) msg.ClearProperty(property::kDelayTimeLevel);
  // WAIT=true is the default: not worth storing (as RocketMQ drops it).
  if (msg.HasProperty(property::kWaitStoreMsgOk) && msg.wait_store_msg_ok()) {
    msg.ClearProperty(property::kWaitStoreMsgOk);
  }
  if (auto cluster = props.find(property::kCluster); cluster != props.end()) {
    cluster->second.assign(ctx_.config->broker_cluster_name);
  } else {
    props.emplace(std::string(property::kCluster), ctx_.config->broker_cluster_name);
  }
  AssignTopic(msg, target.topic);
  AssignBody(msg, body);
  msg.set_flag(header.flag);
  msg.queue_id = target.queue_id;
  msg.sys_flag = sys_flag;
  msg.born_timestamp = header.born_timestamp;
  msg.born_host = ChannelHost(channel);
  msg.reconsume_times = header.reconsume_times.value_or(0);
  if (prepared) ctx_.transactions->PrepareHalfMessage(msg);
  *put = ctx_.store->Put(msg);
  return true;
}

RemotingCommand SendMessageProcessor::SendOne(const Channel& channel,
                                              const RemotingCommand& request,
                                              const SendMessageRequestHeader& header) {
  RemotingCommand failure;
  Target target;
  if (!CheckAndPickQueue(channel, header, &target, &failure)) return failure;
  if (!HandleRetryAndDlq(request, header, &target, &failure)) return failure;

  std::string scratch;
  std::string_view body = BodyView(request.body, &scratch);
  const int32_t max_size = ctx_.config->store.max_message_size;
  if (body.size() > static_cast<size_t>(max_size)) {
    return Reply(rc::kMessageIllegal, MessageTooLarge(body.size(), max_size));
  }

  const std::string_view encoded =
      header.properties.has_value() ? std::string_view(*header.properties) : std::string_view();
  const int32_t sys_flag = header.sys_flag | (target.queues.multi_tag ? sysflag::kMultiTags : 0);
  absl::StatusOr<PutMessageResult> put;
  // The common case: the producer's properties are rewritten as a string and
  // stored with the body as they came, no message object built.
  thread_local std::string stored_properties;
  SendPropertyFlags flags;
  // A prepared message becomes a half message, with properties added: the
  // general path.
  if (RewriteSendProperties(encoded, ctx_.config->broker_cluster_name, target.to_dlq,
                            &stored_properties, &flags) &&
      !flags.transaction_prepared) {
    EncodedMessage msg;
    msg.topic = target.topic;
    msg.queue_id = target.queue_id;
    msg.flag = header.flag;
    msg.body = body;
    msg.properties = stored_properties;
    msg.sys_flag = sys_flag;
    msg.born_timestamp = header.born_timestamp;
    msg.born_host = ChannelHost(channel);
    msg.reconsume_times = header.reconsume_times.value_or(0);
    msg.wait_store_msg_ok = flags.wait_store_msg_ok;
    msg.properties_checked = true;
    msg.may_park = flags.may_park;
    put = ctx_.store->PutEncoded(msg);
  } else {
    RemotingCommand failure;
    if (!PutDecoded(channel, header, target, encoded, body, sys_flag, &put, &failure)) {
      return failure;
    }
  }
  if (!put.ok()) return PutFailure(put.status());
  auto response_header = std::make_unique<SendMessageResponseHeader>();
  response_header->msg_id = put->offset_msg_id();
  response_header->queue_id = target.queue_id;
  response_header->queue_offset = put->queue_offset;
  return RemotingCommand::Response(PutStatusCode(put->status), {}, std::move(response_header));
}

RemotingCommand SendMessageProcessor::SendBatch(const Channel& channel,
                                                const RemotingCommand& request,
                                                const SendMessageRequestHeader& header) {
  RemotingCommand failure;
  Target target;
  if (!CheckAndPickQueue(channel, header, &target, &failure)) return failure;
  if (target.topic.starts_with(kRetryGroupTopicPrefix)) {
    return Reply(rc::kMessageIllegal,
                 StrCat("batch request does not support retry group ", target.topic));
  }
  std::string scratch;
  std::string_view body = BodyView(request.body, &scratch);
  const int32_t max_size = ctx_.config->store.max_message_size;
  if (body.size() > static_cast<size_t>(max_size)) {
    return Reply(rc::kMessageIllegal, MessageTooLarge(body.size(), max_size));
  }
  std::vector<BatchEntry> entries;
  if (absl::Status s = DecodeMessageBatch(body, &entries); !s.ok()) {
    return Reply(rc::kMessageIllegal, std::string(s.message()));
  }
  // The header's properties apply to every message, after its own (RocketMQ
  // appends them to each message's properties, so they win on a clash).
  Message::Properties batch_props;
  if (header.properties.has_value()) {
    if (absl::Status s = DecodeProperties(*header.properties, &batch_props); !s.ok()) {
      return Reply(rc::kMessageIllegal, std::string(s.message()));
    }
  }
  batch_props.insert_or_assign(std::string(property::kCluster), ctx_.config->broker_cluster_name);

  const HostAddress born_host = ChannelHost(channel);
  const int32_t sys_flag = header.sys_flag | (target.queues.multi_tag ? sysflag::kMultiTags : 0);
  // As RocketMQ's CommitLog.putMessages: a batch is never transactional (its
  // prepared messages would be stored and never seen).
  if (sysflag::TransactionValue(sys_flag) != sysflag::kTransactionNotType) {
    return Reply(rc::kMessageIllegal,
                 StrCat("batch message to ", target.topic, " has transaction sysFlag ", sys_flag,
                        ": a batch cannot be transactional"));
  }
  std::vector<MessageExt> msgs(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    MessageExt& msg = msgs[i];
    if (absl::Status s = DecodeProperties(entries[i].properties, &msg.mutable_properties()); !s.ok()) {
      return Reply(rc::kMessageIllegal, StrCat("batch message ", i, ": ", StdView(s.message())));
    }
    for (const auto& [name, value] : batch_props) msg.PutProperty(name, value);
    msg.set_topic(std::string(target.topic));
    msg.set_body(std::string(entries[i].body));
    msg.set_flag(entries[i].flag);
    msg.queue_id = target.queue_id;
    msg.sys_flag = sys_flag;
    msg.born_timestamp = header.born_timestamp;
    msg.born_host = born_host;
    msg.reconsume_times = header.reconsume_times.value_or(0);
  }

  absl::StatusOr<PutMessageResult> put = ctx_.store->PutBatch(msgs);
  if (!put.ok()) return PutFailure(put.status());
  // Each message's offset msgId: the records lie back to back from wrote_offset.
  std::string ids;
  int64_t offset = put->wrote_offset;
  for (const MessageExt& msg : msgs) {
    if (!ids.empty()) ids.push_back(',');
    ids += CreateOffsetMsgId(put->store_host, offset);
    int32_t record_flag = msg.sys_flag | (msg.born_host.ipv6 ? sysflag::kBornHostV6 : 0) |
                          (put->store_host.ipv6 ? sysflag::kStoreHostV6 : 0);
    offset += static_cast<int64_t>(RecordSize(record_flag, msg.body().size(), msg.topic().size(),
                                              EncodedPropertiesSize(msg.properties())));
  }
  auto response_header = std::make_unique<SendMessageResponseHeader>();
  response_header->msg_id = std::move(ids);
  response_header->queue_id = target.queue_id;
  response_header->queue_offset = put->queue_offset;
  return RemotingCommand::Response(PutStatusCode(put->status), {}, std::move(response_header));
}

}  // namespace rmq::internal
