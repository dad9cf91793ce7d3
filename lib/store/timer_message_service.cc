// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/timer_message_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "common/config_persister.h"
#include "common/real_destination.h"
#include "common/str_cat.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"
#include "store/clock_service_lifecycle.h"

namespace rmq::internal {

namespace {

// Units linked and messages delivered per run before yielding the clock's
// thread to other timers; the work continues in a run due at once.
constexpr int kWorkPerRun = 4096;

absl::StatusOr<int64_t> ParseTimerValue(std::string_view name, std::string_view value) {
  int64_t parsed = 0;
  if (!absl::SimpleAtoi(AbslView(value), &parsed)) {
    return absl::InvalidArgumentError(
        StrCat("timer message property ", name, "='", value, "' is not a whole number"));
  }
  return parsed;
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> TimerDueMillis(std::string_view deliver_ms,
                                                      std::string_view delay_sec,
                                                      std::string_view delay_ms, int64_t now_ms,
                                                      int64_t max_delay_ms) {
  int64_t due = 0;
  // RocketMQ's order of precedence.
  if (!deliver_ms.empty()) {
    auto at = ParseTimerValue(property::kTimerDeliverMs, deliver_ms);
    if (!at.ok()) return at.status();
    due = *at;
  } else if (!delay_sec.empty()) {
    auto seconds = ParseTimerValue(property::kTimerDelaySec, delay_sec);
    if (!seconds.ok()) return seconds.status();
    // Clamped so that the sum cannot overflow; the limit below applies.
    due = now_ms + std::clamp<int64_t>(*seconds, -now_ms / 1000, max_delay_ms / 1000 + 1) * 1000;
  } else if (!delay_ms.empty()) {
    auto ms = ParseTimerValue(property::kTimerDelayMs, delay_ms);
    if (!ms.ok()) return ms.status();
    due = now_ms + std::clamp<int64_t>(*ms, -now_ms, max_delay_ms + 1);
  } else {
    return std::nullopt;
  }
  if (due - now_ms > max_delay_ms) {
    return absl::InvalidArgumentError(StrCat(
        "timer message due in ", due - now_ms, " ms, beyond timerMaxDelaySec (",
        max_delay_ms / 1000, " s)"));
  }
  return due;
}

std::optional<int64_t> TimerRollAtMillis(int64_t due_ms, int64_t now_ms, int64_t window_ms) {
  if (due_ms <= now_ms || due_ms - now_ms <= window_ms) return std::nullopt;
  return now_ms + window_ms;
}

TimerMessageService::TimerMessageService(MessageStore& store, ConsumeQueueTable& queues,
                                         Clock& clock, Options options)
    : store_(store), queues_(queues), clock_(clock), options_(std::move(options)) {}

TimerMessageService::~TimerMessageService() { Stop(); }

std::shared_ptr<ConsumeQueue> TimerMessageService::Queue() const {
  return queues_.Find(kTimerTopic, 0);
}

absl::Status TimerMessageService::Load() {
  Checkpoint saved;
  auto loaded = LoadConfigFile(options_.checkpoint_path, [&](std::string_view text) -> absl::Status {
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return absl::DataLossError("not a JSON object");
    auto offset = doc.find("enqueueOffset");
    auto watermark = doc.find("watermarkMs");
    if (offset == doc.end() || !offset->is_number_integer() || watermark == doc.end() ||
        !watermark->is_number_integer()) {
      return absl::DataLossError("enqueueOffset and watermarkMs must be integers");
    }
    saved.enqueue_offset = offset->get<int64_t>();
    saved.watermark_ms = watermark->get<int64_t>();
    return absl::OkStatus();
  });
  if (!loaded.ok()) return loaded.status();

  TimerWheel::Options wheel_options;
  wheel_options.dir = options_.wheel_dir;
  wheel_options.precision_ms = options_.precision_ms;
  // One slot-wide interval of slack: a message may be due max_delay_ms after
  // the put, which happens after the cursor's slot started.
  wheel_options.span_ms = options_.max_delay_ms + options_.precision_ms;
  auto wheel = TimerWheel::Create(wheel_options);
  if (!wheel.ok()) return wheel.status();

  absl::MutexLock lock(&run_mu_);
  wheel_ = *std::move(wheel);
  loaded_ = saved;
  auto queue = Queue();
  enqueue_offset_ = queue == nullptr ? 0 : queue->MinOffset();
  // The cursor starts at the earliest unit still to deliver, so that those
  // that fell due while the store was closed go out slot by slot, in due
  // order, like the rest.
  int64_t earliest = clock_.NowMillis();
  for (int64_t offset = enqueue_offset_; queue != nullptr && offset < queue->MaxOffset(); ++offset) {
    ConsumeQueue::Unit unit;
    if (!queue->Read(offset, &unit)) break;
    if (!unit.IsBlank() && !HandledBeforeLoad(offset, unit.tags_code)) {
      earliest = std::min(earliest, unit.tags_code);
    }
  }
  cursor_ms_ = wheel_->SlotStart(std::max<int64_t>(earliest, 0));
  int budget = INT32_MAX;
  if (!Enqueue(&budget)) return absl::InternalError("timer queue scan stopped early");
  SaveCheckpointLocked();
  if (wheel_->size() > 0) {
    spdlog::info("timer messages: {} waiting, the earliest due at {}", wheel_->size(), earliest);
  }
  return absl::OkStatus();
}

bool TimerMessageService::HandledBeforeLoad(int64_t offset, int64_t act_ms) const {
  return offset < loaded_.enqueue_offset && act_ms < loaded_.watermark_ms;
}

bool TimerMessageService::Enqueue(int* budget) {
  auto queue = Queue();
  if (queue == nullptr) return true;
  enqueue_offset_ = std::max(enqueue_offset_, queue->MinOffset());
  const int64_t end = queue->MaxOffset();
  for (; enqueue_offset_ < end; ++enqueue_offset_) {
    if (*budget <= 0) return false;
    ConsumeQueue::Unit unit;
    if (!queue->Read(enqueue_offset_, &unit)) {
      if (queue->MinOffset() > enqueue_offset_) {  // Deleted under us by cleanup.
        enqueue_offset_ = queue->MinOffset() - 1;
        continue;
      }
      return true;  // Not readable yet: the next Wake comes back for it.
    }
    if (unit.IsBlank() || HandledBeforeLoad(enqueue_offset_, unit.tags_code)) continue;
    --*budget;
    const TimerRecord record{unit.tags_code, unit.commit_log_offset, unit.size};
    if (absl::Status linked = Link(record); !linked.ok()) {
      // Only a wheel file that cannot grow (disk full): keep it in memory.
      spdlog::error("timer queue offset {}: cannot link into the wheel, kept in memory: {}",
                    enqueue_offset_, StdView(linked.message()));
      due_.push(record);
    }
  }
  return true;
}

absl::Status TimerMessageService::Link(const TimerRecord& record) {
  if (record.deliver_ms >= cursor_ms_) return wheel_->Add(record);
  if (record.deliver_ms >= cursor_ms_ - options_.precision_ms) {
    // The slot the cursor took last: join its records in memory.
    due_.push(record);
    return absl::OkStatus();
  }
  overdue_min_ms_ = std::min(overdue_min_ms_, record.deliver_ms);
  return wheel_->AddOverdue(record);
}

void TimerMessageService::TakeDueSlots(int64_t now) {
  // Bounded: after a long stop, many slots may be due at once.
  while (cursor_ms_ <= now && due_.size() < static_cast<size_t>(kWorkPerRun)) {
    std::optional<int64_t> next = wheel_->NextOccupied(cursor_ms_);
    if (!next.has_value() || *next > now) {
      // Nothing waits in the slots up to now's: the cursor passes them all.
      cursor_ms_ = wheel_->SlotStart(now) + options_.precision_ms;
      return;
    }
    const int64_t slot_end = *next + options_.precision_ms;
    for (const TimerRecord& record : wheel_->TakeSlot(*next)) {
      if (record.deliver_ms < slot_end) {
        due_.push(record);
      } else if (absl::Status relinked = wheel_->Add(record); !relinked.ok()) {
        // Due a whole cycle later (the clock went back); keep it in memory.
        spdlog::error("timer wheel: cannot relink a record due at {}: {}", record.deliver_ms,
                      StdView(relinked.message()));
        due_.push(record);
      }
    }
    cursor_ms_ = slot_end;
  }
}

bool TimerMessageService::Deliver(const TimerRecord& record, int64_t now) {
  auto parked = store_.LookMessageByOffset(record.commit_log_offset);
  if (!parked.ok()) {
    // Its segment was deleted, or the record is unreadable: nothing to deliver.
    spdlog::warn("timer message at commit log offset {} not readable, skipped: {}",
                 record.commit_log_offset, StdView(parked.status().message()));
    return true;
  }
  MessageExt msg = *std::move(parked);
  // Linked at the end of its roll window, and not due yet (a run late after
  // a stop or a backlog delivers it instead).
  int64_t due = 0;
  if (absl::SimpleAtoi(AbslView(msg.GetProperty(property::kTimerOutMs)), &due) &&
      due > record.deliver_ms && due > now) {
    return Roll(std::move(msg), due, record.commit_log_offset, now);
  }
  msg.ClearProperty(property::kTimerRollAtMs);
  if (!UnparkMessage(msg)) {
    spdlog::error("timer message {} at commit log offset {} has no REAL_TOPIC/REAL_QID; dropped",
                  msg.GetProperty(property::kUniqKey), record.commit_log_offset);
    return true;
  }
  // TIMER_DEQUEUE_MS keeps the store from parking it again; as RocketMQ, the
  // put back does not wait for a flush.
  msg.PutProperty(property::kTimerDequeueMs, std::to_string(now));
  msg.PutProperty(property::kWaitStoreMsgOk, "false");
  return PutBack(msg, PutKind::kDelivery, record.commit_log_offset);
}

bool TimerMessageService::PutBack(const MessageExt& msg, PutKind kind,
                                  int64_t commit_log_offset) {
  auto put = store_.Put(msg);
  if (put.ok()) return true;
  // Built only for the log: not per delivery.
  const std::string what = kind == PutKind::kRoll ? std::string("storing it again (roll)")
                                                  : StrCat("putting it back into ", msg.topic());
  if (absl::IsInvalidArgument(put.status())) {
    spdlog::error("timer message {} at commit log offset {}: {} refused, dropped: {}",
                  msg.GetProperty(property::kUniqKey), commit_log_offset, what,
                  StdView(put.status().message()));
    return true;
  }
  spdlog::error("timer message {} at commit log offset {}: {} failed, again in {} ms: {}",
                msg.GetProperty(property::kUniqKey), commit_log_offset, what, kPutBackRetryAfterMs,
                StdView(put.status().message()));
  return false;
}

bool TimerMessageService::Roll(MessageExt msg, int64_t due_ms, int64_t commit_log_offset,
                               int64_t now) {
  // The same message, due at the same time, stored anew in the timer queue
  // (its topic and queue, as the store keeps it), with its next roll time if
  // it still has long to wait: the dispatcher links the new unit. As a
  // delivery, it does not wait for a flush (the clock's thread would).
  if (std::optional<int64_t> roll_at = TimerRollAtMillis(due_ms, now, options_.roll_window_ms)) {
    msg.PutProperty(property::kTimerRollAtMs, std::to_string(*roll_at));
  } else {
    msg.ClearProperty(property::kTimerRollAtMs);
  }
  msg.PutProperty(property::kWaitStoreMsgOk, "false");
  return PutBack(msg, PutKind::kRoll, commit_log_offset);
}

std::optional<int64_t> TimerMessageService::Advance(int64_t now) {
  int budget = kWorkPerRun;
  if (!Enqueue(&budget)) return now;
  if (now < retry_at_ms_) return retry_at_ms_;
  TakeDueSlots(now);
  // Overdue records join the heap, a batch at a time; the heap delivers
  // everything due in due order.
  for (int taken = 0; taken < kWorkPerRun; ++taken) {
    std::optional<TimerRecord> record = wheel_->PopOverdue();
    if (!record.has_value()) break;
    due_.push(*record);
  }
  if (wheel_->overdue_size() == 0) overdue_min_ms_ = INT64_MAX;
  while (!due_.empty() && due_.top().deliver_ms <= now) {
    if (budget-- <= 0) return now;
    if (!Deliver(due_.top(), now)) {
      retry_at_ms_ = now + kPutBackRetryAfterMs;
      return retry_at_ms_;
    }
    due_.pop();
  }
  if (budget <= 0 || cursor_ms_ <= now || wheel_->overdue_size() > 0) return now;
  std::optional<int64_t> next;
  if (!due_.empty()) next = due_.top().deliver_ms;
  if (std::optional<int64_t> slot = wheel_->NextOccupied(cursor_ms_); slot.has_value()) {
    next = next.has_value() ? std::min(*next, *slot) : *slot;
  }
  return next;
}

void TimerMessageService::SaveCheckpointLocked() {
  // Everything linked before the enqueue offset whose act time is before
  // the watermark has been delivered or rolled: the watermark is the
  // earliest act time still held.
  int64_t watermark = cursor_ms_;
  if (!due_.empty()) watermark = std::min(watermark, due_.top().deliver_ms);
  if (wheel_->overdue_size() > 0) watermark = std::min(watermark, overdue_min_ms_);
  const Checkpoint now{enqueue_offset_, watermark};
  std::optional<int64_t> next = due_.empty() ? std::nullopt
                                             : std::optional<int64_t>(due_.top().deliver_ms);
  if (wheel_->overdue_size() > 0) next = std::min(next.value_or(INT64_MAX), overdue_min_ms_);
  if (std::optional<int64_t> slot = wheel_->NextOccupied(cursor_ms_); slot.has_value()) {
    next = std::min(next.value_or(INT64_MAX), *slot);
  }
  absl::MutexLock lock(&mu_);
  if (!(checkpoint_ == now)) {
    checkpoint_ = now;
    dirty_ = true;
  }
  pending_ = wheel_->size() + static_cast<int64_t>(due_.size());
  next_due_ms_ = next;
}

void TimerMessageService::Start() {
  {
    absl::MutexLock lock(&mu_);
    running_ = true;
    ScheduleLocked(clock_.NowMillis());
  }
  persist_timer_ = StartPeriodicPersist(
      clock_, options_.persist_interval, [this] { return Persist(); }, "the timer checkpoint");
}

void TimerMessageService::Stop() {
  std::vector<Clock::TimerId> pending;
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    running_ = false;
    for (const auto& [token, timer] : timers_) pending.push_back(timer.id);
    timers_.clear();
  }
  // A run that had started (its timer no longer cancellable) finishes and
  // records its progress before the last save.
  FinishStop(clock_, persist_timer_, pending, mu_, &runs_in_flight_, [this] { return Persist(); },
             "the timer checkpoint");
}

void TimerMessageService::Wake() {
  absl::MutexLock lock(&mu_);
  if (!running_) return;
  const int64_t now = clock_.NowMillis();
  for (const auto& [token, timer] : timers_) {
    if (timer.when_ms <= now) return;  // A run is coming anyway.
  }
  ScheduleLocked(now);
}

void TimerMessageService::ScheduleLocked(int64_t when_ms) {
  const uint64_t token = ++next_token_;
  // A SystemClock may start the timer before ScheduleAt returns; Run then
  // waits for mu_, held here until the timer is recorded.
  const Clock::TimerId id =
      clock_.ScheduleAt(absl::FromUnixMillis(when_ms), [this, token] { Run(token); });
  timers_[token] = PendingTimer{when_ms, id};
}

void TimerMessageService::Run(uint64_t token) {
  {
    absl::MutexLock lock(&mu_);
    if (timers_.erase(token) == 0 || !running_) return;
    ++runs_in_flight_;
  }
  std::optional<int64_t> next;
  {
    absl::MutexLock run_lock(&run_mu_);
    next = Advance(clock_.NowMillis());
    SaveCheckpointLocked();
  }
  absl::MutexLock lock(&mu_);
  --runs_in_flight_;
  if (!running_ || !next.has_value()) return;
  // One timer at or before the wanted time is enough.
  for (const auto& [other, timer] : timers_) {
    if (timer.when_ms <= *next) return;
  }
  ScheduleLocked(*next);
}

absl::Status TimerMessageService::Persist() {
  absl::MutexLock persist_lock(&persist_mu_);
  Checkpoint saving;
  {
    absl::MutexLock lock(&mu_);
    if (!dirty_) return absl::OkStatus();
    dirty_ = false;
    saving = checkpoint_;
  }
  nlohmann::json doc = {{"enqueueOffset", saving.enqueue_offset},
                        {"watermarkMs", saving.watermark_ms}};
  absl::Status saved = PersistConfigFile(options_.checkpoint_path, doc.dump(4), /*sync=*/false);
  if (!saved.ok()) {
    absl::MutexLock lock(&mu_);
    dirty_ = true;  // Try again next time.
  }
  return saved;
}

int64_t TimerMessageService::PendingCount() const {
  absl::MutexLock lock(&mu_);
  // Plus the units dispatched but not yet linked by a run.
  auto queue = Queue();
  const int64_t unlinked =
      queue == nullptr ? 0 : std::max<int64_t>(0, queue->MaxOffset() - checkpoint_.enqueue_offset);
  return pending_ + unlinked;
}

std::optional<int64_t> TimerMessageService::NextDeliveryMillis() const {
  std::optional<int64_t> next;
  int64_t from = 0;
  {
    absl::MutexLock lock(&mu_);
    next = next_due_ms_;
    from = checkpoint_.enqueue_offset;
  }
  auto queue = Queue();
  if (queue == nullptr) return next;
  for (int64_t offset = std::max(from, queue->MinOffset()); offset < queue->MaxOffset(); ++offset) {
    ConsumeQueue::Unit unit;
    if (!queue->Read(offset, &unit)) break;
    if (!unit.IsBlank()) next = std::min(next.value_or(INT64_MAX), unit.tags_code);
  }
  return next;
}

TimerMessageService::Checkpoint TimerMessageService::checkpoint() const {
  absl::MutexLock lock(&mu_);
  return checkpoint_;
}

}  // namespace rmq::internal
