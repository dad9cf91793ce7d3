// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/consume_queue_table.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/numbers.h"
#include "common/durable_dir.h"
#include "common/str_cat.h"
#include "common/status_macros.h"

namespace rmq::internal {

namespace fs = std::filesystem;

ConsumeQueueTable::ConsumeQueueTable(std::string dir, int32_t file_size)
    : dir_(std::move(dir)), file_size_(file_size) {}

absl::Status ConsumeQueueTable::Load() {
  RMQ_RETURN_IF_ERROR(CreateDirectoriesDurably(dir_));
  std::error_code ec;
  TopicQueueMap<std::shared_ptr<ConsumeQueue>> loaded;
  for (const auto& topic_entry : fs::directory_iterator(dir_, ec)) {
    if (!topic_entry.is_directory()) continue;
    std::string topic = topic_entry.path().filename().string();
    for (const auto& queue_entry : fs::directory_iterator(topic_entry.path(), ec)) {
      std::string name = queue_entry.path().filename().string();
      int32_t queue_id = 0;
      if (!queue_entry.is_directory() || !absl::SimpleAtoi(name, &queue_id) || queue_id < 0) {
        return absl::DataLossError(StrCat("unexpected entry ", queue_entry.path().string(),
                                                " in the consume queue directory"));
      }
      auto queue = std::make_shared<ConsumeQueue>(topic, queue_id, queue_entry.path().string(),
                                                  file_size_);
      RMQ_RETURN_IF_ERROR(queue->Load());
      loaded.emplace(TopicQueueKey{topic, queue_id}, std::move(queue));
    }
    if (ec) break;
  }
  if (ec) return absl::InternalError(StrCat("cannot list ", dir_, ": ", ec.message()));
  absl::MutexLock lock(&mu_);
  queues_ = std::move(loaded);
  return absl::OkStatus();
}

std::shared_ptr<ConsumeQueue> ConsumeQueueTable::Find(std::string_view topic,
                                                      int32_t queue_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = queues_.find(TopicQueueRef{topic, queue_id});
  return it == queues_.end() ? nullptr : it->second;
}

absl::StatusOr<std::shared_ptr<ConsumeQueue>> ConsumeQueueTable::FindOrCreate(
    std::string_view topic, int32_t queue_id) {
  if (auto queue = Find(topic, queue_id)) return queue;
  // Outside the lock, which readers of every queue take. Creating a
  // directory twice is harmless.
  std::string topic_dir = StrCat(dir_, "/", topic);
  std::string dir = StrCat(topic_dir, "/", queue_id);
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return absl::InternalError(StrCat("cannot create ", dir, ": ", ec.message()));
    // Both levels, even if the topic existed: a retry after a creation that
    // failed half-way cannot tell whether it made the topic directory.
    absl::MutexLock lock(&unsynced_mu_);
    unsynced_dirs_.insert(dir_);
    unsynced_dirs_.insert(topic_dir);
  }
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(TopicQueueRef{topic, queue_id});
  if (it != queues_.end()) return it->second;
  auto queue = std::make_shared<ConsumeQueue>(std::string(topic), queue_id, dir, file_size_);
  queues_.emplace(TopicQueueKey{std::string(topic), queue_id}, queue);
  return queue;
}

absl::Status ConsumeQueueTable::SyncNewNames() {
  std::set<std::string> dirs;
  {
    absl::MutexLock lock(&unsynced_mu_);
    dirs.swap(unsynced_dirs_);
  }
  for (auto it = dirs.begin(); it != dirs.end(); it = dirs.erase(it)) {
    if (absl::Status s = SyncDirectory(*it); !s.ok()) {
      absl::MutexLock lock(&unsynced_mu_);
      unsynced_dirs_.merge(dirs);  // Tried again next time.
      return s;
    }
  }
  return absl::OkStatus();
}

void ConsumeQueueTable::MarkNotDurable() {
  const std::vector<std::shared_ptr<ConsumeQueue>> queues = All();
  for (const auto& queue : queues) queue->MarkNotDurable();
  absl::MutexLock lock(&unsynced_mu_);
  unsynced_dirs_.insert(dir_);
  for (const auto& queue : queues) unsynced_dirs_.insert(StrCat(dir_, "/", queue->topic()));
}

std::vector<std::shared_ptr<ConsumeQueue>> ConsumeQueueTable::All() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::shared_ptr<ConsumeQueue>> all;
  all.reserve(queues_.size());
  for (const auto& [key, queue] : queues_) all.push_back(queue);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    if (a->topic() != b->topic()) return a->topic() < b->topic();
    return a->queue_id() < b->queue_id();
  });
  return all;
}

int64_t ConsumeQueueTable::MaxCommitLogEnd() const {
  int64_t end = 0;
  for (const auto& queue : All()) end = std::max(end, queue->MaxCommitLogEnd());
  return end;
}

}  // namespace rmq::internal
