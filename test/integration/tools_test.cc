// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The programs as a user runs them: rmq-bench's output contract, rmq-store
// verify and dump on a store the quickstart and the benchmark wrote.

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "rmq/store.h"
#include "support/run_command.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace {

using Run = rmq::testing::CommandRun;
using rmq::testing::RunCommand;

std::string Bin(const char* env) { return rmq::testing::BinFromEnv(env); }

// The last line that contains `marker`, as key=value fields.
std::map<std::string, std::string> Fields(const std::string& out, const std::string& marker) {
  std::istringstream lines(out);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (line.find(marker) != std::string::npos) last = line;
  }
  std::map<std::string, std::string> fields;
  std::istringstream words(last);
  std::string word;
  while (words >> word) {
    size_t eq = word.find('=');
    if (eq != std::string::npos) fields[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return fields;
}

TEST_CASE("rmq-bench store prints progress and a key=value summary with a baseline") {
  rmq::testing::TempDir dir;
  Run run = RunCommand(Bin("RMQ_BENCH_BIN") + " store --dir " + dir.Sub("s") +
                       " --size 128 --count 20000 --segment-size 1048576");
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("acked=") != std::string::npos);
  auto fields = Fields(run.out, "bench=store");
  for (const char* key : {"msgs_per_s", "mb_per_s", "p50_us", "p99_us", "p99_9_us",
                          "baseline_msgs_per_s", "ratio"}) {
    INFO(key);
    CHECK(fields.count(key) == 1);
  }
  CHECK(fields["acked"] == "20000");
  CHECK(std::stod(fields["ratio"]) > 0);

  Run verify = RunCommand(Bin("RMQ_STORE_BIN") + " verify " + dir.Sub("s"));
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("20000 messages, ") != std::string::npos);
  CHECK(verify.out.find(", 0 corrupt") != std::string::npos);
}

TEST_CASE("rmq-bench store with sync flush and batches, then recover after an unclean exit") {
  rmq::testing::TempDir dir;
  Run run = RunCommand(Bin("RMQ_BENCH_BIN") + " store --dir " + dir.Sub("s") +
                       " --size 64 --count 4000 --threads 4 --batch 4 --flush sync"
                       " --segment-size 1048576 --baseline-seconds 0.2 --no-close");
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  auto fields = Fields(run.out, "bench=store");
  CHECK(fields["acked"] == "4000");
  CHECK(fields["baseline"] == "fdatasync_per_record");
  // Four threads: the single-writer baseline too, on the same line.
  REQUIRE(fields.count("baseline_1thread_msgs_per_s") == 1);
  CHECK(std::stod(fields["baseline_1thread_msgs_per_s"]) > 0);
  CHECK(std::stod(fields["ratio_1thread"]) > 0);

  Run recover = RunCommand(Bin("RMQ_BENCH_BIN") + " recover --dir " + dir.Sub("s"));
  INFO(recover.out);
  REQUIRE(recover.exit_code == 0);
  auto r = Fields(recover.out, "bench=recover");
  CHECK(r["abnormal"] == "1");
  CHECK(r.count("recover_ms") == 1);

  Run verify = RunCommand(Bin("RMQ_STORE_BIN") + " verify " + dir.Sub("s"));
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("4000 messages, ") != std::string::npos);
}

// Comma-separated numbers.
std::vector<double> Numbers(const std::string& list) {
  std::vector<double> out;
  std::istringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stod(item));
  return out;
}

// Checks that a 3-round summary's `key` is the median of its `key_rounds`
// list; returns that list, sorted.
std::vector<double> CheckMedianOfThree(std::map<std::string, std::string>& fields,
                                       const std::string& key, const std::string& rounds_key,
                                       double epsilon) {
  INFO(key);
  std::vector<double> values = Numbers(fields[rounds_key]);
  REQUIRE(values.size() == 3);
  std::sort(values.begin(), values.end());
  CHECK(std::stod(fields[key]) == Approx(values[1]).epsilon(epsilon));
  return values;
}

TEST_CASE("rmq-bench inproc prints medians of its rounds, each with its own baseline") {
  rmq::testing::TempDir dir;
  Run run = RunCommand(Bin("RMQ_BENCH_BIN") + " inproc --count 3000 --warmup 200 --rounds 3 --dir " +
                       dir.Sub("stores"));
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("round 2 of 3:") != std::string::npos);  // progress on stderr
  auto fields = Fields(run.out, "mode=inproc");
  for (const char* key : {"msgs_per_s", "p50_us", "p99_us", "p99_9_us", "baseline_msgs_per_s",
                          "ratio", "msgs_per_s_rounds", "ratio_rounds"}) {
    INFO(key);
    CHECK(fields.count(key) == 1);
  }
  CHECK(fields["rounds"] == "3");
  CHECK(fields["received"] == "3000");  // in every round
  // Each round ran on its own store under --dir.
  for (const char* round : {"round-1", "round-2", "round-3"}) {
    CHECK(std::filesystem::is_directory(dir.Sub("stores") + "/" + round));
  }
  // The summary is the median of the rounds.
  CheckMedianOfThree(fields, "msgs_per_s", "msgs_per_s_rounds", 0.001);
  CHECK(CheckMedianOfThree(fields, "ratio", "ratio_rounds", 0.01)[0] > 0);
}

TEST_CASE("rmq-store dump prints the store example's records") {
  rmq::testing::TempDir dir;
  Run example = RunCommand(Bin("STORE_BASICS_BIN") + " " + dir.Sub("q"));
  INFO(example.out);
  REQUIRE(example.exit_code == 0);
  CHECK(example.out.find("sent=1000 read=1000") != std::string::npos);

  Run dump = RunCommand(Bin("RMQ_STORE_BIN") + " dump " + dir.Sub("q") +
                        " --topic QuickstartTopic --queue 1 --from 10 --count 2");
  INFO(dump.out);
  REQUIRE(dump.exit_code == 0);
  // Queue 1 holds messages 1, 5, 9, ...: queue offset 10 is message 41.
  CHECK(dump.out.find("queueOffset=10 ") != std::string::npos);
  CHECK(dump.out.find("hello rmq #41") != std::string::npos);
  CHECK(dump.out.find("queueOffset=11 ") != std::string::npos);
  CHECK(dump.out.find("queueOffset=12 ") == std::string::npos);

  // --count is at least 1; --queue without --topic would be ignored.
  Run one = RunCommand(Bin("RMQ_STORE_BIN") + " dump " + dir.Sub("q") + " --count 1");
  REQUIRE(one.exit_code == 0);
  CHECK(std::count(one.out.begin(), one.out.end(), '\n') == 1);
  for (const auto& [args, says] : std::vector<std::pair<std::string, std::string>>{
           {"--count 0", "--count: 0 is less than 1"},
           {"--count -1", "--count: -1 is less than 1"},
           {"--count many", "--count: 'many' is not a number"},
           {"--queue 2", "--queue requires --topic"},
           {"--topic QuickstartTopic --queue -1", "--queue: -1 is not in the range"}}) {
    Run bad = RunCommand(Bin("RMQ_STORE_BIN") + " dump " + dir.Sub("q") + " " + args);
    INFO(args << "\n" << bad.out);
    CHECK(bad.exit_code == 2);
    CHECK(bad.out.find(says) != std::string::npos);
    CHECK(bad.out.find("offset=") == std::string::npos);  // nothing dumped
  }

  Run missing = RunCommand(Bin("RMQ_STORE_BIN") + " verify " + dir.Sub("does-not-exist"));
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("does not exist") != std::string::npos);
}

TEST_CASE("rmq-store verify and dump refuse a directory that holds no store") {
  rmq::testing::TempDir dir;
  Run example = RunCommand(Bin("STORE_BASICS_BIN") + " " + dir.Sub("q"));
  REQUIRE(example.exit_code == 0);
  const std::string store = Bin("RMQ_STORE_BIN");
  std::filesystem::create_directories(dir.Sub("empty"));
  // An empty directory, and a store's commitlog given for the store: each
  // read as an empty store before ("0 messages", exit 0).
  for (const std::string& wrong : {dir.Sub("empty"), dir.Sub("q") + "/commitlog"}) {
    for (const char* command : {" verify ", " dump "}) {
      Run run = RunCommand(store + command + wrong);
      INFO(command << wrong << "\n" << run.out);
      CHECK(run.exit_code == 2);
      CHECK(run.out == "rmq-store: no commit log in " + wrong +
                           "/commitlog: not a store directory?\n");
    }
  }
  // A store whose commit log files are gone while its queues point into them.
  for (const auto& segment : std::filesystem::directory_iterator(dir.Sub("q") + "/commitlog")) {
    std::filesystem::remove(segment.path());
  }
  for (const char* command : {" verify ", " dump "}) {
    Run run = RunCommand(store + command + dir.Sub("q"));
    INFO(command << "\n" << run.out);
    CHECK(run.exit_code == 2);
    CHECK(run.out.find("no commit log segment in " + dir.Sub("q") + "/commitlog while the "
                       "consume queues") != std::string::npos);
  }
  // A store verify cannot walk (a stray file among the segments) is a
  // problem found (1), not a usage error (2).
  REQUIRE(rmq::MessageStore::Open(rmq::testing::SmallStoreConfig(dir.Sub("stray"))).ok());
  std::ofstream(dir.Sub("stray") + "/commitlog/notes.txt") << "x";
  Run stray = RunCommand(store + " verify " + dir.Sub("stray"));
  INFO(stray.out);
  CHECK(stray.exit_code == 1);
  CHECK(stray.out.find("notes.txt is not a segment") != std::string::npos);
  // A store opened and never written is a store: empty, and fine.
  REQUIRE(rmq::MessageStore::Open(rmq::testing::SmallStoreConfig(dir.Sub("new"))).ok());
  Run fresh = RunCommand(store + " verify " + dir.Sub("new"));
  INFO(fresh.out);
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.out.find("0 messages, 0 bytes, 0 corrupt") != std::string::npos);
  Run fresh_dump = RunCommand(store + " dump " + dir.Sub("new"));
  CHECK(fresh_dump.exit_code == 0);
  CHECK(fresh_dump.out.empty());
}

// rmq-server as a child process; its announced line is read at start.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> argv) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out[1]);
    stdout_ = ::fdopen(out[0], "r");
    char line[512] = {};
    if (std::fgets(line, sizeof(line), stdout_) != nullptr) announced_ = line;
  }
  ~ServerProcess() {
    if (pid_ > 0) Stop(SIGKILL);
    if (stdout_ != nullptr) std::fclose(stdout_);
  }
  const std::string& announced() const { return announced_; }
  // Sends `signal`; the exit status, or -1 if killed by a signal.
  int Stop(int signal) {
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  std::string announced_;
};

TEST_CASE("rmq-bench tcp sends to rmq-server and prints a key=value summary with the echo baseline") {
  rmq::testing::TempDir dir;
  ServerProcess server({Bin("RMQ_SERVER_BIN"), "--store", dir.Sub("store"), "--namesrv-port", "0",
                        "--broker-port", "0", "--host", "127.0.0.1", "--log-level", "warn"});
  INFO(server.announced());
  const std::string namesrv = Fields(server.announced(), "namesrv=")["namesrv"];
  REQUIRE(namesrv.rfind("127.0.0.1:", 0) == 0);

  struct Case {
    const char* mode;
    int producers;
    int count;
    const char* clients;
    int size = 128;
  };
  // 8 KiB bodies: over compressMsgBodyOverHowmuch, which the bench turns
  // off, so its echo baseline carries frames of the full size too.
  for (const Case& c : {Case{"sync", 1, 500, "shared"}, Case{"async", 2, 3000, "shared"},
                        Case{"async", 2, 3000, "separate"}, Case{"oneway", 2, 1000, "shared"},
                        Case{"async", 1, 200, "shared", 8192}}) {
    INFO(c.mode << " clients=" << c.clients << " size=" << c.size);
    Run run = RunCommand(Bin("RMQ_BENCH_BIN") + " tcp --namesrv " + namesrv + " --mode " + c.mode +
                         " --producers " + std::to_string(c.producers) + " --clients " +
                         c.clients + " --size " + std::to_string(c.size) + " --count " +
                         std::to_string(c.count) + " --topic ToolsTcp_" + c.mode);
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(run.out.find("baseline: echo rtt") != std::string::npos);  // progress on stderr
    auto fields = Fields(run.out, "bench=tcp");
    CHECK(fields["mode"] == c.mode);
    CHECK(fields["producers"] == std::to_string(c.producers));
    CHECK(fields["clients"] == c.clients);
    CHECK(fields["size"] == std::to_string(c.size));
    CHECK(fields["count"] == std::to_string(c.count));
    CHECK(fields["completed"] == std::to_string(c.count));
    CHECK(fields["errors"] == "0");
    CHECK(std::stod(fields["msgs_per_sec"]) > 0);
    CHECK(std::stod(fields["echo_p50_us"]) > 0);
    CHECK(std::stod(fields["echo_p99_us"]) >= std::stod(fields["echo_p50_us"]));
    CHECK(std::stoll(fields["frame_bytes"]) > c.size);
    if (std::string(c.mode) != "oneway") {
      CHECK(std::stod(fields["p50_us"]) > 0);
      CHECK(std::stod(fields["p99_us"]) >= std::stod(fields["p50_us"]));
    }
    CHECK(fields.count("ratio_p50") == (std::string(c.mode) == "sync" ? 1u : 0u));
    CHECK(fields["rounds"] == "1");
    CHECK(fields["msgs_per_sec_rounds"] == fields["msgs_per_sec"]);
  }

  // Rounds: each pairs an echo with sends; the summary is their median.
  Run rounds = RunCommand(Bin("RMQ_BENCH_BIN") + " tcp --namesrv " + namesrv +
                          " --mode sync --count 300 --echo-count 300 --rounds 3 --topic ToolsTcp_rounds");
  INFO(rounds.out);
  REQUIRE(rounds.exit_code == 0);
  CHECK(rounds.out.find("round 3 of 3:") != std::string::npos);
  auto fields = Fields(rounds.out, "bench=tcp");
  CHECK(fields["rounds"] == "3");
  CHECK(fields["count"] == "300");
  CHECK(fields["completed"] == "300");
  CheckMedianOfThree(fields, "msgs_per_sec", "msgs_per_sec_rounds", 0.001);
  CheckMedianOfThree(fields, "ratio_p50", "ratio_p50_rounds", 0.01);

  // A name server nobody serves: a clear failure, not a hang.
  Run bad = RunCommand(Bin("RMQ_BENCH_BIN") + " tcp --namesrv 127.0.0.1:1 --count 10");
  INFO(bad.out);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("bench=tcp") == std::string::npos);
  CHECK(server.Stop(SIGTERM) == 0);
}

// Whether this machine can listen on IPv6 loopback (a container may not).
bool HaveIpv6Loopback() {
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

TEST_CASE("rmq-server on an IPv6 address announces it in brackets and serves sends") {
  if (!HaveIpv6Loopback()) {
    WARN("no IPv6 loopback here: skipped");
    return;
  }
  rmq::testing::TempDir dir;
  ServerProcess server({Bin("RMQ_SERVER_BIN"), "--store", dir.Sub("store"), "--namesrv-port", "0",
                        "--broker-port", "0", "--host", "::1", "--log-level", "warn"});
  INFO(server.announced());
  auto announced = Fields(server.announced(), "namesrv=");
  REQUIRE(announced["namesrv"].rfind("[::1]:", 0) == 0);
  CHECK(announced["broker"].rfind("[::1]:", 0) == 0);
  // The broker registered (its route names the bracketed address) and takes sends.
  Run run = RunCommand(Bin("RMQ_BENCH_BIN") + " tcp --namesrv '" + announced["namesrv"] +
                       "' --mode sync --count 50 --echo-count 10 --topic ToolsTcp_v6");
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  CHECK(Fields(run.out, "bench=tcp")["completed"] == "50");
  CHECK(server.Stop(SIGTERM) == 0);
}

TEST_CASE("rmq-admin sql-check evaluates a SQL92 filter without a cluster") {
  const std::string admin = Bin("RMQ_ADMIN_BIN") + " sql-check ";
  Run yes = RunCommand(admin + "\"a > 5 AND TAGS IN ('x', 'y')\" a=6 TAGS=y");
  INFO(yes.out);
  CHECK(yes.exit_code == 0);
  CHECK(yes.out == "true\n");
  Run no = RunCommand(admin + "\"a > 5\" a=5");
  CHECK(no.exit_code == 0);
  CHECK(no.out == "false\n");
  Run missing = RunCommand(admin + "\"a > 5\"");  // null: not delivered
  CHECK(missing.exit_code == 0);
  CHECK(missing.out == "false\n");
  Run bad = RunCommand(admin + "\"a > \" a=1");
  INFO(bad.out);
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.find("error: SQL filter: expected a property, a literal") == 0);
  Run malformed = RunCommand(admin + "\"a > 5\" a6");
  CHECK(malformed.exit_code == 2);
  CHECK(malformed.out == "error: property argument 'a6' is not key=value\n");
}

TEST_CASE("rmq-bench sql prints medians and the hand-written baseline") {
  Run run = RunCommand(Bin("RMQ_BENCH_BIN") + " sql --count 20000 --runs 3");
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  auto fields = Fields(run.out, "bench=sql");
  for (const char* key : {"evals_per_s", "ns_per_eval", "baseline_evals_per_s", "ratio", "runs",
                          "matched"}) {
    INFO(key);
    CHECK(fields.count(key) == 1);
  }
  CHECK(fields["runs"] == "3");
  CHECK(fields["matched"] == "10000");  // two of the four messages match
  CHECK(std::stod(fields["ratio"]) > 0);
}

}  // namespace
