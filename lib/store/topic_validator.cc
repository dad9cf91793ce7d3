// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/topic_validator.h"

#include <array>

#include "common/str_cat.h"

namespace rmq::internal {

namespace {

// RocketMQ's topic characters ^[%|a-zA-Z0-9_-]+$ as a table: every send
// checks its topic, so this is one load per character.
struct TopicCharTable {
  std::array<bool, 256> allowed{};
  constexpr TopicCharTable() {
    for (int c = 'a'; c <= 'z'; ++c) allowed[static_cast<size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) allowed[static_cast<size_t>(c)] = true;
    for (int c = '0'; c <= '9'; ++c) allowed[static_cast<size_t>(c)] = true;
    for (char c : {'%', '|', '_', '-'}) allowed[static_cast<unsigned char>(c)] = true;
  }
};
constexpr TopicCharTable kTopicChars;

bool IsTopicChar(char c) { return kTopicChars.allowed[static_cast<unsigned char>(c)]; }

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
