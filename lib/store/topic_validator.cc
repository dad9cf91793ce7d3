// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/topic_validator.h"

#include "common/str_cat.h"

namespace rmq::internal {

namespace {
bool IsTopicChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '%' || c == '|' || c == '_' || c == '-';
}
}  // namespace

absl::Status ValidateTopic(std::string_view topic, int max_length) {
  if (topic.empty()) return absl::InvalidArgumentError("topic is empty");
  if (topic.size() > static_cast<size_t>(max_length)) {
    return absl::InvalidArgumentError(StrCat("topic '", topic.substr(0, 32), "...' has ",
                                                   topic.size(), " characters, more than ",
                                                   max_length));
  }
  for (size_t i = 0; i < topic.size(); ++i) {
    if (!IsTopicChar(topic[i])) {
      return absl::InvalidArgumentError(
          StrCat("topic '", topic, "' has an illegal character at position ", i,
                       "; allowed are letters, digits and %|_-"));
    }
  }
  return absl::OkStatus();
}

}  // namespace rmq::internal
