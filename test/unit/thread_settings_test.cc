// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq's threads name themselves, and those whose work can wait run at a
// lower priority (common/this_thread.h), as `top -H` shows them.

#include <catch2/catch.hpp>

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

TEST_CASE("a store's threads are named, and its background disk threads run at nice 10") {
  testing::TempDir dir;
  auto store = OpenStore(dir, FlushDiskType::kAsyncFlush);
  const std::multimap<std::string, int> threads =
      ThreadsOnceStarted({"rmq-dispatch", "rmq-flush", "rmq-prealloc", "rmq-store-bg"});
  CHECK(threads.find("rmq-dispatch")->second == 0);
  CHECK(threads.find("rmq-flush")->second == 10);     // Async flush: nobody waits for it.
  CHECK(threads.find("rmq-prealloc")->second == 10);
  CHECK(threads.find("rmq-store-bg")->second == 10);
}

TEST_CASE("under sync flush the flusher keeps normal priority: putters wait for it") {
  testing::TempDir dir;
  auto store = OpenStore(dir, FlushDiskType::kSyncFlush);
  const std::multimap<std::string, int> threads = ThreadsOnceStarted({"rmq-flush"});
  CHECK(threads.find("rmq-flush")->second == 0);
}

}  // namespace
}  // namespace rmq
