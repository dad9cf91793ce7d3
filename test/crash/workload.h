// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The crash tests' workload: messages whose every byte is a function of
// (seed, round, seq), so that whoever finds a message in a store (the killed
// child's parent, after recovery) can regenerate what it must be, and say
// exactly how it differs.

#ifndef RMQ_TEST_CRASH_WORKLOAD_H_
#define RMQ_TEST_CRASH_WORKLOAD_H_

#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fmt/format.h"
#include "rmq/message.h"
#include "rmq/store.h"

namespace rmq::crash {

// SplitMix64: tiny, and the same sequence on every platform and standard
// library (std::uniform_int_distribution is not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (n > 0; the modulo bias is irrelevant here).
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }

 private:
  uint64_t state_;
};

inline uint64_t Mix(uint64_t a, uint64_t b) {
  return Rng(a * 0x100000001B3ULL ^ (b + 0x632BE59BD9B4E019ULL)).Next();
}

inline constexpr std::array<std::string_view, 3> kTopics = {"CrashA", "CrashB", "CrashC"};
inline constexpr int kQueues = 4;
inline constexpr int kMaxBody = 3000;
// The seq of the message the verifier appends itself after each recovery.
inline constexpr int kProbeSeq = 1 << 30;

// Where a message comes from; stored in its UNIQ_KEY.
struct MessageId {
  int round = 0;
  int seq = 0;
  int index = 0;  // Position in its batch.
  friend auto operator<=>(const MessageId&, const MessageId&) = default;
};

inline std::string UniqKey(const MessageId& id) {
  return fmt::format("R{}S{}I{}", id.round, id.seq, id.index);
}

inline std::optional<MessageId> ParseUniqKey(std::string_view key) {
  MessageId id;
  char tail = 0;
  std::string text(key);
  if (std::sscanf(text.c_str(), "R%dS%dI%d%c", &id.round, &id.seq, &id.index, &tail) != 3) {
    return std::nullopt;
  }
  return id;
}

// One put of the workload: a single message, or a batch (one topic and queue).
struct PutSpec {
  int topic = 0;  // Index into kTopics.
  int queue_id = 0;
  bool batch = false;
  std::vector<MessageExt> msgs;
};

inline PutSpec MakePut(uint64_t seed, int round, int seq) {
  Rng rng(Mix(seed, Mix(static_cast<uint64_t>(round), static_cast<uint64_t>(seq))));
  PutSpec spec;
  spec.topic = static_cast<int>(rng.Below(kTopics.size()));
  spec.queue_id = static_cast<int>(rng.Below(kQueues));
  spec.batch = seq != kProbeSeq && rng.Below(100) < 15;
  int count = spec.batch ? static_cast<int>(rng.Between(2, 8)) : 1;
  for (int i = 0; i < count; ++i) {
    std::string body(static_cast<size_t>(rng.Between(0, kMaxBody)), '\0');
    for (size_t b = 0; b < body.size(); b += 8) {
      uint64_t bits = rng.Next();
      for (size_t k = b; k < body.size() && k < b + 8; ++k, bits >>= 8) {
        body[k] = static_cast<char>(bits & 0xff);
      }
    }
    MessageExt msg{std::string(kTopics[static_cast<size_t>(spec.topic)]), std::move(body)};
    MessageId id{round, seq, i};
    msg.set_tags(fmt::format("Tag{}", seq % 3));
    // Two keys: one unique, one shared by many messages (index chains).
    msg.set_keys(fmt::format("K{}-{}-{} G{}", round, seq, i, seq % 7));
    msg.PutProperty(property::kUniqKey, UniqKey(id));
    msg.set_flag(static_cast<int32_t>(rng.Below(1u << 31)));
    msg.queue_id = spec.queue_id;
    msg.born_timestamp = 1'600'000'000'000LL + round * 1'000'000LL + seq;
    msg.born_host = HostAddress::Ipv4(10, 1, static_cast<uint8_t>(round & 0xff), 7, 4000 + i);
    spec.msgs.push_back(std::move(msg));
  }
  return spec;
}

// A hash of everything the producer chose (not what the store assigns).
inline uint64_t ContentHash(const Message& msg, int32_t queue_id, int64_t born_timestamp) {
  std::string all = fmt::format("{}|{}|{}|{}|", msg.topic(), queue_id, msg.flag(), born_timestamp);
  for (const auto& [key, value] : msg.properties()) all += fmt::format("{}={};", key, value);
  all += msg.body();
  return std::hash<std::string>{}(all);
}
inline uint64_t ContentHash(const MessageExt& msg) {
  return ContentHash(msg, msg.queue_id, msg.born_timestamp);
}

// "" if `got` holds what `want` was sent with, else the first difference.
inline std::string DiffMessage(const MessageExt& want, const MessageExt& got) {
  if (want.topic() != got.topic()) return fmt::format("topic {} != {}", got.topic(), want.topic());
  if (want.queue_id != got.queue_id) return fmt::format("queue {} != {}", got.queue_id, want.queue_id);
  if (want.flag() != got.flag()) return fmt::format("flag {} != {}", got.flag(), want.flag());
  if (want.born_timestamp != got.born_timestamp) {
    return fmt::format("born timestamp {} != {}", got.born_timestamp, want.born_timestamp);
  }
  if (want.body() != got.body()) {
    size_t i = 0;
    while (i < want.body().size() && i < got.body().size() && want.body()[i] == got.body()[i]) ++i;
    return fmt::format("body of {} bytes differs from the {} sent at byte {}", got.body().size(),
                       want.body().size(), i);
  }
  for (const auto& [key, value] : want.properties()) {
    if (got.GetProperty(key) != value || !got.HasProperty(key)) {
      return fmt::format("property {}='{}', sent '{}'", key, got.GetProperty(key), value);
    }
  }
  for (const auto& [key, value] : got.properties()) {
    if (!want.HasProperty(key)) return fmt::format("unexpected property {}='{}'", key, value);
  }
  return "";
}

inline MessageStoreConfig CrashConfig(const std::string& dir, FlushDiskType flush) {
  MessageStoreConfig config;
  config.store_path_root_dir = dir;
  config.flush_disk_type = flush;
  // Small files, so that a few hundred KiB of messages cross commit log
  // segments (BLANK records), consume queue files and index files.
  config.mapped_file_size_commit_log = 256 * 1024;
  config.mapped_file_size_consume_queue = 2000;
  config.max_hash_slot_num = 1024;
  config.max_index_num = 4096;
  return config;
}

}  // namespace rmq::crash

#endif  // RMQ_TEST_CRASH_WORKLOAD_H_
