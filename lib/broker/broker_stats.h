// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// BrokerStats: the counters behind GET_BROKER_RUNTIME_INFO's rates and
// GET_CONSUME_STATS' consumeTps (the part of RocketMQ's StoreStatsService and
// BrokerStatsManager that its admin tools show): messages got by pulls, in
// all and per topic and group, and rates over the last 10 s, 1 min and
// 10 min from a sample of each total taken every second. Messages put are
// counted by the store (StoreStats::put_count) and sampled here too.

#ifndef RMQ_BROKER_BROKER_STATS_H_
#define RMQ_BROKER_BROKER_STATS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace rmq::internal {

// A running total and its recent samples.
class RateCounter {
 public:
  void Add(int64_t n) { total_.fetch_add(n, std::memory_order_relaxed); }
  // For a total kept elsewhere (the store's put count).
  void Set(int64_t total) { total_.store(total, std::memory_order_relaxed); }
  int64_t total() const { return total_.load(std::memory_order_relaxed); }

  // Records the total at `now_ms`; samples older than 10 minutes are dropped.
  void Sample(int64_t now_ms);
  // Per second over the last `window_ms` of samples (over what there is
  // when the counter is younger); 0 before two samples.
  double PerSecond(int64_t window_ms) const;

 private:
  std::atomic<int64_t> total_{0};
  mutable absl::Mutex mu_;
  std::deque<std::pair<int64_t, int64_t>> samples_ ABSL_GUARDED_BY(mu_);  // (ms, total)
};

class BrokerStats {
 public:
  // How often Sample should run.
  static constexpr int64_t kSampleIntervalMs = 1000;

  // A pull answered with `msgs` messages.
  void OnGet(std::string_view group, std::string_view topic, int64_t msgs);
  // Takes a sample of every counter; `put_total` is the store's put count.
  void Sample(int64_t now_ms, int64_t put_total);

  const RateCounter& put() const { return put_; }
  const RateCounter& get() const { return get_; }
  // The totals at the first sample of today and of yesterday (local time):
  // RocketMQ's msgPutTotalTodayMorning and the like, counted since start.
  int64_t put_today_morning() const;
  int64_t get_today_morning() const;
  int64_t put_yesterday_morning() const;
  int64_t get_yesterday_morning() const;
  // Messages per second the group got from the topic over the last minute.
  double GroupGetTps(std::string_view group, std::string_view topic) const;
  // "tps10s tps60s tps600s" as RocketMQ's runtime info spells rates ("%.2f").
  static std::string FormatRates(const RateCounter& counter);

 private:
  struct Totals {
    int64_t put = 0;
    int64_t get = 0;
  };

  RateCounter put_;
  RateCounter get_;
  mutable absl::Mutex mu_;
  int64_t last_sample_ms_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t day_ ABSL_GUARDED_BY(mu_) = -1;  // Local day of the last sample.
  Totals today_morning_ ABSL_GUARDED_BY(mu_);
  Totals yesterday_morning_ ABSL_GUARDED_BY(mu_);
  // "topic@group" → messages got; counters are never removed (as RocketMQ's).
  absl::flat_hash_map<std::string, std::unique_ptr<RateCounter>> group_get_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_BROKER_STATS_H_
