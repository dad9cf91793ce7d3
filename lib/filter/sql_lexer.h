// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The tokens of RocketMQ's SQL92 filter (SelectorParser.jj's TOKEN sections).

#ifndef RMQ_FILTER_SQL_LEXER_H_
#define RMQ_FILTER_SQL_LEXER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace rmq::internal {

enum class SqlToken : unsigned char {
  kEnd,
  // Keywords, in any case.
  kNot, kAnd, kOr, kBetween, kIn, kTrue, kFalse, kNull, kIs, kContains, kStartsWith, kEndsWith,
  kDecimal,  // 0, or [1-9][0-9]* with an optional L suffix
  kFloat,    // 1.5  1.  .5  1e10  1.5E-3
  kString,   // 'it''s' (the text keeps its quotes)
  kId,       // [A-Za-z_$][A-Za-z0-9_$]*
  kEq, kNe, kGt, kGe, kLt, kLe, kLParen, kComma, kRParen, kPlus, kMinus,
};

struct SqlLexeme {
  SqlToken token;
  size_t pos;             // byte offset in the text
  std::string_view text;  // as written
};

// Splits `text` into lexemes, the last one kEnd. Blanks (space, tab, CR, LF,
// FF) and comments separate lexemes. As in RocketMQ, "--" starts a comment
// only when a line end follows somewhere (the comment runs to it); otherwise
// it is two minus signs. InvalidArgument for a character no token starts
// with, or an unterminated string or comment.
absl::Status LexSql(std::string_view text, std::vector<SqlLexeme>* out);

// How an error message shows a lexeme: 'text', or "end of input".
std::string_view DescribeLexeme(const SqlLexeme& lexeme);

}  // namespace rmq::internal

#endif  // RMQ_FILTER_SQL_LEXER_H_
