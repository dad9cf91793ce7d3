// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/dispatcher.h"

#include <sys/prctl.h>

#include <algorithm>
#include <iterator>

#include "absl/strings/numbers.h"
#include "common/this_thread.h"
#include "store/timer_message_service.h"

#include "common/str_cat.h"
#include "common/properties_codec.h"
#include "common/status_macros.h"
#include "common/tag_hash.h"
#include "rmq/message.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

namespace {
// How long the dispatcher naps after catching up before it sleeps until woken.
// Every message that arrives meanwhile waits up to this long to reach its
// queue (and a held pull), so it bounds the added end-to-end latency.
constexpr absl::Duration kNap = absl::Microseconds(50);
// Linux lets a sleeping thread's timer fire up to 50 µs late by default (to
// batch wakeups), as much again as the nap itself.
constexpr unsigned long kTimerSlackNanos = 1000;
// Retrying a record that failed: soon at first (a transient failure costs
// little delay), then at most once a second (a full disk is not hammered).
// Real time, as the naps: the wait is for the disk or the fd table, not for
// anything a test's VirtualClock says.
constexpr absl::Duration kFirstRetry = absl::Milliseconds(10);
constexpr absl::Duration kMaxRetry = absl::Seconds(1);
// Index catch-up after a crash goes in chunks of at most this many records
// and this long (old records may have to be read from disk), between which
// new records reach their queues.
constexpr int kIndexCatchUpChunk = 4096;
constexpr absl::Duration kIndexCatchUpSlice = absl::Milliseconds(2);
}  // namespace

int64_t UnitTagsCode(std::string_view topic, std::string_view properties, int64_t store_timestamp,
                     const DelayLevels& levels) {
  if (topic == kScheduleTopic) {
    std::string_view delay;
    FindProperty(properties, property::kDelayTimeLevel, &delay);
    // The store wrote this record with a valid level; anything else (a
    // record put by hand) is due at once rather than never.
    auto level = levels.LevelOf(delay);
    return level.ok() && *level > 0 ? levels.DeliverTimestamp(*level, store_timestamp)
                                    : store_timestamp;
  }
  if (topic == kTimerTopic) {
    // The due time the store wrote (anything else is due at once), or the
    // earlier time the message is to be stored again (rolled).
    static constexpr std::string_view kNames[] = {property::kTimerOutMs,
                                                  property::kTimerRollAtMs};
    std::string_view values[std::size(kNames)];
    FindProperties(properties, kNames, values);  // One pass for both.
    int64_t due_ms = 0;
    int64_t roll_at_ms = 0;
    if (!absl::SimpleAtoi(AbslView(values[0]), &due_ms)) return store_timestamp;
    return absl::SimpleAtoi(AbslView(values[1]), &roll_at_ms) ? std::min(due_ms, roll_at_ms)
                                                               : due_ms;
  }
  std::string_view tags;
  FindProperty(properties, property::kTags, &tags);
  return TagsStringToTagsCode(tags);
}

Dispatcher::Dispatcher(CommitLog& log, ConsumeQueueTable& queues, IndexService* index,
                       const DelayLevels& levels)
    : log_(log), queues_(queues), index_(index), levels_(levels) {}

Dispatcher::~Dispatcher() { Stop(); }

DispatchRequest Dispatcher::RequestFor(int64_t offset, const RecordView& view,
                                       IndexedProperties* found) {
  DispatchRequest request;
  request.topic = view.topic;
  request.queue_id = view.queue_id;
  request.commit_log_offset = offset;
  request.msg_size = view.total_size;
  request.store_timestamp = view.store_timestamp;
  request.consume_queue_offset = view.queue_offset;
  request.sys_flag = view.sys_flag;
  request.prepared_transaction_offset = view.prepared_transaction_offset;
  request.properties = view.properties;
  // One pass over the properties for what the queue unit and the index need.
  *found = FindIndexedProperties(view.properties);
  request.keys = found->keys;
  request.uniq_key = found->uniq_key;
  return request;
}

absl::Status Dispatcher::DispatchRecord(int64_t offset, const RecordView& view) {
  IndexedProperties found;
  DispatchRequest request = RequestFor(offset, view, &found);
  // The two clock topics keep a due time in the unit, not a tag hash.
  request.tags_code = view.topic == kScheduleTopic || view.topic == kTimerTopic
                          ? UnitTagsCode(view.topic, view.properties, view.store_timestamp, levels_)
                          : TagsStringToTagsCode(found.tags);

  int32_t tx = sysflag::TransactionValue(view.sys_flag);
  if (tx != sysflag::kTransactionPreparedType && tx != sysflag::kTransactionRollbackType) {
    auto cached = queue_cache_.find(TopicQueueRef{request.topic, request.queue_id});
    if (cached == queue_cache_.end()) {
      auto queue = queues_.FindOrCreate(request.topic, request.queue_id);
      if (!queue.ok()) return queue.status();
      cached = queue_cache_
                   .emplace(TopicQueueKey{std::string(request.topic), request.queue_id}, *queue)
                   .first;
    }
    RMQ_RETURN_IF_ERROR(cached->second->Put(
        request.consume_queue_offset,
        ConsumeQueue::Unit{request.commit_log_offset, request.msg_size, request.tags_code},
        offset < repair_before_ ? ConsumeQueue::Existing::kRepair : ConsumeQueue::Existing::kSkip));
  }
  if (index_in_step_.load(std::memory_order_relaxed) && !IndexRecord(offset, request)) {
    // The index falls behind from this record; CatchUpIndex retries it.
    indexed_.store(offset, std::memory_order_release);
    index_in_step_.store(false, std::memory_order_release);
  }
  dispatched_store_timestamp_.store(view.store_timestamp, std::memory_order_release);
  if (listener_) listener_(request);
  return absl::OkStatus();
}

bool Dispatcher::IndexRecord(int64_t offset, const DispatchRequest& request) {
  if (index_ == nullptr) return true;
  // The index does not stall dispatch: when it cannot take a message's keys
  // (its next file cannot be created; at 420 MB, the file a filling disk
  // refuses first) it falls behind, and catches up once it can. Stalling
  // would hold back every consumer and every put, and the cleanup that
  // frees the disk, for the sake of lookups by key.
  if (absl::Status indexed = index_->BuildIndex(request); !indexed.ok()) {
    // Once per run of failures (each names the file it tried to create, a
    // new name every time), and again if the cause changes.
    if (index_error_.ok() || indexed.code() != index_error_.code()) {
      spdlog::error(
          "index: cannot index the message at commit log offset {}: {}; retried every {}, "
          "lookups by key miss it and later messages meanwhile",
          offset, StdView(indexed.message()), absl::FormatDuration(kMaxRetry));
    }
    index_error_ = std::move(indexed);
    index_retry_at_ = absl::Now() + kMaxRetry;
    return false;
  }
  if (!index_error_.ok()) {
    spdlog::info("index: keys are indexed again from commit log offset {}", offset);
    index_error_ = absl::OkStatus();
  }
  return true;
}

bool Dispatcher::CatchUpIndex(int max_records) {
  if (!index_error_.ok() && absl::Now() < index_retry_at_) return false;
  int64_t offset = indexed_offset();
  const int64_t end = dispatched_offset();
  const absl::Time deadline = absl::Now() + kIndexCatchUpSlice;
  MappedFileQueue::Cursor segment;
  for (int n = 0; n < max_records && offset < end; ++n) {
    if (n % 64 == 63 && absl::Now() > deadline) break;
    Step step = StepAt(offset, &segment);
    if (step.kind == Step::kSkip) {
      offset = step.next;
    } else if (step.kind == Step::kMessage) {
      IndexedProperties found;
      if (!IndexRecord(offset, RequestFor(offset, step.view, &found))) break;  // Retried later.
      offset += step.view.total_size;
    } else {
      // Queue dispatch went past this offset, so the record was whole
      // then: the index gives up on the rest rather than stall on it (and
      // the store closes as after a crash).
      spdlog::error("index: cannot read the record at commit log offset {} ({}); messages up "
                    "to {} left out of the index",
                    offset, step.error.ToString(), end);
      index_incomplete_.store(true, std::memory_order_release);
      offset = end;
    }
  }
  indexed_.store(offset, std::memory_order_release);
  if (offset >= end) {
    index_in_step_.store(true, std::memory_order_release);
    spdlog::info("index: caught up with dispatch at commit log offset {}", offset);
  }
  return true;
}

void Dispatcher::Start(int64_t from_offset, int64_t repair_before, int64_t index_from) {
  dispatched_.store(from_offset, std::memory_order_release);
  const bool in_step = index_ == nullptr || index_from < 0 || index_from >= from_offset;
  indexed_.store(in_step ? from_offset : index_from, std::memory_order_release);
  index_in_step_.store(in_step, std::memory_order_release);
  repair_before_ = repair_before;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = false;
    running_ = true;
  }
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void Dispatcher::Stop() {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.Signal();
  }
  thread_.join();
  DispatchUntil(log_.MaxOffset());
  // The next open after the crash-like close this makes rebuilds the rest.
  if (!index_in_step_.load()) index_incomplete_.store(true, std::memory_order_release);
  absl::MutexLock lock(&mu_);
  running_ = false;
}

void Dispatcher::Wakeup() {
  // Pairs with the seq_cst store of sleeping_ in Run: either the thread sees
  // the new MaxOffset before sleeping, or we see it asleep and signal.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_relaxed)) {
    absl::MutexLock lock(&mu_);
    wake_.Signal();
  }
}

void Dispatcher::WaitFor(int64_t offset) {
  waiters_.fetch_add(1);
  absl::MutexLock lock(&mu_);
  const int64_t failures = failures_;
  auto done = [this, offset, failures]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return dispatched_offset() >= offset || failures_ != failures || !running_;
  };
  // The dispatcher touches mu_ after each pass while there are waiters,
  // which re-evaluates this condition.
  while (!done()) mu_.AwaitWithTimeout(absl::Condition(&done), absl::Milliseconds(50));
  waiters_.fetch_sub(1);
}

absl::Status Dispatcher::last_error() const {
  absl::MutexLock lock(&mu_);
  return error_;
}

void Dispatcher::Stall(absl::Status error) {
  absl::MutexLock lock(&mu_);
  // Once per distinct failure, not once per retry.
  if (error != error_) {
    spdlog::error("{}; retrying, puts refused meanwhile", StdView(error.message()));
  }
  error_ = std::move(error);
  ++failures_;
  ++stall_failures_;
  stalled_.store(true, std::memory_order_release);
}

void Dispatcher::Resume(int64_t offset) {
  absl::MutexLock lock(&mu_);
  spdlog::info("dispatch goes on at commit log offset {} after {} failed attempt(s)", offset,
               stall_failures_);
  error_ = absl::OkStatus();
  stall_failures_ = 0;
  stalled_.store(false, std::memory_order_release);
}

Dispatcher::Step Dispatcher::StepAt(int64_t offset, MappedFileQueue::Cursor* segment) const {
  Step step;
  const MappedFile* file = log_.segments().Seek(offset, segment);
  if (file == nullptr) {
    // Deleted under the walk (cleanup ran ahead): nothing left to read there.
    if (const int64_t min = log_.MinOffset(); min > offset) {
      step.kind = Step::kSkip;
      step.next = min;
      return step;
    }
    step.kind = Step::kError;
    step.error = absl::InternalError("no commit log segment holds it");
    return step;
  }
  const int64_t pos = offset - file->from_offset();
  absl::StatusOr<RecordKind> kind =
      ParseRecord(file->Read(pos, file->wrote_position() - pos), /*check_crc=*/false, &step.view);
  if (!kind.ok()) {
    step.kind = Step::kError;
    step.error = kind.status();
  } else if (*kind == RecordKind::kBlank) {
    step.kind = Step::kSkip;
    step.next = file->from_offset() + file->file_size();
  } else if (*kind == RecordKind::kEnd) {
    step.kind = Step::kError;
    step.error = absl::DataLossError(StrCat("unwritten bytes below the end ", log_.MaxOffset()));
  } else {
    step.kind = Step::kMessage;
  }
  return step;
}

bool Dispatcher::DispatchUntil(int64_t end) {
  int64_t offset = dispatched_offset();
  MappedFileQueue::Cursor segment;  // Looked up once per segment, not per record.
  while (offset < end) {
    // A run's views point into its segment: end it before letting go.
    if (segment.file != nullptr && !segment.file->Contains(offset)) EndRun();
    Step step = StepAt(offset, &segment);
    if (step.kind == Step::kSkip) {
      if (stalled()) Resume(offset);
      offset = step.next;
      dispatched_.store(offset, std::memory_order_release);
      continue;
    }
    absl::Status status =
        step.kind == Step::kMessage ? DispatchRecord(offset, step.view) : std::move(step.error);
    if (!status.ok()) {
      EndRun();
      const RecordView& view = step.view;
      Stall(absl::Status(
          status.code(),
          StrCat("dispatch stalled at commit log offset ", offset,
                 step.kind == Step::kMessage
                     ? StrCat(" (", view.topic, "/", view.queue_id, " queue offset ",
                              view.queue_offset, ")")
                     : std::string(),
                 ": ", status.message())));
      return false;
    }
    if (stalled()) Resume(offset);
    offset += step.view.total_size;
    dispatched_.store(offset, std::memory_order_release);
  }
  EndRun();
  return true;
}

void Dispatcher::Run(std::stop_token stop) {
  NameThisThread("rmq-dispatch");
  RequestShortSlice();
  // Two ways to wait once caught up. First a short nap during which putters
  // do not signal: under load the next pass then takes a whole batch, and
  // putters make no system call to wake us. Only if the nap found nothing
  // does the thread go to deep sleep, from which the next put wakes it at
  // once (so a lone message is dispatched without waiting for a timer).
  bool napped = false;
  absl::Duration retry = kFirstRetry;
  ::prctl(PR_SET_TIMERSLACK, kTimerSlackNanos);  // This thread only.
  while (!stop.stop_requested()) {
    int64_t end = log_.MaxOffset();
    if (const int64_t from = dispatched_offset(); from < end) {
      if (!DispatchUntil(end)) {
        // Not returning: nothing would start the thread again, and every
        // later message would be stored but never reach its queue.
        if (dispatched_offset() > from) retry = kFirstRetry;  // A new failure.
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stopping_), retry);  // Stop ends the wait.
        if (stopping_) return;
        retry = std::min(retry * 2, kMaxRetry);
        continue;
      }
      retry = kFirstRetry;
      if (waiters_.load() > 0) {
        absl::MutexLock lock(&mu_);  // Releasing it re-evaluates WaitFor conditions.
      }
      // A slice of index catch-up after every pass, so that a dispatcher
      // that never catches up with the log still brings the index along.
      if (!index_in_step_.load(std::memory_order_relaxed)) CatchUpIndex(kIndexCatchUpChunk);
      napped = false;
      continue;
    }
    // The queues are caught up: the index's turn (unless it waits to retry).
    if (!index_in_step_.load(std::memory_order_relaxed) && CatchUpIndex(kIndexCatchUpChunk)) {
      absl::MutexLock lock(&mu_);  // Releasing it re-evaluates WaitFor conditions, too.
      if (stopping_) return;
      continue;
    }
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    if (!napped) {
      wake_.WaitWithTimeout(&mu_, kNap);
      napped = true;
    } else {
      sleeping_.store(true, std::memory_order_seq_cst);
      if (log_.MaxOffset() == dispatched_offset()) {
        // The timeout bounds the delay should a wakeup ever be missed.
        wake_.WaitWithTimeout(&mu_, absl::Milliseconds(100));
      }
      sleeping_.store(false, std::memory_order_relaxed);
    }
    if (stopping_) return;
  }
}

}  // namespace rmq::internal
