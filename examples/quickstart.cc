// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// quickstart: RocketMQ inside this process. Starts an EmbeddedCluster (a name
// server and a broker over a store directory), sends 1,000 messages with a
// Producer, receives them with a PushConsumer, and prints the counts and the
// send-to-listener latency. No server to start.
//
//   quickstart [STORE_DIR]      (default: a fresh temporary directory)

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "rmq/cluster.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "spdlog/spdlog.h"

namespace {

constexpr int kMessages = 1000;
using SteadyClock = std::chrono::steady_clock;

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

// Deletes the directory when it goes out of scope, on every return path;
// an empty path (a directory the user named) is kept.
struct RemoveOnExit {
  std::string path;
  ~RemoveOnExit() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

int main(int argc, char** argv) {
  const auto started = SteadyClock::now();
  spdlog::set_level(spdlog::level::warn);
  std::string dir;
  RemoveOnExit cleanup;  // Declared before the cluster: runs after its shutdown.
  if (argc < 2) {
    std::string templ = std::filesystem::temp_directory_path().string() + "/rmq-quickstart-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return 1;
    dir = templ;
    cleanup.path = dir;
  } else {
    dir = argv[1];
  }

  // 1. A name server and a broker in this process.
  rmq::EmbeddedClusterOptions options;
  options.store_dir = dir;
  options.broker.store.mapped_file_size_commit_log = 64 << 20;  // Small segments for a demo.
  auto cluster = rmq::EmbeddedCluster::Start(options);
  if (!cluster.ok()) {
    std::fprintf(stderr, "cluster: %s\n", cluster.status().ToString().c_str());
    return 1;
  }
  if (auto created = (*cluster)->CreateTopic("QuickstartTopic", 4); !created.ok()) {
    std::fprintf(stderr, "topic: %s\n", created.ToString().c_str());
    return 1;
  }

  // 2. A consumer group with a listener: each message's latency from its send.
  std::vector<std::atomic<int64_t>> sent_at(kMessages);
  absl::Mutex mu;
  std::vector<int64_t> latencies_ns;
  std::vector<int> seen(kMessages, 0);
  int tag_a = 0;
  rmq::PushConsumerConfig consumer_config;
  consumer_config.group_name = "QuickstartConsumers";
  consumer_config.namesrv_addr = (*cluster)->namesrv_address();
  consumer_config.consume_from_where = rmq::ConsumeFromWhere::kFirstOffset;
  rmq::PushConsumer consumer(consumer_config);
  if (auto s = consumer.Subscribe("QuickstartTopic", "*"); !s.ok()) {
    std::fprintf(stderr, "subscribe: %s\n", s.ToString().c_str());
    return 1;
  }
  consumer.RegisterMessageListener(
      [&](std::span<const rmq::MessageExt> msgs, rmq::ConsumeConcurrentlyContext&) {
        int64_t now = NowNanos();
        absl::MutexLock lock(&mu);
        for (const rmq::MessageExt& msg : msgs) {
          int i = std::stoi(std::string(msg.keys()));
          latencies_ns.push_back(now - sent_at[static_cast<size_t>(i)].load());
          seen[static_cast<size_t>(i)]++;
          if (msg.tags() == "TagA") ++tag_a;
        }
        return rmq::ConsumeConcurrentlyStatus::kConsumeSuccess;
      });
  if (auto s = consumer.Start(); !s.ok()) {
    std::fprintf(stderr, "consumer: %s\n", s.ToString().c_str());
    return 1;
  }

  // 3. A producer sends 1,000 messages, round-robin over the topic's queues.
  rmq::ProducerConfig producer_config;
  producer_config.group_name = "QuickstartProducers";
  producer_config.namesrv_addr = (*cluster)->namesrv_address();
  rmq::Producer producer(producer_config);
  if (auto s = producer.Start(); !s.ok()) {
    std::fprintf(stderr, "producer: %s\n", s.ToString().c_str());
    return 1;
  }
  for (int i = 0; i < kMessages; ++i) {
    rmq::Message msg("QuickstartTopic", i % 2 ? "TagA" : "TagB", std::to_string(i),
                     "hello rmq #" + std::to_string(i));
    sent_at[static_cast<size_t>(i)].store(NowNanos());
    auto result = producer.Send(msg);
    if (!result.ok()) {
      std::fprintf(stderr, "send %d: %s\n", i, result.status().ToString().c_str());
      return 1;
    }
  }

  // 4. Wait for the listener to have seen everything (10 s at most).
  bool all = false;
  {
    absl::MutexLock lock(&mu);
    auto done = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return latencies_ns.size() >= kMessages; };
    all = mu.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(10));
  }
  consumer.Shutdown();
  producer.Shutdown();
  (*cluster)->Shutdown();

  absl::MutexLock lock(&mu);
  int received = 0;
  int duplicates = 0;
  for (int count : seen) {
    received += count > 0 ? 1 : 0;
    duplicates += count > 1 ? count - 1 : 0;
  }
  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto percentile_us = [&](double p) {
    if (latencies_ns.empty()) return 0.0;
    size_t at = std::min(latencies_ns.size() - 1, static_cast<size_t>(p * latencies_ns.size()));
    return latencies_ns[at] / 1000.0;
  };
  double elapsed_ms =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count();
  std::printf("store: %s%s\n", dir.c_str(), cleanup.path.empty() ? "" : " (temporary: deleted on exit)");
  std::printf("sent=%d received=%d duplicates=%d tagA=%d\n", kMessages, received, duplicates, tag_a);
  std::printf("latency_us p50=%.1f p99=%.1f max=%.1f\n", percentile_us(0.5), percentile_us(0.99),
              latencies_ns.empty() ? 0.0 : latencies_ns.back() / 1000.0);
  std::printf("elapsed_ms=%.0f\n", elapsed_ms);
  return all && received == kMessages && duplicates == 0 ? 0 : 1;
}
