// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// StrCat for rmq: concatenates anything fmt can format. (Debian's Abseil is
// built with its own absl::string_view, distinct from std::string_view, so
// absl::StrCat does not take std::string_view arguments; this does, and
// absl::string_view too.)

#ifndef RMQ_COMMON_STR_CAT_H_
#define RMQ_COMMON_STR_CAT_H_

#include <iterator>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "fmt/format.h"

namespace rmq::internal {

// An absl::string_view as a std::string_view, and back.
inline std::string_view StdView(absl::string_view s) { return {s.data(), s.size()}; }
inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

namespace str_cat_internal {
template <typename T>
void Append(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, absl::string_view>) {
    out.append(value.data(), value.size());
  } else {
    fmt::format_to(std::back_inserter(out), "{}", value);
  }
}
}  // namespace str_cat_internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (str_cat_internal::Append(out, args), ...);
  return out;
}

}  // namespace rmq::internal

#endif  // RMQ_COMMON_STR_CAT_H_
