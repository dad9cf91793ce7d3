// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What every example needs and none is about: an EmbeddedCluster over a
// temporary store directory, reporting a failed Status, checking a result,
// and collecting what a push consumer receives. An application keeps its
// store somewhere permanent and has its own error handling; the rmq calls
// worth copying are in the examples themselves.

#ifndef RMQ_EXAMPLES_EXAMPLE_SUPPORT_H_
#define RMQ_EXAMPLES_EXAMPLE_SUPPORT_H_

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rmq/cluster.h"
#include "rmq/consumer.h"
#include "spdlog/spdlog.h"

namespace rmq_examples {

// Waits in real time for `done` (the broker and the clients work on their own
// threads, also while a FakeCluster's virtual clock stands still); false
// after 10 s.
inline bool WaitFor(const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// True if `status` is OK; otherwise prints "<what>: <status>" to stderr.
inline bool Ok(const absl::Status& status, std::string_view what) {
  if (status.ok()) return true;
  std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
  return false;
}
template <typename T>
bool Ok(const absl::StatusOr<T>& result, std::string_view what) {
  return Ok(result.status(), what);
}

// An example's own check: true if `holds`, else prints "FAILED: <what>" to stderr.
inline bool Expect(bool holds, std::string_view what) {
  std::fflush(stdout);  // What the example printed first, then why it failed.
  if (!holds) std::fprintf(stderr, "FAILED: %.*s\n", static_cast<int>(what.size()), what.data());
  return holds;
}

// An EmbeddedCluster (name server + broker in this process) over a fresh
// directory under $TMPDIR (or /tmp), which is removed when this is destroyed.
class TemporaryCluster {
 public:
  // Starts the cluster and creates `topic` with `queues` queues; null, after
  // printing why to stderr, on failure.
  static std::unique_ptr<TemporaryCluster> Start(std::string_view topic, int queues = 4) {
    spdlog::set_level(spdlog::level::warn);  // rmq logs through spdlog; keep the output short.
    std::error_code error;
    std::string dir = std::filesystem::temp_directory_path(error).string() + "/rmq-example-XXXXXX";
    if (error || ::mkdtemp(dir.data()) == nullptr) {
      std::fprintf(stderr, "cannot create a temporary directory like %s\n", dir.c_str());
      return nullptr;
    }
    auto self = std::unique_ptr<TemporaryCluster>(new TemporaryCluster(dir));
    rmq::EmbeddedClusterOptions options;
    options.store_dir = dir + "/store";
    options.broker.store.mapped_file_size_commit_log = 64 << 20;  // Small segments for a demo.
    auto cluster = rmq::EmbeddedCluster::Start(options);
    if (!Ok(cluster, "start cluster")) return nullptr;
    self->cluster_ = std::move(*cluster);
    if (!Ok(self->cluster_->CreateTopic(topic, queues), "create topic")) return nullptr;
    return self;
  }

  ~TemporaryCluster() {
    if (cluster_) cluster_->Shutdown();  // Flushes and closes the store before it goes.
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TemporaryCluster(const TemporaryCluster&) = delete;
  TemporaryCluster& operator=(const TemporaryCluster&) = delete;

  // What clients take as namesrv_addr, as they would take "host:port".
  const std::string& namesrv_address() const { return cluster_->namesrv_address(); }
  // A scratch directory removed with the cluster (e.g. for broadcasting offsets).
  const std::string& dir() const { return dir_; }

 private:
  explicit TemporaryCluster(std::string dir) : dir_(std::move(dir)) {}

  std::string dir_;
  std::unique_ptr<rmq::EmbeddedCluster> cluster_;
};

// Keeps every message a push consumer's listener is given, from its threads,
// and lets main wait for a count.
class Inbox {
 public:
  rmq::MessageListenerConcurrently Listener() {
    return [this](std::span<const rmq::MessageExt> msgs, rmq::ConsumeConcurrentlyContext&) {
      absl::MutexLock lock(&mu_);
      messages_.insert(messages_.end(), msgs.begin(), msgs.end());
      return rmq::ConsumeConcurrentlyStatus::kConsumeSuccess;
    };
  }

  // Waits until `count` messages arrived; false if `guard` (real time, only
  // against hanging) passed first.
  bool WaitFor(size_t count, absl::Duration guard = absl::Seconds(30)) {
    absl::MutexLock lock(&mu_);
    auto arrived = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return messages_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&arrived), guard);
  }

  std::vector<rmq::MessageExt> messages() {
    absl::MutexLock lock(&mu_);
    return messages_;
  }

 private:
  absl::Mutex mu_;
  std::vector<rmq::MessageExt> messages_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq_examples

#endif  // RMQ_EXAMPLES_EXAMPLE_SUPPORT_H_
