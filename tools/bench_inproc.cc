// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-bench inproc: end-to-end throughput and latency in one process, from
// Producer::Send to the PushConsumer's listener, over an EmbeddedCluster.
//
// Baseline, measured in the same run with the same threads and payloads: a
// std::deque guarded by a mutex and a condition variable, the plainest
// in-process hand-off. Latency is measured from just before the send (or the
// push) to the listener (or the pop), with the steady clock; the send time
// travels in the first 8 bytes of each body. Before the timed messages rmq
// sends --warmup messages (time 0 in the body, not counted) and waits for
// them all to arrive, so that start-up (the consumer's first rebalance and
// pulls, routes, fresh pages) is not measured as latency.

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "absl/synchronization/mutex.h"
#include "common/str_cat.h"
#include "common/this_thread.h"
#include "rmq/cluster.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "spdlog/spdlog.h"
#include "bench.h"
#include "bench_stats.h"

namespace rmq::bench {
namespace {

// A body of `size` bytes (at least 8) whose first 8 bytes are the send time.
void StampBody(std::string& body, int64_t ns) { std::memcpy(body.data(), &ns, sizeof(ns)); }
int64_t BodyStamp(std::string_view body) {
  int64_t ns = 0;
  if (body.size() >= sizeof(ns)) std::memcpy(&ns, body.data(), sizeof(ns));
  return ns;
}

// Paces one producer thread at `rate` messages/s (0: as fast as possible).
// It sleeps until the next send is due and, when it wakes late, sends the
// messages that fell due meanwhile back to back. It never spins: on a 2-core
// machine a spinning producer keeps a core from the broker's and the
// consumer's threads, which then wait milliseconds to run (their latency is
// what is measured). The thread's timer slack is cut to 1 us so that a sleep
// of a few microseconds does not last the default 50.
class Pacer {
 public:
  explicit Pacer(double rate) : interval_ns_(rate > 0 ? 1e9 / rate : 0), next_(NowNs()) {
    if (interval_ns_ > 0) ::prctl(PR_SET_TIMERSLACK, 1000UL);  // This thread only.
  }
  void Wait() {
    if (interval_ns_ <= 0) return;
    next_ += interval_ns_;
    const int64_t due = static_cast<int64_t>(next_);
    const int64_t now = NowNs();
    if (due > now) std::this_thread::sleep_for(std::chrono::nanoseconds(due - now));
  }

 private:
  double interval_ns_;
  double next_;  // A double, so that rates whose interval is not whole nanoseconds stay exact.
};

struct Outcome {
  double msgs_per_s = 0;
  double p50_us = 0, p99_us = 0, p99_9_us = 0;
  int64_t received = 0;
};

// Latency samples from several threads, merged at the end.
class Latencies {
 public:
  explicit Latencies(int threads) : per_thread_(static_cast<size_t>(threads)) {}
  std::vector<int64_t>& of(int thread) { return per_thread_[static_cast<size_t>(thread)]; }
  void Fill(Outcome& out) {
    const Percentiles p = MergedPercentiles(per_thread_);
    out.p50_us = p.p50_us;
    out.p99_us = p.p99_us;
    out.p99_9_us = p.p99_9_us;
  }

 private:
  std::vector<std::vector<int64_t>> per_thread_;
};

Outcome RunBaseline(const InprocBenchOptions& o) {
  std::mutex mu;
  std::condition_variable ready;
  std::deque<std::string> queue;
  bool producers_done = false;
  std::atomic<int64_t> received{0};
  Latencies latencies(o.consumers);
  const int64_t per_producer = o.count / o.producers;
  const int64_t total = per_producer * o.producers;
  auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < o.consumers; ++c) {
    threads.emplace_back([&, c] {
      auto& samples = latencies.of(c);
      samples.reserve(static_cast<size_t>(total / o.consumers + 1));
      while (true) {
        std::string body;
        {
          std::unique_lock lock(mu);
          ready.wait(lock, [&] { return !queue.empty() || producers_done; });
          if (queue.empty()) return;
          body = std::move(queue.front());
          queue.pop_front();
        }
        samples.push_back(NowNs() - BodyStamp(body));
        received.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < o.producers; ++p) {
    producers.emplace_back([&] {
      Pacer pacer(o.rate / o.producers);
      std::string body(static_cast<size_t>(std::max<int64_t>(o.size, 8)), 'x');
      for (int64_t i = 0; i < per_producer; ++i) {
        pacer.Wait();
        StampBody(body, NowNs());
        {
          std::lock_guard lock(mu);
          queue.push_back(body);
        }
        ready.notify_one();
      }
    });
  }
  for (auto& t : producers) t.join();
  {
    std::lock_guard lock(mu);
    producers_done = true;
  }
  ready.notify_all();
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  Outcome out;
  out.received = received.load();
  out.msgs_per_s = static_cast<double>(out.received) / seconds;
  latencies.Fill(out);
  return out;
}

absl::StatusOr<Outcome> RunRmq(const InprocBenchOptions& o, const std::string& dir) {
  EmbeddedClusterOptions options;
  options.store_dir = dir;
  options.name = "rmq-bench";
  options.broker.store.flush_disk_type =
      o.flush == "sync" ? FlushDiskType::kSyncFlush : FlushDiskType::kAsyncFlush;
  options.broker.store.mapped_file_size_commit_log = 256LL << 20;
  auto cluster = EmbeddedCluster::Start(options);
  if (!cluster.ok()) return cluster.status();
  const int queues = std::max(4, std::max(o.producers, o.consumers));
  if (auto s = (*cluster)->CreateTopic("BenchTopic", queues); !s.ok()) return s;

  const int64_t per_producer = o.count / o.producers;
  const int64_t total = per_producer * o.producers;
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> warmup_received{0};
  absl::Mutex done_mu;
  bool done = false;
  bool warmed_up = o.warmup == 0;
  Latencies latencies(o.consumers);
  // One per consumer's samples. Declared before the consumers, so destroyed
  // after them: their listeners (which, like every local here, they use by
  // reference) have stopped by then.
  std::vector<std::unique_ptr<absl::Mutex>> sample_mus;
  std::vector<std::unique_ptr<PushConsumer>> consumers;
  for (int c = 0; c < o.consumers; ++c) {
    PushConsumerConfig config;
    config.group_name = "BenchConsumers";
    config.namesrv_addr = (*cluster)->namesrv_address();
    config.instance_name = "bench-consumer-" + std::to_string(c);
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    auto consumer = std::make_unique<PushConsumer>(config);
    if (auto s = consumer->Subscribe("BenchTopic", "*"); !s.ok()) return s;
    auto* samples = &latencies.of(c);
    auto* samples_mu = sample_mus.emplace_back(std::make_unique<absl::Mutex>()).get();
    samples->reserve(static_cast<size_t>(total / o.consumers + 1));
    consumer->RegisterMessageListener(
        [&, samples, samples_mu](std::span<const MessageExt> msgs, ConsumeConcurrentlyContext&) {
          int64_t now = NowNs();
          int64_t timed = 0;
          {
            absl::MutexLock lock(samples_mu);
            for (const MessageExt& m : msgs) {
              const int64_t stamp = BodyStamp(m.body());
              if (stamp == 0) continue;  // A warm-up message.
              samples->push_back(now - stamp);
              ++timed;
            }
          }
          const int64_t untimed = static_cast<int64_t>(msgs.size()) - timed;
          const int64_t n = received.fetch_add(timed) + timed;
          const int64_t w = warmup_received.fetch_add(untimed) + untimed;
          if (n >= total || (untimed > 0 && w >= o.warmup)) {
            absl::MutexLock lock(&done_mu);
            done = done || n >= total;
            warmed_up = warmed_up || w >= o.warmup;
          }
          return ConsumeConcurrentlyStatus::kConsumeSuccess;
        });
    if (auto s = consumer->Start(); !s.ok()) return s;
    consumers.push_back(std::move(consumer));
  }

  std::vector<std::unique_ptr<Producer>> producers;
  for (int p = 0; p < o.producers; ++p) {
    ProducerConfig config;
    config.group_name = "BenchProducers" + std::to_string(p);
    config.namesrv_addr = (*cluster)->namesrv_address();
    config.instance_name = "bench-producer-" + std::to_string(p);
    producers.push_back(std::make_unique<Producer>(config));
    if (auto s = producers.back()->Start(); !s.ok()) return s;
    // Learn the route before the clock starts.
    if (auto q = producers.back()->FetchPublishMessageQueues("BenchTopic"); !q.ok()) return q.status();
  }
  std::atomic<int64_t> send_errors{0};
  // Warm-up: untimed messages, all received before the clock starts.
  for (int64_t i = 0; i < o.warmup; ++i) {
    Message msg("BenchTopic", std::string(static_cast<size_t>(std::max<int64_t>(o.size, 8)), '\0'));
    if (!producers[static_cast<size_t>(i % o.producers)]->Send(msg).ok()) send_errors.fetch_add(1);
  }
  {
    absl::MutexLock lock(&done_mu);
    auto warm = [&]() ABSL_SHARED_LOCKS_REQUIRED(done_mu) { return warmed_up; };
    done_mu.AwaitWithTimeout(absl::Condition(&warm), absl::Seconds(60));
  }
  auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int p = 0; p < o.producers; ++p) {
    threads.emplace_back([&, p] {
      internal::RequestShortSlice();  // As rmq's own threads do; see there.
      Pacer pacer(o.rate / o.producers);
      Message msg("BenchTopic", std::string(static_cast<size_t>(std::max<int64_t>(o.size, 8)), 'x'));
      for (int64_t i = 0; i < per_producer; ++i) {
        pacer.Wait();
        StampBody(*msg.mutable_body(), NowNs());
        if (!producers[static_cast<size_t>(p)]->Send(msg).ok()) send_errors.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  double send_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  {
    absl::MutexLock lock(&done_mu);
    auto finished = [&]() ABSL_SHARED_LOCKS_REQUIRED(done_mu) { return done; };
    done_mu.AwaitWithTimeout(absl::Condition(&finished), absl::Seconds(60));
  }
  double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  for (auto& c : consumers) c->Shutdown();
  for (auto& p : producers) p->Shutdown();
  (*cluster)->Shutdown();
  Outcome out;
  out.received = received.load();
  out.msgs_per_s = static_cast<double>(out.received) / seconds;
  latencies.Fill(out);
  std::fprintf(stderr, "rmq: sent %lld in %.2f s (%lld errors), received %lld in %.2f s\n",
               static_cast<long long>(total), send_seconds, static_cast<long long>(send_errors.load()),
               static_cast<long long>(out.received), seconds);
  return out;
}

// RunRmq on an empty store: a temporary directory, or under --dir (its
// round-N subdirectory when there are several rounds).
absl::StatusOr<Outcome> RunRmqOnFreshStore(const InprocBenchOptions& options, int round) {
  if (!options.dir.empty()) {
    return RunRmq(options, options.rounds == 1
                               ? options.dir
                               : options.dir + "/round-" + std::to_string(round));
  }
  std::string dir = std::filesystem::temp_directory_path().string() + "/rmq-bench-inproc-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError(internal::StrCat("cannot create a temporary store directory: ",
                                      std::strerror(errno)));
  }
  auto out = RunRmq(options, dir);
  std::filesystem::remove_all(dir);
  return out;
}

}  // namespace

int RunInprocBench(const InprocBenchOptions& options) {
  spdlog::set_level(spdlog::level::warn);
  std::vector<double> rates, p50s, p99s, p99_9s, base_rates, base_p50s, base_p99s, ratios;
  int64_t received = -1;  // The fewest of any round.
  for (int round = 1; round <= options.rounds; ++round) {
    std::fprintf(stderr, "baseline: mutex+condvar deque hand-off...\n");
    Outcome baseline = RunBaseline(options);
    std::fprintf(stderr, "baseline: %.0f msgs/s p50 %.1f us\n", baseline.msgs_per_s, baseline.p50_us);
    auto rmq = RunRmqOnFreshStore(options, round);
    if (!rmq.ok()) {
      std::fprintf(stderr, "rmq-bench inproc: %s\n", rmq.status().ToString().c_str());
      return 1;
    }
    const double ratio = baseline.msgs_per_s > 0 ? rmq->msgs_per_s / baseline.msgs_per_s : 0.0;
    if (options.rounds > 1) {
      std::fprintf(stderr, "round %d of %d: rmq %.0f msgs/s p50 %.1f us, baseline %.0f msgs/s, ratio %.3f\n",
                   round, options.rounds, rmq->msgs_per_s, rmq->p50_us, baseline.msgs_per_s, ratio);
    }
    rates.push_back(rmq->msgs_per_s);
    p50s.push_back(rmq->p50_us);
    p99s.push_back(rmq->p99_us);
    p99_9s.push_back(rmq->p99_9_us);
    base_rates.push_back(baseline.msgs_per_s);
    base_p50s.push_back(baseline.p50_us);
    base_p99s.push_back(baseline.p99_us);
    ratios.push_back(ratio);
    received = received < 0 ? rmq->received : std::min(received, rmq->received);
  }
  const int64_t expected = options.count / options.producers * options.producers;
  // With several rounds every figure is the median of the rounds', and the
  // ratio the median of each round's own ratio (a round's rmq and baseline
  // ran minutes apart at most; rounds may not have).
  std::printf(
      "mode=inproc producers=%d consumers=%d size=%lld count=%lld warmup=%lld flush=%s rate=%.0f "
      "rounds=%d received=%lld msgs_per_s=%.0f p50_us=%.1f p99_us=%.1f p99_9_us=%.1f "
      "baseline_msgs_per_s=%.0f baseline_p50_us=%.1f baseline_p99_us=%.1f ratio=%.3f "
      "msgs_per_s_rounds=%s ratio_rounds=%s\n",
      options.producers, options.consumers, static_cast<long long>(options.size),
      static_cast<long long>(expected), static_cast<long long>(options.warmup),
      options.flush.c_str(), options.rate, options.rounds, static_cast<long long>(received),
      Median(rates), Median(p50s), Median(p99s), Median(p99_9s), Median(base_rates),
      Median(base_p50s), Median(base_p99s), Median(ratios), JoinFixed(rates, 0).c_str(),
      JoinFixed(ratios, 3).c_str());
  return received == expected ? 0 : 1;
}

}  // namespace rmq::bench
