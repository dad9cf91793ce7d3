// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Values while an SQL92 filter is evaluated, and RocketMQ's comparison of two
// of them (ComparisonExpression.__compare with string conversion on, as
// SelectorParser always compiles).

#ifndef RMQ_FILTER_SQL_COMPARE_H_
#define RMQ_FILTER_SQL_COMPARE_H_

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "filter/sql_expression.h"

namespace rmq::internal {

struct SqlValue {
  SqlExpression::Kind kind = SqlExpression::Kind::kNull;
  bool b = false;
  int64_t i = 0;  // kInt (within int's range) and kLong
  double d = 0;
  std::string_view s;
};

inline SqlValue ConstantValue(const SqlExpression::Constant& c,
                              const std::vector<std::string>& strings) {
  SqlValue v{c.kind, c.b, c.i, c.d, {}};
  if (c.kind == SqlExpression::Kind::kString) v.s = strings[c.str];
  return v;
}

// What CompareSqlValues returns when the comparison fails (RocketMQ throws).
inline constexpr int kSqlCompareError = INT_MIN;

// Compares two non-null values as RocketMQ does: -1, 0 or 1, or
// kSqlCompareError when a string does not convert to the other side's type
// (or a boolean is compared with a string on its right). Values of types that
// do not convert compare as -1.
int CompareSqlValues(const SqlValue& l, const SqlValue& r);

}  // namespace rmq::internal

#endif  // RMQ_FILTER_SQL_COMPARE_H_
