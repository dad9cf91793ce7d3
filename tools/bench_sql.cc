// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-bench sql: how fast a compiled SQL92 filter decides on a message, as
// the broker's pull path would use it: against the encoded properties of a
// stored record, read in place. Baseline: the same decision written by hand
// (FindProperty for each property, numbers parsed with from_chars), measured
// in the same run. Several runs; the medians are printed, per second of wall
// time and per second of the thread's CPU time (the machine may be shared).

#include <time.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bench.h"
#include "bench_stats.h"
#include "common/properties_codec.h"
#include "filter/sql_expression.h"

namespace rmq::bench {
namespace {

// Properties as a producer's message carries them (system ones included),
// varied so that every branch of the expression is taken.
std::vector<std::string> Messages() {
  const char* values[][3] = {{"7", "x", "50"}, {"3", "x", "5"}, {"9", "y", "12"}, {"1", "z", "0"}};
  std::vector<std::string> out;
  for (const auto& v : values) {
    Message::Properties props{{"UNIQ_KEY", "7F00000100012A9F0000F1D2C3B40000"},
                              {"TAGS", "TagA"},
                              {"KEYS", "order-20261126-000042"},
                              {"WAIT", "true"},
                              {"a", v[0]},
                              {"b", v[1]},
                              {"c", v[2]}};
    out.push_back(internal::EncodeProperties(props));
  }
  return out;
}

// "a > 5 AND b = 'x' OR c BETWEEN 1 AND 10" by hand.
bool HandWritten(std::string_view encoded) {
  std::string_view a, b, c;
  long av = 0, cv = 0;
  if (internal::FindProperty(encoded, "a", &a) &&
      std::from_chars(a.data(), a.data() + a.size(), av).ec == std::errc() && av > 5 &&
      internal::FindProperty(encoded, "b", &b) && b == "x") {
    return true;
  }
  return internal::FindProperty(encoded, "c", &c) &&
         std::from_chars(c.data(), c.data() + c.size(), cv).ec == std::errc() && cv >= 1 &&
         cv <= 10;
}

// CPU time of this thread: on a shared machine the wall clock also counts
// the time other processes had the core.
int64_t ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Rate {
  double wall;  // evaluations per second of wall-clock time
  double cpu;   // evaluations per second of this thread's CPU time
};

template <typename Fn>
Rate EvalsPerSecond(int64_t count, const std::vector<std::string>& messages, Fn&& decide,
                    int64_t* matched) {
  int64_t hits = 0;
  const int64_t start = NowNs(), cpu_start = ThreadCpuNs();
  for (int64_t i = 0; i < count; ++i) {
    hits += decide(std::string_view(messages[static_cast<size_t>(i) & 3])) ? 1 : 0;
  }
  const int64_t elapsed = std::max<int64_t>(NowNs() - start, 1);
  const int64_t cpu = std::max<int64_t>(ThreadCpuNs() - cpu_start, 1);
  *matched = hits;
  const auto n = static_cast<double>(count) * 1e9;
  return {n / static_cast<double>(elapsed), n / static_cast<double>(cpu)};
}

}  // namespace

int RunSqlBench(const SqlBenchOptions& o) {
  auto expr = internal::CompileSql(o.expression);
  if (!expr.ok()) {
    std::fprintf(stderr, "rmq-bench: %s\n", std::string(expr.status().message()).c_str());
    return 2;
  }
  const std::vector<std::string> messages = Messages();
  const bool default_expression = o.expression == SqlBenchOptions().expression;
  for (const std::string& m : messages) {
    if (default_expression && expr->Matches(internal::EncodedPropertySource(m)) != HandWritten(m)) {
      std::fprintf(stderr, "rmq-bench: the filter and the hand-written check disagree\n");
      return 1;
    }
  }
  std::vector<double> sql, hand, sql_cpu, hand_cpu;
  int64_t matched = 0, hand_matched = 0;
  for (int run = 1; run <= o.runs; ++run) {
    const Rate s = EvalsPerSecond(
        o.count, messages,
        [&](std::string_view m) { return expr->Matches(internal::EncodedPropertySource(m)); },
        &matched);
    const Rate h = EvalsPerSecond(o.count, messages, HandWritten, &hand_matched);
    sql.push_back(s.wall);
    sql_cpu.push_back(s.cpu);
    hand.push_back(h.wall);
    hand_cpu.push_back(h.cpu);
    std::fprintf(stderr,
                 "run=%d evals_per_s=%.0f cpu_evals_per_s=%.0f baseline_evals_per_s=%.0f "
                 "baseline_cpu_evals_per_s=%.0f\n",
                 run, s.wall, s.cpu, h.wall, h.cpu);
  }
  const double sql_median = Median(sql), hand_median = Median(hand);
  std::printf(
      "bench=sql properties=%zu properties_bytes=%zu count=%lld runs=%d matched=%lld "
      "evals_per_s=%.0f ns_per_eval=%.1f cpu_evals_per_s=%.0f baseline=hand_written "
      "baseline_evals_per_s=%.0f baseline_cpu_evals_per_s=%.0f ratio=%.2f\n",
      static_cast<size_t>(7), messages[0].size(), static_cast<long long>(o.count), o.runs,
      static_cast<long long>(matched), sql_median, 1e9 / sql_median, Median(sql_cpu),
      hand_median, Median(hand_cpu), sql_median / hand_median);
  return 0;
}

}  // namespace rmq::bench
