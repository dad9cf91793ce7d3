// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Kill test: a child process appends messages and reports each acknowledged
// put through a pipe; the parent SIGKILLs it at a random moment, reopens the
// store (crash recovery) and checks that
//   - every acknowledged message is there, at the offsets the put returned,
//     byte for byte (LookMessageByOffset and Get from its consume queue);
//   - every message in the store is one the child really tried to put, once,
//     unchanged, and a batch is all there or not at all;
//   - appends go on at the next queue offset;
//   - after a clean close, VerifyStore finds no corrupt record and no queue
//     unit disagreeing with the commit log.
// Rounds accumulate in one directory, so later rounds recover a store that
// earlier crashes and recoveries built.
//
//   kill_test [--rounds N] [--seed S] [--flush sync|async] [--tmpdir DIR | --dir DIR] [--verbose]
//
// --tmpdir /dev/shm runs it on tmpfs: a SIGKILL keeps the page cache, so a
// real disk adds only time (fsyncs); CI does most rounds there.
//
// The child is this same program, re-executed with --child; the checks
// after each kill are in kill_verify.cc.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/properties_codec.h"
#include "crash/kill_test.h"
#include "spdlog/spdlog.h"
#include "support/temp_dir.h"

namespace rmq::crash {
namespace {

// ---------------------------------------------------------------- child --

void Send(int fd, const Report& report) {
  // A failed write means the parent is gone; nothing to do but go on.
  [[maybe_unused]] ssize_t n = ::write(fd, &report, sizeof(report));
}

// Half of the single puts go through PutEncoded (the broker's send path),
// with the properties the map encodes to: the stored bytes are the same, so
// the verifier checks both paths alike.
absl::StatusOr<PutMessageResult> PutSingle(MessageStore& store, const MessageExt& msg, int seq) {
  if (seq % 2 == 0) return store.Put(msg);
  const std::string properties = internal::EncodeProperties(msg.properties());
  EncodedMessage encoded;
  encoded.topic = msg.topic();
  encoded.queue_id = msg.queue_id;
  encoded.flag = msg.flag();
  encoded.body = msg.body();
  encoded.properties = properties;
  encoded.sys_flag = msg.sys_flag;
  encoded.born_timestamp = msg.born_timestamp;
  encoded.born_host = msg.born_host;
  encoded.reconsume_times = msg.reconsume_times;
  encoded.prepared_transaction_offset = msg.prepared_transaction_offset;
  encoded.wait_store_msg_ok = msg.wait_store_msg_ok();
  return store.PutEncoded(encoded);
}

int RunChild(const Options& opt) {
  auto store = MessageStore::Open(CrashConfig(opt.dir, opt.flush));
  if (!store.ok()) {
    std::fprintf(stderr, "child round %d: open failed: %s\n", opt.round, store.status().ToString().c_str());
    return 3;
  }
  Send(opt.fd, Report{Report::kReady});
  for (int seq = 0; seq < opt.max_seqs; ++seq) {
    PutSpec spec = MakePut(opt.seed, opt.round, seq);
    const int count = static_cast<int>(spec.msgs.size());
    Send(opt.fd, Report{Report::kIntent, seq, count});
    auto put = spec.batch ? (*store)->PutBatch(spec.msgs) : PutSingle(**store, spec.msgs[0], seq);
    if (!put.ok()) {
      std::fprintf(stderr, "child round %d seq %d: put failed: %s\n", opt.round, seq,
                   put.status().ToString().c_str());
      return 4;
    }
    Report ack{put->status == PutStatus::kPutOk ? Report::kAck : Report::kNotOk, seq, count,
               put->wrote_bytes, put->wrote_offset, put->queue_offset, PutHash(spec)};
    if (put->msg_num != count) ack.type = Report::kNotOk;  // The parent fails on this.
    Send(opt.fd, ack);
  }
  // All puts done: close cleanly (the parent may kill us during the close).
  Send(opt.fd, Report{Report::kClosing});
  store->reset();
  Send(opt.fd, Report{Report::kClosed});
  for (;;) ::pause();  // Until the parent's SIGKILL.
}

// --------------------------------------------------------------- parent --

// When the parent kills the child.
struct KillPlan {
  enum Mode { kAfterAcks, kAfterReadyDelay, kAfterSpawnDelay, kAroundClose } mode = kAfterAcks;
  int acks = 0;        // kAfterAcks: kill on reading this many acks.
  int delay_us = 0;    // The delay modes (kAroundClose: after kClosing).
  int max_seqs = 120;  // Puts the child makes at most.
};

KillPlan PlanRound(uint64_t seed, int round) {
  Rng rng(Mix(seed ^ 0x4B494C4CULL, static_cast<uint64_t>(round)));
  KillPlan plan;
  uint64_t pick = rng.Below(100);
  if (pick < 35) {
    plan.mode = KillPlan::kAfterAcks;
    plan.acks = static_cast<int>(rng.Between(0, 40));
  } else if (pick < 70) {
    plan.mode = KillPlan::kAfterReadyDelay;
    plan.delay_us = static_cast<int>(rng.Between(0, 8'000));
  } else if (pick < 85) {
    plan.mode = KillPlan::kAfterSpawnDelay;  // Often lands in Open's recovery.
    plan.delay_us = static_cast<int>(rng.Between(0, 20'000));
  } else {
    plan.mode = KillPlan::kAroundClose;
    plan.max_seqs = static_cast<int>(rng.Between(1, 30));
    plan.delay_us = static_cast<int>(rng.Between(0, 3'000));
  }
  return plan;
}

// Runs the child for one round and kills it; returns what it reported.
ChildLog RunAndKill(const Options& opt, int round, const KillPlan& plan, Failure& fail) {
  int fds[2];
  if (::pipe(fds) != 0) {
    std::perror("pipe");
    std::exit(2);
  }
  ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  std::vector<std::string> args = {
      "/proc/self/exe", "--child", "--dir", opt.dir, "--seed", std::to_string(opt.seed),
      "--round", std::to_string(round), "--flush",
      opt.flush == FlushDiskType::kSyncFlush ? "sync" : "async",
      "--max-seqs", std::to_string(plan.max_seqs), "--fd", std::to_string(fds[1])};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const Clock::time_point spawned = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(fds[1]);

  ChildLog log;
  bool killed = false;
  auto kill_now = [&] {
    if (!killed) ::kill(pid, SIGKILL);
    killed = true;
  };
  std::optional<Clock::time_point> deadline;
  if (plan.mode == KillPlan::kAfterSpawnDelay) deadline = spawned + std::chrono::microseconds(plan.delay_us);
  const Clock::time_point give_up = spawned + std::chrono::seconds(60);
  std::string pending;
  for (;;) {
    int timeout_ms = 1000;
    if (!killed && deadline) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(*deadline - Clock::now());
      timeout_ms = left.count() <= 0 ? 0 : static_cast<int>((left.count() + 999) / 1000);
    }
    struct pollfd p = {fds[0], POLLIN, 0};
    int ready = ::poll(&p, 1, timeout_ms);
    if (!killed && deadline && Clock::now() >= *deadline) kill_now();
    if (Clock::now() > give_up) {
      fail("child did not finish within 60 s (hung?)");
      kill_now();
    }
    if (ready <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is gone.
    pending.append(buf, static_cast<size_t>(n));
    size_t used = 0;
    for (; used + sizeof(Report) <= pending.size(); used += sizeof(Report)) {
      Report r;
      std::memcpy(&r, pending.data() + used, sizeof(r));
      switch (r.type) {
        case Report::kReady:
          log.ready = true;
          if (plan.mode == KillPlan::kAfterReadyDelay) deadline = Clock::now() + std::chrono::microseconds(plan.delay_us);
          if (plan.mode == KillPlan::kAfterAcks && plan.acks == 0) kill_now();
          break;
        case Report::kIntent:
          log.last_intent = r.seq;
          log.last_intent_count = r.count;
          break;
        case Report::kAck:
          log.acks[r.seq] = r;
          if (plan.mode == KillPlan::kAfterAcks && static_cast<int>(log.acks.size()) == plan.acks) kill_now();
          break;
        case Report::kNotOk:
          log.not_ok.insert(r.seq);
          break;
        case Report::kClosing:
          log.closing = true;
          // Every mode ends here if the child ran out of puts.
          deadline = Clock::now() + std::chrono::microseconds(plan.mode == KillPlan::kAroundClose ? plan.delay_us : 0);
          break;
        case Report::kClosed:
          log.closed = true;
          kill_now();
          break;
        default:
          fail("unknown report type {} from the child", r.type);
      }
    }
    pending.erase(0, used);
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
    fail("child ended by itself ({}), not by our SIGKILL; see its stderr",
         WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status))
                           : fmt::format("signal {}", WTERMSIG(status)));
  }
  return log;
}

int RunParent(Options opt) {
  std::optional<testing::TempDir> temp;
  if (opt.dir.empty()) {
    if (!opt.tmpdir.empty() && std::filesystem::is_directory(opt.tmpdir)) {
      ::setenv("TMPDIR", opt.tmpdir.c_str(), 1);
    } else if (!opt.tmpdir.empty()) {
      std::printf("kill_test: %s is not a directory, using the default temp directory\n", opt.tmpdir.c_str());
    }
    temp.emplace();
    opt.dir = temp->Sub("store");
  }
  const char* flush = opt.flush == FlushDiskType::kSyncFlush ? "SYNC_FLUSH" : "ASYNC_FLUSH";
  std::printf("kill_test: seed=%llu rounds=%d flush=%s dir=%s\n", static_cast<unsigned long long>(opt.seed),
              opt.rounds, flush, opt.dir.c_str());
  std::fflush(stdout);
  const auto start = Clock::now();
  Model model;
  Totals totals;
  for (int round = 0; round < opt.rounds; ++round) {
    Failure fail(opt, round);
    KillPlan plan = PlanRound(opt.seed, round);
    ChildLog log = RunAndKill(opt, round, plan, fail);
    if (!log.ready) totals.kills_before_ready++;
    if (log.closing && !log.closed) totals.kills_in_close++;
    if (log.closed) totals.clean_closes++;
    totals.not_ok += static_cast<int64_t>(log.not_ok.size());
    // Killed after announcing a batch and before its ack.
    if (log.last_intent >= 0 && log.last_intent_count > 1 && !log.acks.contains(log.last_intent) &&
        !log.not_ok.contains(log.last_intent)) {
      totals.kills_mid_batch++;
    }
    if (fail.count() == 0) CheckCrashedLog(opt, log, model, fail);
    // Earlier rounds' messages are re-read every 10th round and at the end;
    // VerifyStore checks the whole log every round.
    const bool full = round % 10 == 9 || round + 1 == opt.rounds;
    if (fail.count() == 0) VerifyRound(opt, round, log, full, model, totals, fail);
    if (fail.count() > 0) {
      std::fprintf(stderr, "FAILED: seed=%llu round=%d (plan mode %d, acks %d, delay %d us, last seq %d); "
                   "reproduce with: kill_test --seed %llu --rounds %d --flush %s\n"
                   "store left at %s for inspection (rmq-store verify / dump)\n",
                   static_cast<unsigned long long>(opt.seed), round, static_cast<int>(plan.mode), plan.acks,
                   plan.delay_us, log.last_intent, static_cast<unsigned long long>(opt.seed), round + 1,
                   opt.flush == FlushDiskType::kSyncFlush ? "sync" : "async", opt.dir.c_str());
      std::exit(1);  // Skips TempDir's destructor on purpose: keep the evidence.
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("rounds=%d acked=%lld verified=%lld unacked_present=%lld kills_mid_batch=%lld "
              "kills_before_ready=%lld kills_in_close=%lld clean_closes=%lld not_put_ok=%lld "
              "stored=%lld seconds=%.1f\n",
              opt.rounds, static_cast<long long>(totals.acked), static_cast<long long>(totals.verified),
              static_cast<long long>(totals.unacked_present), static_cast<long long>(totals.kills_mid_batch),
              static_cast<long long>(totals.kills_before_ready), static_cast<long long>(totals.kills_in_close),
              static_cast<long long>(totals.clean_closes), static_cast<long long>(totals.not_ok),
              static_cast<long long>(model.messages), seconds);
  return totals.acked == totals.verified ? 0 : 1;
}

bool ParseArgs(int argc, char** argv, Options* opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--rounds") opt->rounds = std::atoi(value().c_str());
    else if (arg == "--seed") opt->seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--dir") opt->dir = value();
    else if (arg == "--tmpdir") opt->tmpdir = value();
    else if (arg == "--verbose") opt->verbose = true;
    else if (arg == "--child") opt->child = true;
    else if (arg == "--round") opt->round = std::atoi(value().c_str());
    else if (arg == "--max-seqs") opt->max_seqs = std::atoi(value().c_str());
    else if (arg == "--fd") opt->fd = std::atoi(value().c_str());
    else if (arg == "--flush") {
      std::string f = value();
      if (f != "sync" && f != "async") return false;
      opt->flush = f == "sync" ? FlushDiskType::kSyncFlush : FlushDiskType::kAsyncFlush;
    } else {
      return false;
    }
  }
  return opt->rounds >= 0 && (!opt->child || (opt->fd >= 0 && !opt->dir.empty()));
}

}  // namespace
}  // namespace rmq::crash

int main(int argc, char** argv) {
  rmq::crash::Options opt;
  if (!rmq::crash::ParseArgs(argc, argv, &opt)) {
    std::fprintf(stderr, "usage: %s [--rounds N] [--seed S] [--flush sync|async] [--tmpdir DIR | --dir DIR] [--verbose]\n", argv[0]);
    return 2;
  }
  // Recovery logs a warning per truncated tail: expected here, every round.
  spdlog::set_level(opt.verbose ? spdlog::level::info : spdlog::level::err);
  return opt.child ? rmq::crash::RunChild(opt) : rmq::crash::RunParent(opt);
}
