// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-bench: benchmarks that print figures and the ratio to a baseline
// measured in the same run (machines are noisy; ratios travel better).

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "bench.h"

int main(int argc, char** argv) {
  // Abseil's lock-order graph (on in debug builds of Abseil) costs more than
  // the work measured here; tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"rmq-bench: rmq benchmarks"};
  app.require_subcommand(1);

  rmq::bench::StoreBenchOptions store;
  auto* s = app.add_subcommand("store", "append to a MessageStore; baseline: memcpy into a mapped "
                                        "file (async) or one fdatasync per record (sync)");
  s->add_option("--dir", store.dir, "store directory (created; must be empty)")->required();
  s->add_option("--size", store.size, "body bytes")->check(CLI::Range(int64_t{0}, int64_t{4} << 20));
  s->add_option("--count", store.count, "messages in all")->check(CLI::PositiveNumber);
  s->add_option("--threads", store.threads, "putting threads")->check(CLI::Range(1, 1024));
  s->add_option("--flush", store.flush, "flushDiskType")->check(CLI::IsMember({"sync", "async"}));
  s->add_option("--batch", store.batch, "messages per put (PutBatch)")->check(CLI::Range(1, 10000));
  s->add_option("--topic", store.topic, "topic (4 queues)");
  s->add_option("--segment-size", store.segment_size, "mappedFileSizeCommitLog");
  s->add_option("--baseline-seconds", store.baseline_seconds, "longest time each sync baseline runs (same threads, and one thread)");
  s->add_flag("--no-close", store.no_close, "exit without closing the store, as a crash would");
  s->add_option("--set", store.settings, "a store setting, key=value (broker.conf key names)");

  std::string recover_dir;
  auto* r = app.add_subcommand("recover", "time opening (recovering) an existing store");
  r->add_option("--dir", recover_dir, "store directory")->required();
  std::vector<std::string> recover_settings;
  r->add_option("--set", recover_settings, "a store setting, key=value (broker.conf key names)");

  rmq::bench::InprocBenchOptions inproc;
  auto* i = app.add_subcommand("inproc", "Producer -> PushConsumer through an EmbeddedCluster; "
                                         "baseline: a mutex+condvar deque hand-off");
  i->add_option("--producers", inproc.producers, "producer threads")->check(CLI::Range(1, 256));
  i->add_option("--consumers", inproc.consumers, "push consumers (members of one group)")
      ->check(CLI::Range(1, 256));
  i->add_option("--size", inproc.size, "body bytes")->check(CLI::Range(int64_t{8}, int64_t{4} << 20));
  i->add_option("--count", inproc.count, "messages in all")->check(CLI::PositiveNumber);
  i->add_option("--flush", inproc.flush, "flushDiskType")->check(CLI::IsMember({"sync", "async"}));
  i->add_option("--rate", inproc.rate, "messages/s in all (0: unlimited)")->check(CLI::NonNegativeNumber);
  i->add_option("--dir", inproc.dir, "store directory (default: a temporary one)");
  i->add_option("--warmup", inproc.warmup,
                "messages sent and received untimed first (consumers started, routes and pages warm)")
      ->check(CLI::NonNegativeNumber);
  i->add_option("--rounds", inproc.rounds,
                "rounds of baseline then rmq (fresh store each); medians are printed")
      ->check(CLI::Range(1, 100));

  rmq::bench::TcpBenchOptions tcp;
  auto* t = app.add_subcommand("tcp", "Producer sends to a running server over TCP; baseline: "
                                      "a raw TCP echo of frames as large over loopback");
  t->add_option("--namesrv", tcp.namesrv, "name server host:port")->required();
  t->add_option("--producers", tcp.producers, "producer threads")->check(CLI::Range(1, 256));
  t->add_option("--size", tcp.size, "body bytes")->check(CLI::Range(int64_t{1}, int64_t{4} << 20));
  t->add_option("--count", tcp.count, "messages in all")->check(CLI::PositiveNumber);
  t->add_option("--mode", tcp.mode, "send mode")->check(CLI::IsMember({"sync", "async", "oneway"}));
  t->add_option("--clients", tcp.clients,
                "shared: one client instance (connection) for all producers, rmq's default config; "
                "separate: one each, as Java's 4.9 client")
      ->check(CLI::IsMember({"shared", "separate"}));
  t->add_option("--topic", tcp.topic, "topic (auto-created by the broker if it allows)");
  t->add_option("--window", tcp.window, "async: outstanding sends at most, in all")
      ->check(CLI::Range(1, 1 << 20));
  t->add_option("--echo-count", tcp.echo_count, "baseline round trips (0: min(count, 20000))")
      ->check(CLI::NonNegativeNumber);
  t->add_option("--rounds", tcp.rounds, "rounds of echo then sends; medians are printed")
      ->check(CLI::Range(1, 100));

  rmq::bench::SqlBenchOptions sql;
  auto* q = app.add_subcommand("sql", "evaluate a SQL92 filter against encoded message "
                                      "properties; baseline: the same check written by hand");
  q->add_option("--expression", sql.expression, "the filter (default: the 3-term one)");
  q->add_option("--count", sql.count, "evaluations per run")->check(CLI::PositiveNumber);
  q->add_option("--runs", sql.runs, "runs (medians are printed)")->check(CLI::Range(1, 100));

  rmq::bench::DelayBenchOptions delay;
  auto* d = app.add_subcommand("delay", "timer messages due at random times: lateness and heap; "
                                        "baselines: plain puts, an in-memory priority queue");
  d->add_option("--count", delay.count, "timer messages")->check(CLI::PositiveNumber);
  d->add_option("--size", delay.size, "body bytes")->check(CLI::Range(int64_t{0}, int64_t{4} << 20));
  d->add_option("--lead-ms", delay.lead_ms, "earliest due time after the first put")
      ->check(CLI::PositiveNumber);
  d->add_option("--spread-ms", delay.spread_ms, "due times spread over this many ms")
      ->check(CLI::NonNegativeNumber);
  d->add_option("--precision-ms", delay.precision_ms, "timerPrecisionMs")->check(CLI::PositiveNumber);
  d->add_option("--dir", delay.dir, "store directory (default: a temporary one)");

  CLI11_PARSE(app, argc, argv);
  if (d->parsed()) return rmq::bench::RunDelayBench(delay);
  if (q->parsed()) return rmq::bench::RunSqlBench(sql);
  if (s->parsed()) return rmq::bench::RunStoreBench(store);
  if (t->parsed()) return rmq::bench::RunTcpBench(tcp);
  if (i->parsed()) return rmq::bench::RunInprocBench(inproc);
  return rmq::bench::RunRecoverBench(recover_dir, recover_settings);
}
