// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// broker.conf-style configuration: "key=value" lines (Java properties
// syntax subset: '#' or '!' comments, blank lines, whitespace around key and
// value trimmed, "key value" and "key:value" also accepted), bound by RocketMQ
// key name to typed fields.
//
//   ConfigBinder binder;
//   binder.Bind("mappedFileSizeCommitLog", &config.mapped_file_size_commit_log);
//   absl::Status s = binder.ApplyFile("/etc/rmq/broker.conf");

#ifndef RMQ_COMMON_CONFIG_FILE_H_
#define RMQ_COMMON_CONFIG_FILE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rmq::internal {

struct ConfigEntry {
  std::string key;
  std::string value;
  int line = 0;  // 1-based line in the source
};

// Parses the text of a properties file. A line with no key is an error naming
// the line; a repeated key keeps the last value.
absl::StatusOr<std::vector<ConfigEntry>> ParseConfigText(std::string_view text);
// The same, naming `source` (a file name) in errors: "broker.conf:7: ...".
absl::StatusOr<std::vector<ConfigEntry>> ParseConfigText(std::string_view text,
                                                         std::string_view source);
// Reads and parses a file; errors name it.
absl::StatusOr<std::vector<ConfigEntry>> ReadConfigFile(const std::string& path);

// Values that parse but cannot work together (deleteWhen=25, brokerId 1 on a
// master) are checked after a whole file is applied, by code that knows the
// values, not the lines they came from; its errors start with the key
// ("deleteWhen '25': ..."). This puts "source:line: " in front of such an
// error when `entries` set that key (the last line that set it), so it points
// into the file as a parse error does. Other statuses pass through unchanged.
absl::Status AtConfigLine(absl::Status error, const std::vector<ConfigEntry>& entries,
                          std::string_view source);

class ConfigBinder {
 public:
  // Integers accept decimal with optional sign; bools accept true/false
  // (any case); out-of-range or trailing garbage is an error.
  void Bind(std::string key, int32_t* field);
  void Bind(std::string key, int64_t* field);
  void Bind(std::string key, bool* field);
  void Bind(std::string key, std::string* field);
  // A custom parser returning an error message ("" on success).
  void Bind(std::string key, std::function<std::string(std::string_view value)> parse);

  bool Knows(std::string_view key) const;

  // Applies every entry. Errors are InvalidArgument, e.g.
  //   "broker.conf:12: unknown key 'flushDiskTyp'"
  //   "broker.conf:3: bad value 'abc' for mappedFileSizeCommitLog: not an integer"
  // `source` names the file in messages.
  absl::Status Apply(const std::vector<ConfigEntry>& entries, std::string_view source) const;
  // Reads, parses and applies a file.
  absl::Status ApplyFile(const std::string& path) const;

 private:
  std::map<std::string, std::function<std::string(std::string_view)>, std::less<>> setters_;
};

}  // namespace rmq::internal

#endif  // RMQ_COMMON_CONFIG_FILE_H_
