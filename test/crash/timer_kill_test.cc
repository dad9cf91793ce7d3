// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Timer kill test: a child process puts timer messages (TIMER_DELIVER_MS up
// to 1.5 s ahead) into a store on the system clock while its timer delivers
// the earlier ones, reporting each acknowledged put through a pipe; the
// parent SIGKILLs it at a random moment, reopens the store and checks, once
// every due time has passed, that
//   - every acknowledged timer message reached its real topic and queue (at
//     least once: what was delivered after the last timercheck.json save may
//     come twice), with the due time it was put with;
//   - no delivery happened before its due time;
//   - nothing was delivered that the child did not put.
// Rounds accumulate in one directory, so later rounds recover a timer queue
// (and checkpoint) that earlier crashes left.
//
// With --roll-window-ms W (a multiple of 100), the timer rolls: a message due
// more than W ms after it is stored is put into the timer queue again at the
// end of each window until it is due (timerRollWindowSlots), so kills also
// land between a roll and the next checkpoint save. The test then also
// counts the rolled copies it finds in the timer queue and fails if there
// were none: a rolling test that never rolled proves nothing.
//
//   timer_kill_test [--rounds N] [--seed S] [--tmpdir DIR] [--roll-window-ms W] [--verbose]

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
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "common/str_cat.h"
#include "crash/workload.h"
#include "rmq/clock.h"
#include "rmq/store.h"
#include "spdlog/spdlog.h"
#include "store/timer_message_service.h"
#include "support/temp_dir.h"

namespace rmq::crash {
namespace {

constexpr std::string_view kTopic = "TimerCrash";
using internal::kTimerTopic;
constexpr int64_t kMaxAheadMs = 1500;

// What the child reports for each acknowledged put.
struct Ack {
  int32_t seq = 0;
  int32_t queue_id = 0;
  int64_t due_ms = 0;
};

std::string KeyOf(int round, int seq) { return fmt::format("T{}S{}", round, seq); }

// The rolling precision: fine enough for windows well below kMaxAheadMs.
constexpr int32_t kRollingPrecisionMs = 100;

// roll_window_ms 0 keeps the default window (2 days, 36 h with the default
// fileReservedTime of 72 h: nothing here rolls).
MessageStoreConfig TimerCrashConfig(const std::string& dir, int32_t roll_window_ms) {
  MessageStoreConfig config;
  config.store_path_root_dir = dir;
  config.mapped_file_size_commit_log = 4 << 20;
  config.mapped_file_size_consume_queue = 20 * 1000;
  // Saves of the checkpoint often enough that kills land on either side.
  config.timer_flush_interval_ms = 50;
  if (roll_window_ms > 0) {
    config.timer_precision_ms = kRollingPrecisionMs;
    config.timer_roll_window_slots = roll_window_ms / kRollingPrecisionMs;
  }
  return config;
}

int RunChild(const std::string& dir, int round, uint64_t seed, int32_t roll_window_ms, int fd) {
  auto store = MessageStore::Open(TimerCrashConfig(dir, roll_window_ms));
  if (!store.ok()) {
    std::fprintf(stderr, "child round %d: open failed: %s\n", round, store.status().ToString().c_str());
    return 3;
  }
  Rng rng(Mix(seed, static_cast<uint64_t>(round)));
  for (int seq = 0;; ++seq) {
    MessageExt msg;
    msg.set_topic(std::string(kTopic));
    msg.queue_id = static_cast<int32_t>(rng.Below(kQueues));
    msg.set_body(fmt::format("timer body {} {}", round, seq));
    msg.PutProperty(property::kUniqKey, KeyOf(round, seq));
    const int64_t due = SystemClock::Default()->NowMillis() + rng.Between(1, kMaxAheadMs);
    msg.set_deliver_time_ms(due);
    auto put = (*store)->Put(msg);
    if (!put.ok()) {
      std::fprintf(stderr, "child round %d seq %d: %s\n", round, seq, put.status().ToString().c_str());
      return 4;
    }
    const Ack ack{seq, msg.queue_id, due};
    [[maybe_unused]] ssize_t n = ::write(fd, &ack, sizeof(ack));
    if (seq % 8 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Starts the child, kills it after `kill_after`, returns its acks by seq.
std::map<int, Ack> RunAndKill(const std::string& dir, int round, uint64_t seed,
                              int32_t roll_window_ms, std::chrono::milliseconds kill_after) {
  int fds[2];
  if (::pipe(fds) != 0) {
    std::perror("pipe");
    std::exit(2);
  }
  ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  std::vector<std::string> args = {"/proc/self/exe", "--child", "--dir", dir,
                                   "--round", std::to_string(round), "--seed",
                                   std::to_string(seed), "--roll-window-ms",
                                   std::to_string(roll_window_ms), "--fd", std::to_string(fds[1])};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + kill_after;
  std::map<int, Ack> acks;
  std::string pending;
  bool killed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!killed && left.count() <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    struct pollfd p = {fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, killed ? 1000 : static_cast<int>(std::max<int64_t>(0, left.count())));
    if (ready <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is gone.
    pending.append(buf, static_cast<size_t>(n));
    size_t used = 0;
    for (; used + sizeof(Ack) <= pending.size(); used += sizeof(Ack)) {
      Ack ack;
      std::memcpy(&ack, pending.data() + used, sizeof(ack));
      acks[ack.seq] = ack;
    }
    pending.erase(0, used);
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
    std::fprintf(stderr, "round %d: the child ended by itself (status %d), not by our SIGKILL\n",
                 round, status);
    std::exit(1);
  }
  return acks;
}

struct Delivery {
  int32_t queue_id = 0;
  int64_t store_ms = 0;
  int64_t due_ms = 0;
};

// This round's deliveries in the real topic, by seq.
std::multimap<int, Delivery> Deliveries(MessageStore& store, int round, int* foreign) {
  std::multimap<int, Delivery> out;
  const std::string prefix = fmt::format("T{}S", round);
  for (int q = 0; q < kQueues; ++q) {
    for (int64_t offset = store.GetMinOffsetInQueue(kTopic, q);;) {
      GetMessageResult got = store.Get(kTopic, q, offset, 32, nullptr);
      if (got.message_count() == 0) break;
      for (size_t i = 0; i < got.message_count(); ++i) {
        auto msg = DecodeMessage(got.record(i));
        const std::string_view key = msg.ok() ? msg->GetProperty(property::kUniqKey) : "";
        int seq = -1;
        int64_t due = 0;
        // A message already due when it was put is stored in its topic at
        // once, as it came (TIMER_DELIVER_MS, no TIMER_OUT_MS): a put the
        // child made late, on a busy machine.
        std::string_view due_text = msg.ok() ? msg->GetProperty(property::kTimerOutMs) : "";
        if (msg.ok() && due_text.empty()) due_text = msg->GetProperty(property::kTimerDeliverMs);
        if (!msg.ok() || !key.starts_with("T") ||
            !absl::SimpleAtoi(internal::AbslView(due_text), &due)) {
          ++*foreign;
          continue;
        }
        if (!key.starts_with(prefix)) continue;  // An earlier round's.
        if (!absl::SimpleAtoi(internal::AbslView(key.substr(prefix.size())), &seq)) {
          ++*foreign;
          continue;
        }
        out.emplace(seq, Delivery{static_cast<int32_t>(q), msg->store_timestamp, due});
      }
      offset = got.next_begin_offset;
    }
  }
  return out;
}

// How many times the killed child stored this round's messages again in the
// timer queue (copies stored before `reopened_ms`, beyond each key's first):
// its rolls. The reopened store's own rolls, while the parent waits for
// deliveries, do not count: they would not show that a kill can land
// between a roll and its checkpoint save.
int64_t RolledCopies(MessageStore& store, int round, int64_t reopened_ms) {
  const std::string prefix = fmt::format("T{}S", round);
  std::map<std::string, int64_t, std::less<>> copies;
  for (int64_t offset = store.GetMinOffsetInQueue(kTimerTopic, 0);;) {
    GetMessageResult got = store.Get(kTimerTopic, 0, offset, 32, nullptr);
    if (got.message_count() == 0) break;
    for (size_t i = 0; i < got.message_count(); ++i) {
      auto msg = DecodeMessage(got.record(i));
      if (!msg.ok()) continue;
      const std::string_view key = msg->GetProperty(property::kUniqKey);
      if (key.starts_with(prefix) && msg->store_timestamp < reopened_ms) ++copies[std::string(key)];
    }
    offset = got.next_begin_offset;
  }
  int64_t rolled = 0;
  for (const auto& [key, n] : copies) rolled += n - 1;
  return rolled;
}

int RunParent(int rounds, uint64_t seed, int32_t roll_window_ms, bool verbose) {
  testing::TempDir dir;
  Rng rng(seed);
  int64_t total_acked = 0, total_duplicates = 0, total_rolled = 0;
  for (int round = 0; round < rounds; ++round) {
    const auto kill_after = std::chrono::milliseconds(rng.Between(50, 1500));
    std::map<int, Ack> acks = RunAndKill(dir.path(), round, seed, roll_window_ms, kill_after);
    int64_t latest_due = 0;
    for (const auto& [seq, ack] : acks) latest_due = std::max(latest_due, ack.due_ms);

    const int64_t reopened_ms = SystemClock::Default()->NowMillis();
    auto store = MessageStore::Open(TimerCrashConfig(dir.path(), roll_window_ms));
    if (!store.ok()) {
      std::fprintf(stderr, "round %d: reopen failed: %s\n", round, store.status().ToString().c_str());
      return 1;
    }
    // Every acked message is due by latest_due; wait for them (and a guard).
    std::multimap<int, Delivery> delivered;
    int foreign = 0;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      (*store)->WaitForDispatch();
      foreign = 0;
      delivered = Deliveries(**store, round, &foreign);
      bool all = SystemClock::Default()->NowMillis() > latest_due + 200;
      for (const auto& [seq, ack] : acks) all = all && delivered.count(seq) > 0;
      if (all || std::chrono::steady_clock::now() > give_up) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    int errors = 0;
    auto fail = [&](const std::string& what) {
      if (++errors <= 10) std::fprintf(stderr, "round %d: %s\n", round, what.c_str());
    };
    if (foreign > 0) fail(fmt::format("{} messages in {} that no child put", foreign, kTopic));
    for (const auto& [seq, ack] : acks) {
      auto [first, last] = delivered.equal_range(seq);
      if (first == last) fail(fmt::format("acked seq {} (due {}) never delivered", seq, ack.due_ms));
      total_duplicates += std::max<int64_t>(0, std::distance(first, last) - 1);
      for (auto it = first; it != last; ++it) {
        if (it->second.due_ms != ack.due_ms) {
          fail(fmt::format("seq {}: delivered with due {}, put with {}", seq, it->second.due_ms, ack.due_ms));
        }
        if (it->second.queue_id != ack.queue_id) {
          fail(fmt::format("seq {}: delivered to queue {}, put to {}", seq, it->second.queue_id, ack.queue_id));
        }
      }
    }
    for (const auto& [seq, d] : delivered) {
      if (d.store_ms < d.due_ms) {
        fail(fmt::format("seq {} delivered {} ms early", seq, d.due_ms - d.store_ms));
      }
    }
    total_acked += static_cast<int64_t>(acks.size());
    const int64_t rolled = RolledCopies(**store, round, reopened_ms);
    total_rolled += rolled;
    if (verbose || errors > 0) {
      std::fprintf(stderr, "round %d: killed after %lld ms, %zu acked, %zu delivered, %lld rolled\n",
                   round, static_cast<long long>(kill_after.count()), acks.size(), delivered.size(),
                   static_cast<long long>(rolled));
    }
    if (errors > 0) {
      std::fprintf(stderr, "store kept in %s\n", dir.path().c_str());
      std::exit(1);  // Skips TempDir's destructor on purpose: keep the evidence.
    }
  }
  std::printf("timer_kill_test: %d rounds, %lld timer messages acknowledged, all delivered, "
              "none early; %lld delivered twice (at least once); %lld rolls by the killed processes\n",
              rounds, static_cast<long long>(total_acked), static_cast<long long>(total_duplicates),
              static_cast<long long>(total_rolled));
  if (roll_window_ms > 0 && total_rolled == 0) {
    std::fprintf(stderr, "timer_kill_test: --roll-window-ms %d but no child rolled a message\n",
                 roll_window_ms);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace rmq::crash

int main(int argc, char** argv) {
  int rounds = 10, round = 0, fd = -1;
  int32_t roll_window_ms = 0;
  uint64_t seed = 1;
  bool child = false, verbose = false;
  std::string dir, tmpdir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--child") child = true;
    else if (arg == "--verbose") verbose = true;
    else if (arg == "--rounds") rounds = std::stoi(next());
    else if (arg == "--round") round = std::stoi(next());
    else if (arg == "--seed") seed = std::stoull(next());
    else if (arg == "--dir") dir = next();
    else if (arg == "--tmpdir") tmpdir = next();
    else if (arg == "--fd") fd = std::stoi(next());
    else if (arg == "--roll-window-ms") roll_window_ms = std::stoi(next());
    else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  if (child) {
    spdlog::set_level(spdlog::level::warn);
    return rmq::crash::RunChild(dir, round, seed, roll_window_ms, fd);
  }
  spdlog::set_level(spdlog::level::warn);
  // tmpfs when there is one: a SIGKILL keeps the page cache, a disk adds only time.
  if (!tmpdir.empty() && std::filesystem::is_directory(tmpdir)) ::setenv("TMPDIR", tmpdir.c_str(), 1);
  if (roll_window_ms < 0 || roll_window_ms % rmq::crash::kRollingPrecisionMs != 0) {
    std::fprintf(stderr, "--roll-window-ms must be a non-negative multiple of %d\n",
                 rmq::crash::kRollingPrecisionMs);
    return 2;
  }
  return rmq::crash::RunParent(rounds, seed, roll_window_ms, verbose);
}
