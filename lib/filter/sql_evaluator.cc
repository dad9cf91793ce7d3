// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Evaluation of a compiled SQL92 filter: each operator as the RocketMQ class
// it comes from evaluates (see sql_expression.h for the rules). Values live
// on the stack and strings are views of the literals or of the property
// source, so an evaluation allocates nothing.

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "common/properties_codec.h"
#include "filter/java_numbers.h"
#include "filter/sql_compare.h"
#include "filter/sql_expression.h"
#include "fmt/format.h"

namespace rmq::internal {
namespace {

using Kind = SqlExpression::Kind;

template <typename T>
int Compare3(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

SqlValue Bool(bool b) { return {Kind::kBool, b, 0, 0, {}}; }
SqlValue Null() { return {Kind::kNull, false, 0, 0, {}}; }
SqlValue Error() { return {Kind::kError, false, 0, 0, {}}; }

}  // namespace

int CompareSqlValues(const SqlValue& l, const SqlValue& r) {
  if (l.kind == r.kind) {
    switch (l.kind) {
      case Kind::kBool: return Compare3(l.b, r.b);
      case Kind::kInt:
      case Kind::kLong: return Compare3(l.i, r.i);
      case Kind::kDouble: return JavaCompareDouble(l.d, r.d);
      case Kind::kString: return Compare3(l.s.compare(r.s), 0);
      default: return kSqlCompareError;
    }
  }
  // Different types: the conversions of ComparisonExpression.__compare.
  int32_t i32;
  int64_t i64;
  double d;
  switch (l.kind) {
    case Kind::kBool:
      // RocketMQ casts the Boolean to String here: a ClassCastException.
      return r.kind == Kind::kString ? kSqlCompareError : -1;
    case Kind::kInt:
    case Kind::kLong:
      if (r.kind == Kind::kInt || r.kind == Kind::kLong) return Compare3(l.i, r.i);
      if (r.kind == Kind::kDouble) return JavaCompareDouble(static_cast<double>(l.i), r.d);
      if (r.kind != Kind::kString) return -1;
      if (l.kind == Kind::kInt) {
        if (!JavaParseInt(r.s, &i32)) return kSqlCompareError;
        return Compare3<int64_t>(l.i, i32);
      }
      if (!JavaParseLong(r.s, &i64)) return kSqlCompareError;
      return Compare3(l.i, i64);
    case Kind::kDouble:
      if (r.kind == Kind::kInt || r.kind == Kind::kLong) {
        return JavaCompareDouble(l.d, static_cast<double>(r.i));
      }
      if (r.kind != Kind::kString) return -1;
      if (!JavaParseDouble(r.s, &d)) return kSqlCompareError;
      return JavaCompareDouble(l.d, d);
    case Kind::kString:
      switch (r.kind) {
        case Kind::kBool: return Compare3(ParseJavaBoolean(l.s), r.b);
        case Kind::kInt:
          if (!JavaParseInt(l.s, &i32)) return kSqlCompareError;
          return Compare3<int64_t>(i32, r.i);
        case Kind::kLong:
          if (!JavaParseLong(l.s, &i64)) return kSqlCompareError;
          return Compare3(i64, r.i);
        case Kind::kDouble:
          if (!JavaParseDouble(l.s, &d)) return kSqlCompareError;
          return JavaCompareDouble(d, r.d);
        default: return -1;
      }
    default: return kSqlCompareError;
  }
}

class SqlEvaluator {
 public:
  SqlEvaluator(const SqlExpression& expr, const PropertySource& props)
      : expr_(expr), props_(props) {}

  // A node's value; properties and constants (the usual operands of a
  // comparison) without the recursive call and dispatch of Eval.
  SqlValue Operand(uint32_t index) {
    const SqlExpression::Node& n = expr_.nodes_[index];
    if (n.op == SqlExpression::Op::kProperty) return PropertyValue(n.a);
    if (n.op == SqlExpression::Op::kConstant) {
      return ConstantValue(expr_.constants_[n.a], expr_.strings_);
    }
    return Eval(index);
  }

  SqlValue PropertyValue(uint32_t slot) {
    const std::optional<std::string_view> v = Property(slot);
    if (!v) return Null();
    return {Kind::kString, false, 0, 0, *v};
  }

  // A node's value as a boolean: kTrue, kFalse, kNull, or kError for an
  // error or a value that is not a boolean (which AND and OR reject). The
  // specialised comparisons, the usual operands of AND and OR, are
  // evaluated here without building a value.
  SqlResult Truth(uint32_t index) {
    using Op = SqlExpression::Op;
    const SqlExpression::Node& n = expr_.nodes_[index];
    if (n.op == Op::kPropertyCompareInt) {
      // As kEqual / kGreater ... with a String on the left and an Integer
      // on the right: Integer.valueOf of the property, then compared.
      int32_t value;
      switch (PropertyAsInt(n.a, &value)) {
        case IntRead::kMissing: return SqlResult::kNull;
        case IntRead::kUnparsable: return SqlResult::kError;
        case IntRead::kOk: break;
      }
      const int64_t literal = expr_.constants_[n.b].i;
      bool holds;
      switch (static_cast<Op>(n.c)) {
        case Op::kEqual: holds = value == literal; break;
        case Op::kGreater: holds = value > literal; break;
        case Op::kGreaterEqual: holds = value >= literal; break;
        case Op::kLess: holds = value < literal; break;
        default: holds = value <= literal; break;
      }
      return holds ? SqlResult::kTrue : SqlResult::kFalse;
    }
    if (n.op == Op::kPropertyEqualString) {
      const std::optional<std::string_view> v = Property(n.a);
      if (!v) return SqlResult::kNull;
      return *v == std::string_view(expr_.strings_[n.b]) ? SqlResult::kTrue : SqlResult::kFalse;
    }
    const SqlValue v = Eval(index);
    switch (v.kind) {
      case Kind::kBool: return v.b ? SqlResult::kTrue : SqlResult::kFalse;
      case Kind::kNull: return SqlResult::kNull;
      default: return SqlResult::kError;
    }
  }

  static SqlValue ValueOf(SqlResult r) {
    switch (r) {
      case SqlResult::kTrue: return Bool(true);
      case SqlResult::kFalse: return Bool(false);
      case SqlResult::kNull: return Null();
      default: return Error();
    }
  }

  SqlValue Eval(uint32_t index) {
    using Op = SqlExpression::Op;
    const SqlExpression::Node& n = expr_.nodes_[index];
    switch (n.op) {
      case Op::kConstant: return ConstantValue(expr_.constants_[n.a], expr_.strings_);
      case Op::kProperty: return PropertyValue(n.a);
      case Op::kNegate: {  // UnaryExpression.createNegate
        SqlValue v = Eval(n.a);
        if (v.kind == Kind::kInt) {
          v.i = static_cast<int32_t>(0u - static_cast<uint32_t>(v.i));
        } else if (v.kind == Kind::kLong) {
          v.i = static_cast<int64_t>(0ull - static_cast<uint64_t>(v.i));
        } else if (v.kind == Kind::kDouble) {
          v.d = -v.d;
        } else if (v.kind != Kind::kError) {
          return Null();
        }
        return v;
      }
      case Op::kNot: {
        const SqlValue v = Eval(n.a);
        if (v.kind == Kind::kBool) return Bool(!v.b);
        return v.kind == Kind::kNull ? Null() : Error();
      }
      case Op::kBoolCast: {
        const SqlValue v = Eval(n.a);
        if (v.kind == Kind::kNull || v.kind == Kind::kError || v.kind == Kind::kBool) return v;
        return Bool(false);
      }
      case Op::kAnd:
      case Op::kOr: {
        // LogicExpression: the first operand equal to `decisive` decides;
        // otherwise null if any was null.
        const SqlResult decisive = n.op == Op::kOr ? SqlResult::kTrue : SqlResult::kFalse;
        bool saw_null = false;
        for (uint32_t k = 0; k < n.b; ++k) {
          const SqlResult v = Truth(expr_.children_[n.a + k]);
          if (v == decisive) return Bool(decisive == SqlResult::kTrue);
          if (v == SqlResult::kNull) {
            saw_null = true;
          } else if (v == SqlResult::kError) {
            return Error();
          }
        }
        return saw_null ? Null() : Bool(decisive != SqlResult::kTrue);
      }
      case Op::kEqual: {  // ComparisonExpression.doCreateEqual
        const SqlValue l = Operand(n.a);
        if (l.kind == Kind::kError) return l;
        const SqlValue r = Operand(n.b);
        if (r.kind == Kind::kError) return r;
        const bool l_null = l.kind == Kind::kNull, r_null = r.kind == Kind::kNull;
        if (l_null || r_null) return l_null == r_null ? Bool(true) : (l_null ? Null() : Bool(false));
        const int cmp = CompareSqlValues(l, r);
        return cmp == kSqlCompareError ? Error() : Bool(cmp == 0);
      }
      case Op::kIsNull: {
        const SqlValue v = Operand(n.a);
        return v.kind == Kind::kError ? v : Bool(v.kind == Kind::kNull);
      }
      case Op::kGreater:
      case Op::kGreaterEqual:
      case Op::kLess:
      case Op::kLessEqual: {  // ComparisonExpression.evaluate
        const SqlValue l = Operand(n.a);
        if (l.kind == Kind::kError || l.kind == Kind::kNull) return l;
        const SqlValue r = Operand(n.b);
        if (r.kind == Kind::kError || r.kind == Kind::kNull) return r;
        int cmp;
        if (l.kind == Kind::kString && r.kind == Kind::kString) {
          // Two strings are ordered only as numbers.
          double ld, rd;
          if (!JavaParseDouble(l.s, &ld) || !JavaParseDouble(r.s, &rd)) return Error();
          cmp = JavaCompareDouble(ld, rd);
        } else {
          cmp = CompareSqlValues(l, r);
          if (cmp == kSqlCompareError) return Error();
        }
        switch (n.op) {
          case Op::kGreater: return Bool(cmp > 0);
          case Op::kGreaterEqual: return Bool(cmp >= 0);
          case Op::kLess: return Bool(cmp < 0);
          default: return Bool(cmp <= 0);
        }
      }
      case Op::kPropertyCompareInt:
      case Op::kPropertyEqualString: return ValueOf(Truth(index));
      case Op::kIn:
      case Op::kNotIn: {  // UnaryExpression.createInExpression
        const SqlValue v = Operand(n.a);
        if (v.kind != Kind::kString) return v.kind == Kind::kError ? v : Null();
        const auto first = expr_.strings_.begin() + n.b;
        const auto last = first + n.c;
        const auto it = std::lower_bound(first, last, v.s,
                                         [](const std::string& a, std::string_view b) { return a < b; });
        const bool found = it != last && *it == v.s;
        return Bool(found != (n.op == Op::kNotIn));
      }
      default: {  // CONTAINS, STARTSWITH, ENDSWITH and their NOT forms
        const std::string_view search = expr_.strings_[n.b];
        if (search.empty()) return Bool(false);
        const SqlValue v = Operand(n.a);
        if (v.kind == Kind::kError) return v;
        if (v.kind != Kind::kString) return Bool(false);
        bool hit;
        switch (n.op) {
          case Op::kContains:
          case Op::kNotContains: hit = v.s.find(search) != std::string_view::npos; break;
          case Op::kStartsWith:
          case Op::kNotStartsWith: hit = v.s.starts_with(search); break;
          default: hit = v.s.ends_with(search); break;
        }
        const bool negated = n.op == Op::kNotContains || n.op == Op::kNotStartsWith ||
                             n.op == Op::kNotEndsWith;
        return Bool(hit != negated);
      }
    }
  }

 private:
  // On the first property read, looks up all the expression's properties
  // in one go (for the first kBatched names; any further ones are looked up
  // at each read). An encoding is then scanned once per evaluation, however
  // many properties the expression reads and however often (BETWEEN reads
  // its operand twice).
  std::optional<std::string_view> Property(uint32_t slot) {
    if (slot >= kBatched) return props_.Get(expr_.property_names_[slot]);
    if (!looked_up_) {
      const size_t n = std::min<size_t>(expr_.property_names_.size(), kBatched);
      props_.GetAll(std::span<const std::string>(expr_.property_names_.data(), n), found_);
      looked_up_ = true;
    }
    const PropertySource::Found& f = found_[slot];
    if (!f.found) return std::nullopt;
    return std::string_view(f.data, f.size);
  }

  enum class IntRead : uint8_t { kMissing, kUnparsable, kOk };
  // The property in `slot` read as Integer.valueOf, parsed once per
  // evaluation (BETWEEN compares it twice).
  IntRead PropertyAsInt(uint32_t slot, int32_t* out) {
    if (slot < kBatched && parsed_[slot] != kNotParsed) {
      *out = parsed_int_[slot];
      return static_cast<IntRead>(parsed_[slot]);
    }
    const std::optional<std::string_view> v = Property(slot);
    IntRead read = IntRead::kMissing;
    if (v) read = JavaParseInt(*v, out) ? IntRead::kOk : IntRead::kUnparsable;
    if (slot < kBatched) {
      parsed_[slot] = static_cast<uint8_t>(read);
      parsed_int_[slot] = *out;
    }
    return read;
  }

  static constexpr uint32_t kBatched = 16;
  static constexpr uint8_t kNotParsed = 0xff;
  const SqlExpression& expr_;
  const PropertySource& props_;
  bool looked_up_ = false;
  PropertySource::Found found_[kBatched];  // written by GetAll before any read
  uint8_t parsed_[kBatched] = {kNotParsed, kNotParsed, kNotParsed, kNotParsed,
                               kNotParsed, kNotParsed, kNotParsed, kNotParsed,
                               kNotParsed, kNotParsed, kNotParsed, kNotParsed,
                               kNotParsed, kNotParsed, kNotParsed, kNotParsed};
  int32_t parsed_int_[kBatched];
};

void PropertySource::GetAll(std::span<const std::string> names, Found* out) const {
  for (size_t i = 0; i < names.size(); ++i) {
    const std::optional<std::string_view> v = Get(names[i]);
    out[i] = v ? Found{v->data(), v->size(), true} : Found{nullptr, 0, false};
  }
}

SqlResult SqlExpression::Evaluate(const PropertySource& props) const {
  SqlEvaluator evaluator(*this, props);
  return evaluator.Truth(static_cast<uint32_t>(nodes_.size() - 1));
}

namespace {

// Calls fn(item) for each item of an encoding: the bytes between \x02
// separators (and after the last one). The scan looks at 8 bytes a step for
// a \x02 (items are short: a memchr call per item, or a byte loop, cost
// several times more).
template <typename Fn>
void ForEachEncodedItem(std::string_view encoded, Fn&& fn) {
  const char* const begin = encoded.data();
  const char* const end = begin + encoded.size();
  const char* item = begin;
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  const char* p = begin;
  for (; std::endian::native == std::endian::little && end - p >= 8; p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    const uint64_t x = word ^ (kOnes * static_cast<uint8_t>(kPropertySeparator));
    // A high bit for each zero byte of x, i.e. each \x02 (and possibly for
    // a byte above one that is not: checked).
    uint64_t zeros = (x - kOnes) & ~x & kHighs;
    while (zeros != 0) {
      const char* at = p + (std::countr_zero(zeros) >> 3);  // the first byte is the lowest
      if (*at == kPropertySeparator) {
        fn(std::string_view(item, static_cast<size_t>(at - item)));
        item = at + 1;
      }
      zeros &= zeros - 1;
    }
  }
  for (; p < end; ++p) {
    if (*p == kPropertySeparator) {
      fn(std::string_view(item, static_cast<size_t>(p - item)));
      item = p + 1;
    }
  }
  if (item < end) fn(std::string_view(item, static_cast<size_t>(end - item)));
}

// An item's name and value as RocketMQ's MessageDecoder.
// string2messageProperties keeps them: split at the first \x01, both
// non-empty. False for an item it skips.
bool SplitItem(std::string_view item, std::string_view* name, std::string_view* value) {
  size_t i = 0;
  while (i < item.size() && item[i] != kNameValueSeparator) ++i;
  if (i == 0 || i + 1 >= item.size()) return false;
  *name = item.substr(0, i);
  *value = item.substr(i + 1);
  return true;
}

}  // namespace

std::optional<std::string_view> EncodedPropertySource::Get(std::string_view name) const {
  std::optional<std::string_view> found;  // the last occurrence wins
  ForEachEncodedItem(encoded_, [&](std::string_view item) {
    std::string_view n, v;
    if (SplitItem(item, &n, &v) && n == name) found = v;
  });
  return found;
}

void EncodedPropertySource::GetAll(std::span<const std::string> names, Found* out) const {
  // Items whose first byte starts none of the names are passed over unsplit.
  uint64_t first_bytes[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < names.size(); ++i) {
    out[i] = {nullptr, 0, false};
    if (!names[i].empty()) {
      const auto c = static_cast<uint8_t>(names[i][0]);
      first_bytes[c >> 6] |= uint64_t{1} << (c & 63);
    }
  }
  ForEachEncodedItem(encoded_, [&](std::string_view item) {
    if (item.empty()) return;
    const auto c = static_cast<uint8_t>(item[0]);
    if (!(first_bytes[c >> 6] & (uint64_t{1} << (c & 63)))) return;
    std::string_view n, v;
    if (!SplitItem(item, &n, &v)) return;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].size() == n.size() && names[i] == n) {
        out[i] = {v.data(), v.size(), true};  // the last occurrence wins
        break;
      }
    }
  });
}

std::string SqlCheck(std::string_view text, std::span<const std::string> key_values,
                     int* exit_code) {
  *exit_code = 2;
  std::map<std::string, std::string, std::less<>> props;
  for (const std::string& arg : key_values) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fmt::format("error: property argument '{}' is not key=value", arg);
    }
    props.insert_or_assign(arg.substr(0, eq), arg.substr(eq + 1));
  }
  absl::StatusOr<SqlExpression> expr = CompileSql(text);
  if (!expr.ok()) {
    const auto message = expr.status().message();
    return fmt::format("error: {}", std::string_view(message.data(), message.size()));
  }
  *exit_code = 0;
  return expr->Matches(MapPropertySource(props)) ? "true" : "false";
}

}  // namespace rmq::internal
