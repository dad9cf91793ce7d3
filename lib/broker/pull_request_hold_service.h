// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullRequestHoldService: long polling (RocketMQ's PullRequestHoldService).
// A pull that finds nothing new is held, not answered, until either
//   - a message arrives in its queue (the store's arrival listener calls
//     NotifyMessagesArriving on its dispatch thread) that its filter accepts
//     (by tags code, and by properties for SQL92): the pull is run again on
//     that thread and answered, or
//   - its timeout passes on the Clock (suspendTimeoutMillis, or
//     shortPollingTimeMills without long polling): it is run once more and
//     answered, whatever it finds.
// Every 5 s (the short polling time without long polling) held pulls are also
// checked against their queue's max offset, which catches a message that
// arrived while its pull was being held.
//
// The arrival path costs one relaxed atomic load per batch of arrivals while
// nothing is held, and one lock of the table per batch otherwise.

#ifndef RMQ_BROKER_PULL_REQUEST_HOLD_SERVICE_H_
#define RMQ_BROKER_PULL_REQUEST_HOLD_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "common/periodic_timer.h"
#include "remoting/transport.h"
#include "rmq/clock.h"
#include "rmq/store.h"
#include "store/topic_queue_key.h"

namespace rmq::internal {

// A pull request waiting for messages.
struct HeldPull {
  std::shared_ptr<Channel> channel;
  RemotingCommand request;  // Its PullMessageRequestHeader is decoded.
  Responder responder;
  std::string topic;
  int32_t queue_id = 0;
  int64_t pull_from_offset = 0;
  // Checks an arriving message's tagsCode and properties.
  std::shared_ptr<const MessageFilter> filter;
};

class PullRequestHoldService : public std::enable_shared_from_this<PullRequestHoldService> {
 public:
  // Runs a held pull again without holding it, and answers it.
  using Rerun = std::function<void(std::unique_ptr<HeldPull>)>;

  // `store` gives queue max offsets; `wake_on_arrival` is longPollingEnable;
  // `check_interval` is the periodic check's period.
  static std::shared_ptr<PullRequestHoldService> Create(std::shared_ptr<Clock> clock,
                                                        MessageStore* store, bool wake_on_arrival,
                                                        absl::Duration check_interval,
                                                        Rerun rerun);
  ~PullRequestHoldService();

  // Holds `pull` for at most `timeout`. After Shutdown, reruns it at once.
  void Suspend(std::unique_ptr<HeldPull> pull, absl::Duration timeout);

  // The store's message-arriving listener: wakes the held pulls that one of
  // the arrived messages reaches and whose filter passes it (as RocketMQ, by
  // tagsCode and, for SQL92, by properties). Each woken pull runs once,
  // after the whole batch is looked at, so that it reads every message of
  // the batch it may take.
  void NotifyMessagesArriving(std::span<const MessageStore::ArrivedMessage> arrived);

  // Runs every held pull against its queue's max offset (the periodic check).
  void CheckHeldRequests();

  // Answers every held pull (running it again) and waits for wakeups in
  // progress on other threads; later Suspends answer at once.
  void Shutdown();

  size_t held_count() const { return held_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    uint64_t id = 0;
    Clock::TimerId timer = 0;
    std::unique_ptr<HeldPull> pull;
  };

  PullRequestHoldService(std::shared_ptr<Clock> clock, MessageStore* store, bool wake_on_arrival,
                         Rerun rerun);
  void OnTimeout(const TopicQueueKey& key, uint64_t id);
  // Wakes the queue's held pulls that are behind its max offset.
  void CheckQueue(const TopicQueueKey& key) ABSL_LOCKS_EXCLUDED(mu_);
  // Takes out of the table, and wakes, the held pulls of `key` for which
  // `wanted(pull)` is true.
  void WakeWhere(TopicQueueRef key, absl::FunctionRef<bool(const HeldPull&)> wanted)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Moves the held pulls of `key` for which `wanted(pull)` is true from the
  // table to `woken`.
  void TakeWhere(TopicQueueRef key, absl::FunctionRef<bool(const HeldPull&)> wanted,
                 std::vector<Entry>* woken) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Counts the taken entries out of held_ and in as a wakeup in progress;
  // false (and nothing counted) if there are none.
  bool BeginWaking(const std::vector<Entry>& woken) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Cancels the entries' timers and reruns their pulls; call without mu_.
  void Wake(std::vector<Entry> entries) ABSL_LOCKS_EXCLUDED(mu_);

  const std::shared_ptr<Clock> clock_;
  MessageStore* const store_;
  const bool wake_on_arrival_;
  const Rerun rerun_;
  std::unique_ptr<PeriodicTimer> check_timer_;

  std::atomic<size_t> held_{0};
  mutable absl::Mutex mu_;
  TopicQueueMap<std::vector<Entry>> table_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  int waking_ ABSL_GUARDED_BY(mu_) = 0;  // Wake calls in progress.
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_PULL_REQUEST_HOLD_SERVICE_H_
