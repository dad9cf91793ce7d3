// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-bench delay: N timer messages (TIMER_DELIVER_MS) put into a store on
// the system clock, each due at a random time `lead` to `lead + spread` ms
// after the first put; then waits for all to reach their topic and reports
//   - how late each arrived (the put-back's store time minus its due time,
//     ms): p50, p99, max;
//   - the heap held while all N wait (mallinfo in-use bytes, after the puts
//     and the timer's enqueue, minus before), per waiting message;
//   - the put rate of timer messages.
// Baselines, measured in the same run: plain puts of the same messages into
// another topic (put rate), and the heap of an in-memory priority queue of
// the same N (due, offset, size) records, which is what a timer that keeps
// its schedule on the heap holds at least.

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "bench.h"
#include "bench_heap.h"
#include "bench_stats.h"
#include "common/msg_id.h"
#include "common/str_cat.h"
#include "rmq/store.h"
#include "store/default_message_store.h"
#include "store/timer_wheel.h"

namespace rmq::bench {
namespace {

constexpr const char* kTopic = "BenchDelayTopic";
constexpr const char* kPlainTopic = "BenchDelayPlain";

double SecondsSince(int64_t start_ns) { return static_cast<double>(NowNs() - start_ns) / 1e9; }

MessageExt MakeBenchMessage(internal::UniqKeyGenerator& ids, const std::string& topic, int64_t i,
                            const std::string& body) {
  MessageExt msg;
  msg.set_topic(topic);
  msg.queue_id = static_cast<int32_t>(i % 4);
  msg.set_body(body);
  msg.set_tags("TagA");
  msg.PutProperty(property::kUniqKey, ids.Next());
  msg.PutProperty(property::kWaitStoreMsgOk, "false");
  msg.born_timestamp = 1;
  return msg;
}

// Bytes the heap holds for an in-memory schedule of `count` records.
int64_t BaselineHeapBytes(int64_t count, const std::vector<int64_t>& dues) {
  struct Later {
    bool operator()(const internal::TimerRecord& a, const internal::TimerRecord& b) const {
      return a.deliver_ms > b.deliver_ms;
    }
  };
  malloc_trim(0);
  const int64_t before = HeapInUseBytes();
  int64_t held = 0;
  {
    std::priority_queue<internal::TimerRecord, std::vector<internal::TimerRecord>, Later> heap;
    for (int64_t i = 0; i < count; ++i) {
      heap.push(internal::TimerRecord{dues[static_cast<size_t>(i)], i * 200, 200});
    }
    held = HeapInUseBytes() - before;
  }
  return held;
}

}  // namespace

int RunDelayBench(const DelayBenchOptions& options) {
  std::string dir = options.dir;
  const bool temporary = dir.empty();
  if (temporary) {
    std::string templ = std::filesystem::temp_directory_path().string() + "/rmq-bench-delay-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return 1;
    dir = templ;
  }
  MessageStoreConfig config;
  config.store_path_root_dir = dir;
  config.mapped_file_size_commit_log = 256LL << 20;
  config.timer_precision_ms = static_cast<int32_t>(options.precision_ms);
  auto opened = internal::DefaultMessageStore::Open(config, SystemClock::Default());
  if (!opened.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), std::string(opened.status().message()).c_str());
    return 1;
  }
  std::unique_ptr<internal::DefaultMessageStore> store = *std::move(opened);
  const std::string body(static_cast<size_t>(options.size), 'x');
  internal::UniqKeyGenerator ids(*SystemClock::Default(), HostAddress::Ipv4(127, 0, 0, 1, 0));

  // Baseline put rate: the same messages, no timer.
  int64_t t0 = NowNs();
  for (int64_t i = 0; i < options.count; ++i) {
    if (!store->Put(MakeBenchMessage(ids, kPlainTopic, i, body)).ok()) return 1;
  }
  const double plain_rate = static_cast<double>(options.count) / SecondsSince(t0);
  store->WaitForDispatch();

  std::mt19937_64 random(42);
  const int64_t first_put_ms = SystemClock::Default()->NowMillis();
  std::vector<int64_t> dues(static_cast<size_t>(options.count));
  for (auto& due : dues) {
    due = first_put_ms + options.lead_ms +
          static_cast<int64_t>(random() % static_cast<uint64_t>(options.spread_ms + 1));
  }
  malloc_trim(0);
  const int64_t heap_before = HeapInUseBytes();
  t0 = NowNs();
  for (int64_t i = 0; i < options.count; ++i) {
    MessageExt msg = MakeBenchMessage(ids, kTopic, i, body);
    msg.set_deliver_time_ms(dues[static_cast<size_t>(i)]);
    auto put = store->Put(msg);
    if (!put.ok()) {
      std::fprintf(stderr, "put %lld: %s\n", static_cast<long long>(i),
                   std::string(put.status().message()).c_str());
      return 1;
    }
  }
  const double timer_rate = static_cast<double>(options.count) / SecondsSince(t0);
  const double put_seconds = SecondsSince(t0);
  store->WaitForDispatch();
  // Until the timer has linked every unit (or the first are due).
  while (store->timer_service().checkpoint().enqueue_offset < options.count &&
         SystemClock::Default()->NowMillis() < first_put_ms + options.lead_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int64_t heap_waiting = HeapInUseBytes() - heap_before;
  std::fprintf(stderr, "put %lld timer messages in %.1f s; waiting heap %+lld bytes\n",
               static_cast<long long>(options.count), put_seconds,
               static_cast<long long>(heap_waiting));

  // Wait for every delivery.
  const int64_t deadline_ms = first_put_ms + options.lead_ms + options.spread_ms + 120'000;
  int64_t delivered = 0;
  int64_t heap_peak = heap_waiting;
  while (true) {
    delivered = 0;
    for (int q = 0; q < 4; ++q) delivered += store->GetMaxOffsetInQueue(kTopic, q);
    heap_peak = std::max(heap_peak, HeapInUseBytes() - heap_before);
    if (delivered >= options.count) break;
    if (SystemClock::Default()->NowMillis() > deadline_ms) {
      std::fprintf(stderr, "only %lld of %lld delivered by the deadline\n",
                   static_cast<long long>(delivered), static_cast<long long>(options.count));
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  std::vector<int64_t> lateness_ns;
  lateness_ns.reserve(static_cast<size_t>(options.count));
  for (int q = 0; q < 4; ++q) {
    for (int64_t offset = 0;;) {
      GetMessageResult got = store->Get(kTopic, q, offset, 32, nullptr);
      if (got.message_count() == 0) break;
      for (size_t k = 0; k < got.message_count(); ++k) {
        auto msg = DecodeMessage(got.record(k));
        if (!msg.ok()) return 1;
        int64_t due = 0;
        if (!absl::SimpleAtoi(internal::AbslView(msg->GetProperty(property::kTimerOutMs)), &due)) return 1;
        lateness_ns.push_back((msg->store_timestamp - due) * 1'000'000);
      }
      offset = got.next_begin_offset;
    }
  }
  const int64_t early = std::count_if(lateness_ns.begin(), lateness_ns.end(),
                                      [](int64_t ns) { return ns < 0; });
  Percentiles late = ComputePercentiles(lateness_ns);
  store.reset();
  if (temporary) std::filesystem::remove_all(dir);

  const int64_t baseline_heap = BaselineHeapBytes(options.count, dues);
  const double per_msg = static_cast<double>(heap_waiting) / static_cast<double>(options.count);
  const double baseline_per_msg =
      static_cast<double>(baseline_heap) / static_cast<double>(options.count);
  std::printf(
      "bench=delay count=%lld spread_ms=%lld precision_ms=%lld late_p50_ms=%.0f late_p99_ms=%.0f "
      "late_max_ms=%.0f early=%lld heap_waiting_bytes_per_msg=%.1f heap_peak_mb=%.1f "
      "baseline_heap_bytes_per_msg=%.1f heap_ratio=%.3f timer_put_msgs_per_s=%.0f "
      "baseline_put_msgs_per_s=%.0f put_ratio=%.3f\n",
      static_cast<long long>(options.count), static_cast<long long>(options.spread_ms),
      static_cast<long long>(options.precision_ms), late.p50_us / 1000, late.p99_us / 1000,
      late.max_us / 1000, static_cast<long long>(early), per_msg,
      static_cast<double>(heap_peak) / (1 << 20), baseline_per_msg,
      baseline_per_msg > 0 ? per_msg / baseline_per_msg : 0.0, timer_rate, plain_rate,
      timer_rate / plain_rate);
  return early == 0 ? 0 : 1;
}

}  // namespace rmq::bench
