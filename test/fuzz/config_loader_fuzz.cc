// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ParseConfigText and ConfigBinder::Apply on arbitrary text: a hand-edited
// broker.conf can hold anything, and every mistake must come back as an
// error, never a crash.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/config_file.h"

using namespace rmq::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto entries = ParseConfigText(text, "fuzz.conf");
  if (!entries.ok()) {
    if (entries.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  for (const ConfigEntry& e : *entries) {
    if (e.key.empty() || e.line <= 0) std::abort();
  }

  int32_t i32 = 0;
  int64_t i64 = 0;
  bool flag = false;
  std::string str;
  std::string custom;
  ConfigBinder binder;
  binder.Bind("brokerId", &i32);
  binder.Bind("mappedFileSizeCommitLog", &i64);
  binder.Bind("autoCreateTopicEnable", &flag);
  binder.Bind("brokerName", &str);
  binder.Bind("flushDiskType", [&custom](std::string_view v) -> std::string {
    if (v != "ASYNC_FLUSH" && v != "SYNC_FLUSH") return "expected ASYNC_FLUSH or SYNC_FLUSH";
    custom = std::string(v);
    return "";
  });
  absl::Status s = binder.Apply(*entries, "fuzz.conf");
  if (!s.ok() && s.code() != absl::StatusCode::kInvalidArgument) std::abort();
  return 0;
}
