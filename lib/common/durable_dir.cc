// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/durable_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "common/status_macros.h"
#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

namespace fs = std::filesystem;

int FsyncDirectory(int fd, const char* /*path*/) { return ::fsync(fd); }

std::atomic<DirectorySyncFunction> directory_sync_function{&FsyncDirectory};

}  // namespace

void SetDirectorySyncFunctionForTesting(DirectorySyncFunction fn) {
  directory_sync_function.store(fn != nullptr ? fn : &FsyncDirectory, std::memory_order_relaxed);
}

absl::Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError(StrCat("cannot open directory ", dir, " to sync it: ",
                                      std::strerror(errno)));
  }
  int rc = directory_sync_function.load(std::memory_order_relaxed)(fd, dir.c_str());
  int err = errno;
  ::close(fd);
  if (rc != 0 && (err == EINVAL || err == ENOTSUP)) {
    // Some file systems (FUSE, 9p, some network ones) cannot sync a
    // directory at all; there is nothing more to do there (as PostgreSQL
    // and RocksDB decide).
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) {
      spdlog::warn("directory {} cannot be synced ({}); new file names rely on the file system",
                   dir, std::strerror(err));
    }
    return absl::OkStatus();
  }
  if (rc != 0) {
    return absl::InternalError(StrCat("cannot sync directory ", dir, ": ", std::strerror(err)));
  }
  return absl::OkStatus();
}

absl::Status SyncParentDirectory(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  return SyncDirectory(dir.empty() ? "." : dir);
}

absl::Status CreateDirectoriesDurably(const std::string& dir) {
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) return absl::OkStatus();  // "": the working directory.
  // The missing directories, deepest first; then created shallowest first.
  fs::path path = fs::path(dir).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // "a/b/" names "a/b".
  std::vector<fs::path> missing;
  for (fs::path p = path; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  // On failure, what was made is removed again (deepest first; only empty
  // directories go), so that a retry, finding it missing, syncs it.
  auto undo = [&missing] {
    std::error_code ignored;
    for (const fs::path& created : missing) fs::remove(created, ignored);
  };
  fs::create_directories(path, ec);
  if (ec) {
    undo();
    return absl::InternalError(StrCat("cannot create directory ", dir, ": ", ec.message()));
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (absl::Status s = SyncParentDirectory(it->string()); !s.ok()) {
      undo();
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace rmq::internal
