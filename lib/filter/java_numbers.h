// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Java's string-to-number conversions, as the SQL92 filter needs them: a
// message property is a string, and RocketMQ's comparisons convert it with
// Integer.valueOf, Long.valueOf or Double.valueOf depending on the other
// operand's type. What those accept decides whether a filter matches or fails,
// so these accept exactly the same texts (ASCII digits only: Java's integer
// parsers also take other Unicode decimal digits, which we do not).

#ifndef RMQ_FILTER_JAVA_NUMBERS_H_
#define RMQ_FILTER_JAVA_NUMBERS_H_

#include <cstdint>
#include <string_view>

namespace rmq::internal {

// Integer.parseInt(s, 10): an optional '+' or '-', then one or more digits,
// no spaces; false if malformed or outside int's range.
bool JavaParseInt(std::string_view s, int32_t* out);

// Long.parseLong(s, 10): the same for long's range.
bool JavaParseLong(std::string_view s, int64_t* out);

// Double.parseDouble: leading and trailing characters <= ' ' trimmed, an
// optional sign, then "NaN", "Infinity", a decimal ("1", "1.", ".5", "1e-3")
// or a hexadecimal floating literal ("0x1.8p1"), optionally followed by one
// of f, F, d, D. Rounded to nearest; too large gives infinity, too small 0.
bool JavaParseDouble(std::string_view s, double* out);

// Double.compare: a total order in which -0.0 < 0.0 and NaN is above every
// other value (and equal to itself). Returns -1, 0 or 1.
int JavaCompareDouble(double a, double b);

}  // namespace rmq::internal

#endif  // RMQ_FILTER_JAVA_NUMBERS_H_
