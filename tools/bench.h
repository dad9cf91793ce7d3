// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-bench subcommands. Each prints progress to stderr and ends with one
// stdout line of key=value fields, including a baseline measured in the same
// run and the ratio to it.

#ifndef RMQ_TOOLS_BENCH_H_
#define RMQ_TOOLS_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

namespace rmq::bench {

struct StoreBenchOptions {
  std::string dir;
  int64_t size = 128;       // body bytes
  int64_t count = 1000000;  // messages in all
  int threads = 1;
  std::string flush = "async";
  int batch = 1;
  std::string topic = "BenchTopic";
  int64_t segment_size = 1024LL * 1024 * 1024;
  bool no_close = false;    // exit without closing the store (leaves it as a crash would)
  double baseline_seconds = 3;  // cap on each sync baseline's duration (same threads; one thread)
  std::vector<std::string> settings;  // "key=value" store settings (broker.conf keys)
};

struct InprocBenchOptions {
  std::string dir;          // store directory; "" = a temporary one
  int producers = 1;
  int consumers = 1;
  int64_t size = 128;       // body bytes (at least 8: the send time travels in them)
  int64_t count = 1000000;  // messages in all
  std::string flush = "async";
  double rate = 0;          // messages/s in all; 0 = as fast as possible
  int64_t warmup = 2000;    // rmq: messages sent and received before timing starts
  // Rounds of (baseline, rmq) in turn, each rmq round on a fresh store; the
  // summary gives medians, and the ratio is the median of each round's.
  int rounds = 1;
};

struct TcpBenchOptions {
  std::string namesrv;      // host:port of a running name server
  int producers = 1;        // producer threads, one Producer each
  // shared: the Producers share one client instance (one connection to the
  // broker), as rmq's default config makes the producers of one process
  // (one instance per process and name server); separate: one instance
  // (and connection) each, as Java's 4.9 client gives every producer
  // (its default instanceName becomes pid#nanoTime) or as P processes.
  std::string clients = "shared";
  int64_t size = 128;       // body bytes
  int64_t count = 100000;   // messages in all
  std::string mode = "sync";  // sync | async | oneway
  std::string topic = "BenchTcpTopic";
  int window = 1024;        // async: sends outstanding at most, in all
  int64_t echo_count = 0;   // baseline round trips in all; 0 = min(count, 20000)
  // Rounds of (echo, sends) in turn; the summary gives medians, and
  // ratio_p50 is the median of each round's.
  int rounds = 1;
};

struct SqlBenchOptions {
  std::string expression = "a > 5 AND b = 'x' OR c BETWEEN 1 AND 10";
  int64_t count = 10000000;  // evaluations per run
  int runs = 5;
};

struct DelayBenchOptions {
  std::string dir;             // store directory; "" = a temporary one
  int64_t count = 1000000;     // timer messages
  int64_t size = 128;          // body bytes
  int64_t lead_ms = 15000;     // the earliest due time, after the first put
  int64_t spread_ms = 30000;   // due times spread uniformly over this much after that
  int64_t precision_ms = 1000; // timerPrecisionMs
};

int RunStoreBench(const StoreBenchOptions& options);
int RunInprocBench(const InprocBenchOptions& options);
// Times opening the store in `dir` (with `--set` settings).
int RunRecoverBench(const std::string& dir, const std::vector<std::string>& settings);
int RunTcpBench(const TcpBenchOptions& options);
int RunSqlBench(const SqlBenchOptions& options);
int RunDelayBench(const DelayBenchOptions& options);

}  // namespace rmq::bench

#endif  // RMQ_TOOLS_BENCH_H_
