// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/send_validators.h"

#include "common/properties_codec.h"
#include "common/str_cat.h"
#include "store/topic_validator.h"

namespace rmq::internal {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '%' || c == '|' || c == '_' || c == '-';
}

absl::Status Invalid(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

// ValidateTopic with the client's limit, remembering the last topic this
// thread found valid: a producer sends to one topic many times in a row,
// and the check scans every character of the name. (An empty name is never
// valid, so the empty initial value matches nothing.)
absl::Status ValidateSendTopic(std::string_view topic) {
  thread_local std::string last_valid;
  if (!last_valid.empty() && topic == last_valid) return absl::OkStatus();
  absl::Status valid = ValidateTopic(topic, kClientTopicMaxLength);
  if (valid.ok()) last_valid.assign(topic);
  return valid;
}

}  // namespace

absl::Status CheckGroup(std::string_view group) {
  if (group.empty()) return Invalid("the producer group name is empty");
  if (group.size() > kGroupMaxLength) {
    return Invalid(StrCat("the producer group name has ", group.size(),
                          " characters, more than the maximum ", kGroupMaxLength));
  }
  for (size_t i = 0; i < group.size(); ++i) {
    if (!IsNameChar(group[i])) {
      return Invalid(StrCat("the producer group '", group, "' has an illegal character at position ",
                            i, "; allowed are letters, digits and %|_-"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckMessage(const Message& msg, int32_t max_message_size) {
  const std::string& topic = msg.topic();
  if (absl::Status valid = ValidateSendTopic(topic); !valid.ok()) {
    return Invalid(StrCat("cannot send the message: ", StdView(valid.message())));
  }
  if (IsNotAllowedSendTopic(topic)) {
    return Invalid(StrCat("sending messages to the system topic '", topic,
                          "' is forbidden (only the broker writes it)"));
  }
  const size_t size = msg.body().size();
  if (size == 0) return Invalid(StrCat("the message body is empty (topic '", topic, "')"));
  if (size > static_cast<size_t>(max_message_size)) {
    return Invalid(StrCat("message body ", size, " bytes exceeds maxMessageSize ",
                          max_message_size, " (topic '", topic, "')"));
  }
  if (absl::Status props = ValidateProperties(msg.properties()); !props.ok()) {
    return Invalid(StrCat("cannot send the message to topic '", topic,
                          "': ", StdView(props.message())));
  }
  return absl::OkStatus();
}

absl::Status CheckProducerConfig(const ProducerConfig& config) {
  if (absl::Status group = CheckGroup(config.group_name); !group.ok()) return group;
  if (config.group_name == kDefaultProducerGroup) {
    return Invalid(StrCat("the producer group can not be '", kDefaultProducerGroup,
                          "' (reserved): set ProducerConfig.group_name to your own group"));
  }
  if (config.namesrv_addr.empty()) {
    return Invalid("namesrv_addr is empty: set it to the name server's address "
                   "(inproc://NAME or host:port)");
  }
  auto positive = [](std::string_view key, int64_t value) -> absl::Status {
    if (value > 0) return absl::OkStatus();
    return Invalid(StrCat(key, " must be positive, not ", value));
  };
  auto non_negative = [](std::string_view key, int64_t value) -> absl::Status {
    if (value >= 0) return absl::OkStatus();
    return Invalid(StrCat(key, " must not be negative, not ", value));
  };
  for (absl::Status s : {positive("sendMsgTimeout", config.send_msg_timeout),
                         positive("mqClientApiTimeout", config.mq_client_api_timeout),
                         positive("maxMessageSize", config.max_message_size),
                         positive("defaultTopicQueueNums", config.default_topic_queue_nums),
                         non_negative("compressMsgBodyOverHowmuch",
                                      config.compress_msg_body_over_howmuch),
                         non_negative("retryTimesWhenSendFailed", config.retry_times_when_send_failed),
                         non_negative("retryTimesWhenSendAsyncFailed",
                                      config.retry_times_when_send_async_failed)}) {
    if (!s.ok()) return s;
  }
  if (config.compress_level < -1 || config.compress_level > 9) {
    return Invalid(StrCat("compressLevel must be -1..9 (zlib), not ", config.compress_level));
  }
  if (absl::Status key = ValidateTopic(config.create_topic_key, kClientTopicMaxLength); !key.ok()) {
    return Invalid(StrCat("createTopicKey: ", StdView(key.message())));
  }
  return absl::OkStatus();
}

}  // namespace rmq::internal
