// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/offset_store.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/client_instance.h"
#include "common/str_cat.h"
#include "nlohmann/json.hpp"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

void OffsetStore::UpdateOffset(const MessageQueue& queue, int64_t offset, bool increase_only) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = offsets_.try_emplace(queue, offset);
  if (inserted) return;
  if (!increase_only || offset > it->second) it->second = offset;
}

bool OffsetStore::FindInMemory(const MessageQueue& queue, int64_t* offset) {
  absl::MutexLock lock(&mu_);
  auto it = offsets_.find(queue);
  if (it == offsets_.end()) return false;
  *offset = it->second;
  return true;
}

int64_t OffsetStore::ReadOffset(const MessageQueue& queue, ReadOffsetType type) {
  int64_t offset = kOffsetNotFound;
  if (type != ReadOffsetType::kReadFromStore) {
    if (FindInMemory(queue, &offset)) return offset;
    if (type == ReadOffsetType::kReadFromMemory) return kOffsetNotFound;
  }
  offset = ReadFromStore(queue);
  if (offset >= 0) UpdateOffset(queue, offset, /*increase_only=*/false);
  return offset;
}

void OffsetStore::RemoveOffset(const MessageQueue& queue) {
  absl::MutexLock lock(&mu_);
  offsets_.erase(queue);
}

absl::flat_hash_map<MessageQueue, int64_t> OffsetStore::Snapshot() {
  absl::MutexLock lock(&mu_);
  return offsets_;
}

namespace {

class RemoteBrokerOffsetStore final : public OffsetStore {
 public:
  RemoteBrokerOffsetStore(ClientInstance& instance, std::string group)
      : instance_(instance), group_(std::move(group)) {}

  absl::Status Load() override { return absl::OkStatus(); }

  void PersistAll(const std::set<MessageQueue>& queues) override {
    for (const auto& [queue, offset] : Snapshot()) {
      if (queues.contains(queue)) Commit(queue, offset);
    }
  }

  void Persist(const MessageQueue& queue) override {
    int64_t offset;
    if (FindInMemory(queue, &offset)) Commit(queue, offset);
  }

 protected:
  int64_t ReadFromStore(const MessageQueue& queue) override {
    std::string addr = BrokerAddress(queue);
    if (addr.empty()) return kOffsetReadError;
    auto header = std::make_unique<QueryConsumerOffsetRequestHeader>();
    header->consumer_group = group_;
    header->topic = queue.topic;
    header->queue_id = queue.queue_id;
    auto response = instance_.transport().InvokeSync(
        addr, RemotingCommand::Request(request_code::kQueryConsumerOffset, std::move(header)),
        absl::Milliseconds(instance_.config().mq_client_api_timeout));
    if (!response.ok()) {
      spdlog::warn("query offset of {} for group {}: {}", queue.ToString(), group_,
                   response.status().ToString());
      return kOffsetReadError;
    }
    if (response->code == response_code::kQueryNotFound) return kOffsetNotFound;
    if (!ResponseToStatus(*response, "query consumer offset").ok()) return kOffsetReadError;
    auto offset = response->DecodeHeader<OffsetResponseHeader>();
    return offset.ok() ? (*offset)->offset : kOffsetReadError;
  }

 private:
  std::string BrokerAddress(const MessageQueue& queue) {
    std::string addr = instance_.FindBrokerAddressInSubscribe(queue.broker_name);
    if (addr.empty() && instance_.UpdateTopicRoute(queue.topic).ok()) {
      addr = instance_.FindBrokerAddressInSubscribe(queue.broker_name);
    }
    return addr;
  }

  // UPDATE_CONSUMER_OFFSET, oneway as RocketMQ's periodic commit.
  void Commit(const MessageQueue& queue, int64_t offset) {
    std::string addr = BrokerAddress(queue);
    if (addr.empty()) return;
    auto header = std::make_unique<UpdateConsumerOffsetRequestHeader>();
    header->consumer_group = group_;
    header->topic = queue.topic;
    header->queue_id = queue.queue_id;
    header->commit_offset = offset;
    absl::Status sent = instance_.transport().InvokeOneway(
        addr, RemotingCommand::Request(request_code::kUpdateConsumerOffset, std::move(header)));
    if (!sent.ok()) spdlog::warn("commit offset of {}: {}", queue.ToString(), sent.ToString());
  }

  ClientInstance& instance_;
  const std::string group_;
};

class LocalFileOffsetStore final : public OffsetStore {
 public:
  LocalFileOffsetStore(ClientInstance& instance, std::string group) {
    std::string dir = instance.config().local_offset_store_dir;
    if (dir.empty()) {
      const char* home = std::getenv("HOME");
      dir = StrCat(home != nullptr ? home : ".", "/.rocketmq_offsets");
    }
    path_ = std::filesystem::path(dir) / instance.client_id() / group / "offsets.json";
  }

  absl::Status Load() override {
    auto table = ReadFile();
    if (!table.ok()) return table.status();
    for (const auto& [queue, offset] : *table) UpdateOffset(queue, offset, false);
    return absl::OkStatus();
  }

  void PersistAll(const std::set<MessageQueue>& queues) override {
    absl::flat_hash_map<MessageQueue, int64_t> table;
    for (const auto& [queue, offset] : Snapshot()) {
      if (queues.contains(queue)) table[queue] = offset;
    }
    absl::MutexLock lock(&persist_mu_);
    WriteFile(table);
  }

  // Rewrites `queue`'s entry only: the file keeps the other queues' offsets
  // (a shutdown persists every queue, then each one again as it is dropped).
  void Persist(const MessageQueue& queue) override {
    int64_t offset;
    if (!FindInMemory(queue, &offset)) return;
    absl::MutexLock lock(&persist_mu_);  // Read, modify, write.
    auto table = ReadFile();
    if (!table.ok()) {
      spdlog::warn("{}", table.status().ToString());
      return;
    }
    (*table)[queue] = offset;
    WriteFile(*table);
  }

 protected:
  int64_t ReadFromStore(const MessageQueue& queue) override {
    auto table = ReadFile();
    if (!table.ok()) return kOffsetReadError;
    auto it = table->find(queue);
    return it == table->end() ? kOffsetNotFound : it->second;
  }

 private:
  absl::StatusOr<absl::flat_hash_map<MessageQueue, int64_t>> ReadFile() {
    absl::MutexLock lock(&file_mu_);
    absl::flat_hash_map<MessageQueue, int64_t> table;
    std::ifstream in(path_);
    if (!in) return table;  // No file yet: no offsets.
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.contains("offsetTable") || !doc["offsetTable"].is_array()) {
      return absl::DataLossError(StrCat(path_.string(), ": not a consumer offset file"));
    }
    for (const auto& entry : doc["offsetTable"]) {
      if (!entry.is_object() || !entry.value("topic", nlohmann::json()).is_string() ||
          !entry.value("brokerName", nlohmann::json()).is_string() ||
          !entry.value("queueId", nlohmann::json()).is_number_integer() ||
          !entry.value("offset", nlohmann::json()).is_number_integer()) {
        return absl::DataLossError(StrCat(path_.string(), ": malformed entry ", entry.dump()));
      }
      table[MessageQueue(entry["topic"].get<std::string>(), entry["brokerName"].get<std::string>(),
                         entry["queueId"].get<int32_t>())] = entry["offset"].get<int64_t>();
    }
    return table;
  }

  void WriteFile(const absl::flat_hash_map<MessageQueue, int64_t>& offsets) {
    absl::MutexLock lock(&file_mu_);
    nlohmann::json table = nlohmann::json::array();
    for (const auto& [queue, offset] : offsets) {
      table.push_back({{"topic", queue.topic}, {"brokerName", queue.broker_name},
                       {"queueId", queue.queue_id}, {"offset", offset}});
    }
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    std::filesystem::path tmp = path_;
    tmp += ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << nlohmann::json{{"offsetTable", table}}.dump(2);
      if (!out.good()) {
        spdlog::warn("cannot write consumer offsets to {}", tmp.string());
        return;
      }
    }
    std::filesystem::rename(tmp, path_, ec);
    if (ec) spdlog::warn("cannot replace {}: {}", path_.string(), ec.message());
  }

  std::filesystem::path path_;
  absl::Mutex persist_mu_;  // Held across a persist's read and write, before file_mu_.
  absl::Mutex file_mu_;
};

}  // namespace

std::unique_ptr<OffsetStore> NewRemoteBrokerOffsetStore(ClientInstance& instance, std::string group) {
  return std::make_unique<RemoteBrokerOffsetStore>(instance, std::move(group));
}

std::unique_ptr<OffsetStore> NewLocalFileOffsetStore(ClientInstance& instance, std::string group) {
  return std::make_unique<LocalFileOffsetStore>(instance, std::move(group));
}

}  // namespace rmq::internal
