// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/header_codec.h"

#include <charconv>

#include "common/str_cat.h"

namespace rmq::internal {
namespace {

template <typename T>
absl::Status ParseInteger(std::string_view text, T* value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return absl::InvalidArgumentError(StrCat("'", text, "' is not a ",
                                             sizeof(T) == 4 ? "32" : "64", "-bit integer"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string FieldText(int32_t value) { return std::to_string(value); }
std::string FieldText(int64_t value) { return std::to_string(value); }
std::string FieldText(bool value) { return value ? "true" : "false"; }

absl::Status ParseField(std::string_view text, int32_t* value) { return ParseInteger(text, value); }
absl::Status ParseField(std::string_view text, int64_t* value) { return ParseInteger(text, value); }

absl::Status ParseField(std::string_view text, bool* value) {
  // Java's Boolean.parseBoolean: "true" in any case is true, anything else false.
  *value = text.size() == 4 && (text[0] | 0x20) == 't' && (text[1] | 0x20) == 'r' &&
           (text[2] | 0x20) == 'u' && (text[3] | 0x20) == 'e';
  return absl::OkStatus();
}

absl::Status HeaderFieldError(std::string_view header_name, std::string_view field,
                              std::string_view why) {
  return absl::InvalidArgumentError(StrCat(header_name, ": field ", field, " ", why));
}

}  // namespace rmq::internal
