// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Making a file's name durable. fsync (or msync) of a file makes its data
// durable, not the directory entry that names it: until the directory
// itself is synced, a power loss may undo the creation of a new segment or
// the rename of a checkpoint, and with it data that was synced and
// acknowledged (POSIX fsync; ext4 in its default mode happens to commit
// both in one journal transaction, other file systems and mount options
// do not). Each call here is one fsync of a directory: for file creation
// and renames, never per message.

#ifndef RMQ_COMMON_DURABLE_DIR_H_
#define RMQ_COMMON_DURABLE_DIR_H_

#include <string>

#include "absl/status/status.h"

namespace rmq::internal {

// fsyncs directory `dir`: the creations, renames and removals of its
// entries made so far survive a power loss.
absl::Status SyncDirectory(const std::string& dir);

// Syncs the directory that holds `path` (after creating or renaming it).
absl::Status SyncParentDirectory(const std::string& path);

// Creates `dir` and any missing parents, then syncs the parent of each
// directory it created, so that the whole path survives a power loss. An
// existing `dir` costs one stat and no sync.
absl::Status CreateDirectoriesDurably(const std::string& dir);

// Tests replace the fsync of directories (to count them, or to fail them
// as a broken disk would); nullptr restores ::fsync. `path` names the
// directory `fd` is open on.
using DirectorySyncFunction = int (*)(int fd, const char* path);
void SetDirectorySyncFunctionForTesting(DirectorySyncFunction fn);

}  // namespace rmq::internal

#endif  // RMQ_COMMON_DURABLE_DIR_H_
