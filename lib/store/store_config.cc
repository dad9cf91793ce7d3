// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/store_config.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "common/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "store/delay_levels.h"

namespace rmq {

std::string MessageStoreConfig::CommitLogDir() const {
  return store_path_commit_log.empty() ? store_path_root_dir + "/commitlog" : store_path_commit_log;
}

absl::Status LoadMessageStoreConfig(const std::string& path, MessageStoreConfig* config) {
  internal::ConfigBinder binder;
  internal::BindMessageStoreConfig(&binder, config);
  absl::StatusOr<std::vector<internal::ConfigEntry>> entries = internal::ReadConfigFile(path);
  if (!entries.ok()) return entries.status();
  RMQ_RETURN_IF_ERROR(binder.Apply(*entries, path));
  return internal::AtConfigLine(internal::ValidateMessageStoreConfig(*config), *entries, path);
}

namespace internal {

void BindMessageStoreConfig(ConfigBinder* b, MessageStoreConfig* c) {
  b->Bind("storePathRootDir", &c->store_path_root_dir);
  b->Bind("storePathCommitLog", &c->store_path_commit_log);
  b->Bind("mappedFileSizeCommitLog", &c->mapped_file_size_commit_log);
  b->Bind("mappedFileSizeConsumeQueue", &c->mapped_file_size_consume_queue);
  b->Bind("maxMessageSize", &c->max_message_size);
  b->Bind("flushDiskType", [c](std::string_view value) -> std::string {
    if (value == "ASYNC_FLUSH") {
      c->flush_disk_type = FlushDiskType::kAsyncFlush;
    } else if (value == "SYNC_FLUSH") {
      c->flush_disk_type = FlushDiskType::kSyncFlush;
    } else {
      return "expected ASYNC_FLUSH or SYNC_FLUSH";
    }
    return "";
  });
  b->Bind("flushIntervalCommitLog", &c->flush_interval_commit_log);
  b->Bind("flushCommitLogLeastPages", &c->flush_commit_log_least_pages);
  b->Bind("flushCommitLogThoroughInterval", &c->flush_commit_log_thorough_interval);
  b->Bind("flushIntervalConsumeQueue", &c->flush_interval_consume_queue);
  b->Bind("flushConsumeQueueLeastPages", &c->flush_consume_queue_least_pages);
  b->Bind("flushConsumeQueueThoroughInterval", &c->flush_consume_queue_thorough_interval);
  b->Bind("syncFlushTimeout", &c->sync_flush_timeout);
  b->Bind("fileReservedTime", &c->file_reserved_time);
  b->Bind("deleteWhen", &c->delete_when);
  b->Bind("diskMaxUsedSpaceRatio", &c->disk_max_used_space_ratio);
  b->Bind("cleanResourceInterval", &c->clean_resource_interval);
  b->Bind("cleanFileForciblyEnable", &c->clean_file_forcibly_enable);
  b->Bind("messageIndexEnable", &c->message_index_enable);
  b->Bind("maxHashSlotNum", &c->max_hash_slot_num);
  b->Bind("maxIndexNum", &c->max_index_num);
  b->Bind("maxTopicLength", &c->max_topic_length);
  b->Bind("maxTransferBytesOnMessageInMemory", &c->max_transfer_bytes_on_message_in_memory);
  b->Bind("maxTransferCountOnMessageInMemory", &c->max_transfer_count_on_message_in_memory);
  b->Bind("diskSpaceWarningLevelRatio", &c->disk_space_warning_level_ratio);
  b->Bind("diskSpaceCleanForciblyRatio", &c->disk_space_clean_forcibly_ratio);
  b->Bind("messageDelayLevel", [c](std::string_view value) -> std::string {
    auto levels = DelayLevels::Parse(value);
    if (!levels.ok()) return std::string(StdView(levels.status().message()));
    c->message_delay_level = std::string(value);
    return "";
  });
  b->Bind("flushDelayOffsetInterval", &c->flush_delay_offset_interval);
  b->Bind("timerWheelEnable", &c->timer_wheel_enable);
  b->Bind("timerPrecisionMs", &c->timer_precision_ms);
  b->Bind("timerMaxDelaySec", &c->timer_max_delay_sec);
  b->Bind("timerFlushIntervalMs", &c->timer_flush_interval_ms);
  b->Bind("timerRollWindowSlots", &c->timer_roll_window_slots);
}

absl::Status ValidateMessageStoreConfig(const MessageStoreConfig& c) {
  auto positive = [](std::string_view key, int64_t value) {
    return value > 0 ? absl::OkStatus()
                     : absl::InvalidArgumentError(StrCat(key, " must be positive, not ", value));
  };
  if (c.store_path_root_dir.empty()) return absl::InvalidArgumentError("storePathRootDir is empty");
  RMQ_RETURN_IF_ERROR(positive("mappedFileSizeCommitLog", c.mapped_file_size_commit_log));
  RMQ_RETURN_IF_ERROR(positive("mappedFileSizeConsumeQueue", c.mapped_file_size_consume_queue));
  RMQ_RETURN_IF_ERROR(positive("maxMessageSize", c.max_message_size));
  RMQ_RETURN_IF_ERROR(positive("flushIntervalCommitLog", c.flush_interval_commit_log));
  RMQ_RETURN_IF_ERROR(positive("flushIntervalConsumeQueue", c.flush_interval_consume_queue));
  RMQ_RETURN_IF_ERROR(
      positive("flushConsumeQueueThoroughInterval", c.flush_consume_queue_thorough_interval));
  RMQ_RETURN_IF_ERROR(positive("syncFlushTimeout", c.sync_flush_timeout));
  RMQ_RETURN_IF_ERROR(positive("cleanResourceInterval", c.clean_resource_interval));
  RMQ_RETURN_IF_ERROR(positive("maxHashSlotNum", c.max_hash_slot_num));
  RMQ_RETURN_IF_ERROR(positive("maxIndexNum", c.max_index_num));
  RMQ_RETURN_IF_ERROR(positive("flushDelayOffsetInterval", c.flush_delay_offset_interval));
  RMQ_RETURN_IF_ERROR(DelayLevels::Parse(c.message_delay_level).status());
  RMQ_RETURN_IF_ERROR(positive("timerPrecisionMs", c.timer_precision_ms));
  RMQ_RETURN_IF_ERROR(positive("timerMaxDelaySec", c.timer_max_delay_sec));
  RMQ_RETURN_IF_ERROR(positive("timerFlushIntervalMs", c.timer_flush_interval_ms));
  RMQ_RETURN_IF_ERROR(positive("timerRollWindowSlots", c.timer_roll_window_slots));
  RMQ_RETURN_IF_ERROR(positive("maxTopicLength", c.max_topic_length));
  RMQ_RETURN_IF_ERROR(positive("maxTransferBytesOnMessageInMemory",
                               c.max_transfer_bytes_on_message_in_memory));
  RMQ_RETURN_IF_ERROR(positive("maxTransferCountOnMessageInMemory",
                               c.max_transfer_count_on_message_in_memory));
  if (c.mapped_file_size_consume_queue % 20 != 0) {
    return absl::InvalidArgumentError(StrCat("mappedFileSizeConsumeQueue ",
                                                   c.mapped_file_size_consume_queue,
                                                   " is not a multiple of the 20-byte unit"));
  }
  if (c.mapped_file_size_commit_log < 4096) {
    return absl::InvalidArgumentError(StrCat(
        "mappedFileSizeCommitLog ", c.mapped_file_size_commit_log, " is below 4096 bytes"));
  }
  if (c.disk_max_used_space_ratio < 10 || c.disk_max_used_space_ratio > 95) {
    return absl::InvalidArgumentError(StrCat(
        "diskMaxUsedSpaceRatio ", c.disk_max_used_space_ratio, " is outside 10..95"));
  }
  if (c.file_reserved_time < 0) {
    return absl::InvalidArgumentError(
        StrCat("fileReservedTime ", c.file_reserved_time, " is negative"));
  }
  for (absl::string_view hour : absl::StrSplit(c.delete_when, ';', absl::SkipEmpty())) {
    int h = 0;
    if (!absl::SimpleAtoi(hour, &h) || h < 0 || h > 23) {
      return absl::InvalidArgumentError(
          StrCat("deleteWhen '", c.delete_when, "': '", hour, "' is not an hour 00..23"));
    }
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace rmq
