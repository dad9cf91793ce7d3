// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/config_persister.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "common/durable_dir.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

namespace fs = std::filesystem;

absl::Status PersistError(std::string_view what, const std::string& path) {
  return absl::InternalError(StrCat("cannot ", what, " ", path, ": ", std::strerror(errno)));
}

absl::Status WriteFile(const std::string& path, std::string_view content, bool sync) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return PersistError("create", path);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = PersistError("write", path);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (sync && ::fsync(fd) != 0) {
    absl::Status s = PersistError("sync", path);
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0) return PersistError("close", path);
  return absl::OkStatus();
}

// nullopt if the file does not exist.
absl::StatusOr<std::optional<std::string>> ReadIfExists(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return PersistError("open", path);
  }
  std::string content;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = PersistError("read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(content));
}

}  // namespace

absl::Status PersistConfigFile(const std::string& path, std::string_view content, bool sync) {
  RMQ_RETURN_IF_ERROR(CreateDirectoriesDurably(fs::path(path).parent_path().string()));
  const std::string tmp = path + ".tmp";
  if (absl::Status s = WriteFile(tmp, content, sync); !s.ok()) return s;
  // The previous content becomes the backup (RocketMQ's MixAll.string2File).
  auto previous = ReadIfExists(path);
  if (previous.ok() && previous->has_value() && !(*previous)->empty()) {
    if (absl::Status s = WriteFile(path + ".bak", **previous, sync); !s.ok()) {
      spdlog::warn("{}; continuing without a backup", StdView(s.message()));
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return PersistError("rename into place", path);
  if (sync) {
    // The new content is in place either way: reported, not failed.
    if (absl::Status s = SyncParentDirectory(path); !s.ok()) {
      spdlog::warn("{}; {} may revert to its previous content after a power loss",
                   StdView(s.message()), path);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> LoadConfigFile(const std::string& path,
                                    const std::function<absl::Status(std::string_view)>& parse) {
  auto primary = ReadIfExists(path);
  if (!primary.ok()) return primary.status();
  absl::Status main_error;
  if (primary->has_value() && !(*primary)->empty()) {
    main_error = parse(**primary);
    if (main_error.ok()) return true;
  }
  const std::string bak = path + ".bak";
  auto backup = ReadIfExists(bak);
  if (!backup.ok()) return backup.status();
  if (backup->has_value() && !(*backup)->empty()) {
    absl::Status s = parse(**backup);
    if (s.ok()) {
      spdlog::warn("{} is {}; loaded the backup {}", path,
                   main_error.ok() ? "missing or empty" : StdView(main_error.message()), bak);
      return true;
    }
    if (main_error.ok()) {
      return absl::DataLossError(StrCat(path, " is missing and its backup ", bak,
                                        " is unreadable: ", StdView(s.message())));
    }
  }
  if (!main_error.ok()) {
    return absl::DataLossError(StrCat(path, ": ", StdView(main_error.message()),
                                      " (and no usable backup ", bak, ")"));
  }
  return false;
}

}  // namespace rmq::internal
