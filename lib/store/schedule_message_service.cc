// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/schedule_message_service.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/numbers.h"
#include "common/config_persister.h"
#include "common/fastjson.h"
#include "common/real_destination.h"
#include "common/str_cat.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"
#include "store/clock_service_lifecycle.h"

namespace rmq::internal {

namespace {

// Units delivered per timer run before yielding the clock's thread to the
// other timers; the level continues in a timer due at once.
constexpr int kMaxDeliveriesPerRun = 256;

}  // namespace

ScheduleMessageService::ScheduleMessageService(MessageStore& store, ConsumeQueueTable& queues,
                                               DelayLevels levels, Clock& clock,
                                               std::string offsets_path,
                                               absl::Duration persist_interval)
    : store_(store),
      queues_(queues),
      levels_(std::move(levels)),
      clock_(clock),
      offsets_path_(std::move(offsets_path)),
      persist_interval_(persist_interval) {}

ScheduleMessageService::~ScheduleMessageService() { Stop(); }

std::shared_ptr<ConsumeQueue> ScheduleMessageService::QueueOf(int32_t level) const {
  return queues_.Find(kScheduleTopic, DelayLevels::QueueIdOf(level));
}

absl::Status ScheduleMessageService::Load() {
  // {"offsetTable":{"1":12,"3":40}}; RocketMQ (fastjson) writes the level
  // keys bare, {1:12,3:40}, which is read too.
  std::map<int32_t, int64_t> saved;
  auto loaded = LoadConfigFile(offsets_path_, [&](std::string_view text) -> absl::Status {
    saved.clear();
    nlohmann::json doc = nlohmann::json::parse(NormalizeFastjson(text), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return absl::DataLossError("not a JSON object");
    auto table = doc.find("offsetTable");
    if (table == doc.end()) return absl::OkStatus();
    if (!table->is_object()) return absl::DataLossError("offsetTable is not an object");
    for (const auto& [key, value] : table->items()) {
      int32_t level = 0;
      if (!absl::SimpleAtoi(key, &level) || level <= 0 || !value.is_number_integer()) {
        return absl::DataLossError(StrCat("offsetTable entry '", key, "': ", value.dump(),
                                          " is not level: offset"));
      }
      saved[level] = value.get<int64_t>();
    }
    return absl::OkStatus();
  });
  if (!loaded.ok()) return loaded.status();

  absl::MutexLock lock(&mu_);
  for (auto [level, offset] : saved) {
    if (level > levels_.max_level()) {
      spdlog::warn("{}: level {} is above the {} of messageDelayLevel; its offset is dropped",
                   offsets_path_, level, levels_.max_level());
      continue;
    }
    // The queue may have lost its tail in a crash, or its head to cleanup;
    // with no queue at all, nothing was stored at that level here.
    auto queue = QueueOf(level);
    if (queue == nullptr && offset != 0) {
      spdlog::warn("{}: level {} has offset {} but no queue; starting it at 0", offsets_path_,
                   level, offset);
      offset = 0;
      dirty_ = true;
    } else if (queue != nullptr) {
      const int64_t corrected = std::clamp(offset, queue->MinOffset(), queue->MaxOffset());
      if (corrected != offset) {
        spdlog::warn("{}: level {} offset {} is outside its queue [{}, {}]; using {}",
                     offsets_path_, level, offset, queue->MinOffset(), queue->MaxOffset(),
                     corrected);
        offset = corrected;
        dirty_ = true;
      }
    }
    levels_state_[level].offset = offset;
  }
  return absl::OkStatus();
}

void ScheduleMessageService::Start() {
  {
    absl::MutexLock lock(&mu_);
    running_ = true;
    const int64_t now = clock_.NowMillis();
    for (int32_t level = 1; level <= levels_.max_level(); ++level) {
      auto queue = QueueOf(level);
      if (queue == nullptr) continue;
      if (levels_state_[level].offset < queue->MaxOffset()) ScheduleLocked(level, now);
    }
  }
  persist_timer_ = StartPeriodicPersist(clock_, persist_interval_, [this] { return Persist(); },
                                        "delay offsets");
}

void ScheduleMessageService::Stop() {
  std::vector<Clock::TimerId> pending;
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    running_ = false;
    for (auto& [level, state] : levels_state_) {
      if (state.timer != 0) pending.push_back(state.timer);
      state.timer = 0;
    }
  }
  // A run that had started (its timer no longer cancellable) finishes and
  // records its progress before the last save.
  FinishStop(clock_, persist_timer_, pending, mu_, &runs_in_flight_, [this] { return Persist(); },
             "delay offsets");
}

void ScheduleMessageService::Wake(int32_t queue_id) {
  const int32_t level = DelayLevels::LevelOfQueue(queue_id);
  if (level < 1 || level > levels_.max_level()) return;
  absl::MutexLock lock(&mu_);
  if (!running_) return;
  // A level with a timer already has a unit at its head, due no later than
  // the new one (same delay, stored earlier): that timer covers it.
  if (levels_state_[level].timer != 0) return;
  ScheduleLocked(level, clock_.NowMillis());
}

void ScheduleMessageService::ScheduleLocked(int32_t level, int64_t when_ms) {
  // A SystemClock may start the timer before ScheduleAt returns its id; the
  // timer then waits for mu_, held here until the id is recorded.
  levels_state_[level].timer =
      clock_.ScheduleAt(absl::FromUnixMillis(when_ms), [this, level] { Run(level); });
}

void ScheduleMessageService::Run(int32_t level) {
  int64_t offset = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    Level& state = levels_state_[level];
    state.timer = 0;
    offset = state.offset;
    ++runs_in_flight_;
  }
  std::optional<int64_t> next_run_ms;
  const int64_t reached = Deliver(level, offset, &next_run_ms);
  absl::MutexLock lock(&mu_);
  --runs_in_flight_;
  Level& state = levels_state_[level];
  if (reached != state.offset) {
    state.offset = reached;
    dirty_ = true;
  }
  // A Wake meanwhile may have scheduled a run already; one timer is enough.
  if (running_ && next_run_ms.has_value() && state.timer == 0) ScheduleLocked(level, *next_run_ms);
}

int64_t ScheduleMessageService::Deliver(int32_t level, int64_t offset,
                                        std::optional<int64_t>* next_run_ms) {
  std::shared_ptr<ConsumeQueue> queue = QueueOf(level);
  if (queue == nullptr) return offset;
  offset = std::max(offset, queue->MinOffset());  // Cleanup deleted what was before.
  if (offset > queue->MaxOffset()) {
    // Only a queue that lost its tail (Load clamps what it reads): go on
    // from its end rather than wait for it to grow past the old offset.
    spdlog::warn("delay level {}: offset {} is past the queue's end {}; continuing from there",
                 level, offset, queue->MaxOffset());
    offset = queue->MaxOffset();
  }
  const int64_t delay_ms = levels_.DelayMillis(level);
  for (int delivered = 0; offset < queue->MaxOffset(); ++offset) {
    const int64_t now = clock_.NowMillis();
    ConsumeQueue::Unit unit;
    if (!queue->Read(offset, &unit)) {
      if (queue->MinOffset() > offset) {  // Deleted under us by cleanup: go on from the head.
        offset = queue->MinOffset() - 1;
        continue;
      }
      *next_run_ms = now + kPutBackRetryAfterMs;
      return offset;
    }
    // A due time further away than the level's delay means the clock went
    // back since the message was stored: deliver it now rather than late.
    const int64_t due = unit.tags_code > now + delay_ms ? now : unit.tags_code;
    if (due > now) {
      *next_run_ms = due;
      return offset;
    }
    if (delivered == kMaxDeliveriesPerRun) {
      *next_run_ms = now;
      return offset;
    }
    auto delayed = store_.LookMessageByOffset(unit.commit_log_offset);
    if (!delayed.ok()) {
      // The record is gone (its segment deleted) or unreadable: nothing to deliver.
      spdlog::warn("delay level {} offset {}: message at commit log offset {} not readable: {}",
                   level, offset, unit.commit_log_offset, StdView(delayed.status().message()));
      continue;
    }
    if (absl::Status put = PutBack(*delayed); !put.ok()) {
      spdlog::error("delay level {} offset {}: putting message {} back failed, again in {} ms: {}",
                    level, offset, delayed->GetProperty(property::kUniqKey),
                    kPutBackRetryAfterMs, StdView(put.message()));
      *next_run_ms = now + kPutBackRetryAfterMs;
      return offset;
    }
    ++delivered;
  }
  return offset;  // Read to the end: sleep until Wake.
}

absl::Status ScheduleMessageService::PutBack(const MessageExt& delayed) {
  MessageExt msg = delayed;
  if (!UnparkMessage(msg)) {
    // Not something the store scheduled: dropping it is all that can be done.
    spdlog::error("delayed message {} at commit log offset {} has no REAL_TOPIC/REAL_QID; dropped",
                  delayed.GetProperty(property::kUniqKey), delayed.commit_log_offset);
    return absl::OkStatus();
  }
  msg.ClearProperty(property::kDelayTimeLevel);
  // As RocketMQ: the put back does not wait for a flush; REAL_TOPIC and
  // REAL_QID stay on the message.
  msg.PutProperty(property::kWaitStoreMsgOk, "false");
  auto put = store_.Put(msg);
  return put.ok() ? absl::OkStatus() : put.status();
}

absl::Status ScheduleMessageService::Persist() {
  absl::MutexLock persist_lock(&persist_mu_);
  nlohmann::json table = nlohmann::json::object();
  {
    absl::MutexLock lock(&mu_);
    if (!dirty_) return absl::OkStatus();
    dirty_ = false;
    for (const auto& [level, state] : levels_state_) table[std::to_string(level)] = state.offset;
  }
  nlohmann::json doc = {{"offsetTable", table}};
  absl::Status saved = PersistConfigFile(offsets_path_, doc.dump(4), /*sync=*/false);
  if (!saved.ok()) {
    absl::MutexLock lock(&mu_);
    dirty_ = true;  // Try again next time.
  }
  return saved;
}

std::map<int32_t, int64_t> ScheduleMessageService::Offsets() const {
  absl::MutexLock lock(&mu_);
  std::map<int32_t, int64_t> offsets;
  for (const auto& [level, state] : levels_state_) offsets[level] = state.offset;
  return offsets;
}

void ScheduleMessageService::ForEachWaitingLevel(
    const std::function<void(const ConsumeQueue&, int64_t)>& fn) const {
  for (int32_t level = 1; level <= levels_.max_level(); ++level) {
    auto queue = QueueOf(level);
    if (queue == nullptr) continue;
    int64_t offset = 0;
    {
      absl::MutexLock lock(&mu_);
      auto it = levels_state_.find(level);
      if (it != levels_state_.end()) offset = it->second.offset;
    }
    offset = std::max(offset, queue->MinOffset());
    if (offset < queue->MaxOffset()) fn(*queue, offset);
  }
}

int64_t ScheduleMessageService::PendingCount() const {
  int64_t pending = 0;
  ForEachWaitingLevel([&](const ConsumeQueue& queue, int64_t offset) {
    pending += queue.MaxOffset() - offset;
  });
  return pending;
}

std::optional<int64_t> ScheduleMessageService::NextDeliveryMillis() const {
  std::optional<int64_t> earliest;
  ForEachWaitingLevel([&](const ConsumeQueue& queue, int64_t offset) {
    ConsumeQueue::Unit unit;
    if (queue.Read(offset, &unit) && (!earliest || unit.tags_code < *earliest)) {
      earliest = unit.tags_code;
    }
  });
  return earliest;
}

}  // namespace rmq::internal
