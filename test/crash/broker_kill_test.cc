// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Broker kill test: rmq-namesrv and a SYNC_FLUSH rmq-broker run as separate
// processes; producer threads in this process send to the broker over TCP
// with rmq's Producer, and after a random delay the broker is SIGKILLed under
// that load. A restarted rmq-broker over the same store must then hold every
// acknowledged message (Send returned SEND_OK) exactly where its SendResult
// said: queue id, queue offset, commit log offset (offsetMsgId), msgId, body,
// keys and tags. A quarter of the sends go to topics the broker creates on
// the first send (TBW102), one after another during the load. Also checked
// after the restart:
//   - every queue is readable without a gap from offset 0 to its max offset,
//     and no commit log record is referenced by two queue units;
//   - every message found is one this round really sent, unchanged (an
//     unacknowledged send may or may not have been stored);
//   - the broker accepts new sends, at the next offset of each queue, and
//     serves them to a pull.
// Each round uses a fresh store directory (on /dev/shm when present: a
// SIGKILL keeps the page cache, so a disk adds only fsync time).
//
//   broker_kill_test [--rounds N] [--seed S] [--producers P] [--min-delay-ms A] [--max-delay-ms B]
//                    [--sends-per-auto-topic N] [--tmpdir DIR] [--verbose]
//
// The programs come from RMQ_NAMESRV_BIN and RMQ_BROKER_BIN (set by meson).

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "admin/admin_client.h"
#include "crash/workload.h"
#include "fmt/format.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "spdlog/spdlog.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace rmq::crash {
namespace {

using Clock = std::chrono::steady_clock;
using testing::ServerProcess;

constexpr char kTopic[] = "BrokerKillTopic";
constexpr char kBrokerName[] = "crash-broker";
constexpr int kQueueNums = 6;
// Every 4th send goes to a topic the broker creates on it (from TBW102, with
// the producer's defaultTopicQueueNums); all threads move to the next one
// every `--sends-per-auto-topic` sends (at 4 or less, each thread sends one
// message to each), so topics are created all through the load and sends
// from several threads race with each creation: a message acknowledged in a
// new topic must not outlive the topic's config (topics.json) in a crash.
constexpr char kAutoTopicPrefix[] = "BrokerKillAuto";
constexpr int kAutoQueueNums = 4;
int sends_per_auto_topic = 4;  // --sends-per-auto-topic
constexpr int kMaxFiller = 2000;  // Below compressMsgBodyOverHowmuch: stored as sent.

struct Options {
  int rounds = 20;
  uint64_t seed = 1;
  int producers = 4;
  int min_delay_ms = 50;
  int max_delay_ms = 800;
  std::string tmpdir = "/dev/shm";
  bool verbose = false;
  std::string namesrv_bin;
  std::string broker_bin;
};

// ------------------------------------------------------------ messages --

// Every byte of a message is a function of (round seed, thread, seq, index),
// so a message found in the store can be regenerated and compared.
struct MsgRef {
  int thread = 0;
  int seq = 0;
  int index = 0;  // Position in its batch (0 for a single send).
  friend auto operator<=>(const MsgRef&, const MsgRef&) = default;
};

std::string Header(int round, const MsgRef& ref) {
  return fmt::format("R{}-T{}-S{}-I{}|", round, ref.thread, ref.seq, ref.index);
}

std::optional<MsgRef> ParseHeader(int round, const std::string& body) {
  MsgRef ref;
  int r = -1;
  if (std::sscanf(body.c_str(), "R%d-T%d-S%d-I%d|", &r, &ref.thread, &ref.seq, &ref.index) != 4 || r != round) {
    return std::nullopt;
  }
  return ref;
}

bool ToAutoTopic(int seq) { return seq % 4 == 3; }

std::string TopicOf(const MsgRef& ref) {
  return ToAutoTopic(ref.seq) ? fmt::format("{}{}", kAutoTopicPrefix, ref.seq / sends_per_auto_topic) : kTopic;
}

Message MakeMessage(uint64_t round_seed, int round, const MsgRef& ref) {
  Rng rng(Mix(round_seed, Mix(static_cast<uint64_t>(ref.thread) << 32 | static_cast<uint32_t>(ref.seq),
                              static_cast<uint64_t>(ref.index))));
  std::string body = Header(round, ref);
  const size_t filler = static_cast<size_t>(rng.Between(0, kMaxFiller));
  for (size_t i = 0; i < filler; ++i) body.push_back(static_cast<char>('a' + rng.Below(26)));
  Message msg(TopicOf(ref), fmt::format("Tag{}", ref.seq % 3),
              fmt::format("K-{}-{}-{}-{} G{}", round, ref.thread, ref.seq, ref.index, ref.seq % 5),
              std::move(body));
  msg.set_flag(static_cast<int32_t>(rng.Below(1u << 30)));
  return msg;
}

// How many messages send `seq` of `thread` carries: mostly one, sometimes a
// batch (to kTopic only).
int SendCount(uint64_t round_seed, int thread, int seq) {
  if (ToAutoTopic(seq)) return 1;
  Rng rng(Mix(round_seed ^ 0x42415443ULL, static_cast<uint64_t>(thread) << 32 | static_cast<uint32_t>(seq)));
  return rng.Below(100) < 10 ? static_cast<int>(rng.Between(2, 4)) : 1;
}

// What became of one Send / SendBatch.
struct SendRecord {
  enum Outcome { kSendOk, kFlushTimeout, kOtherStatus, kError } outcome = kError;
  int seq = 0;
  int count = 1;
  SendResult result;
  std::string error;
};

// --------------------------------------------------------------- checks --

class Failure {
 public:
  Failure(uint64_t seed, int round) : seed_(seed), round_(round) {}
  template <typename... Args>
  void operator()(fmt::format_string<Args...> format, Args&&... args) {
    if (++count_ <= 30) {
      std::fprintf(stderr, "FAIL seed=%llu round=%d: %s\n", static_cast<unsigned long long>(seed_), round_,
                   fmt::format(format, std::forward<Args>(args)...).c_str());
    }
  }
  int count() const { return count_; }

 private:
  uint64_t seed_;
  int round_;
  int count_ = 0;
};

// The commit log offset in an offset msgId (host, port, offset: 32 hex digits).
std::optional<int64_t> CommitLogOffsetOf(std::string_view offset_msg_id) {
  if (offset_msg_id.size() != 32) return std::nullopt;
  uint64_t v = 0;
  for (char c : offset_msg_id.substr(16)) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  return static_cast<int64_t>(v);
}

// "" if `got` is what `want` was sent as, else the first difference.
std::string Diff(const Message& want, const MessageExt& got) {
  if (got.topic() != want.topic()) return fmt::format("topic '{}' != '{}'", got.topic(), want.topic());
  if (got.body() != want.body()) {
    size_t i = 0;
    while (i < want.body().size() && i < got.body().size() && want.body()[i] == got.body()[i]) ++i;
    return fmt::format("body of {} bytes differs from the {} sent at byte {} (starts '{}')", got.body().size(),
                       want.body().size(), i, got.body().substr(0, 40));
  }
  if (got.keys() != want.keys()) return fmt::format("keys '{}' != '{}'", got.keys(), want.keys());
  if (got.tags() != want.tags()) return fmt::format("tags '{}' != '{}'", got.tags(), want.tags());
  if (got.flag() != want.flag()) return fmt::format("flag {} != {}", got.flag(), want.flag());
  return "";
}

std::string Conf(const std::string& store) {
  return fmt::format(
      "brokerClusterName=CrashCluster\nbrokerName={}\nbrokerIP1=127.0.0.1\nstorePathRootDir={}\n"
      "flushDiskType=SYNC_FLUSH\n"
      "# Small files: a round's messages cross commit log segments, queue files, index files.\n"
      "mappedFileSizeCommitLog=262144\nmappedFileSizeConsumeQueue=2000\n"
      "maxHashSlotNum=1024\nmaxIndexNum=4096\n",
      kBrokerName, store);
}

std::unique_ptr<ServerProcess> StartBroker(const Options& opt, const std::string& conf, const std::string& namesrv) {
  return std::make_unique<ServerProcess>(std::vector<std::string>{
      opt.broker_bin, "-c", conf, "-n", namesrv, "-p", "0", "--host", "127.0.0.1", "--log-level",
      opt.verbose ? "info" : "error"});
}

// Waits until the name server routes kTopic to `broker_addr` with all queues.
absl::Status AwaitRoute(internal::AdminClient& admin, const std::string& broker_addr) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  absl::Status last;
  for (;;) {
    auto route = admin.GetTopicRoute(kTopic);
    if (route.ok()) {
      bool has_broker = false, has_queues = false;
      for (const auto& b : route->broker_datas) has_broker |= b.MasterAddress() == broker_addr;
      for (const auto& q : route->queue_datas) {
        has_queues |= q.broker_name == kBrokerName && q.read_queue_nums == kQueueNums && q.write_queue_nums == kQueueNums;
      }
      if (has_broker && has_queues) return absl::OkStatus();
      last = absl::NotFoundError("route without the broker's address or queues yet");
    } else {
      last = route.status();
    }
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(fmt::format("no route of {} to {} within 30 s: {}", kTopic, broker_addr,
                                                     last.ToString()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // Polling the name server.
  }
}

struct RoundStats {
  int64_t sends = 0;          // Send calls made.
  int64_t sent_msgs = 0;      // Messages in them.
  int64_t acked = 0;          // Messages acknowledged SEND_OK.
  int64_t found = 0;          // Acknowledged messages found intact.
  int64_t flush_timeout = 0;  // Messages answered FLUSH_DISK_TIMEOUT.
  int64_t failed = 0;         // Messages whose send failed.
  int64_t unacked_present = 0;
  int64_t duplicates = 0;     // Same message stored at two commit log offsets.
  int64_t stored = 0;         // Messages in the recovered queues.
  int64_t topics = 0;         // Topics found after the restart.
  double restart_ms = 0;
};

// One round; returns the failures found.
int RunRound(const Options& opt, int round, const std::string& dir, RoundStats& stats) {
  Failure fail(opt.seed, round);
  const uint64_t round_seed = Mix(opt.seed, static_cast<uint64_t>(round) + 1);
  Rng rng(round_seed);
  const int delay_ms = static_cast<int>(rng.Between(opt.min_delay_ms, opt.max_delay_ms));
  std::printf("round %d: round_seed=%llu kill after %d ms of load\n", round,
              static_cast<unsigned long long>(round_seed), delay_ms);
  std::fflush(stdout);

  const std::string conf = dir + "/broker.conf";
  {
    FILE* f = std::fopen(conf.c_str(), "w");
    if (f == nullptr) {
      fail("cannot write {}", conf);
      return fail.count();
    }
    std::fputs(Conf(dir + "/store").c_str(), f);
    std::fclose(f);
  }

  ServerProcess namesrv({opt.namesrv_bin, "--host", "127.0.0.1", "-p", "0", "--log-level",
                         opt.verbose ? "info" : "error"});
  const std::string namesrv_addr = namesrv.Field("namesrv");
  if (namesrv_addr.empty()) {
    fail("rmq-namesrv announced '{}', no namesrv=", namesrv.announced());
    return fail.count();
  }
  std::unique_ptr<ServerProcess> broker = StartBroker(opt, conf, namesrv_addr);
  std::string broker_addr = broker->Field("broker");
  if (broker_addr.empty()) {
    fail("rmq-broker announced '{}', no broker=", broker->announced());
    return fail.count();
  }
  auto admin = internal::AdminClient::Create(namesrv_addr);
  if (!admin.ok()) {
    fail("AdminClient: {}", admin.status().ToString());
    return fail.count();
  }
  internal::TopicConfig topic;
  topic.topic_name = kTopic;
  topic.read_queue_nums = topic.write_queue_nums = kQueueNums;
  if (auto s = (*admin)->CreateOrUpdateTopic(broker_addr, topic); !s.ok()) {
    fail("CreateOrUpdateTopic: {}", s.ToString());
    return fail.count();
  }
  if (auto s = AwaitRoute(**admin, broker_addr); !s.ok()) {
    fail("{}", s.ToString());
    return fail.count();
  }

  // ---- Load, then SIGKILL.
  std::vector<std::vector<SendRecord>> records(static_cast<size_t>(opt.producers));
  {
    ProducerConfig config;
    config.namesrv_addr = namesrv_addr;
    config.group_name = "BrokerKillProducers";
    config.instance_name = fmt::format("kill-{}-producer", round);
    Producer producer(config);
    if (auto s = producer.Start(); !s.ok()) {
      fail("producer Start: {}", s.ToString());
      return fail.count();
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < opt.producers; ++t) {
      threads.emplace_back([&, t] {
        std::vector<SendRecord>& mine = records[static_cast<size_t>(t)];
        for (int seq = 0; !stop.load(); ++seq) {
          SendRecord rec;
          rec.seq = seq;
          rec.count = SendCount(round_seed, t, seq);
          absl::StatusOr<SendResult> sent;
          if (rec.count == 1) {
            sent = producer.Send(MakeMessage(round_seed, round, {t, seq, 0}));
          } else {
            std::vector<Message> batch;
            for (int i = 0; i < rec.count; ++i) batch.push_back(MakeMessage(round_seed, round, {t, seq, i}));
            sent = producer.SendBatch(batch);
          }
          if (!sent.ok()) {
            rec.outcome = SendRecord::kError;
            rec.error = sent.status().ToString();
          } else {
            rec.result = *sent;
            rec.outcome = sent->send_status == SendStatus::kSendOk            ? SendRecord::kSendOk
                          : sent->send_status == SendStatus::kFlushDiskTimeout ? SendRecord::kFlushTimeout
                                                                               : SendRecord::kOtherStatus;
          }
          mine.push_back(std::move(rec));
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));  // The random kill moment, by design.
    broker->Stop(SIGKILL);
    if (broker->term_signal() != SIGKILL) fail("rmq-broker ended before our SIGKILL (see its stderr)");
    stop = true;
    for (auto& th : threads) th.join();
    producer.Shutdown();
  }

  // What the producers learned.
  std::map<MsgRef, std::pair<MessageQueue, int64_t>> acked_at;  // -> (queue, offset)
  std::set<MsgRef> attempted;
  for (int t = 0; t < opt.producers; ++t) {
    for (const SendRecord& rec : records[static_cast<size_t>(t)]) {
      stats.sends++;
      stats.sent_msgs += rec.count;
      for (int i = 0; i < rec.count; ++i) attempted.insert({t, rec.seq, i});
      if (rec.outcome == SendRecord::kSendOk) stats.acked += rec.count;
      if (rec.outcome == SendRecord::kFlushTimeout) stats.flush_timeout += rec.count;
      if (rec.outcome == SendRecord::kError || rec.outcome == SendRecord::kOtherStatus) stats.failed += rec.count;
      if (rec.outcome == SendRecord::kOtherStatus) {
        fail("thread {} seq {}: unexpected send status {}", t, rec.seq, SendStatusName(rec.result.send_status));
      }
      if (opt.verbose && rec.outcome == SendRecord::kError) {
        std::printf("  thread %d seq %d: %s\n", t, rec.seq, rec.error.c_str());
      }
    }
  }

  // ---- Restart over the same store.
  const auto restart = Clock::now();
  broker = StartBroker(opt, conf, namesrv_addr);
  broker_addr = broker->Field("broker");
  if (broker_addr.empty()) {
    fail("restarted rmq-broker announced '{}', no broker= (recovery failed? see its stderr)", broker->announced());
    return fail.count();
  }
  stats.restart_ms = std::chrono::duration<double, std::milli>(Clock::now() - restart).count();
  if (auto s = AwaitRoute(**admin, broker_addr); !s.ok()) {
    fail("after restart: {}", s.ToString());
    return fail.count();
  }

  PullConsumerConfig cconfig;
  cconfig.namesrv_addr = namesrv_addr;
  cconfig.group_name = "BrokerKillVerifier";
  cconfig.instance_name = fmt::format("kill-{}-verifier", round);
  cconfig.broker_suspend_max_time_millis = 5000;
  cconfig.consumer_timeout_millis_when_suspend = 10000;
  PullConsumer consumer(cconfig);
  if (auto s = consumer.Start(); !s.ok()) {
    fail("consumer Start: {}", s.ToString());
    return fail.count();
  }
  // The topics this round sent to, with their acknowledged message counts.
  std::map<std::string, int64_t> topics;
  for (int t = 0; t < opt.producers; ++t) {
    for (const SendRecord& rec : records[static_cast<size_t>(t)]) {
      topics[TopicOf({t, rec.seq, 0})] += rec.outcome == SendRecord::kSendOk ? rec.count : 0;
    }
  }
  topics.emplace(kTopic, 0);

  // Everything in the recovered queues, checked for gaps on the way.
  std::map<MessageQueue, std::map<int64_t, MessageExt>> stored;
  std::map<MessageQueue, int64_t> max_offset;
  std::map<int64_t, std::pair<MessageQueue, int64_t>> by_commit_offset;
  std::map<MsgRef, int> copies;
  std::vector<MessageQueue> main_queues;
  for (const auto& [topic_name, acks] : topics) {
    auto queues = consumer.FetchSubscribeMessageQueues(topic_name);
    if (!queues.ok()) {
      // A topic whose creation the kill prevented; it must have no acknowledged message.
      if (acks > 0 || topic_name == kTopic) {
        fail("topic {} ({} acknowledged messages) not found after the restart: {}", topic_name, acks,
             queues.status().ToString());
      }
      continue;
    }
    const size_t want = topic_name == kTopic ? kQueueNums : kAutoQueueNums;
    stats.topics++;
    if (queues->size() != want) fail("topic {} has {} queues after the restart, want {}", topic_name, queues->size(), want);
    if (topic_name == kTopic) main_queues = *queues;
    for (const MessageQueue& mq : *queues) {
      const std::string q = fmt::format("{} queue {}", mq.topic, mq.queue_id);
      int64_t offset = 0;
      int64_t max = -1;
      for (;;) {
        auto pulled = consumer.Pull(mq, "*", offset, 32);
        if (!pulled.ok()) {
          fail("{}: pull at offset {}: {}", q, offset, pulled.status().ToString());
          break;
        }
        if (max < 0) {
          max = pulled->max_offset;
          if (pulled->min_offset != 0) fail("{}: min offset {} after recovery, want 0", q, pulled->min_offset);
        } else if (pulled->max_offset != max) {
          fail("{}: max offset changed from {} to {} while reading (nothing sends)", q, max, pulled->max_offset);
        }
        if (offset >= max) {
          if (pulled->pull_status != PullStatus::kNoNewMsg) {
            fail("{}: pull at max offset {} answered {}", q, max, PullStatusName(pulled->pull_status));
          }
          break;
        }
        if (pulled->pull_status != PullStatus::kFound || pulled->msgs.empty()) {
          fail("{}: offset {} below max offset {} not readable: {} (next begin offset {})", q, offset, max,
               PullStatusName(pulled->pull_status), pulled->next_begin_offset);
          break;
        }
        for (MessageExt& msg : pulled->msgs) {
          if (msg.queue_offset != offset || msg.queue_id != mq.queue_id) {
            fail("{}: gap: expected offset {}, the pull returned queue {} offset {}", q, offset, msg.queue_id,
                 msg.queue_offset);
            offset = msg.queue_offset;
          }
          auto [it, fresh] = by_commit_offset.emplace(msg.commit_log_offset, std::make_pair(mq, offset));
          if (!fresh) {
            fail("commit log offset {} is referenced by {} queue {} offset {} and {} offset {}", msg.commit_log_offset,
                 it->second.first.topic, it->second.first.queue_id, it->second.second, q, offset);
          }
          std::optional<MsgRef> ref = ParseHeader(round, msg.body());
          if (!ref || !attempted.contains(*ref)) {
            fail("{} offset {}: a message this round never sent (body starts '{}')", q, offset,
                 msg.body().substr(0, 40));
          } else {
            if (std::string d = Diff(MakeMessage(round_seed, round, *ref), msg); !d.empty()) {
              fail("{} offset {}: thread {} seq {} index {} stored wrong: {}", q, offset, ref->thread, ref->seq,
                   ref->index, d);
            }
            if (++copies[*ref] == 2) stats.duplicates++;
          }
          stored[mq][offset] = std::move(msg);
          offset++;
          stats.stored++;
        }
        if (pulled->next_begin_offset != offset) {
          fail("{}: next begin offset {} after reading up to {}", q, pulled->next_begin_offset, offset);
          offset = pulled->next_begin_offset;
        }
      }
      max_offset[mq] = max;
    }
  }

  // Every acknowledged message, where its SendResult said.
  for (int t = 0; t < opt.producers; ++t) {
    for (const SendRecord& rec : records[static_cast<size_t>(t)]) {
      if (rec.outcome != SendRecord::kSendOk) continue;
      const MessageQueue& mq = rec.result.message_queue;
      const std::string topic_name = TopicOf({t, rec.seq, 0});
      const std::vector<std::string> offset_ids = absl::StrSplit(rec.result.offset_msg_id, ',');
      const std::vector<std::string> msg_ids = absl::StrSplit(rec.result.msg_id, ',');
      if (mq.topic != topic_name || mq.broker_name != kBrokerName) {
        fail("thread {} seq {}: sent to {}, the SendResult names {}", t, rec.seq, topic_name, mq.ToString());
      }
      if (static_cast<int>(offset_ids.size()) != rec.count || static_cast<int>(msg_ids.size()) != rec.count) {
        fail("thread {} seq {}: SendResult of {} messages has msgIds '{}' and offsetMsgIds '{}'", t, rec.seq,
             rec.count, rec.result.msg_id, rec.result.offset_msg_id);
        continue;
      }
      for (int i = 0; i < rec.count; ++i) {
        const int64_t offset = rec.result.queue_offset + i;
        const auto q = stored.find(mq);
        const auto m = q == stored.end() ? std::map<int64_t, MessageExt>::const_iterator{} : q->second.find(offset);
        if (q == stored.end() || m == q->second.end()) {
          fail("acknowledged message MISSING: round {} thread {} seq {} index {} (acked SEND_OK at {} queue {} "
               "offset {}, offsetMsgId {}); the recovered queue's max offset is {}",
               round, t, rec.seq, i, mq.topic, mq.queue_id, offset, offset_ids[static_cast<size_t>(i)],
               max_offset.contains(mq) ? fmt::format("{}", max_offset[mq]) : "unknown (no such queue)");
          continue;
        }
        const MessageExt& got = m->second;
        std::string d = Diff(MakeMessage(round_seed, round, {t, rec.seq, i}), got);
        const std::optional<int64_t> commit_offset = CommitLogOffsetOf(offset_ids[static_cast<size_t>(i)]);
        if (d.empty() && commit_offset != got.commit_log_offset) {
          d = fmt::format("commit log offset {}, the SendResult's offsetMsgId {} says {}", got.commit_log_offset,
                          offset_ids[static_cast<size_t>(i)], commit_offset.value_or(-1));
        }
        if (d.empty() && got.GetProperty(property::kUniqKey) != msg_ids[static_cast<size_t>(i)]) {
          d = fmt::format("UNIQ_KEY '{}', the SendResult's msgId is '{}'", got.GetProperty(property::kUniqKey),
                          msg_ids[static_cast<size_t>(i)]);
        }
        if (!d.empty()) {
          fail("acknowledged message WRONG: round {} thread {} seq {} index {} at {} queue {} offset {}: {}", round,
               t, rec.seq, i, mq.topic, mq.queue_id, offset, d);
          continue;
        }
        stats.found++;
        acked_at[{t, rec.seq, i}] = {mq, offset};
      }
    }
  }
  for (const auto& [ref, n] : copies) {
    if (!acked_at.contains(ref)) stats.unacked_present++;
  }

  // ---- The recovered broker takes new messages, at the next offsets.
  {
    ProducerConfig config;
    config.namesrv_addr = namesrv_addr;
    config.group_name = "BrokerKillProducers";
    config.instance_name = fmt::format("kill-{}-after", round);
    Producer producer(config);
    if (auto s = producer.Start(); !s.ok()) {
      fail("producer after restart: Start: {}", s.ToString());
      return fail.count();
    }
    if (main_queues.size() != kQueueNums) fail("{} has {} queues after the restart", kTopic, main_queues.size());
    for (const MessageQueue& mq : main_queues) {
      // A thread number no load thread has; a seq that goes to kTopic.
      const MsgRef ref{opt.producers, 4 * (1'000'000 + mq.queue_id), 0};
      attempted.insert(ref);
      const Message msg = MakeMessage(round_seed, round, ref);
      auto sent = producer.Send(msg, mq);
      if (!sent.ok() || sent->send_status != SendStatus::kSendOk) {
        fail("send to queue {} after recovery: {}", mq.queue_id,
             sent.ok() ? std::string(SendStatusName(sent->send_status)) : sent.status().ToString());
        continue;
      }
      if (sent->queue_offset != max_offset[mq]) {
        fail("send to queue {} after recovery got queue offset {}, want the recovered max offset {}", mq.queue_id,
             sent->queue_offset, max_offset[mq]);
      }
      auto pulled = consumer.PullBlockIfNotFound(mq, "*", sent->queue_offset, 1);
      if (!pulled.ok() || pulled->pull_status != PullStatus::kFound || pulled->msgs.size() != 1) {
        fail("queue {}: the message sent after recovery is not pullable at offset {}: {}", mq.queue_id,
             sent->queue_offset,
             pulled.ok() ? std::string(PullStatusName(pulled->pull_status)) : pulled.status().ToString());
      } else if (std::string d = Diff(msg, pulled->msgs[0]); !d.empty()) {
        fail("queue {}: the message sent after recovery reads back wrong: {}", mq.queue_id, d);
      }
    }
    producer.Shutdown();
  }
  consumer.Shutdown();

  // ---- Stop everything cleanly.
  if (int code = broker->Stop(SIGTERM); code != 0) fail("restarted rmq-broker: SIGTERM gave exit code {}", code);
  if (int code = namesrv.Stop(SIGTERM); code != 0) fail("rmq-namesrv: SIGTERM gave exit code {}", code);
  return fail.count();
}

bool ParseArgs(int argc, char** argv, Options* opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--rounds") opt->rounds = std::atoi(value().c_str());
    else if (arg == "--seed") opt->seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--producers") opt->producers = std::atoi(value().c_str());
    else if (arg == "--min-delay-ms") opt->min_delay_ms = std::atoi(value().c_str());
    else if (arg == "--max-delay-ms") opt->max_delay_ms = std::atoi(value().c_str());
    else if (arg == "--tmpdir") opt->tmpdir = value();
    else if (arg == "--sends-per-auto-topic") sends_per_auto_topic = std::max(1, std::atoi(value().c_str()));
    else if (arg == "--verbose") opt->verbose = true;
    else return false;
  }
  return opt->rounds >= 0 && opt->producers >= 1 && opt->min_delay_ms >= 0 && opt->max_delay_ms >= opt->min_delay_ms;
}

int Run(Options opt) {
  const char* namesrv = std::getenv("RMQ_NAMESRV_BIN");
  const char* broker = std::getenv("RMQ_BROKER_BIN");
  if (namesrv == nullptr || broker == nullptr) {
    std::fprintf(stderr, "broker_kill_test: set RMQ_NAMESRV_BIN and RMQ_BROKER_BIN (meson test does)\n");
    return 2;
  }
  opt.namesrv_bin = namesrv;
  opt.broker_bin = broker;
  if (!opt.tmpdir.empty() && std::filesystem::is_directory(opt.tmpdir)) {
    ::setenv("TMPDIR", opt.tmpdir.c_str(), 1);
  } else if (!opt.tmpdir.empty()) {
    std::printf("broker_kill_test: %s is not a directory, using the default temp directory\n", opt.tmpdir.c_str());
  }
  std::printf("broker_kill_test: seed=%llu rounds=%d producers=%d kill after %d..%d ms\n",
              static_cast<unsigned long long>(opt.seed), opt.rounds, opt.producers, opt.min_delay_ms,
              opt.max_delay_ms);
  std::fflush(stdout);
  const auto start = Clock::now();
  RoundStats total;
  for (int round = 0; round < opt.rounds; ++round) {
    std::optional<testing::TempDir> dir(std::in_place);
    RoundStats stats;
    const auto round_start = Clock::now();
    const int failures = RunRound(opt, round, dir->path(), stats);
    std::printf("round %d: sends=%lld sent=%lld acked=%lld found=%lld flush_timeout=%lld failed=%lld "
                "unacked_present=%lld duplicates=%lld stored=%lld topics=%lld restart=%.0fms round=%.0fms\n",
                round, static_cast<long long>(stats.sends), static_cast<long long>(stats.sent_msgs),
                static_cast<long long>(stats.acked), static_cast<long long>(stats.found),
                static_cast<long long>(stats.flush_timeout), static_cast<long long>(stats.failed),
                static_cast<long long>(stats.unacked_present), static_cast<long long>(stats.duplicates),
                static_cast<long long>(stats.stored), static_cast<long long>(stats.topics), stats.restart_ms,
                std::chrono::duration<double, std::milli>(Clock::now() - round_start).count());
    std::fflush(stdout);
    if (failures > 0 || stats.found != stats.acked) {
      std::fprintf(stderr, "FAILED: seed=%llu round=%d (%d failures); reproduce with: broker_kill_test --seed %llu "
                   "--rounds %d\nstore left at %s for inspection (rmq-store verify / dump)\n",
                   static_cast<unsigned long long>(opt.seed), round, failures,
                   static_cast<unsigned long long>(opt.seed), round + 1, dir->path().c_str());
      std::exit(1);  // Skips TempDir's destructor on purpose: keep the evidence.
    }
    total.sends += stats.sends;
    total.sent_msgs += stats.sent_msgs;
    total.acked += stats.acked;
    total.found += stats.found;
    total.flush_timeout += stats.flush_timeout;
    total.failed += stats.failed;
    total.unacked_present += stats.unacked_present;
    total.duplicates += stats.duplicates;
    total.stored += stats.stored;
  }
  std::printf("rounds=%d sends=%lld sent=%lld acked=%lld verified=%lld flush_timeout=%lld failed=%lld "
              "unacked_present=%lld duplicates=%lld stored=%lld seconds=%.1f\n",
              opt.rounds, static_cast<long long>(total.sends), static_cast<long long>(total.sent_msgs),
              static_cast<long long>(total.acked), static_cast<long long>(total.found),
              static_cast<long long>(total.flush_timeout), static_cast<long long>(total.failed),
              static_cast<long long>(total.unacked_present), static_cast<long long>(total.duplicates),
              static_cast<long long>(total.stored), std::chrono::duration<double>(Clock::now() - start).count());
  return total.acked == total.found ? 0 : 1;
}

}  // namespace
}  // namespace rmq::crash

int main(int argc, char** argv) {
  // A SIGKILLed broker's connections reset: writes to them must fail, not kill us.
  ::signal(SIGPIPE, SIG_IGN);
  rmq::crash::Options opt;
  if (!rmq::crash::ParseArgs(argc, argv, &opt)) {
    std::fprintf(stderr,
                 "usage: %s [--rounds N] [--seed S] [--producers P] [--min-delay-ms A] [--max-delay-ms B] "
                 "[--sends-per-auto-topic N] [--tmpdir DIR] [--verbose]\n",
                 argv[0]);
    return 2;
  }
  // The clients log every refused connection after the kill: expected here.
  spdlog::set_level(opt.verbose ? spdlog::level::info : spdlog::level::err);
  return rmq::crash::Run(opt);
}
