// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Shared by kill_test.cc (the child, the kill loop) and kill_verify.cc (the
// checks after each kill): what the child reports and what the parent knows.

#ifndef RMQ_TEST_CRASH_KILL_TEST_H_
#define RMQ_TEST_CRASH_KILL_TEST_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crash/workload.h"
#include "fmt/format.h"

namespace rmq::crash {

using Clock = std::chrono::steady_clock;

// What the child tells the parent; one write() each, so a record is in the
// pipe entirely or not at all (writes up to PIPE_BUF are atomic).
struct Report {
  enum Type : int32_t { kReady = 1, kIntent, kAck, kNotOk, kClosing, kClosed };
  int32_t type = 0;
  int32_t seq = 0;
  int32_t count = 0;        // Messages in the put.
  int32_t wrote_bytes = 0;  // kAck: PutMessageResult.
  int64_t wrote_offset = 0;
  int64_t queue_offset = 0;
  uint64_t hash = 0;        // Combined ContentHash of the put's messages.
};

// kill_test's command line (the child gets its own round and pipe).
struct Options {
  int rounds = 200;
  uint64_t seed = 1;
  FlushDiskType flush = FlushDiskType::kSyncFlush;
  std::string dir;
  std::string tmpdir;
  bool verbose = false;
  // Child only.
  bool child = false;
  int round = 0;
  int max_seqs = 0;
  int fd = -1;
};

inline uint64_t PutHash(const PutSpec& spec) {
  uint64_t h = 0;
  for (const MessageExt& msg : spec.msgs) h = Mix(h, ContentHash(msg));
  return h;
}

// What the parent learned from one child.
struct ChildLog {
  bool ready = false;
  bool closing = false;
  bool closed = false;
  int last_intent = -1;               // Highest seq the child started to put.
  int last_intent_count = 0;
  std::map<int, Report> acks;         // seq -> ack (PUT_OK only).
  std::set<int> not_ok;               // Stored but not PUT_OK.
};

// Counts over all rounds, for the summary line.
struct Totals {
  int64_t acked = 0;             // Messages acknowledged PUT_OK.
  int64_t verified = 0;          // Acknowledged messages found intact.
  int64_t unacked_present = 0;   // In-flight messages that survived (allowed).
  int64_t kills_mid_batch = 0;   // Killed between intent and ack of a batch.
  int64_t kills_before_ready = 0;
  int64_t kills_in_close = 0;
  int64_t clean_closes = 0;
  int64_t not_ok = 0;
};

// Reports a discrepancy with the seed and round that reproduce it.
class Failure {
 public:
  Failure(const Options& opt, int round) : opt_(opt), round_(round) {}
  template <typename... Args>
  void operator()(fmt::format_string<Args...> format, Args&&... args) {
    if (++count_ <= 20) {
      std::fprintf(stderr, "FAIL seed=%llu round=%d: %s\n", static_cast<unsigned long long>(opt_.seed),
                   round_, fmt::format(format, std::forward<Args>(args)...).c_str());
    }
  }
  int count() const { return count_; }

 private:
  const Options& opt_;
  int round_;
  int count_ = 0;
};

// A message the parent knows is in the store, at its queue offset.
struct Entry {
  MessageId id;
  int64_t commit_log_offset = 0;
  int32_t size = 0;
  uint64_t hash = 0;
};

using QueueKey = std::pair<int, int>;  // (topic index, queue id)

// Everything found in the store so far; grows every round.
struct Model {
  std::map<QueueKey, std::vector<Entry>> queues;
  std::set<MessageId> ids;
  int64_t messages = 0;
  int64_t end = 0;  // End of the last record known.

  void Add(const QueueKey& queue, const Entry& e) {
    queues[queue].push_back(e);
    ids.insert(e.id);
    messages++;
    end = std::max(end, e.commit_log_offset + e.size);
  }
};

// The log as the kill left it, read-only before recovery.
void CheckCrashedLog(const Options& opt, const ChildLog& log, const Model& model, Failure& fail);
// Reopens the store after the kill and checks it; then appends one message,
// closes it, and checks the files offline. `full`: re-read earlier rounds' messages too.
void VerifyRound(const Options& opt, int round, const ChildLog& log, bool full, Model& model, Totals& totals,
                 Failure& fail);

}  // namespace rmq::crash

#endif  // RMQ_TEST_CRASH_KILL_TEST_H_
