// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/send_request.h"

#include <zlib.h>

#include <charconv>
#include <cstring>
#include <utility>

#include "client/batch_encoder.h"
#include "common/properties_codec.h"
#include "common/str_cat.h"
#include "remoting/inproc_transport.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;

// ResponseCode.NO_BUYER_ID and NOT_IN_CURRENT_UNIT (not answered by rmq's
// broker, but by RocketMQ's in unit mode).
constexpr int32_t kNoBuyerId = 204;
constexpr int32_t kNotInCurrentUnit = 205;

constexpr size_t kUniqKeyLength = 32;

absl::Status ParseCount(const Message& msg, std::string_view name, std::optional<int32_t>* out) {
  if (!msg.HasProperty(name)) return absl::OkStatus();
  std::string_view text = msg.GetProperty(name);
  int32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return absl::InvalidArgumentError(StrCat("message property ", name, "='", text,
                                             "' is not an integer (topic '", msg.topic(), "')"));
  }
  *out = value;
  return absl::OkStatus();
}

// zlib's format (what java.util.zip.Deflater writes), at `level`. False if
// zlib fails; the body is then sent as it is, as RocketMQ does.
bool Compress(std::string_view in, int level, std::string* out) {
  uLongf size = compressBound(static_cast<uLong>(in.size()));
  out->resize(size);
  if (compress2(reinterpret_cast<Bytef*>(out->data()), &size,
                reinterpret_cast<const Bytef*>(in.data()), static_cast<uLong>(in.size()),
                level) != Z_OK) {
    out->clear();
    return false;
  }
  out->resize(size);
  return true;
}

}  // namespace

absl::Status PreparedSend::PrepareMessage(const Message& msg, const ProducerConfig& config,
                                          UniqKeyGenerator& ids, std::optional<int64_t> now_ms) {
  topic_ = &msg.topic();
  batch_ = false;
  flag_ = msg.flag();
  properties_ = &msg.properties();
  // MessageClientIDSetter.setUniqID: a message keeps the key it has (a
  // resend of the same message object keeps its id).
  own_uniq_key_ = msg.GetProperty(property::kUniqKey);
  add_uniq_key_ = own_uniq_key_.empty();
  if (add_uniq_key_) {
    if (now_ms.has_value()) {
      ids.NextInto(new_uniq_key_.data(), *now_ms);
    } else {
      ids.NextInto(new_uniq_key_.data());
    }
  }

  sys_flag_ = 0;
  body_view_ = msg.body();
  owns_body_ = false;
  if (msg.body().size() >= static_cast<size_t>(config.compress_msg_body_over_howmuch) &&
      Compress(msg.body(), config.compress_level, &owned_body_)) {
    owns_body_ = true;
    sys_flag_ |= sysflag::kCompressed;
  }
  if (ParseJavaBoolean(msg.GetProperty(property::kTransactionPrepared))) {
    sys_flag_ |= sysflag::kTransactionPreparedType;
  }
  if (msg.topic().starts_with("%RETRY%")) {
    drop_reconsume_properties_ = true;
    if (absl::Status s = ParseCount(msg, property::kReconsumeTime, &reconsume_times_); !s.ok()) return s;
    if (absl::Status s = ParseCount(msg, property::kMaxReconsumeTimes, &max_reconsume_times_); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status PreparedSend::PrepareBatch(std::span<const Message> msgs, const ProducerConfig& config,
                                        UniqKeyGenerator& ids) {
  topic_ = &msgs.front().topic();
  batch_ = true;
  flag_ = 0;
  sys_flag_ = 0;  // A batch is never compressed (as RocketMQ).
  properties_ = nullptr;
  std::vector<std::string> keys(msgs.size());
  for (size_t i = 0; i < msgs.size(); ++i) {
    std::string_view own = msgs[i].GetProperty(property::kUniqKey);
    keys[i] = own.empty() ? ids.Next() : std::string(own);
    if (i > 0) batch_msg_ids_.push_back(',');
    batch_msg_ids_ += keys[i];
  }
  owned_body_.clear();
  owns_body_ = true;
  if (absl::Status s = EncodeBatch(msgs, keys, &owned_body_); !s.ok()) return s;
  if (owned_body_.size() > static_cast<size_t>(config.max_message_size)) {
    return absl::InvalidArgumentError(StrCat("the batch of ", msgs.size(), " messages encodes to ",
                                             owned_body_.size(), " bytes, over maxMessageSize ",
                                             config.max_message_size, " (topic '", topic(),
                                             "'); split it with SplitBatch"));
  }
  // MessageBatch carries its messages' common waitStoreMsgOK as its own property.
  batch_properties_ = StrCat(property::kWaitStoreMsgOk, kNameValueSeparator,
                             msgs.front().wait_store_msg_ok() ? "true" : "false",
                             kPropertySeparator);
  return absl::OkStatus();
}

std::string PreparedSend::MsgId() const {
  std::string id;
  AssignMsgId(&id);
  return id;
}

void PreparedSend::AssignMsgId(std::string* out) const {
  if (batch_) {
    out->assign(batch_msg_ids_);
  } else if (add_uniq_key_) {
    out->assign(new_uniq_key_.data(), new_uniq_key_.size());
  } else {
    out->assign(own_uniq_key_);
  }
}

void PreparedSend::EncodeProperties(std::string* out) const {
  const Message::Properties& props = *properties_;
  size_t size = add_uniq_key_ ? property::kUniqKey.size() + kUniqKeyLength + 2 : 0;
  if (!drop_reconsume_properties_) {
    size += EncodedPropertiesSize(props);
    out->resize(size);
    char* p = internal::EncodeProperties(props, out->data());
    if (add_uniq_key_) {
      std::memcpy(p, property::kUniqKey.data(), property::kUniqKey.size());
      p += property::kUniqKey.size();
      *p++ = kNameValueSeparator;
      std::memcpy(p, new_uniq_key_.data(), kUniqKeyLength);
      p += kUniqKeyLength;
      *p = kPropertySeparator;
    }
    return;
  }
  // A retry topic's reconsume counts go in the header instead.
  Message::Properties kept;
  for (const auto& [name, value] : props) {
    if (name != property::kReconsumeTime && name != property::kMaxReconsumeTimes) {
      kept.emplace(name, value);
    }
  }
  if (add_uniq_key_) {
    kept.emplace(std::string(property::kUniqKey), std::string(new_uniq_key_.data(), kUniqKeyLength));
  }
  *out = internal::EncodeProperties(kept);
}

RemotingCommand PreparedSend::BuildRequest(const MessageQueue& mq, const ProducerConfig& config,
                                           int64_t born_ms, Payload body,
                                           SendMessageRequestHeaderV2* lent) const {
  // Built in place: this runs once per attempt, on the hot path.
  std::unique_ptr<SendMessageRequestHeaderV2> owned;
  SendMessageRequestHeaderV2* v2 = lent;
  if (v2 == nullptr) {
    owned = std::make_unique<SendMessageRequestHeaderV2>();
    v2 = owned.get();
  }
  SendMessageRequestHeader& header = v2->v1;
  header.producer_group = config.group_name;
  header.topic = *topic_;
  header.default_topic = config.create_topic_key;
  header.default_topic_queue_nums = config.default_topic_queue_nums;
  header.queue_id = mq.queue_id;
  header.sys_flag = sys_flag_;
  header.born_timestamp = born_ms;
  header.flag = flag_;
  if (batch_) {
    header.properties = batch_properties_;  // Into the capacity a lent header kept.
  } else {
    // A lent header's string keeps its capacity from the last send.
    EncodeProperties(header.properties.has_value() ? &*header.properties
                                                   : &header.properties.emplace());
  }
  header.reconsume_times = reconsume_times_.value_or(0);
  header.unit_mode = false;
  header.batch = batch_;
  header.max_reconsume_times = max_reconsume_times_;
  RemotingCommand request;
  if (owned != nullptr) {
    request = RemotingCommand::Request(code(), std::move(owned));
  } else {
    request.code = code();
    request.header = HeaderPtr(lent, HeaderDeleter::Borrowed());
  }
  request.body = std::move(body);
  return request;
}

namespace {
thread_local SendMessageRequestHeaderV2 tl_lent_header;
thread_local bool tl_lent_header_busy = false;
}  // namespace

LentSendHeader::LentSendHeader(bool wanted) {
  if (wanted && !tl_lent_header_busy) {
    tl_lent_header_busy = true;
    header_ = &tl_lent_header;
  }
}

LentSendHeader::~LentSendHeader() {
  if (header_ != nullptr) tl_lent_header_busy = false;
}

Payload PreparedSend::BodyFor(const std::string& addr, std::shared_ptr<const void> keep_alive) const {
  if (keep_alive != nullptr) return Payload::Shared({body()}, std::move(keep_alive));
  if (IsInprocAddress(addr)) return Payload::Borrow(body());
  return Payload(std::string(body()));
}

bool IsRetryableSendCode(int32_t code) {
  return code == rc::kTopicNotExist || code == rc::kServiceNotAvailable ||
         code == rc::kSystemError || code == rc::kNoPermission || code == kNoBuyerId ||
         code == kNotInCurrentUnit;
}

absl::StatusOr<SendResult> ParseSendResponse(RemotingCommand& response, const PreparedSend& send,
                                             const MessageQueue& mq, const std::string& addr,
                                             int32_t* broker_code) {
  absl::StatusOr<SendResult> out;
  ParseSendResponse(response, send, mq, addr, broker_code, &out);
  return out;
}

void ParseSendResponse(RemotingCommand& response, const PreparedSend& send, const MessageQueue& mq,
                       const std::string& addr, int32_t* broker_code,
                       absl::StatusOr<SendResult>* out) {
  SendStatus status;
  switch (response.code) {
    case rc::kSuccess:
      status = SendStatus::kSendOk;
      break;
    case rc::kFlushDiskTimeout:
      status = SendStatus::kFlushDiskTimeout;
      break;
    case rc::kFlushSlaveTimeout:
      status = SendStatus::kFlushSlaveTimeout;
      break;
    case rc::kSlaveNotAvailable:
      status = SendStatus::kSlaveNotAvailable;
      break;
    default:
      *broker_code = response.code;
      *out = ResponseToStatus(response, StrCat(RequestCodeName(send.code()), " to ",
                                               mq.broker_name, " (", addr, ")"));
      return;
  }
  // The typed header an in-process broker answered with is read in place;
  // one from the wire is decoded from its fields into a value (no header
  // object is allocated for it, as RemotingCommand::DecodeHeader would).
  auto* header = HeaderAs<SendMessageResponseHeader>(response.header.get());
  absl::StatusOr<SendMessageResponseHeader> decoded;
  if (header == nullptr) {
    decoded = SendMessageResponseHeader::Decode(response.ext_fields);
    if (!decoded.ok()) {
      *out = absl::InternalError(StrCat("the answer of ", mq.broker_name, " (", addr,
                                        ") to a send is malformed: ",
                                        StdView(decoded.status().message())));
      return;
    }
    header = &*decoded;
  }
  SendResult& result = out->emplace();
  result.send_status = status;
  send.AssignMsgId(&result.msg_id);
  result.offset_msg_id = std::move(header->msg_id);
  result.message_queue.topic = send.topic();
  result.message_queue.broker_name = mq.broker_name;
  result.message_queue.queue_id = header->queue_id;
  result.queue_offset = header->queue_offset;
  if (header->transaction_id.has_value()) result.transaction_id = std::move(*header->transaction_id);
}

}  // namespace rmq::internal
