// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The JSON config files under <storePathRootDir>/config/ (the broker's topics,
// subscription groups and consumer offsets, the store's delay offsets), saved
// as RocketMQ's ConfigManager does: the new content goes to "<file>.tmp", the
// previous content is kept as "<file>.bak", then the temporary file is renamed
// over the file. A crash at any point leaves a complete file or a complete
// backup.

#ifndef RMQ_COMMON_CONFIG_PERSISTER_H_
#define RMQ_COMMON_CONFIG_PERSISTER_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rmq::internal {

// Replaces `path` with `content` (creating its directory), keeping the old
// content in path + ".bak". With `sync` the data is fsync'ed before the
// rename and the directory after it; without, a power loss (not a process
// crash) may lose the latest version, as with RocketMQ's own files, in
// exchange for a write that costs microseconds (the periodic offset save).
absl::Status PersistConfigFile(const std::string& path, std::string_view content,
                               bool sync = true);

// Reads `path` and hands its content to `parse`. If the file is missing,
// empty or rejected by `parse`, the ".bak" copy is tried instead. Returns
// false if neither file exists (a first start); an error if what exists
// cannot be read or parsed (the message names the file).
absl::StatusOr<bool> LoadConfigFile(const std::string& path,
                                    const std::function<absl::Status(std::string_view)>& parse);

}  // namespace rmq::internal

#endif  // RMQ_COMMON_CONFIG_PERSISTER_H_
