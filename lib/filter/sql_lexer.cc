// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "filter/sql_lexer.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "fmt/format.h"

namespace rmq::internal {
namespace {

bool IsIdStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool IsIdPart(char c) { return IsIdStart(c) || absl::ascii_isdigit(c); }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view upper) {
  if (a.size() != upper.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

constexpr std::array<std::pair<std::string_view, SqlToken>, 12> kKeywords = {{
    {"NOT", SqlToken::kNot},         {"AND", SqlToken::kAnd},
    {"OR", SqlToken::kOr},           {"BETWEEN", SqlToken::kBetween},
    {"IN", SqlToken::kIn},           {"TRUE", SqlToken::kTrue},
    {"FALSE", SqlToken::kFalse},     {"NULL", SqlToken::kNull},
    {"IS", SqlToken::kIs},           {"CONTAINS", SqlToken::kContains},
    {"STARTSWITH", SqlToken::kStartsWith}, {"ENDSWITH", SqlToken::kEndsWith},
}};

// Length of an exponent ("E" [+-] digits) at text[i], or 0 if none is there.
size_t ExponentLength(std::string_view text, size_t i) {
  if (i >= text.size() || (text[i] != 'e' && text[i] != 'E')) return 0;
  size_t j = i + 1;
  if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
  const size_t digits = j;
  while (j < text.size() && absl::ascii_isdigit(text[j])) ++j;
  return j == digits ? 0 : j - i;
}

// The longest number at text[start] (a digit or a '.'); 0 if none.
size_t NumberLength(std::string_view text, size_t start, SqlToken* token) {
  size_t i = start;
  while (i < text.size() && absl::ascii_isdigit(text[i])) ++i;
  const size_t int_digits = i - start;
  if (i < text.size() && text[i] == '.') {
    size_t j = i + 1;
    while (j < text.size() && absl::ascii_isdigit(text[j])) ++j;
    if (int_digits == 0 && j == i + 1) return 0;  // a lone '.'
    *token = SqlToken::kFloat;
    return j + ExponentLength(text, j) - start;
  }
  if (int_digits == 0) return 0;
  if (const size_t e = ExponentLength(text, i); e > 0) {
    *token = SqlToken::kFloat;
    return i + e - start;
  }
  *token = SqlToken::kDecimal;
  if (text[start] == '0') return 1;  // "0" takes no suffix and no more digits
  if (i < text.size() && (text[i] == 'l' || text[i] == 'L')) ++i;
  return i - start;
}

}  // namespace

std::string_view DescribeLexeme(const SqlLexeme& lexeme) {
  return lexeme.token == SqlToken::kEnd ? std::string_view("end of input") : lexeme.text;
}

absl::Status LexSql(std::string_view text, std::vector<SqlLexeme>* out) {
  out->clear();
  size_t i = 0;
  const size_t n = text.size();
  while (true) {
    while (i < n && IsBlank(text[i])) ++i;
    if (i >= n) break;
    const size_t start = i;
    const char c = text[i];
    const char next = i + 1 < n ? text[i + 1] : '\0';
    if (c == '-' && next == '-') {
      const size_t eol = text.find_first_of("\r\n", i + 2);
      if (eol != std::string_view::npos) {
        i = eol + 1;
        continue;
      }
    }
    if (c == '/' && next == '*') {
      const size_t close = text.find("*/", i + 2);
      if (close == std::string_view::npos) {
        return absl::InvalidArgumentError(fmt::format(
            "SQL filter: comment opened at position {} is never closed (\"*/\")", start + 1));
      }
      i = close + 2;
      continue;
    }
    SqlToken token = SqlToken::kEnd;
    size_t length = 0;
    if (IsIdStart(c)) {
      while (i + length < n && IsIdPart(text[i + length])) ++length;
      token = SqlToken::kId;
      for (const auto& [word, keyword] : kKeywords) {
        if (EqualsIgnoreCase(text.substr(i, length), word)) token = keyword;
      }
    } else if (absl::ascii_isdigit(c) || c == '.') {
      length = NumberLength(text, i, &token);
    } else if (c == '\'') {
      size_t j = i + 1;
      while (true) {
        j = text.find('\'', j);
        if (j == std::string_view::npos) {
          return absl::InvalidArgumentError(fmt::format(
              "SQL filter: string literal opened at position {} is never closed "
              "(a quote inside is written '')",
              start + 1));
        }
        if (j + 1 < n && text[j + 1] == '\'') {
          j += 2;
          continue;
        }
        break;
      }
      token = SqlToken::kString;
      length = j + 1 - i;
    } else {
      length = 1;
      switch (c) {
        case '=': token = SqlToken::kEq; break;
        case '(': token = SqlToken::kLParen; break;
        case ')': token = SqlToken::kRParen; break;
        case ',': token = SqlToken::kComma; break;
        case '+': token = SqlToken::kPlus; break;
        case '-': token = SqlToken::kMinus; break;
        case '>':
          token = next == '=' ? SqlToken::kGe : SqlToken::kGt;
          length = next == '=' ? 2 : 1;
          break;
        case '<':
          token = next == '=' ? SqlToken::kLe : next == '>' ? SqlToken::kNe : SqlToken::kLt;
          length = next == '=' || next == '>' ? 2 : 1;
          break;
        default: length = 0; break;
      }
    }
    if (length == 0) {
      const unsigned char u = static_cast<unsigned char>(c);
      return absl::InvalidArgumentError(
          u >= 0x20 && u < 0x7f
              ? fmt::format("SQL filter: unexpected character '{}' at position {}", c, start + 1)
              : fmt::format("SQL filter: unexpected byte 0x{:02x} at position {}", u,
                            start + 1));
    }
    out->push_back({token, start, text.substr(start, length)});
    i += length;
  }
  out->push_back({SqlToken::kEnd, n, text.substr(n)});
  return absl::OkStatus();
}

}  // namespace rmq::internal
