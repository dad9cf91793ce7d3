// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RocketMQ's SQL92 message filter (ExpressionType.SQL92): a consumer
// subscribes with a boolean expression over message properties, and the
// broker delivers only the messages for which it is TRUE.
//
//   absl::StatusOr<SqlExpression> e = CompileSql("a > 5 AND TAGS IN ('x', 'y')");
//   bool deliver = e->Matches(EncodedPropertySource(record.properties));
//
// Compile once, evaluate many: CompileSql parses into a flat tree with the
// literals already converted; Matches allocates nothing and may be called
// from many threads at once.
//
// The semantics are Apache RocketMQ's (module `filter`: SelectorParser.jj and
// the classes of org.apache.rocketmq.filter.expression; the broker's
// ExpressionMessageFilter and MessageDecoder for how properties reach it),
// quirks included, because a consumer must get the same messages from an rmq
// broker as from RocketMQ's:
//
// Grammar (keywords in any case; lowest precedence first):
//   expr     := and (OR and)*
//   and      := equality (AND equality)*
//   equality := cmp ( '=' cmp | '<>' cmp | IS NULL | IS NOT NULL )*
//   cmp      := unary ( ('>'|'>='|'<'|'<=') unary | [NOT] BETWEEN unary AND unary
//                     | [NOT] IN '(' string (',' string)* ')'
//                     | [NOT] (CONTAINS|STARTSWITH|ENDSWITH) string )*
//   unary    := '+' unary | '-' unary | NOT unary | literal | identifier | '(' expr ')'
//   literal  := 'str''ing' | 123 | 123L | 1.5 | 1. | .5 | 1e10 | TRUE | FALSE | NULL
//   identifier := [A-Za-z_$][A-Za-z0-9_$]*   (a property name, case-sensitive)
// NOT binds tighter than comparisons: "NOT a = 'x'" is "(NOT a) = 'x'".
// Comments: "/* ... */", and "--" to a line end. Unlike RocketMQ, which
// silently ignores whatever follows the first complete expression, text left
// over after the expression is an error here.
//
// Compile-time checks (RocketMQ's too): '>' and friends, BETWEEN take no
// string, boolean or NULL literal and no boolean expression; '=' and '<>' take
// no NULL literal, and TRUE/FALSE on their left not a string or number
// literal; IN needs a property on its left; BETWEEN's literal bounds must be
// in order (10 AND 1 is an error); integer literals must fit a long; a
// floating literal must be finite and not zero (RocketMQ rejects "0.0").
//
// Values: a property is a string, or null when the message lacks it (or has
// it with an empty value: RocketMQ's decoder drops those). Integer literals
// are int when they fit, else long; floating ones double. Comparisons convert
// as RocketMQ's ComparisonExpression does:
//  * string vs int/long/double: the string is parsed with Java's
//    Integer/Long/Double.valueOf; if it does not parse, evaluation fails.
//    So "a > 5" with a = "5.5" fails (Integer.valueOf("5.5")) while
//    "a > 5.0" is TRUE.
//  * string vs string under '>' '>=' '<' '<=': both parsed as doubles
//    (failure if either does not parse); under '=' exact string equality.
//  * string vs boolean: the string is read as Boolean.valueOf ("true" in any
//    case); but a boolean on the LEFT of a string fails (RocketMQ throws a
//    ClassCastException), so "a = TRUE" works and "TRUE = a" never matches.
//  * int vs long vs double: widened as Java does; doubles compare as
//    Double.compare (NaN above all, -0.0 < 0.0).
//  * other type pairs compare as "less": '=' FALSE, '<' TRUE.
// Null (three-valued logic):
//  * '=' with a null LEFT side (right not null) is null, with a null RIGHT
//    side FALSE; both null is TRUE. '<>' is NOT '='. So a missing `a` makes
//    "a <> 'x'" null (no match) but "'x' <> a" TRUE.
//  * '>' '>=' '<' '<=' with either side null are null; BETWEEN is
//    ">= AND <=", NOT BETWEEN "< OR >".
//  * IN / NOT IN of a null property are null.
//  * CONTAINS / STARTSWITH / ENDSWITH and their NOT forms are FALSE when the
//    left side is null or not a string, and FALSE for an empty search string.
//  * IS [NOT] NULL is never null.
//  * AND / OR are SQL's three-valued operators, evaluated left to right with
//    short-circuit; NOT null is null. A property used as a boolean (as in
//    "a AND b") is null if missing, else FALSE (strings are not booleans).
//  * '-' negates a number, and gives null for anything else.
// A failed evaluation (a conversion that does not parse) ends the whole
// evaluation, as RocketMQ's exception does: "a = 5 OR b = 'x'" with a = "abc"
// does not match even when b = 'x'. A message matches only on TRUE.
//
// Strings are compared as bytes (RocketMQ compares Java strings decoded from
// UTF-8: the same for valid UTF-8).

#ifndef RMQ_FILTER_SQL_EXPRESSION_H_
#define RMQ_FILTER_SQL_EXPRESSION_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rmq::internal {

// Where an expression reads message properties from.
class PropertySource {
 public:
  virtual ~PropertySource() = default;
  // The value of property `name`, or nullopt if the message has none. An
  // empty value counts as none (see above). Must not allocate per call if the
  // evaluation is to be allocation-free.
  virtual std::optional<std::string_view> Get(std::string_view name) const = 0;

  // Looks up every one of `names` at once, writing out[i] for names[i] (an
  // evaluation asks for all of its properties on its first property access).
  // By default Get each; a source that can do better in one pass overrides it.
  struct Found {
    const char* data;
    size_t size;
    bool found;
  };
  virtual void GetAll(std::span<const std::string> names, Found* out) const;
};

// Properties in a map: std::map (a test, the command line) or a message's
// MessageProperties. Where the map finds by std::string_view (std::less<>,
// MessageProperties) a lookup allocates nothing; with std::less<std::string>
// a name longer than std::string's inline buffer is copied.
template <typename Map>
class MapPropertySource final : public PropertySource {
 public:
  explicit MapPropertySource(const Map& props) : props_(props) {}
  std::optional<std::string_view> Get(std::string_view name) const override {
    auto it = [&] {
      if constexpr (requires { props_.find(name); }) {
        return props_.find(name);
      } else {
        return props_.find(std::string(name));
      }
    }();
    if (it == props_.end() || it->second.empty()) return std::nullopt;
    return std::string_view(it->second);
  }

 private:
  const Map& props_;
};

// Properties as stored in a record, "name\x01value\x02..." (see
// common/properties_codec.h), read in place: each Get scans the encoding. As
// RocketMQ's MessageDecoder.string2messageProperties: an item without a
// separator or with an empty name or value is skipped, and a repeated name
// keeps its last value.
class EncodedPropertySource final : public PropertySource {
 public:
  explicit EncodedPropertySource(std::string_view encoded) : encoded_(encoded) {}
  std::optional<std::string_view> Get(std::string_view name) const override;
  // One pass over the encoding for all the names.
  void GetAll(std::span<const std::string> names, Found* out) const override;

 private:
  std::string_view encoded_;
};

// What an expression evaluates to. A message matches only on kTrue.
enum class SqlResult : uint8_t { kFalse, kTrue, kNull, kError };

// A compiled expression. Cheap to move; immutable, so safe to share.
class SqlExpression {
 public:
  // Evaluates against `props`: kTrue, kFalse, kNull (unknown, for a missing
  // property) or kError (a property that a comparison could not convert).
  SqlResult Evaluate(const PropertySource& props) const;
  // Whether a message with these properties passes the filter (kTrue).
  bool Matches(const PropertySource& props) const {
    return Evaluate(props) == SqlResult::kTrue;
  }

  // The distinct property names the expression reads, in first-use order.
  const std::vector<std::string>& property_names() const { return property_names_; }

  // Internal representation, public for the compiler and the evaluator.
  enum class Kind : uint8_t { kNull, kBool, kInt, kLong, kDouble, kString, kError };
  struct Constant {
    Kind kind = Kind::kNull;
    bool b = false;
    int64_t i = 0;     // kInt, kLong
    double d = 0;      // kDouble
    uint32_t str = 0;  // kString: index into strings_
  };
  enum class Op : uint8_t {
    kConstant,    // constants_[a]
    kProperty,    // property_names_[a]
    kNegate,      // -a
    kNot,         // NOT a
    kBoolCast,    // a used as a boolean
    kAnd,         // children_[a .. a+b)
    kOr,          // children_[a .. a+b)
    kEqual,       // a = b
    kIsNull,      // a IS NULL
    kGreater, kGreaterEqual, kLess, kLessEqual,  // a op b
    kIn, kNotIn,  // a IN strings_[b .. b+c), sorted
    kContains, kNotContains, kStartsWith, kNotStartsWith, kEndsWith, kNotEndsWith,  // a op strings_[b]
    // Specialised by the compiler from the commonest comparisons, with the
    // same results: property slot a compared with int constant b by the
    // Op in c (kEqual, kGreater, ...); property slot a = strings_[b].
    kPropertyCompareInt,
    kPropertyEqualString,
  };
  struct Node {
    Op op;
    uint32_t a = 0, b = 0, c = 0;
  };

 private:
  friend class SqlCompiler;
  friend class SqlEvaluator;

  std::vector<Node> nodes_;  // the root is the last
  std::vector<Constant> constants_;
  std::vector<uint32_t> children_;
  std::vector<std::string> strings_;
  std::vector<std::string> property_names_;
};

// Limits on what CompileSql accepts, so that hostile text cannot exhaust the
// stack (of the parser or the evaluator) or memory.
inline constexpr size_t kMaxSqlLength = 256 * 1024;
inline constexpr int kMaxSqlDepth = 100;

// Compiles a SQL92 filter. InvalidArgument, naming the position (1-based
// character offset) and what was expected, for text that RocketMQ would
// reject, for text left over after the expression, and past the limits.
absl::StatusOr<SqlExpression> CompileSql(std::string_view text);

// rmq-admin sql-check: evaluates `text` against properties given as
// "key=value" arguments. Returns the line to print ("true", "false" or
// "error: ...") and sets *exit_code to 0 for true/false, 2 for an error (bad
// SQL or a malformed argument). An evaluation that is null or fails prints
// false, as the message would not be delivered.
std::string SqlCheck(std::string_view text, std::span<const std::string> key_values,
                     int* exit_code);

}  // namespace rmq::internal

#endif  // RMQ_FILTER_SQL_EXPRESSION_H_
