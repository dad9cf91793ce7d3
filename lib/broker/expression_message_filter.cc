// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/expression_message_filter.h"

#include <utility>

#include "common/record_codec.h"

namespace rmq::internal {
namespace {

class SqlMessageFilter final : public MessageFilter {
 public:
  explicit SqlMessageFilter(std::shared_ptr<const ConsumerFilter> filter)
      : filter_(std::move(filter)), expression_(*filter_->compiled) {}

  // No bit map to consult: the record decides.
  bool MatchesTagsCode(int64_t) const override { return true; }

  bool MatchesRecord(std::string_view record) const override {
    RecordView view;
    auto kind = ParseRecord(record, /*check_crc=*/false, &view);
    if (!kind.ok() || *kind != RecordKind::kMessage) return false;
    return MatchesProperties(view.properties);
  }

  bool MatchesProperties(std::string_view properties) const override {
    return expression_.Matches(EncodedPropertySource(properties));
  }

 private:
  const std::shared_ptr<const ConsumerFilter> filter_;
  const SqlExpression& expression_;  // filter_'s
};

}  // namespace

std::unique_ptr<MessageFilter> NewSqlMessageFilter(std::shared_ptr<const ConsumerFilter> filter) {
  return std::make_unique<SqlMessageFilter>(std::move(filter));
}

}  // namespace rmq::internal
