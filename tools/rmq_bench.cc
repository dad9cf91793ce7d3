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
  s->add_option("--baseline-seconds", store.baseline_seconds, "longest time the sync baseline runs");
  s->add_flag("--no-close", store.no_close, "exit without closing the store, as a crash would");
  s->add_option("--set", store.settings, "a store setting, key=value (broker.conf key names)");

  std::string recover_dir;
  auto* r = app.add_subcommand("recover", "time opening (recovering) an existing store");
  r->add_option("--dir", recover_dir, "store directory")->required();

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

  CLI11_PARSE(app, argc, argv);
  if (s->parsed()) return rmq::bench::RunStoreBench(store);
  if (i->parsed()) return rmq::bench::RunInprocBench(inproc);
  return rmq::bench::RunRecoverBench(recover_dir);
}
