// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// CompileSql: a recursive-descent parser with SelectorParser.jj's grammar and
// the checks RocketMQ's expression factories make while building the tree
// (ComparisonExpression.checkLessThanOperand, checkEqualOperand, createBetween,
// createInFilter, SelectorParser.asBooleanExpression). Those checks look at
// what kind of Java object an operand is, so each parsed operand carries that
// kind alongside the node it compiled to.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "filter/java_numbers.h"
#include "filter/sql_compare.h"
#include "filter/sql_expression.h"
#include "filter/sql_lexer.h"
#include "fmt/format.h"

namespace rmq::internal {

class SqlCompiler {
 public:
  SqlCompiler(std::string_view text, std::vector<SqlLexeme> lexemes)
      : text_(text), lexemes_(std::move(lexemes)) {}

  absl::StatusOr<SqlExpression> Compile() {
    auto root = ParseOr();
    if (!root.ok()) return root.status();
    if (Peek().token != SqlToken::kEnd) {
      return Error(Peek(), "expected AND, OR or the end of the expression");
    }
    auto boolean = AsBoolean(*root);
    if (!boolean.ok()) return boolean.status();
    // Evaluation starts at the last node.
    if (boolean->node + 1 != expr_.nodes_.size()) {
      expr_.nodes_.push_back(expr_.nodes_[boolean->node]);
    }
    Specialise();
    return std::move(expr_);
  }

 private:
  using Op = SqlExpression::Op;
  using Kind = SqlExpression::Kind;

  // Rewrites "property op int literal" and "property = 'string'" into the
  // ops that evaluate them without the general comparison (the operand
  // nodes stay, unused). The results are the same: a missing property is
  // null, one that does not parse as an int an error.
  void Specialise() {
    for (SqlExpression::Node& n : expr_.nodes_) {
      const bool ordering = n.op == Op::kGreater || n.op == Op::kGreaterEqual ||
                            n.op == Op::kLess || n.op == Op::kLessEqual;
      if (!ordering && n.op != Op::kEqual) continue;
      const SqlExpression::Node& left = expr_.nodes_[n.a];
      const SqlExpression::Node& right = expr_.nodes_[n.b];
      if (left.op != Op::kProperty || right.op != Op::kConstant) continue;
      const SqlExpression::Constant& constant = expr_.constants_[right.a];
      if (constant.kind == Kind::kInt) {
        n = {Op::kPropertyCompareInt, left.a, right.a, static_cast<uint32_t>(n.op)};
      } else if (constant.kind == Kind::kString && n.op == Op::kEqual) {
        n = {Op::kPropertyEqualString, left.a, constant.str, 0};
      }
    }
  }

  // The Java class an operand would have in RocketMQ, for its checks.
  enum class JavaKind {
    kLiteral,      // ConstantExpression: a string or number
    kBoolLiteral,  // BooleanConstantExpression: TRUE, FALSE, NULL
    kProperty,     // PropertyExpression
    kBoolean,      // any other BooleanExpression
    kOther,        // a negation
  };
  struct Operand {
    uint32_t node;
    JavaKind kind;
    size_t pos;      // where its text starts
    size_t end = 0;  // and ends (set once the operand is complete)
  };

  const SqlLexeme& Peek(size_t ahead = 0) const {
    return lexemes_[std::min(next_ + ahead, lexemes_.size() - 1)];
  }
  const SqlLexeme& Take() { return lexemes_[std::min(next_++, lexemes_.size() - 1)]; }

  absl::Status Error(const SqlLexeme& at, std::string_view expected) const {
    return absl::InvalidArgumentError(fmt::format("SQL filter: {} at position {}, found {}",
                                                  expected, at.pos + 1, DescribeLexeme(at)));
  }
  absl::Status ErrorAt(size_t pos, std::string_view what) const {
    return absl::InvalidArgumentError(
        fmt::format("SQL filter at position {}: {}", pos + 1, what));
  }
  std::string_view SourceOf(const Operand& o) const {
    return text_.substr(o.pos, o.end > o.pos ? o.end - o.pos : 0);
  }
  // `o`, its text ending where the last lexeme taken ends.
  Operand Complete(Operand o) const {
    o.end = PrevEnd();
    return o;
  }
  size_t PrevEnd() const {
    const SqlLexeme& prev = lexemes_[next_ == 0 ? 0 : next_ - 1];
    return prev.pos + prev.text.size();
  }

  absl::StatusOr<uint32_t> AddNode(SqlExpression::Node node, size_t pos,
                                   std::initializer_list<uint32_t> children) {
    uint32_t depth = 1;
    for (uint32_t child : children) depth = std::max(depth, depths_[child] + 1);
    if (depth > static_cast<uint32_t>(kMaxSqlDepth)) {
      return ErrorAt(pos, fmt::format("expression nested deeper than {} levels", kMaxSqlDepth));
    }
    expr_.nodes_.push_back(node);
    depths_.push_back(depth);
    return static_cast<uint32_t>(expr_.nodes_.size() - 1);
  }

  absl::StatusOr<Operand> Constant(SqlExpression::Constant c, JavaKind kind, size_t pos) {
    expr_.constants_.push_back(c);
    auto node = AddNode({Op::kConstant, static_cast<uint32_t>(expr_.constants_.size() - 1)},
                        pos, {});
    if (!node.ok()) return node.status();
    return Operand{*node, kind, pos};
  }

  const SqlExpression::Constant* ConstantOf(const Operand& o) const {
    const SqlExpression::Node& n = expr_.nodes_[o.node];
    return n.op == Op::kConstant ? &expr_.constants_[n.a] : nullptr;
  }

  uint32_t AddString(std::string s) {
    expr_.strings_.push_back(std::move(s));
    return static_cast<uint32_t>(expr_.strings_.size() - 1);
  }

  // SelectorParser.asBooleanExpression.
  absl::StatusOr<Operand> AsBoolean(const Operand& o) {
    if (o.kind == JavaKind::kBoolean || o.kind == JavaKind::kBoolLiteral) return o;
    if (o.kind == JavaKind::kProperty) {
      auto node = AddNode({Op::kBoolCast, o.node}, o.pos, {o.node});
      if (!node.ok()) return node.status();
      return Operand{*node, JavaKind::kBoolean, o.pos};
    }
    return ErrorAt(o.pos, fmt::format("{} is not a boolean expression (a comparison, a "
                                      "property, TRUE, FALSE or NULL)",
                                      SourceOf(o)));
  }

  // ComparisonExpression.checkLessThanOperand: only numbers are ordered.
  absl::Status CheckOrdered(const Operand& o, std::string_view op) const {
    const SqlExpression::Constant* c = ConstantOf(o);
    const bool literal = o.kind == JavaKind::kLiteral || o.kind == JavaKind::kBoolLiteral;
    if ((literal && c->kind != Kind::kInt && c->kind != Kind::kLong && c->kind != Kind::kDouble) ||
        o.kind == JavaKind::kBoolean) {
      return ErrorAt(o.pos, fmt::format("{} compares numbers; {} cannot be compared with it", op,
                                        SourceOf(o)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Operand> Binary(Op op, const Operand& l, const Operand& r) {
    auto node = AddNode({op, l.node, r.node}, l.pos, {l.node, r.node});
    if (!node.ok()) return node.status();
    return Operand{*node, JavaKind::kBoolean, l.pos};
  }

  absl::StatusOr<Operand> Not(const Operand& o) {
    auto node = AddNode({Op::kNot, o.node}, o.pos, {o.node});
    if (!node.ok()) return node.status();
    return Operand{*node, JavaKind::kBoolean, o.pos};
  }

  // An AND or OR of `operands` (already booleans); nested ANDs in an AND
  // (ORs in an OR) are flattened: evaluated left to right with short-circuit,
  // the result is the same, and a long chain does not make a deep tree.
  absl::StatusOr<Operand> Logic(Op op, const std::vector<Operand>& operands) {
    std::vector<uint32_t> flat;
    uint32_t depth = 0;
    for (const Operand& o : operands) {
      const SqlExpression::Node& n = expr_.nodes_[o.node];
      if (n.op == op) {
        flat.insert(flat.end(), expr_.children_.begin() + n.a, expr_.children_.begin() + n.a + n.b);
      } else {
        flat.push_back(o.node);
      }
      depth = std::max(depth, depths_[o.node]);
    }
    const auto first = static_cast<uint32_t>(expr_.children_.size());
    expr_.children_.insert(expr_.children_.end(), flat.begin(), flat.end());
    expr_.nodes_.push_back({op, first, static_cast<uint32_t>(flat.size())});
    depths_.push_back(depth + 1);
    if (depth + 1 > static_cast<uint32_t>(kMaxSqlDepth)) {
      return ErrorAt(operands[0].pos,
                     fmt::format("expression nested deeper than {} levels", kMaxSqlDepth));
    }
    return Operand{static_cast<uint32_t>(expr_.nodes_.size() - 1), JavaKind::kBoolean,
                   operands[0].pos};
  }

  absl::StatusOr<Operand> ParseLogic(SqlToken token, Op op,
                                     absl::StatusOr<Operand> (SqlCompiler::*operand)()) {
    auto first = (this->*operand)();
    if (!first.ok() || Peek().token != token) return first;
    std::vector<Operand> operands;
    auto b = AsBoolean(*first);
    if (!b.ok()) return b.status();
    operands.push_back(*b);
    while (Peek().token == token) {
      Take();
      auto next = (this->*operand)();
      if (!next.ok()) return next.status();
      auto nb = AsBoolean(*next);
      if (!nb.ok()) return nb.status();
      operands.push_back(*nb);
    }
    auto result = Logic(op, operands);
    if (!result.ok()) return result;
    return Complete(*result);
  }

  absl::StatusOr<Operand> ParseOr() {
    return ParseLogic(SqlToken::kOr, Op::kOr, &SqlCompiler::ParseAnd);
  }
  absl::StatusOr<Operand> ParseAnd() {
    return ParseLogic(SqlToken::kAnd, Op::kAnd, &SqlCompiler::ParseEquality);
  }

  // ComparisonExpression.createEqual's checks.
  absl::Status CheckEquality(const Operand& l, const Operand& r, std::string_view op) const {
    for (const Operand* o : {&l, &r}) {
      const SqlExpression::Constant* c = ConstantOf(*o);
      if (o->kind == JavaKind::kBoolLiteral && c->kind == Kind::kNull) {
        return ErrorAt(o->pos, fmt::format("NULL cannot be compared with {}; use IS NULL or "
                                           "IS NOT NULL",
                                           op));
      }
    }
    if (l.kind == JavaKind::kBoolLiteral && r.kind == JavaKind::kLiteral) {
      return ErrorAt(l.pos, fmt::format("{} cannot be compared with a string or number literal",
                                        SourceOf(l)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Operand> ParseEquality() {
    auto left = ParseComparison();
    if (!left.ok()) return left;
    Operand l = *left;
    while (true) {
      const SqlToken t = Peek().token;
      if (t == SqlToken::kEq || t == SqlToken::kNe) {
        const std::string_view op = Take().text;
        auto right = ParseComparison();
        if (!right.ok()) return right;
        if (auto s = CheckEquality(l, *right, op); !s.ok()) return s;
        auto eq = Binary(Op::kEqual, l, *right);
        if (!eq.ok()) return eq;
        if (t == SqlToken::kNe) eq = Not(*eq);
        if (!eq.ok()) return eq;
        l = Complete(*eq);
      } else if (t == SqlToken::kIs) {
        Take();
        const bool negate = Peek().token == SqlToken::kNot;
        if (negate) Take();
        if (Peek().token != SqlToken::kNull) {
          return Error(Peek(), negate ? "expected NULL after IS NOT" : "expected NULL or NOT NULL after IS");
        }
        Take();
        auto node = AddNode({Op::kIsNull, l.node}, l.pos, {l.node});
        if (!node.ok()) return node.status();
        auto is_null = absl::StatusOr<Operand>(Operand{*node, JavaKind::kBoolean, l.pos});
        if (negate) is_null = Not(*is_null);
        if (!is_null.ok()) return is_null;
        l = Complete(*is_null);
      } else {
        return l;
      }
    }
  }

  absl::StatusOr<std::string> ParseStringLiteral(std::string_view after) {
    const SqlLexeme& lex = Peek();
    if (lex.token != SqlToken::kString) {
      return Error(lex, fmt::format("expected a string literal after {}", after));
    }
    Take();
    std::string value;
    const std::string_view body = lex.text.substr(1, lex.text.size() - 2);
    value.reserve(body.size());
    for (size_t i = 0; i < body.size(); ++i) {
      value.push_back(body[i]);
      if (body[i] == '\'') ++i;  // '' is one quote
    }
    return value;
  }

  static bool IsNegatable(SqlToken t) {
    return t == SqlToken::kContains || t == SqlToken::kStartsWith || t == SqlToken::kEndsWith ||
           t == SqlToken::kBetween || t == SqlToken::kIn;
  }

  absl::StatusOr<Operand> ParseComparison() {
    auto left = ParseUnary();
    if (!left.ok()) return left;
    Operand l = *left;
    while (true) {
      const SqlLexeme& lex = Peek();
      SqlToken t = lex.token;
      absl::StatusOr<Operand> result;
      if (t == SqlToken::kGt || t == SqlToken::kGe || t == SqlToken::kLt || t == SqlToken::kLe) {
        Take();
        auto right = ParseUnary();
        if (!right.ok()) return right;
        if (auto s = CheckOrdered(l, lex.text); !s.ok()) return s;
        if (auto s = CheckOrdered(*right, lex.text); !s.ok()) return s;
        const Op op = t == SqlToken::kGt   ? Op::kGreater
                      : t == SqlToken::kGe ? Op::kGreaterEqual
                      : t == SqlToken::kLt ? Op::kLess
                                           : Op::kLessEqual;
        result = Binary(op, l, *right);
      } else if (t == SqlToken::kContains || t == SqlToken::kStartsWith ||
                 t == SqlToken::kEndsWith ||
                 (t == SqlToken::kNot && IsNegatable(Peek(1).token))) {
        const bool negate = t == SqlToken::kNot;
        if (negate) {
          Take();
          t = Peek().token;
        }
        const std::string_view keyword = Take().text;
        if (t == SqlToken::kBetween) {
          result = ParseBetween(l, negate);
        } else if (t == SqlToken::kIn) {
          result = ParseIn(l, negate);
        } else {
          auto search = ParseStringLiteral(keyword);
          if (!search.ok()) return search.status();
          Op op = t == SqlToken::kContains     ? Op::kContains
                  : t == SqlToken::kStartsWith ? Op::kStartsWith
                                               : Op::kEndsWith;
          if (negate) op = static_cast<Op>(static_cast<int>(op) + 1);
          auto node = AddNode({op, l.node, AddString(std::move(*search))}, l.pos, {l.node});
          if (!node.ok()) return node.status();
          result = Operand{*node, JavaKind::kBoolean, l.pos};
        }
      } else if (t == SqlToken::kBetween || t == SqlToken::kIn) {
        Take();
        result = t == SqlToken::kBetween ? ParseBetween(l, false) : ParseIn(l, false);
      } else {
        return l;
      }
      if (!result.ok()) return result;
      l = Complete(*result);
    }
  }

  absl::StatusOr<Operand> ParseBetween(const Operand& value, bool negate) {
    auto low = ParseUnary();
    if (!low.ok()) return low;
    if (Peek().token != SqlToken::kAnd) return Error(Peek(), "expected AND in BETWEEN");
    Take();
    auto high = ParseUnary();
    if (!high.ok()) return high;
    const std::string_view op = negate ? "NOT BETWEEN" : "BETWEEN";
    if (!negate) {
      // ComparisonExpression.createBetween: literal bounds must be in order.
      const SqlExpression::Constant* lc = ConstantOf(*low);
      const SqlExpression::Constant* hc = ConstantOf(*high);
      const auto is_literal = [](const Operand& o) {
        return o.kind == JavaKind::kLiteral || o.kind == JavaKind::kBoolLiteral;
      };
      if (is_literal(*low) && is_literal(*high)) {
        if (lc->kind == Kind::kNull || hc->kind == Kind::kNull) {
          return ErrorAt(low->pos, "BETWEEN bounds cannot be NULL");
        }
        const int cmp = CompareSqlValues(ValueOf(*hc), ValueOf(*lc));
        if (cmp == kSqlCompareError || cmp < 0) {
          return ErrorAt(low->pos, fmt::format("BETWEEN bounds out of order: {} must not exceed {}",
                                               SourceOf(*low),
                                               SourceOf(*high)));
        }
      }
    }
    for (const Operand* o : {&value, static_cast<const Operand*>(&*low),
                             static_cast<const Operand*>(&*high)}) {
      if (auto s = CheckOrdered(*o, op); !s.ok()) return s;
    }
    // BETWEEN is ">= AND <=", NOT BETWEEN "< OR >", as RocketMQ builds them.
    auto first = Binary(negate ? Op::kLess : Op::kGreaterEqual, value, *low);
    if (!first.ok()) return first;
    auto second = Binary(negate ? Op::kGreater : Op::kLessEqual, value, *high);
    if (!second.ok()) return second;
    return Logic(negate ? Op::kOr : Op::kAnd, {*first, *second});
  }

  absl::StatusOr<Operand> ParseIn(const Operand& value, bool negate) {
    if (value.kind != JavaKind::kProperty) {
      return ErrorAt(value.pos, fmt::format("{} needs a property on its left, not {}",
                                            negate ? "NOT IN" : "IN",
                                            SourceOf(value)));
    }
    if (Peek().token != SqlToken::kLParen) return Error(Peek(), "expected '(' after IN");
    Take();
    std::vector<std::string> items;
    while (true) {
      auto item = ParseStringLiteral(items.empty() ? "IN (" : "','");
      if (!item.ok()) return item.status();
      items.push_back(std::move(*item));
      if (Peek().token == SqlToken::kComma) {
        Take();
        continue;
      }
      if (Peek().token != SqlToken::kRParen) return Error(Peek(), "expected ',' or ')' in IN list");
      Take();
      break;
    }
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    const auto first = static_cast<uint32_t>(expr_.strings_.size());
    for (std::string& s : items) expr_.strings_.push_back(std::move(s));
    auto node = AddNode({negate ? Op::kNotIn : Op::kIn, value.node, first,
                         static_cast<uint32_t>(items.size())},
                        value.pos, {value.node});
    if (!node.ok()) return node.status();
    return Operand{*node, JavaKind::kBoolean, value.pos};
  }

  absl::StatusOr<Operand> ParseUnary() {
    if (++nesting_ > kMaxSqlDepth) {
      return ErrorAt(Peek().pos, fmt::format("expression nested deeper than {} levels",
                                             kMaxSqlDepth));
    }
    auto result = ParseUnaryNested();
    --nesting_;
    if (!result.ok()) return result;
    return Complete(*result);
  }

  absl::StatusOr<Operand> ParseUnaryNested() {
    const SqlLexeme& lex = Peek();
    if (lex.token == SqlToken::kPlus) {
      Take();
      auto operand = ParseUnary();
      if (!operand.ok()) return operand;
      return Operand{operand->node, operand->kind, lex.pos};
    }
    if (lex.token == SqlToken::kMinus) {
      Take();
      auto operand = ParseUnary();
      if (!operand.ok()) return operand;
      if (const SqlExpression::Constant* c = ConstantOf(*operand)) {
        // Folded, but still a negation for RocketMQ's checks (kOther).
        SqlExpression::Constant negated;  // null unless a number
        if (c->kind == Kind::kInt) {
          negated = {Kind::kInt, false,
                     static_cast<int32_t>(0u - static_cast<uint32_t>(c->i))};
        } else if (c->kind == Kind::kLong) {
          negated = {Kind::kLong, false,
                     static_cast<int64_t>(0ull - static_cast<uint64_t>(c->i))};
        } else if (c->kind == Kind::kDouble) {
          negated = {Kind::kDouble, false, 0, -c->d};
        }
        return Constant(negated, JavaKind::kOther, lex.pos);
      }
      auto node = AddNode({Op::kNegate, operand->node}, lex.pos, {operand->node});
      if (!node.ok()) return node.status();
      return Operand{*node, JavaKind::kOther, lex.pos};
    }
    if (lex.token == SqlToken::kNot) {
      Take();
      auto operand = ParseUnary();
      if (!operand.ok()) return operand;
      auto boolean = AsBoolean(*operand);
      if (!boolean.ok()) return boolean;
      auto result = Not(*boolean);
      if (!result.ok()) return result;
      return Operand{result->node, JavaKind::kBoolean, lex.pos};
    }
    return ParsePrimary();
  }

  absl::StatusOr<Operand> ParsePrimary() {
    const SqlLexeme& lex = Peek();
    switch (lex.token) {
      case SqlToken::kLParen: {
        Take();
        auto inner = ParseOr();
        if (!inner.ok()) return inner;
        if (Peek().token != SqlToken::kRParen) {
          return Error(Peek(), fmt::format("expected ')' to close the '(' at position {}",
                                           lex.pos + 1));
        }
        Take();
        return Operand{inner->node, inner->kind, lex.pos};
      }
      case SqlToken::kId: {
        Take();
        const std::string_view name = lex.text;
        auto& names = expr_.property_names_;
        auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) it = names.insert(names.end(), std::string(name));
        auto node = AddNode({Op::kProperty, static_cast<uint32_t>(it - names.begin())}, lex.pos, {});
        if (!node.ok()) return node.status();
        return Operand{*node, JavaKind::kProperty, lex.pos};
      }
      case SqlToken::kString: {
        auto s = ParseStringLiteral("");
        if (!s.ok()) return s.status();
        SqlExpression::Constant c;
        c.kind = Kind::kString;
        c.str = AddString(std::move(*s));
        return Constant(c, JavaKind::kLiteral, lex.pos);
      }
      case SqlToken::kDecimal: return Decimal(Take());
      case SqlToken::kFloat: return Float(Take());
      case SqlToken::kTrue:
      case SqlToken::kFalse:
        Take();
        return Constant({Kind::kBool, lex.token == SqlToken::kTrue}, JavaKind::kBoolLiteral,
                        lex.pos);
      case SqlToken::kNull:
        Take();
        return Constant({Kind::kNull}, JavaKind::kBoolLiteral, lex.pos);
      default:
        return Error(lex, "expected a property, a literal, '(', NOT, '+' or '-'");
    }
  }

  // ConstantExpression.createFromDecimal: a long, narrowed to int if it fits.
  absl::StatusOr<Operand> Decimal(const SqlLexeme& lex) {
    std::string_view digits = lex.text;
    if (digits.back() == 'l' || digits.back() == 'L') digits.remove_suffix(1);
    int64_t v;
    if (!JavaParseLong(digits, &v)) {
      return ErrorAt(lex.pos, fmt::format("integer {} does not fit a long (at most {})", digits,
                                          std::numeric_limits<int64_t>::max()));
    }
    const bool fits_int = v >= std::numeric_limits<int32_t>::min() &&
                          v <= std::numeric_limits<int32_t>::max();
    return Constant({fits_int ? Kind::kInt : Kind::kLong, false, v}, JavaKind::kLiteral, lex.pos);
  }

  // ConstantExpression.createFloat: finite, and not below Double.MIN_VALUE
  // (which, the literal having no sign, rejects 0.0 itself).
  absl::StatusOr<Operand> Float(const SqlLexeme& lex) {
    double v = 0;
    if (!JavaParseDouble(lex.text, &v) || std::isinf(v)) {
      return ErrorAt(lex.pos, fmt::format("number {} exceeds the largest double", lex.text));
    }
    if (v < std::numeric_limits<double>::denorm_min()) {
      return ErrorAt(lex.pos, fmt::format("number {} is zero or below the smallest positive "
                                          "double; RocketMQ rejects it",
                                          lex.text));
    }
    return Constant({Kind::kDouble, false, 0, v}, JavaKind::kLiteral, lex.pos);
  }

  SqlValue ValueOf(const SqlExpression::Constant& c) const {
    return ConstantValue(c, expr_.strings_);
  }

  std::string_view text_;
  std::vector<SqlLexeme> lexemes_;
  size_t next_ = 0;
  int nesting_ = 0;
  std::vector<uint32_t> depths_;  // per node: the height of its subtree
  SqlExpression expr_;
};

absl::StatusOr<SqlExpression> CompileSql(std::string_view text) {
  if (text.size() > kMaxSqlLength) {
    return absl::InvalidArgumentError(fmt::format(
        "SQL filter: expression of {} bytes exceeds the limit of {}", text.size(), kMaxSqlLength));
  }
  std::vector<SqlLexeme> lexemes;
  if (auto s = LexSql(text, &lexemes); !s.ok()) return s;
  return SqlCompiler(text, std::move(lexemes)).Compile();
}

}  // namespace rmq::internal
