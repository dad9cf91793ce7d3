// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/broker_stats.h"

#include <ctime>

#include "fmt/format.h"

namespace rmq::internal {
namespace {

constexpr int64_t kKeepMs = 600 * 1000;

// A number that changes at local midnight.
int64_t LocalDay(int64_t ms) {
  const time_t seconds = static_cast<time_t>(ms / 1000);
  struct tm local {};
  localtime_r(&seconds, &local);
  return static_cast<int64_t>(local.tm_year) * 1000 + local.tm_yday;
}

// "topic@group", built in a buffer of this thread's so that counting a pull
// allocates nothing once the buffer has grown.
const std::string& GroupKey(std::string_view group, std::string_view topic) {
  thread_local std::string key;
  key.assign(topic).append(1, '@').append(group);
  return key;
}

}  // namespace

void RateCounter::Sample(int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  samples_.emplace_back(now_ms, total());
  // One sample older than the longest window stays, so that window is whole.
  while (samples_.size() > 2 && samples_[1].first <= now_ms - kKeepMs) samples_.pop_front();
}

double RateCounter::PerSecond(int64_t window_ms) const {
  absl::MutexLock lock(&mu_);
  if (samples_.size() < 2) return 0;
  const auto& [last_ms, last_total] = samples_.back();
  // The newest sample at least `window_ms` old, else the oldest.
  auto from = samples_.begin();
  for (auto it = samples_.begin(); it != samples_.end() && it->first <= last_ms - window_ms; ++it) {
    from = it;
  }
  const int64_t elapsed_ms = last_ms - from->first;
  if (elapsed_ms <= 0) return 0;
  return static_cast<double>(last_total - from->second) * 1000.0 / static_cast<double>(elapsed_ms);
}

void BrokerStats::OnGet(std::string_view group, std::string_view topic, int64_t msgs) {
  get_.Add(msgs);
  const std::string& key = GroupKey(group, topic);
  absl::MutexLock lock(&mu_);
  auto& counter = group_get_[key];
  if (!counter) {
    counter = std::make_unique<RateCounter>();
    // It was at 0 at the last sample: its first messages count in the
    // interval after it, as the broker-wide counters' do.
    if (last_sample_ms_ >= 0) counter->Sample(last_sample_ms_);
  }
  counter->Add(msgs);
}

void BrokerStats::Sample(int64_t now_ms, int64_t put_total) {
  put_.Set(put_total);
  put_.Sample(now_ms);
  get_.Sample(now_ms);
  absl::MutexLock lock(&mu_);
  last_sample_ms_ = now_ms;
  if (const int64_t day = LocalDay(now_ms); day != day_) {
    // The first sample (at start) leaves both mornings at 0: counted since start.
    if (day_ >= 0) {
      yesterday_morning_ = today_morning_;
      today_morning_ = {put_.total(), get_.total()};
    }
    day_ = day;
  }
  for (auto& [key, counter] : group_get_) counter->Sample(now_ms);
}

double BrokerStats::GroupGetTps(std::string_view group, std::string_view topic) const {
  absl::MutexLock lock(&mu_);
  auto it = group_get_.find(GroupKey(group, topic));
  return it == group_get_.end() ? 0 : it->second->PerSecond(60 * 1000);
}

std::string BrokerStats::FormatRates(const RateCounter& counter) {
  return fmt::format("{:.2f} {:.2f} {:.2f}", counter.PerSecond(10 * 1000),
                     counter.PerSecond(60 * 1000), counter.PerSecond(600 * 1000));
}

int64_t BrokerStats::put_today_morning() const {
  absl::MutexLock lock(&mu_);
  return today_morning_.put;
}

int64_t BrokerStats::get_today_morning() const {
  absl::MutexLock lock(&mu_);
  return today_morning_.get;
}

int64_t BrokerStats::put_yesterday_morning() const {
  absl::MutexLock lock(&mu_);
  return yesterday_morning_.put;
}

int64_t BrokerStats::get_yesterday_morning() const {
  absl::MutexLock lock(&mu_);
  return yesterday_morning_.get;
}

}  // namespace rmq::internal
