// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq's threads name themselves, and those whose work can wait run at a
// lower priority (common/this_thread.h), as `top -H` shows them.

#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "rmq/store.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

// Name → nice value of every thread of this process (/proc/self/task).
std::multimap<std::string, int> ThreadsByName() {
  std::multimap<std::string, int> threads;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    std::ifstream stat_file(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    // Fields after the ")" closing the name: state is field 3, nice field 19.
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    int nice = 0;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19) nice = std::stoi(field);
    }
    threads.emplace(name, nice);
  }
  return threads;
}

// Threads set their priority, then their name, when they start, which may be
// just after Open returns: waits until each of `names` is there (no time
// limit: meson's test timeout bounds it).
std::multimap<std::string, int> ThreadsOnceStarted(std::initializer_list<const char*> names) {
  for (;;) {
    std::multimap<std::string, int> threads = ThreadsByName();
    bool all = true;
    for (const char* name : names) all = all && threads.count(name) == 1;
    if (all) return threads;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// A small store in `dir` flushing as `flush` says.
std::unique_ptr<MessageStore> OpenStore(const testing::TempDir& dir, FlushDiskType flush) {
  MessageStoreConfig config = testing::SmallStoreConfig(dir.path());
  config.flush_disk_type = flush;
  auto store = MessageStore::Open(config, std::make_shared<VirtualClock>());
  REQUIRE(store.ok());
  return *std::move(store);
}

// This thread's nice value, which the threads it starts inherit.
int OwnNice() { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); }

// Ten levels below `nice`, at most 19.
int BackgroundNice(int nice) { return std::min(19, nice + 10); }

TEST_CASE("a store's threads are named, and its background disk threads run 10 nice levels lower") {
  testing::TempDir dir;
  const int nice = OwnNice();  // 0 unless the tests were started under `nice`.
  auto store = OpenStore(dir, FlushDiskType::kAsyncFlush);
  const std::multimap<std::string, int> threads =
      ThreadsOnceStarted({"rmq-dispatch", "rmq-flush", "rmq-prealloc", "rmq-store-bg"});
  CHECK(threads.find("rmq-dispatch")->second == nice);
  CHECK(threads.find("rmq-flush")->second == BackgroundNice(nice));  // Async: nobody waits.
  CHECK(threads.find("rmq-prealloc")->second == BackgroundNice(nice));
  CHECK(threads.find("rmq-store-bg")->second == BackgroundNice(nice));
}

TEST_CASE("under sync flush the flusher keeps normal priority: putters wait for it") {
  testing::TempDir dir;
  const int nice = OwnNice();
  auto store = OpenStore(dir, FlushDiskType::kSyncFlush);
  const std::multimap<std::string, int> threads = ThreadsOnceStarted({"rmq-flush"});
  CHECK(threads.find("rmq-flush")->second == nice);
}

// An application run under `nice` keeps its threads' order: background
// threads go below it, never above (an absolute nice 10 would have raised
// them).
TEST_CASE("under nice 15, background threads run at 19 and the rest at 15") {
  const int before = OwnNice();
  if (before > 15 || ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 15) != 0) {
    WARN("cannot set this thread's nice to 15 here (started at " << before << ")");
    return;
  }
  {
    testing::TempDir dir;
    auto store = OpenStore(dir, FlushDiskType::kAsyncFlush);
    const std::multimap<std::string, int> threads =
        ThreadsOnceStarted({"rmq-dispatch", "rmq-prealloc"});
    CHECK(threads.find("rmq-dispatch")->second == 15);
    CHECK(threads.find("rmq-prealloc")->second == 19);
  }
  // Back, where allowed (lowering nice needs privilege): the checks above
  // are relative to the thread's own value either way.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), before);
}

}  // namespace
}  // namespace rmq
