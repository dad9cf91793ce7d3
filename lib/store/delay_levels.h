// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Delay levels: RocketMQ 4.x's delayed messages. A message with the DELAY
// property N > 0 is stored, not in its topic, but in SCHEDULE_TOPIC_XXXX queue
// N-1 (its real topic and queue in the REAL_TOPIC and REAL_QID properties),
// and that queue's unit carries, instead of the tag hash, the time it is due:
// store time + the delay of level N. The ScheduleMessageService puts it back
// into its real topic then. Levels come from messageDelayLevel, by default
// "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h" (level 1 is
// 1 s, level 18 is 2 h); a level above the last counts as the last.

#ifndef RMQ_STORE_DELAY_LEVELS_H_
#define RMQ_STORE_DELAY_LEVELS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/system_topics.h"  // kScheduleTopic

namespace rmq::internal {

class DelayLevels {
 public:
  // Parses a messageDelayLevel string: durations separated by spaces, each a
  // positive integer and a unit s, m, h or d. An error names the bad item.
  static absl::StatusOr<DelayLevels> Parse(std::string_view spec);

  int32_t max_level() const { return static_cast<int32_t>(delays_ms_.size()); }
  // The delay of `level` (1..max_level(); higher counts as max_level()).
  int64_t DelayMillis(int32_t level) const;
  // When a message of `level` stored at `store_timestamp_ms` is due.
  int64_t DeliverTimestamp(int32_t level, int64_t store_timestamp_ms) const {
    return store_timestamp_ms + DelayMillis(level);
  }
  // The level a DELAY property value asks for: 0 for none (empty or <= 0),
  // clamped to max_level(); an error if it is not a decimal integer.
  absl::StatusOr<int32_t> LevelOf(std::string_view delay_property) const;

  static int32_t QueueIdOf(int32_t level) { return level - 1; }
  static int32_t LevelOfQueue(int32_t queue_id) { return queue_id + 1; }

 private:
  std::vector<int64_t> delays_ms_;
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_DELAY_LEVELS_H_
