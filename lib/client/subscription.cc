// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/subscription.h"

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/str_cat.h"
#include "common/record_codec.h"
#include "common/tag_hash.h"
#include "filter/sql_expression.h"
#include "store/topic_validator.h"

namespace rmq::internal {

absl::StatusOr<SubscriptionData> BuildSubscriptionData(std::string_view topic,
                                                       std::string_view expression,
                                                       int64_t sub_version) {
  if (absl::Status valid = ValidateTopic(topic, kMaxTopicLength); !valid.ok()) return valid;
  SubscriptionData sub;
  sub.topic = std::string(topic);
  sub.sub_version = sub_version;
  absl::string_view trimmed = absl::StripAsciiWhitespace(AbslView(expression));
  if (trimmed.empty() || trimmed == "*") {
    sub.sub_string = std::string(kSubAll);
    return sub;
  }
  sub.sub_string = std::string(trimmed);
  for (absl::string_view tag : absl::StrSplit(trimmed, "||")) {
    tag = absl::StripAsciiWhitespace(tag);
    if (tag.empty()) continue;
    sub.tags_set.emplace(tag);
    sub.code_set.insert(static_cast<int32_t>(TagsStringToTagsCode(StdView(tag))));
  }
  if (sub.tags_set.empty()) {
    return absl::InvalidArgumentError(
        StrCat("subscription of topic '", topic, "': expression '", expression,
               "' names no tag; use \"*\" or \"TagA || TagB\""));
  }
  return sub;
}

absl::StatusOr<SubscriptionData> BuildSubscriptionData(std::string_view topic,
                                                       const MessageSelector& selector,
                                                       int64_t sub_version) {
  if (selector.type() == MessageSelector::Type::kTag) {
    return BuildSubscriptionData(topic, selector.expression(), sub_version);
  }
  if (absl::Status valid = ValidateTopic(topic, kMaxTopicLength); !valid.ok()) return valid;
  if (auto compiled = CompileSql(selector.expression()); !compiled.ok()) {
    return absl::InvalidArgumentError(StrCat("subscription of topic '", topic, "' by SQL92: ",
                                             StdView(compiled.status().message())));
  }
  SubscriptionData sub;
  sub.topic = std::string(topic);
  sub.sub_version = sub_version;
  sub.sub_string = selector.expression();
  sub.expression_type = std::string(selector.type_name());
  return sub;
}

bool ChecksTags(const SubscriptionData& sub) {
  // SQL92: the broker delivers exactly the messages that match; its tags
  // are none of the client's business (RocketMQ's PullAPIWrapper re-checks
  // only a non-empty tag set).
  return !sub.tags_set.empty() && !sub.class_filter_mode && sub.expression_type == "TAG";
}

bool MatchesSubscription(const SubscriptionData& sub, std::string_view tags) {
  if (!ChecksTags(sub)) return true;
  return sub.tags_set.contains(tags);
}

std::string RetryTopic(std::string_view group) { return StrCat(kRetryGroupTopicPrefix, group); }

absl::Status ValidateGroupName(std::string_view group, std::string_view what) {
  if (group.empty()) return absl::InvalidArgumentError(StrCat(what, " is empty"));
  if (group.size() > 255) {
    return absl::InvalidArgumentError(StrCat(what, " '", group.substr(0, 32), "…' is ",
                                             group.size(), " characters; the limit is 255"));
  }
  for (char c : group) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '%' || c == '|' || c == '_' || c == '-';
    if (!ok) {
      return absl::InvalidArgumentError(StrCat(what, " '", group, "' contains '", c,
                                               "'; only letters, digits and %|_- are allowed"));
    }
  }
  return absl::OkStatus();
}

}  // namespace rmq::internal
