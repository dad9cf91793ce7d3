// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/header_codec.h"

#include <charconv>
#include <limits>
#include <type_traits>

#include "common/str_cat.h"

namespace rmq::internal {
namespace {

// Java's Integer.parseInt / Long.parseLong, for ASCII digits: an optional
// '+' or '-', then decimal digits. std::from_chars takes the same but for
// the '+'. Up to digits10 digits cannot overflow T and are summed here
// directly: a send header's 13-digit bornTimestamp took from_chars about
// 190 instructions.
template <typename T>
bool ParseDecimal(std::string_view text, T* value) {
  static_assert(std::is_signed_v<T>, "the short path negates: Java's integers are signed");
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  const bool negative = !text.empty() && text[0] == '-';
  const std::string_view digits = text.substr(negative ? 1 : 0);
  if (!digits.empty() && digits.size() <= std::numeric_limits<T>::digits10) {
    T n = 0;
    for (char c : digits) {
      const unsigned digit = static_cast<unsigned char>(c) - unsigned{'0'};
      if (digit > 9) return false;
      n = static_cast<T>(n * 10 + static_cast<T>(digit));
    }
    *value = negative ? static_cast<T>(-n) : n;
    return true;
  }
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

std::string FieldText(int32_t value) { return std::to_string(value); }
std::string FieldText(int64_t value) { return std::to_string(value); }
std::string FieldText(bool value) { return value ? "true" : "false"; }

bool ParseField(std::string_view text, int32_t* value) { return ParseDecimal(text, value); }
bool ParseField(std::string_view text, int64_t* value) { return ParseDecimal(text, value); }

bool ParseField(std::string_view text, bool* value) {
  // Java's Boolean.parseBoolean: "true" in any case is true, anything else false.
  *value = text.size() == 4 && (text[0] | 0x20) == 't' && (text[1] | 0x20) == 'r' &&
           (text[2] | 0x20) == 'u' && (text[3] | 0x20) == 'e';
  return true;
}

std::string NotAnIntegerWhy(std::string_view text, size_t bytes) {
  return StrCat("'", text, "' is not a ", bytes * 8, "-bit integer");
}

absl::Status HeaderFieldError(std::string_view header_name, std::string_view field,
                              std::string_view why) {
  return absl::InvalidArgumentError(StrCat(header_name, ": field ", field, " ", why));
}

}  // namespace rmq::internal
