// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/delay_levels.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "absl/strings/str_split.h"
#include "common/str_cat.h"

namespace rmq::internal {

namespace {

int64_t UnitMillis(char unit) {
  switch (unit) {
    case 's': return 1000;
    case 'm': return 60 * 1000;
    case 'h': return 60 * 60 * 1000;
    case 'd': return 24 * 60 * 60 * 1000;
    default: return 0;
  }
}

}  // namespace

absl::StatusOr<DelayLevels> DelayLevels::Parse(std::string_view spec) {
  DelayLevels levels;
  for (absl::string_view item : absl::StrSplit(AbslView(spec), ' ', absl::SkipEmpty())) {
    const std::string_view text = StdView(item);
    const int64_t unit_ms = UnitMillis(text.back());
    int64_t count = 0;
    const char* end = text.data() + text.size() - 1;
    auto [ptr, ec] = std::from_chars(text.data(), end, count);
    if (unit_ms == 0 || ec != std::errc() || ptr != end || count <= 0 ||
        count > INT64_MAX / unit_ms) {
      return absl::InvalidArgumentError(
          StrCat("messageDelayLevel: level ", levels.delays_ms_.size() + 1, " '", text,
                 "' is not a positive number followed by s, m, h or d"));
    }
    levels.delays_ms_.push_back(count * unit_ms);
  }
  if (levels.delays_ms_.empty()) {
    return absl::InvalidArgumentError("messageDelayLevel has no levels");
  }
  return levels;
}

int64_t DelayLevels::DelayMillis(int32_t level) const {
  const int32_t clamped = std::clamp(level, 1, max_level());
  return delays_ms_[static_cast<size_t>(clamped - 1)];
}

absl::StatusOr<int32_t> DelayLevels::LevelOf(std::string_view delay_property) const {
  if (delay_property.empty()) return 0;
  int64_t level = 0;
  const char* end = delay_property.data() + delay_property.size();
  auto [ptr, ec] = std::from_chars(delay_property.data(), end, level);
  if (ec != std::errc() || ptr != end) {
    return absl::InvalidArgumentError(
        StrCat("DELAY property '", delay_property, "' is not a delay level (an integer)"));
  }
  if (level <= 0) return 0;
  return static_cast<int32_t>(std::min<int64_t>(level, max_level()));
}

}  // namespace rmq::internal
