// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The SQL92 filter against RocketMQ's semantics. The cases marked [ET] are
// Apache RocketMQ's own filter/ExpressionTest.java (and [PT] its
// ParserTest.java); the others follow from its expression classes, as noted.

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <map>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "filter/java_numbers.h"
#include "filter/sql_expression.h"
#include "rmq/message.h"

using namespace rmq::internal;

// Counts heap allocations, to show that an evaluation makes none. (g++ sees
// free() of what operator new returned once both are inlined, and warns.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
// Every plain form is replaced, nothrow and array ones included: a form left
// to the runtime (Catch uses new (std::nothrow)) would be freed by ours, a
// mismatch AddressSanitizer reports.
static std::atomic<long> g_allocations{0};
static void* CountedAlloc(size_t size) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new(size_t size) {
  if (void* p = CountedAlloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  if (void* p = CountedAlloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t size, const std::nothrow_t&) noexcept { return CountedAlloc(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return CountedAlloc(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

using Props = std::vector<std::pair<std::string, std::string>>;
constexpr SqlResult T = SqlResult::kTrue;
constexpr SqlResult F = SqlResult::kFalse;
constexpr SqlResult N = SqlResult::kNull;
constexpr SqlResult E = SqlResult::kError;

struct Case {
  const char* sql;
  Props props;
  SqlResult want;
};

const char* Name(SqlResult r) {
  switch (r) {
    case SqlResult::kTrue: return "TRUE";
    case SqlResult::kFalse: return "FALSE";
    case SqlResult::kNull: return "NULL";
    default: return "ERROR";
  }
}

std::string Encode(const Props& props) {
  std::string out;
  for (const auto& [k, v] : props) out += k + '\x01' + v + '\x02';
  return out;
}

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      // [ET] CONTAINS / STARTSWITH / ENDSWITH.
      {"value contains 'x'", {{"value", "axb"}}, T},
      {"value startswith 'ax'", {{"value", "axb"}}, T},
      {"value endswith 'xb'", {{"value", "axb"}}, T},
      {"value not contains 'x'", {{"value", "axb"}}, F},
      {"value not startswith 'ax'", {{"value", "axb"}}, F},
      {"value not endswith 'xb'", {{"value", "axb"}}, F},
      {"value contains 'x'", {{"value", "abb"}}, F},
      {"value startswith 'x'", {{"value", "abb"}}, F},
      {"value not contains 'x'", {{"value", "abb"}}, T},
      {"value not startswith 'x'", {{"value", "abb"}}, T},
      {"value not endswith 'x'", {{"value", "abb"}}, T},
      {"value contains ''", {{"value", "axb"}}, F},
      {"value startswith ''", {{"value", "axb"}}, F},
      {"value not contains ''", {{"value", "axb"}}, F},
      {"value not endswith ''", {{"value", "axb"}}, F},
      {"value contains 'x'", {}, F},
      {"value endswith 'x'", {}, F},
      {"value not contains 'x'", {}, F},
      {"value not startswith 'x'", {}, F},
      {"'axb' contains 'x'", {}, T},
      {"'axb' startswith 'ax'", {}, T},
      {"'axb' not endswith 'xb'", {}, F},
      {"'axb' not contains 'u'", {}, T},
      {"'axb' endswith ''", {}, F},
      {"' ' contains ' '", {}, T},
      {"' ' not startswith ' '", {}, F},
      {"'axb' contains '.'", {}, F},
      {"'axb' not endswith '.'", {}, T},
      {"'s' contains '\\'", {}, F},
      {"a not in ('4', '4', '5') and b between 3 and 10 and c not contains 'axbc'",
       {{"a", "3"}, {"b", "3"}, {"c", "axbdc"}}, T},
      {"a not in ('4', '4', '5') and b between 3 and 10 and c not startswith 'axbc'",
       {{"a", "3"}, {"b", "3"}, {"c", "axbdc"}}, T},
      {"a not in ('4', '4', '5') and b between 3 and 10 and c not endswith 'axbc'",
       {{"a", "3"}, {"b", "3"}, {"c", "axbdc"}}, T},
      // [ET] quotes in strings, string comparisons.
      {"TAGS is not null and TAGS='''''tag'''''", {{"TAGS", "''tag''"}}, T},
      {"a between up and low", {{"a", "3.14"}}, N},
      {"a between up and low", {{"a", "3.14"}, {"up", "up"}, {"low", "low"}}, E},
      {"key is not null and key between 0 and 100", {{"key", "con"}}, E},
      {"a between 0 and 100", {{"a", "abc"}}, E},
      {"a=b", {{"a", "3.14"}, {"b", "3.14"}}, T},
      {"a<>b", {{"a", "3.14"}, {"b", "3.14"}}, F},
      {"a<>b", {{"a", "3.14"}, {"b", "3.141"}}, T},
      {"a > 3.1E10", {{"a", "3.1415E10"}}, T},
      {"a > 3.14", {{"a", "3.1415"}}, T},
      {"a > b", {{"a", "10"}, {"b", "20"}}, F},
      {"a > b", {{"a", "20"}, {"b", "10"}}, T},
      {"a is null OR a='hello'", {}, T},
      {"a is null OR a='hello'", {{"a", "hello"}}, T},
      {"a is null OR a='hello'", {{"a", "abc"}}, F},
      {"a=TRUE OR b=FALSE", {{"a", "true"}, {"b", "false"}}, T},
      {"a=TRUE OR b=FALSE", {{"a", "false"}, {"b", "true"}}, F},
      {"a is not null and a='hello'", {{"a", "hello"}}, T},
      {"a is not null and a='hello'", {}, F},
      // [ET] AND, OR, IN, BETWEEN, IS NULL.
      {"a=3 and b<>4 And c>5 AND d<=4", {{"a", "3"}, {"b", "5"}, {"c", "6"}, {"d", "1"}}, T},
      {"a=3 and b<>4 And c>5 AND d<=4", {{"a", "4"}, {"b", "5"}, {"c", "6"}, {"d", "1"}}, F},
      {"a=3 or b<>4 Or c>5 OR d<=4", {{"a", "3"}}, T},
      {"a=3 or b<>4 Or c>5 OR d<=4", {{"a", "4"}, {"b", "5"}}, T},
      {"a=3 or b<>4 Or c>5 OR d<=4", {{"a", "4"}, {"b", "4"}, {"c", "6"}}, T},
      {"a=3 or b<>4 Or c>5 OR d<=4", {{"a", "4"}, {"b", "4"}, {"c", "3"}, {"d", "2"}}, T},
      {"a=3 or b<>4 Or c>5 OR d<=4", {{"a", "4"}, {"b", "4"}, {"c", "3"}, {"d", "10"}}, F},
      {"a in ('3', '4', '5')", {{"a", "3"}}, T},
      {"a in ('3', '4', '5')", {{"a", "5"}}, T},
      {"a in ('3', '4', '5')", {{"a", "8"}}, F},
      {"a not in ('3', '4', '5')", {{"a", "8"}}, T},
      {"a not in ('3', '4', '5')", {{"a", "4"}}, F},
      {"a between 2 and 10", {{"a", "2"}}, T},
      {"a between 2 and 10", {{"a", "10"}}, T},
      {"a between 2 and 10", {{"a", "3"}}, T},
      {"a between 2 and 10", {{"a", "1"}}, F},
      {"a between 2 and 10", {{"a", "11"}}, F},
      {"a not between 2 and 10", {{"a", "1"}}, T},
      {"a not between 2 and 10", {{"a", "11"}}, T},
      {"a not between 2 and 10", {{"a", "3"}}, F},
      {"a is null", {{"abc", "2"}}, T},
      {"a is null", {{"a", "2"}}, F},
      {"a is not null", {{"a", "2"}}, T},
      {"a is not null", {{"abc", "2"}}, F},
      // A string compared with an int is parsed by Integer.valueOf
      // (ComparisonExpression.__compare); failing, the evaluation fails.
      {"a > 5", {{"a", "5.5"}}, E},
      {"a > 5.0", {{"a", "5.5"}}, T},
      {"a between 1 and 10", {{"a", "5.5"}}, E},
      {"a > 5", {{"a", "3000000000"}}, E},            // beyond int
      {"a > 2147483648", {{"a", "3000000000"}}, T},  // a long literal: Long.valueOf
      {"a = 10", {{"a", "+10"}}, T},
      {"a = 2", {{"a", " 2"}}, E},   // Integer.valueOf does not trim...
      {"a > 1.5", {{"a", " 2 "}}, T},  // ...Double.valueOf does
      {"a = 1.5", {{"a", "1.5f"}}, T},
      {"a > 1.5", {{"a", "0x1p1"}}, T},
      {"a > 1.5", {{"a", "NaN"}}, T},  // Double.compare puts NaN above all
      {"a < 1.5", {{"a", "NaN"}}, F},
      {"a > 1.5", {{"a", "1e400"}}, T},  // Infinity
      {"a = 1.0", {{"a", "1"}}, T},
      {"a >= b", {{"a", "1e3"}, {"b", "999"}}, T},
      {"a > -5", {{"a", "-3"}}, T},
      {"a between -5 and -1", {{"a", "-3"}}, T},
      {"-a > 5", {{"a", "10"}}, N},  // negating a string gives null
      // A failure ends the evaluation, unless short-circuit skips it.
      {"a = 5 OR b = 'x'", {{"a", "abc"}, {"b", "x"}}, E},
      {"b = 'x' OR a = 5", {{"a", "abc"}, {"b", "x"}}, T},
      {"a = 'x' AND b > 5", {{"a", "y"}, {"b", "abc"}}, F},
      {"NOT (a = 5)", {{"a", "abc"}}, E},
      // Nulls: '=' is null only for a null left side.
      {"a <> 'x'", {}, N},
      {"'x' <> a", {}, T},
      {"'x' = a", {}, F},
      {"a = 'x'", {}, N},
      {"a = b", {}, T},
      {"a > 5", {}, N},
      {"NOT (a > 5)", {}, N},
      {"NOT (a CONTAINS 'x')", {}, T},
      {"a IN ('x')", {}, N},
      {"a NOT IN ('x')", {}, N},
      {"NOT (a IN ('x'))", {}, N},
      {"a > 5 OR TRUE", {}, T},
      {"a > 5 AND FALSE", {}, F},
      {"a > 5 AND TRUE", {}, N},
      // Booleans: a string on the left converts, a boolean on the left fails.
      {"a = TRUE", {{"a", "TRUE"}}, T},
      {"a = TRUE", {{"a", "yes"}}, F},
      {"TRUE = a", {{"a", "true"}}, E},
      {"'true' = TRUE", {}, T},
      {"1 = TRUE", {}, F},
      {"(a = 'x') = TRUE", {{"a", "x"}}, T},
      {"(a = 'x') = (b = 'y')", {{"a", "x"}, {"b", "z"}}, F},
      // A property as a boolean: a string is not Boolean, so FALSE.
      {"a", {{"a", "true"}}, F},
      {"NOT a", {{"a", "x"}}, T},
      {"NOT a", {}, N},
      {"NOT a = 'x'", {{"a", "x"}}, E},  // (NOT a) = 'x': a boolean on the left
      {"TRUE", {}, T},
      {"FALSE", {}, F},
      {"NULL", {}, N},
      {"NOT NULL", {}, N},
      // Literals, keywords, identifiers, comments.
      {"a = 'it''s'", {{"a", "it's"}}, T},
      {"a = 1L", {{"a", "1"}}, T},
      {"a > .5", {{"a", "0.6"}}, T},
      {"a > 5.", {{"a", "6"}}, T},
      {"a > --1", {{"a", "2"}}, T},  // no line end: two minus signs
      {"A iS nOt NuLl aNd A BeTwEeN 1 aNd 3", {{"A", "2"}}, T},
      {"A is not null", {{"a", "2"}}, F},  // property names are case-sensitive
      {"$a_1 = 'v' AND _b2 = 'w'", {{"$a_1", "v"}, {"_b2", "w"}}, T},
      {"a = 1 /* comment */ AND b = 2 -- to the line end\n", {{"a", "1"}, {"b", "2"}}, T},
      {"a <= now", {{"a", "1"}, {"now", "2"}}, T},  // [PT] 'now' is a property
      {"(a > 5 AND b = 'x') OR c BETWEEN 1 AND 10", {{"a", "6"}, {"b", "x"}}, T},
      {"a > 5 AND b = 'x' OR c BETWEEN 1 AND 10", {{"a", "1"}, {"b", "x"}, {"c", "5"}}, T},
      {"a > 5 AND b = 'x' OR c BETWEEN 1 AND 10", {{"a", "6"}, {"b", "y"}, {"c", "50"}}, F},
      {"TAGS IN ('TagA', 'TagB') AND KEYS STARTSWITH 'order-'",
       {{"TAGS", "TagB"}, {"KEYS", "order-17"}, {"UNIQ_KEY", "AC11000100002A9F0000000000000000"}}, T},
  };
  return cases;
}

}  // namespace

TEST_CASE("SQL92 filter: RocketMQ's results, through both property sources", "[sql]") {
  CHECK(Cases().size() >= 60);
  for (const Case& c : Cases()) {
    INFO(c.sql);
    auto expr = CompileSql(c.sql);
    REQUIRE(expr.ok());
    std::map<std::string, std::string, std::less<>> map(c.props.begin(), c.props.end());
    const SqlResult from_map = expr->Evaluate(MapPropertySource(map));
    const SqlResult from_encoded = expr->Evaluate(EncodedPropertySource(Encode(c.props)));
    INFO("map: " << Name(from_map) << ", encoded: " << Name(from_encoded) << ", expected "
                 << Name(c.want));
    CHECK(from_map == c.want);
    CHECK(from_encoded == c.want);
    CHECK(expr->Matches(MapPropertySource(map)) == (c.want == T));
  }
}

TEST_CASE("SQL92 filter: a plain std::map and MessageProperties work too", "[sql]") {
  auto expr = CompileSql("a = 'x' AND a_rather_long_property_name = 'y'");
  REQUIRE(expr.ok());
  std::map<std::string, std::string> plain{{"a", "x"}, {"a_rather_long_property_name", "y"}};
  CHECK(expr->Matches(MapPropertySource(plain)));
  rmq::MessageProperties props{{"a", "x"}, {"a_rather_long_property_name", "y"}};
  CHECK(expr->Matches(MapPropertySource(props)));
  props.insert_or_assign("a", "z");
  CHECK_FALSE(expr->Matches(MapPropertySource(props)));
}

TEST_CASE("SQL92 filter: encoded properties read as RocketMQ's decoder reads them", "[sql]") {
  auto expr = CompileSql("a = 'x'");
  REQUIRE(expr.ok());
  const auto eval = [&](std::string_view encoded) {
    return expr->Evaluate(EncodedPropertySource(encoded));
  };
  CHECK(eval("a\x01x\x02") == T);
  CHECK(eval("a\x01x") == T);                  // no final separator
  CHECK(eval("a\x01y\x02" "a\x01x\x02") == T);  // the last one wins
  CHECK(eval("a\x01x\x02" "a\x01\x02") == T);   // an empty value is skipped...
  CHECK(eval("a\x01\x02") == N);               // ...so alone it is absent
  CHECK(eval("ab\x01x\x02") == N);
  CHECK(eval("b\x01" "a\x01x\x02") == N);      // split at the first \x01
  CHECK(eval("a\x02x\x02") == N);              // no name/value separator
  CHECK(eval("") == N);
  CHECK(eval("\x02\x02\x01\x02" "a\x01x") == T);
  // The empty value counts as absent in a map too, so the two agree.
  std::map<std::string, std::string, std::less<>> map{{"a", ""}};
  CHECK(expr->Evaluate(MapPropertySource(map)) == N);
  EncodedPropertySource source("a\x01x\x02");
  CHECK(!source.Get("a\x01x").has_value());
  CHECK(!source.Get("").has_value());
}

TEST_CASE("SQL92 filter: compiled once, evaluated without allocating", "[sql]") {
  auto expr = CompileSql(
      "a > 5 AND b = 'x' OR c BETWEEN 1 AND 10 OR TAGS IN ('p', 'q', 'r', 's', 't', 'u') "
      "OR KEYS CONTAINS 'k' OR d > 1.5 OR e = 5000000000");
  REQUIRE(expr.ok());
  const std::string encoded = Encode({{"UNIQ_KEY", "7F0000010001"}, {"TAGS", "u"}, {"a", "3"},
                                      {"b", "y"}, {"c", "30"}, {"d", "1.0"}, {"e", "7"}});
  EncodedPropertySource source(encoded);
  REQUIRE(expr->Evaluate(source) == T);
  const long before = g_allocations.load();
  bool all = true;
  for (int i = 0; i < 1000; ++i) all = all && expr->Matches(source);
  CHECK(g_allocations.load() == before);
  CHECK(all);
}

TEST_CASE("SQL92 filter: the property names an expression reads", "[sql]") {
  auto expr = CompileSql("b = 'x' OR a > 1 OR b IS NULL OR c BETWEEN 1 AND 2");
  REQUIRE(expr.ok());
  CHECK(expr->property_names() == std::vector<std::string>{"b", "a", "c"});
}

TEST_CASE("SQL92 filter: text RocketMQ rejects is InvalidArgument naming where", "[sql]") {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"", "position 1, found end of input"},
      {"a >", "position 4, found end of input"},
      {"a and between 2 and 10", "position 7"},        // [PT]
      {" a between 10 and 0", "out of order"},          // [PT]
      {"a > 100000000000000000000000", "does not fit a long"},  // [PT]
      {"a = NULL", "NULL cannot be compared"},
      {"NULL <> a", "NULL cannot be compared"},
      {"a > 'x'", "SQL filter at position 5: > compares numbers; 'x' cannot be compared with it"},
      {"'x' < a", "at position 1:"},
      {"a > TRUE", "TRUE cannot be compared"},
      {"(a = 1) > 2", "cannot be compared"},
      {"TRUE = 1", "TRUE cannot be compared with a string or number literal"},
      {"TRUE = 'x'", "at position 1:"},
      {"a between 'a' and 'b'", "cannot be compared"},
      {"a between NULL and 5", "cannot be NULL"},
      {"a between 1 and 0.5", "out of order: 1 must not exceed 0.5"},
      {"a not between 'a' and 5", "cannot be compared"},
      {"a > 0.0", "zero"},
      {"a > 1e400", "exceeds the largest double"},
      {"a > 1e-400", "zero or below"},
      {"value contains x", "expected a string literal after contains at position 16"},  // [ET]
      {"value not contains 123", "position 20"},  // [ET]
      {"'axb' contains ", "found end of input"},  // [ET]
      {"5", "5 is not a boolean expression"},
      {"'x'", "not a boolean expression"},
      {"-a", "not a boolean expression"},
      {"a = 1 AND 5", "at position 11: 5 is not a boolean expression (a comparison, a property, TRUE, FALSE or NULL)"},
      {"(a = 1", "expected ')' to close the '(' at position 1"},
      {"a = 1 b = 2", "expected AND, OR or the end of the expression at position 7, found b"},
      {"a = 1 --x", "position 7, found -"},
      {"a NOT b", "position 3, found NOT"},
      {"a # 1", "unexpected character '#' at position 3"},
      {"a = \x7f", "unexpected byte 0x7f at position 5"},
      {"a != 1", "unexpected character '!'"},
      {"a = 'abc", "string literal opened at position 5 is never closed"},
      {"a = 1 /* x", "comment opened at position 7"},
      {"'x' IN ('a')", "IN needs a property on its left, not 'x'"},
      {"NOT a IN ('a')", "IN needs a property"},
      {"a IN ()", "expected a string literal"},
      {"a IN ('x' 'y')", "expected ',' or ')' in IN list at position 11"},
      {"a IN 'x'", "expected '(' after IN"},
      {"a IS 5", "expected NULL or NOT NULL after IS at position 6"},
      {"a IS NOT 5", "expected NULL after IS NOT"},
      {"a BETWEEN 1 OR 2", "expected AND in BETWEEN at position 13"},
      {"a = .", "unexpected character '.'"},
      {"a = 0123", "position 6, found 123"},
  };
  for (const auto& [sql, want] : cases) {
    INFO(sql);
    auto expr = CompileSql(sql);
    REQUIRE_FALSE(expr.ok());
    CHECK(expr.status().code() == absl::StatusCode::kInvalidArgument);
    const std::string message(expr.status().message());
    INFO(message);
    CHECK(message.find(want) != std::string::npos);
  }
}

TEST_CASE("SQL92 filter: RocketMQ's valid texts compile", "[sql]") {  // [PT]
  for (const char* sql :
       {"a=3 and b<>4 And c>5 AND d<=4", "a=3  and    b<>4 And c>5 AND d<=4",
        "a=3 or b<>4 Or c>5 OR d<=4", "a in ('3', '4', '5')",
        "(a not in ('6', '4', '5')) or (b in ('3', '4', '5'))",
        "(a between 2 and 10) AND (b not between 6 and 9)", "a is null", "a is not null",
        "a <= now", "a=3 and b contains 'xxx' and c not contains 'xxx'",
        "a not between 10 and 1", "a between -1 and -5", "a between 1 and 1",
        "a > 9223372036854775807", "a > 4.9e-324", "x > +5", "a = -TRUE", "'x' = TRUE"}) {
    INFO(sql);
    CHECK(CompileSql(sql).ok());
  }
}

TEST_CASE("SQL92 filter: nesting and size limits", "[sql]") {
  const auto repeat = [](std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  // Within the limit.
  CHECK(CompileSql(repeat("(", 50) + "a = 1" + repeat(")", 50)).ok());
  CHECK(CompileSql(repeat("NOT ", 50) + "a").ok());
  // Past it: an error, not a crash.
  for (const std::string& deep :
       {repeat("(", 100000) + "a" + repeat(")", 100000), repeat("NOT ", 5000) + "a",
        repeat("- ", 5000) + "a > 1", "a" + repeat(" = a", 200), "a" + repeat(" IS NULL", 200)}) {
    auto expr = CompileSql(deep);
    REQUIRE_FALSE(expr.ok());
    CHECK(std::string(expr.status().message()).find("nested deeper than") != std::string::npos);
  }
  // A long AND/OR chain is flat, however long.
  std::string chain = "a = '0'";
  for (int i = 1; i < 10000; ++i) chain += " OR a = '" + std::to_string(i) + "'";
  auto expr = CompileSql(chain);
  REQUIRE(expr.ok());
  std::map<std::string, std::string, std::less<>> map{{"a", "9999"}};
  CHECK(expr->Matches(MapPropertySource(map)));
  map["a"] = "x";
  CHECK_FALSE(expr->Matches(MapPropertySource(map)));
  // Too long.
  auto huge = CompileSql("a = '" + std::string(kMaxSqlLength, 'x') + "'");
  REQUIRE_FALSE(huge.ok());
  CHECK(std::string(huge.status().message()).find("exceeds the limit") != std::string::npos);
}

TEST_CASE("SQL92 filter: Java's number parsing", "[sql]") {
  int32_t i = 0;
  CHECK(JavaParseInt("2147483647", &i));
  CHECK(i == 2147483647);
  CHECK(JavaParseInt("-2147483648", &i));
  CHECK(i == -2147483647 - 1);
  CHECK_FALSE(JavaParseInt("2147483648", &i));
  CHECK_FALSE(JavaParseInt("-", &i));
  CHECK_FALSE(JavaParseInt("", &i));
  CHECK_FALSE(JavaParseInt("1 ", &i));
  int64_t l = 0;
  CHECK(JavaParseLong("-9223372036854775808", &l));
  CHECK_FALSE(JavaParseLong("9223372036854775808", &l));
  double d = 0;
  CHECK(JavaParseDouble("1.", &d));
  CHECK(JavaParseDouble(".5", &d));
  CHECK(JavaParseDouble("\t-1e-3d ", &d));
  CHECK(d == -1e-3);
  CHECK(JavaParseDouble("0x1.8p1", &d));
  CHECK(d == 3.0);
  CHECK(JavaParseDouble("-Infinity", &d));
  CHECK(d < -1e308);
  CHECK(JavaParseDouble("1e-400", &d));
  CHECK(d == 0.0);
  CHECK_FALSE(JavaParseDouble("0x1.8", &d));  // hex needs its exponent
  CHECK_FALSE(JavaParseDouble("1e", &d));
  CHECK_FALSE(JavaParseDouble(".", &d));
  CHECK_FALSE(JavaParseDouble("inf", &d));
  CHECK_FALSE(JavaParseDouble("NaNd", &d));
  CHECK_FALSE(JavaParseDouble("1.5ff", &d));
  CHECK(JavaCompareDouble(-0.0, 0.0) == -1);
}

TEST_CASE("rmq-admin sql-check", "[sql]") {
  int code = -1;
  const std::vector<std::string> args = {"a=6", "b=x"};
  CHECK(SqlCheck("a > 5 AND b = 'x'", args, &code) == "true");
  CHECK(code == 0);
  CHECK(SqlCheck("a > 7", args, &code) == "false");
  CHECK(code == 0);
  CHECK(SqlCheck("c > 7", args, &code) == "false");  // null: not delivered
  CHECK(code == 0);
  CHECK(SqlCheck("a = 'x' OR", args, &code).starts_with("error: SQL filter: expected"));
  CHECK(code == 2);
  const std::vector<std::string> bad = {"novalue"};
  CHECK(SqlCheck("TRUE", bad, &code) == "error: property argument 'novalue' is not key=value");
  CHECK(code == 2);
  const std::vector<std::string> equals_in_value = {"a=x=y"};
  CHECK(SqlCheck("a = 'x=y'", equals_in_value, &code) == "true");
}
