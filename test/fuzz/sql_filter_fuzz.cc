// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// CompileSql on arbitrary text, and evaluation of what compiles against
// arbitrary encoded properties. The input is "SQL\0properties": everything up
// to the first NUL byte is the expression, the rest the encoding. Checks that
// a rejection is InvalidArgument and says where, that the one-pass lookup an
// evaluation uses (GetAll) finds what Get finds, and that the same
// properties in a map give the same result.

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "filter/sql_expression.h"

using namespace rmq::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string copy(reinterpret_cast<const char*>(data), size);
  const std::string_view in(copy);
  const size_t nul = in.find('\0');
  const std::string_view sql = in.substr(0, nul);
  const std::string_view encoded = nul == std::string_view::npos ? "" : in.substr(nul + 1);

  absl::StatusOr<SqlExpression> expr = CompileSql(sql);
  if (!expr.ok()) {
    const auto message = expr.status().message();
    const bool says_where =
        std::string_view(message.data(), message.size()).find("position") != std::string_view::npos;
    if (expr.status().code() != absl::StatusCode::kInvalidArgument ||
        (!says_where && sql.size() <= kMaxSqlLength)) {
      std::abort();
    }
    return 0;
  }

  const EncodedPropertySource source(encoded);
  const auto& names = expr->property_names();
  std::map<std::string, std::string, std::less<>> map;
  std::vector<PropertySource::Found> found(names.size());
  source.GetAll(names, found.data());
  for (size_t i = 0; i < names.size(); ++i) {
    const std::optional<std::string_view> one = source.Get(names[i]);
    if (one.has_value() != found[i].found) std::abort();
    if (one) {
      if (*one != std::string_view(found[i].data, found[i].size) || one->empty()) std::abort();
      map.emplace(names[i], std::string(*one));
    }
  }
  const SqlResult result = expr->Evaluate(source);
  if (expr->Evaluate(source) != result) std::abort();  // deterministic
  if (expr->Evaluate(MapPropertySource(map)) != result) std::abort();
  if (expr->Matches(source) != (result == SqlResult::kTrue)) std::abort();
  return 0;
}
