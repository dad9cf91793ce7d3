// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-bench store / recover.
//
// store: T threads put N messages of S-byte bodies (TAGS and a fresh
// UNIQ_KEY each, as a producer sends them) into topic T's 4 queues, timing
// every put. The baseline copies the same number of bytes per message:
//   async: memcpy into a pre-created mapped file (the bound for any mmap log);
//   sync:  pwrite + fdatasync per record to one file from the same threads
//          (what a log without group commit does); with more than one
//          thread, also from a single thread (baseline_1thread_msgs_per_s,
//          ratio_1thread), since the file system already merges the
//          threads' syncs.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/msg_id.h"
#include "common/properties_codec.h"
#include "common/record_codec.h"
#include "rmq/store.h"
#include "common/config_file.h"
#include "store/default_message_store.h"
#include "store/store_config.h"
#include "bench.h"
#include "bench_heap.h"
#include "bench_stats.h"

namespace rmq::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kQueues = 4;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Prints "acked=N" to stderr about once a second until stopped.
class ProgressReporter {
 public:
  explicit ProgressReporter(const std::atomic<int64_t>& acked) : acked_(acked) {
    start_ = Clock::now();
    thread_ = std::thread([this] {
      std::unique_lock lock(mu_);
      while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
        double s = Seconds(Clock::now() - start_);
        int64_t n = acked_.load(std::memory_order_relaxed);
        std::fprintf(stderr, "acked=%lld elapsed_s=%.1f msgs_per_s=%.0f\n", static_cast<long long>(n), s,
                     static_cast<double>(n) / s);
      }
    });
  }
  ~ProgressReporter() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    std::fprintf(stderr, "acked=%lld done\n", static_cast<long long>(acked_.load()));
  }

 private:
  const std::atomic<int64_t>& acked_;
  Clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Bytes one stored record of this benchmark's messages takes.
int64_t RecordBytes(const StoreBenchOptions& o) {
  MessageExt msg(o.topic, "TagA", std::string(static_cast<size_t>(o.size), 'x'));
  msg.PutProperty(property::kUniqKey, std::string(32, '0'));
  size_t props = internal::EncodedPropertiesSize(msg.properties());
  return static_cast<int64_t>(internal::RecordSize(0, msg.body().size(), msg.topic().size(), props));
}

// Runs `work(thread, begin, end)` on o.threads threads over [0, count).
template <typename Work>
double RunThreads(int threads, int64_t count, Work work) {
  std::vector<std::thread> pool;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    int64_t begin = count * t / threads;
    int64_t end = count * (t + 1) / threads;
    pool.emplace_back([&work, t, begin, end] { work(t, begin, end); });
  }
  for (auto& th : pool) th.join();
  return Seconds(Clock::now() - start);
}

// memcpy of `record` bytes per message into a pre-created mapped file.
double MemcpyBaseline(const StoreBenchOptions& o, int64_t record, const std::string& path) {
  int64_t total = record * o.count;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ::fallocate(fd, 0, 0, total) != 0) {
    std::fprintf(stderr, "baseline: cannot create %s: %s\n", path.c_str(), std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return 0;
  }
  char* map = static_cast<char*>(::mmap(nullptr, static_cast<size_t>(total), PROT_READ | PROT_WRITE,
                                        MAP_SHARED, fd, 0));
  ::close(fd);
  if (map == MAP_FAILED) return 0;
  std::string src(static_cast<size_t>(record), 'x');
  std::atomic<int64_t> next{0};
  double seconds = RunThreads(o.threads, o.count, [&](int, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      int64_t at = next.fetch_add(record, std::memory_order_relaxed);
      std::memcpy(map + at, src.data(), src.size());
    }
  });
  ::munmap(map, static_cast<size_t>(total));
  ::unlink(path.c_str());
  return static_cast<double>(o.count) / seconds;
}

// pwrite + fdatasync per record from `threads` threads, for at most
// baseline_seconds. With several threads the file system merges their
// syncs into shared journal commits, so this is already a group commit of
// sorts; one thread is the plain one-sync-per-record log.
double FdatasyncBaseline(const StoreBenchOptions& o, int threads, int64_t record,
                         const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  std::string src(static_cast<size_t>(record), 'x');
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  auto deadline = Clock::now() + std::chrono::duration<double>(o.baseline_seconds);
  double seconds = RunThreads(threads, o.count, [&](int, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end && Clock::now() < deadline; ++i) {
      int64_t at = next.fetch_add(record, std::memory_order_relaxed);
      if (::pwrite(fd, src.data(), src.size(), at) != static_cast<ssize_t>(src.size()) ||
          ::fdatasync(fd) != 0) {
        return;
      }
      done.fetch_add(1, std::memory_order_relaxed);
    }
  });
  ::close(fd);
  ::unlink(path.c_str());
  return static_cast<double>(done.load()) / seconds;
}

// Applies `--set key=value` store settings (broker.conf names); false,
// after saying why, if one is unknown or its value bad.
bool ApplySettings(const std::vector<std::string>& settings, MessageStoreConfig* config) {
  if (settings.empty()) return true;
  std::string text;
  for (const std::string& setting : settings) text += setting + "\n";
  auto entries = internal::ParseConfigText(text, "--set");
  internal::ConfigBinder binder;
  internal::BindMessageStoreConfig(&binder, config);
  absl::Status applied = entries.ok() ? binder.Apply(*entries, "--set") : entries.status();
  if (!applied.ok()) std::fprintf(stderr, "rmq-bench: %s\n", applied.ToString().c_str());
  return applied.ok();
}

}  // namespace

int RunStoreBench(const StoreBenchOptions& o) {
  std::error_code ec;
  if (fs::exists(o.dir, ec) && !fs::is_empty(o.dir, ec)) {
    std::fprintf(stderr, "rmq-bench: --dir %s is not empty; give a fresh directory\n", o.dir.c_str());
    return 2;
  }
  fs::create_directories(o.dir, ec);
  const bool sync = o.flush == "sync";
  const int64_t record = RecordBytes(o);

  std::fprintf(stderr, "baseline: %s ...\n", sync ? "fdatasync per record" : "memcpy into mapped file");
  std::string baseline_path = o.dir + "/baseline.tmp";
  double baseline = sync ? FdatasyncBaseline(o, o.threads, record, baseline_path)
                         : MemcpyBaseline(o, record, baseline_path);
  // Sync with several threads: also the single writer, printed beside it.
  const bool one_thread_baseline = sync && o.threads > 1;
  double baseline_one_thread = 0;
  if (one_thread_baseline) {
    std::fprintf(stderr, "baseline: fdatasync per record, one thread ...\n");
    baseline_one_thread = FdatasyncBaseline(o, 1, record, baseline_path);
  }

  MessageStoreConfig config;
  config.store_path_root_dir = o.dir;
  config.mapped_file_size_commit_log = o.segment_size;
  config.flush_disk_type = sync ? FlushDiskType::kSyncFlush : FlushDiskType::kAsyncFlush;
  if (!ApplySettings(o.settings, &config)) return 2;
  auto opened = internal::DefaultMessageStore::Open(config, nullptr);
  if (!opened.ok()) {
    std::fprintf(stderr, "rmq-bench: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<internal::DefaultMessageStore> store = *std::move(opened);

  // Everything a thread needs is allocated before timing starts.
  const int64_t puts = (o.count + o.batch - 1) / o.batch;
  std::vector<std::vector<uint32_t>> latencies(static_cast<size_t>(o.threads));
  std::vector<std::vector<MessageExt>> messages(static_cast<size_t>(o.threads));
  SystemClock system_clock;
  internal::UniqKeyGenerator ids(system_clock, HostAddress::Ipv4(127, 0, 0, 1, 0));
  for (int t = 0; t < o.threads; ++t) {
    latencies[static_cast<size_t>(t)].reserve(static_cast<size_t>(puts / o.threads + 1));
    for (int b = 0; b < o.batch; ++b) {
      MessageExt msg(o.topic, "TagA", std::string(static_cast<size_t>(o.size), static_cast<char>('a' + t % 26)));
      msg.PutProperty(property::kUniqKey, std::string(32, '0'));
      msg.born_host = HostAddress::Ipv4(127, 0, 0, 1, 40000 + t);
      messages[static_cast<size_t>(t)].push_back(std::move(msg));
    }
  }
  std::atomic<int64_t> acked{0};
  std::atomic<int64_t> failures{0};
  std::atomic<int64_t> flush_timeouts{0};
  const int64_t heap_before = HeapInUseBytes();
  double seconds;
  {
    ProgressReporter progress(acked);
    seconds = RunThreads(o.threads, puts, [&](int t, int64_t begin, int64_t end) {
      auto& batch = messages[static_cast<size_t>(t)];
      auto& lat = latencies[static_cast<size_t>(t)];
      for (int64_t i = begin; i < end; ++i) {
        for (auto& msg : batch) {
          msg.queue_id = static_cast<int32_t>(i % kQueues);
          msg.born_timestamp = i;
          ids.NextInto(msg.mutable_properties().find(property::kUniqKey)->second.data());
        }
        auto start = Clock::now();
        auto put = o.batch == 1 ? store->Put(batch.front()) : store->PutBatch(batch);
        lat.push_back(static_cast<uint32_t>(
            std::min<int64_t>(UINT32_MAX, std::chrono::nanoseconds(Clock::now() - start).count())));
        if (!put.ok()) {
          if (failures.fetch_add(1) == 0) std::fprintf(stderr, "put failed: %s\n", put.status().ToString().c_str());
          continue;
        }
        if (put->status != PutStatus::kPutOk) {
          flush_timeouts.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        acked.fetch_add(o.batch, std::memory_order_relaxed);
      }
    });
  }
  const int64_t heap_after = HeapInUseBytes();
  auto dispatch_start = Clock::now();
  store->WaitForDispatch();
  double dispatch_wait_ms = Seconds(Clock::now() - dispatch_start) * 1000;

  std::vector<uint32_t> all;
  for (auto& lat : latencies) all.insert(all.end(), lat.begin(), lat.end());
  Percentiles p = ComputePercentiles(all);
  double msgs_per_s = static_cast<double>(acked.load()) / seconds;
  std::printf(
      "bench=store flush=%s threads=%d size=%lld batch=%d count=%lld record_bytes=%lld acked=%lld "
      "failed=%lld flush_timeouts=%lld seconds=%.3f msgs_per_s=%.0f mb_per_s=%.1f p50_us=%.2f "
      "p99_us=%.2f p99_9_us=%.2f max_us=%.1f dispatch_wait_ms=%.1f heap_growth_kb=%lld "
      "baseline=%s baseline_msgs_per_s=%.0f ratio=%.3f",
      o.flush.c_str(), o.threads, static_cast<long long>(o.size), o.batch, static_cast<long long>(o.count),
      static_cast<long long>(record), static_cast<long long>(acked.load()),
      static_cast<long long>(failures.load()), static_cast<long long>(flush_timeouts.load()), seconds,
      msgs_per_s, msgs_per_s * static_cast<double>(record) / 1e6, p.p50_us, p.p99_us, p.p99_9_us, p.max_us,
      dispatch_wait_ms, static_cast<long long>((heap_after - heap_before) / 1024),
      sync ? "fdatasync_per_record" : "memcpy_mmap", baseline, baseline > 0 ? msgs_per_s / baseline : 0);
  if (one_thread_baseline) {
    std::printf(" baseline_1thread_msgs_per_s=%.0f ratio_1thread=%.3f", baseline_one_thread,
                baseline_one_thread > 0 ? msgs_per_s / baseline_one_thread : 0);
  }
  std::printf("\n");
  std::fflush(stdout);
  if (o.no_close) std::_Exit(failures.load() == 0 ? 0 : 1);  // Leave the store as a crash would.
  return failures.load() == 0 ? 0 : 1;
}

int RunRecoverBench(const std::string& dir, const std::vector<std::string>& settings) {
  MessageStoreConfig config;
  config.store_path_root_dir = dir;
  if (!ApplySettings(settings, &config)) return 2;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(config.CommitLogDir(), ec)) {
    config.mapped_file_size_commit_log = static_cast<int64_t>(entry.file_size());
    break;
  }
  int64_t log_bytes = 0;
  for (const auto& entry : fs::directory_iterator(config.CommitLogDir(), ec)) {
    log_bytes += static_cast<int64_t>(entry.file_size());
  }
  auto start = Clock::now();
  auto store = internal::DefaultMessageStore::Open(config, nullptr);
  double ms = Seconds(Clock::now() - start) * 1000;
  if (!store.ok()) {
    std::fprintf(stderr, "rmq-bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const auto& report = (*store)->open_report();
  // After a crash the index may catch up after Open returned: timed too.
  const int64_t end = report.recovery.end_offset;
  while ((*store)->indexed_offset() < end) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  double index_ms = Seconds(Clock::now() - start) * 1000;
  std::printf("bench=recover abnormal=%d commit_log_bytes=%lld valid_records_scanned=%lld "
              "truncated_bytes=%lld redispatched_bytes=%lld recover_ms=%.1f "
              "index_rebuilt_bytes=%lld index_caught_up_ms=%.1f\n",
              report.abnormal ? 1 : 0, static_cast<long long>(log_bytes),
              static_cast<long long>(report.recovery.valid_records),
              static_cast<long long>(report.recovery.truncated_bytes),
              static_cast<long long>(end - report.redispatch_from), ms,
              static_cast<long long>(end - report.index_from), index_ms);
  return 0;
}

}  // namespace rmq::bench
