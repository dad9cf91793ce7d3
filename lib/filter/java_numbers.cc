// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "filter/java_numbers.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"

namespace rmq::internal {
namespace {

bool IsDecimalDigit(char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }
bool IsHexDigit(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

// Parses a signed decimal in [min, max] the way Java's parseInt/parseLong do.
bool ParseJavaInteger(std::string_view s, int64_t min, int64_t max, int64_t* out) {
  if (s.empty()) return false;
  bool negative = false;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    i = 1;
    if (s.size() == 1) return false;
  }
  // Accumulate negatively, as Java does, so that min's magnitude fits.
  const int64_t limit = negative ? min : -max;
  const int64_t multmin = limit / 10;
  int64_t value = 0;
  for (; i < s.size(); ++i) {
    if (!absl::ascii_isdigit(s[i])) return false;
    const int digit = s[i] - '0';
    if (value < multmin) return false;
    value *= 10;
    if (value < limit + digit) return false;
    value -= digit;
  }
  if (!negative) value = -value;
  *out = value;
  return true;
}

}  // namespace

bool JavaParseInt(std::string_view s, int32_t* out) {
  int64_t v;
  if (!ParseJavaInteger(s, std::numeric_limits<int32_t>::min(),
                        std::numeric_limits<int32_t>::max(), &v)) {
    return false;
  }
  *out = static_cast<int32_t>(v);
  return true;
}

bool JavaParseLong(std::string_view s, int64_t* out) {
  return ParseJavaInteger(s, std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max(), out);
}

bool JavaParseDouble(std::string_view s, double* out) {
  // String.trim(): every character <= ' ' goes from both ends.
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const double sign = negative ? -1.0 : 1.0;
  if (s == "NaN") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s == "Infinity") {
    *out = sign * std::numeric_limits<double>::infinity();
    return true;
  }
  // One type suffix may follow the number.
  if (!s.empty() && (s.back() == 'f' || s.back() == 'F' || s.back() == 'd' || s.back() == 'D')) {
    s.remove_suffix(1);
  }
  const bool hex = s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  if (hex) s.remove_prefix(2);
  auto digit = hex ? IsHexDigit : IsDecimalDigit;

  // Check the shape first: from_chars alone would accept a prefix, and
  // Java's grammar differs from strtod's (hex needs its 'p' exponent).
  size_t i = 0;
  size_t mantissa_digits = 0;
  long leading = 0;  // digits before the point, leading zeros excluded
  bool nonzero_seen = false;
  long zeros_after_point = 0;  // zeros after the point before a nonzero digit
  for (; i < s.size() && digit(s[i]); ++i) {
    ++mantissa_digits;
    if (s[i] != '0') nonzero_seen = true;
    if (nonzero_seen) ++leading;
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && digit(s[i]); ++i) {
      ++mantissa_digits;
      if (s[i] != '0') nonzero_seen = true;
      if (!nonzero_seen) ++zeros_after_point;
    }
  }
  if (mantissa_digits == 0) return false;
  long exponent = 0;
  const char exp_char = hex ? 'p' : 'e';
  if (i < s.size() && (s[i] == exp_char || s[i] == exp_char - 'a' + 'A')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) exp_negative = s[i++] == '-';
    const size_t exp_start = i;
    for (; i < s.size() && absl::ascii_isdigit(s[i]); ++i) {
      if (exponent < 100000000) exponent = exponent * 10 + (s[i] - '0');
    }
    if (i == exp_start) return false;
    if (exp_negative) exponent = -exponent;
  } else if (hex) {
    return false;
  }
  if (i != s.size()) return false;

  double value = 0;
  const auto [end, ec] = std::from_chars(
      s.data(), s.data() + s.size(), value,
      hex ? std::chars_format::hex : std::chars_format::general);
  if (end != s.data() + s.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    // Overflow or underflow; the magnitude's order tells which (it is far
    // from 1 either way). Java gives infinity or zero, keeping the sign.
    const long scale = hex ? 4 : 1;  // bits per digit vs exponent units
    const long magnitude = leading > 0 ? leading * scale + exponent
                                       : -zeros_after_point * scale + exponent;
    value = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  } else if (ec != std::errc()) {
    return false;
  }
  *out = sign * value;
  return true;
}

int JavaCompareDouble(double a, double b) {
  if (a < b) return -1;
  if (a > b) return 1;
  const bool a_nan = std::isnan(a), b_nan = std::isnan(b);
  if (a_nan || b_nan) return a_nan == b_nan ? 0 : (a_nan ? 1 : -1);
  // Equal as numbers: only 0.0 and -0.0 remain to tell apart.
  const bool a_neg = std::signbit(a), b_neg = std::signbit(b);
  return a_neg == b_neg ? 0 : (a_neg ? -1 : 1);
}

}  // namespace rmq::internal
