// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What the rmq-bench subcommands share for timing: a monotonic clock in
// nanoseconds and latency percentiles of nanosecond samples.

#ifndef RMQ_TOOLS_BENCH_STATS_H_
#define RMQ_TOOLS_BENCH_STATS_H_

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace rmq::bench {

using SteadyClock = std::chrono::steady_clock;

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

struct Percentiles {
  double p50_us = 0, p99_us = 0, p99_9_us = 0, max_us = 0;
};

// Of nanosecond samples, which are reordered; all zero for none.
template <typename T>
Percentiles ComputePercentiles(std::vector<T>& ns) {
  Percentiles p;
  if (ns.empty()) return p;
  auto at = [&](double q) {
    size_t k = std::min(ns.size() - 1, static_cast<size_t>(q * static_cast<double>(ns.size())));
    std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
    return static_cast<double>(ns[k]) / 1000.0;
  };
  p.p50_us = at(0.5);
  p.p99_us = at(0.99);
  p.p99_9_us = at(0.999);
  p.max_us = static_cast<double>(*std::max_element(ns.begin(), ns.end())) / 1000.0;
  return p;
}

// The median of `values` (the mean of the middle two for an even count);
// 0 for none. Rounds of a benchmark are summarized so: on a noisy machine
// one slow or fast round does not move it.
inline double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// "a,b,c": `values` with `decimals` digits after the point, as a key=value
// summary lists the figure of every round.
inline std::string JoinFixed(const std::vector<double>& values, int decimals) {
  std::string out;
  char buf[64];
  for (double v : values) {
    if (!out.empty()) out += ',';
    std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    out += buf;
  }
  return out;
}

// Of the samples of several threads together.
inline Percentiles MergedPercentiles(const std::vector<std::vector<int64_t>>& per_thread) {
  std::vector<int64_t> all;
  for (const auto& v : per_thread) all.insert(all.end(), v.begin(), v.end());
  return ComputePercentiles(all);
}

}  // namespace rmq::bench

#endif  // RMQ_TOOLS_BENCH_STATS_H_
