// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The small value types of rmq/store.h: results, status names, the tag filter.

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "common/record_codec.h"
#include "common/str_cat.h"
#include "common/tag_hash.h"
#include "rmq/store.h"

namespace rmq {

std::string_view PutStatusName(PutStatus status) {
  switch (status) {
    case PutStatus::kPutOk: return "PUT_OK";
    case PutStatus::kFlushDiskTimeout: return "FLUSH_DISK_TIMEOUT";
  }
  return "UNKNOWN";
}

std::string_view GetStatusName(GetStatus status) {
  switch (status) {
    case GetStatus::kFound: return "FOUND";
    case GetStatus::kNoMatchedMessage: return "NO_MATCHED_MESSAGE";
    case GetStatus::kMessageWasRemoving: return "MESSAGE_WAS_REMOVING";
    case GetStatus::kOffsetFoundNull: return "OFFSET_FOUND_NULL";
    case GetStatus::kOffsetOverflowBadly: return "OFFSET_OVERFLOW_BADLY";
    case GetStatus::kOffsetOverflowOne: return "OFFSET_OVERFLOW_ONE";
    case GetStatus::kOffsetTooSmall: return "OFFSET_TOO_SMALL";
    case GetStatus::kNoMatchedLogicQueue: return "NO_MATCHED_LOGIC_QUEUE";
    case GetStatus::kNoMessageInQueue: return "NO_MESSAGE_IN_QUEUE";
  }
  return "UNKNOWN";
}

void GetMessageResult::Reserve(size_t messages) {
  records_.reserve(messages);
  queue_offsets_.reserve(messages);
}

void GetMessageResult::Add(std::string_view record, int64_t queue_offset,
                           const std::shared_ptr<const void>& keep_alive) {
  records_.push_back(record);
  queue_offsets_.push_back(queue_offset);
  // Consecutive records usually share a segment: keep one reference per run.
  if (keep_alive_.empty() || keep_alive_.back() != keep_alive) keep_alive_.push_back(keep_alive);
  total_bytes_ += static_cast<int64_t>(record.size());
}

absl::StatusOr<MessageExt> DecodeMessage(std::string_view record) {
  return internal::DecodeRecord(record);
}

namespace {

// RocketMQ's tag subscription: "*" (or empty) for all, else tags joined by
// "||"; the broker compares hash codes, the client re-checks the strings.
class TagFilter final : public MessageFilter {
 public:
  explicit TagFilter(std::string_view expression) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(internal::AbslView(expression));
    if (trimmed.empty() || trimmed == "*") {
      match_all_ = true;
      return;
    }
    for (absl::string_view tag : absl::StrSplit(trimmed, "||")) {
      tag = absl::StripAsciiWhitespace(tag);
      if (!tag.empty()) codes_.insert(internal::TagsStringToTagsCode(internal::StdView(tag)));
    }
  }
  bool MatchesTagsCode(int64_t tags_code) const override {
    return match_all_ || codes_.contains(tags_code);
  }
  bool MatchesRecord(std::string_view) const override { return true; }

 private:
  bool match_all_ = false;
  absl::flat_hash_set<int64_t> codes_;
};

}  // namespace

std::unique_ptr<MessageFilter> MessageFilter::ForTags(std::string_view expression) {
  return std::make_unique<TagFilter>(expression);
}

}  // namespace rmq
