// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/consumer_offset_manager.h"

#include <charconv>
#include <utility>
#include <vector>

#include "common/config_persister.h"
#include "common/fastjson.h"
#include "common/str_cat.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

using Json = nlohmann::json;

std::string Key(std::string_view topic, std::string_view group) {
  std::string key;
  key.reserve(topic.size() + 1 + group.size());
  key.append(topic).append("@").append(group);
  return key;
}

}  // namespace

ConsumerOffsetManager::ConsumerOffsetManager(std::string store_root)
    : store_root_(std::move(store_root)) {}

std::string ConsumerOffsetManager::file_path() const {
  return StrCat(store_root_, "/config/consumerOffset.json");
}

absl::StatusOr<absl::flat_hash_map<std::string, std::map<int32_t, int64_t>>>
ConsumerOffsetManager::Decode(std::string_view json, std::string_view what) {
  // fastjson writes Map<Integer, Long> keys bare ({0:12}).
  std::string quoted = NormalizeFastjson(json);
  Json doc = Json::parse(quoted, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError(StrCat(what, ": not a JSON object"));
  }
  absl::flat_hash_map<std::string, std::map<int32_t, int64_t>> table;
  auto it = doc.find("offsetTable");
  if (it == doc.end() || it->is_null()) return table;
  if (!it->is_object()) return absl::InvalidArgumentError(StrCat(what, ": offsetTable is not an object"));
  for (const auto& [key, queues] : it->items()) {
    if (key.find('@') == std::string::npos) {
      return absl::InvalidArgumentError(StrCat(what, ": key '", key, "' is not topic@group"));
    }
    if (!queues.is_object()) {
      return absl::InvalidArgumentError(StrCat(what, ": offsetTable.", key, " is not an object"));
    }
    auto& offsets = table[key];
    for (const auto& [queue_text, offset] : queues.items()) {
      int32_t queue_id = 0;
      auto [ptr, ec] = std::from_chars(queue_text.data(), queue_text.data() + queue_text.size(),
                                       queue_id);
      if (ec != std::errc() || ptr != queue_text.data() + queue_text.size() ||
          !offset.is_number_integer()) {
        return absl::InvalidArgumentError(StrCat(what, ": offsetTable.", key, ".", queue_text,
                                                 " should be a queue id with an integer offset"));
      }
      offsets[queue_id] = offset.get<int64_t>();
    }
  }
  return table;
}

absl::Status ConsumerOffsetManager::Load() {
  auto loaded = LoadConfigFile(file_path(), [this](std::string_view json) -> absl::Status {
    auto table = Decode(json, file_path());
    if (!table.ok()) return table.status();
    absl::MutexLock lock(&mu_);
    table_ = *std::move(table);
    return absl::OkStatus();
  });
  if (!loaded.ok()) return loaded.status();
  return absl::OkStatus();
}

std::string ConsumerOffsetManager::Encode() const {
  Json table = Json::object();
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [key, queues] : table_) {
      Json offsets = Json::object();
      for (const auto& [queue_id, offset] : queues) offsets[std::to_string(queue_id)] = offset;
      table[key] = std::move(offsets);
    }
  }
  Json doc = Json::object();
  doc["offsetTable"] = std::move(table);
  return doc.dump();
}

absl::Status ConsumerOffsetManager::Persist(bool sync) {
  absl::MutexLock persist(&persist_mu_);
  uint64_t version;
  {
    absl::ReaderMutexLock lock(&mu_);
    version = version_;
  }
  if (persisted_once_ && version == persisted_version_) return absl::OkStatus();
  absl::Status s = PersistConfigFile(file_path(), Encode(), sync);
  if (s.ok()) {
    persisted_version_ = version;
    persisted_once_ = true;
  }
  return s;
}

void ConsumerOffsetManager::CommitOffset(std::string_view client_host, std::string_view group,
                                         std::string_view topic, int32_t queue_id,
                                         int64_t offset) {
  std::string key = Key(topic, group);
  absl::MutexLock lock(&mu_);
  auto& queues = table_[key];
  auto [it, inserted] = queues.try_emplace(queue_id, offset);
  if (!inserted) {
    if (offset < it->second) {
      // Not an error (a reset or a rebalance moves offsets back), but worth a trace.
      spdlog::debug("{} moved {} queue {} of group {} back from {} to {}", client_host, topic,
                    queue_id, group, it->second, offset);
    }
    if (it->second == offset) return;  // The periodic commit of an idle queue: nothing to save.
    it->second = offset;
  }
  ++version_;
}

int64_t ConsumerOffsetManager::QueryOffset(std::string_view group, std::string_view topic,
                                           int32_t queue_id) const {
  std::string key = Key(topic, group);
  absl::ReaderMutexLock lock(&mu_);
  auto it = table_.find(key);
  if (it == table_.end()) return -1;
  auto q = it->second.find(queue_id);
  return q == it->second.end() ? -1 : q->second;
}

std::map<int32_t, int64_t> ConsumerOffsetManager::QueryOffsets(std::string_view group,
                                                               std::string_view topic) const {
  std::string key = Key(topic, group);
  absl::ReaderMutexLock lock(&mu_);
  auto it = table_.find(key);
  return it == table_.end() ? std::map<int32_t, int64_t>() : it->second;
}

namespace {

// The group of a "topic@group" key (topic names have no '@'), or "".
std::string_view GroupOfKey(std::string_view key) {
  const size_t at = key.find('@');
  return at == std::string_view::npos ? std::string_view() : key.substr(at + 1);
}

}  // namespace

std::set<std::string> ConsumerOffsetManager::TopicsOfGroup(std::string_view group) const {
  std::set<std::string> topics;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [key, offsets] : table_) {
    if (GroupOfKey(key) == group) topics.insert(key.substr(0, key.find('@')));
  }
  return topics;
}

int ConsumerOffsetManager::RemoveGroup(std::string_view group) {
  absl::MutexLock lock(&mu_);
  const int removed = static_cast<int>(
      absl::erase_if(table_, [group](const auto& entry) { return GroupOfKey(entry.first) == group; }));
  if (removed > 0) ++version_;  // saved at the next persist
  return removed;
}

}  // namespace rmq::internal
