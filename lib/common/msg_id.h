// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Message ids.
// - The offset msgId (what RocketMQ calls offsetMsgId): the store host's
//   address and port and the record's commit log offset, as upper-case hex:
//   IPv4 4+4+8 bytes = 32 digits, IPv6 16+4+8 bytes = 56 digits.
// - The UNIQ_KEY a producer gives each message (MessageClientIDSetter): a
//   fixed prefix (IPv4 address 4 bytes, pid 2 bytes, an instance hash 4 bytes)
//   then 4 bytes of milliseconds since the start of the current month and a
//   2-byte counter; 32 upper-case hex digits.

#ifndef RMQ_COMMON_MSG_ID_H_
#define RMQ_COMMON_MSG_ID_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rmq/clock.h"
#include "rmq/message.h"

namespace rmq::internal {

std::string CreateOffsetMsgId(const HostAddress& store_host, int64_t commit_log_offset);

struct OffsetMsgId {
  HostAddress store_host;
  int64_t commit_log_offset = 0;
};
// InvalidArgument if not 32 (or 56) hex digits, or if the port field is not
// a port (1-65535), as in a UNIQ_KEY (a client msgId).
absl::StatusOr<OffsetMsgId> DecodeOffsetMsgId(std::string_view msg_id);

class UniqKeyGenerator {
 public:
  // `ip` is this host's IPv4 address (the first 4 bytes used).
  UniqKeyGenerator(const Clock& clock, const HostAddress& ip);

  // A new id; thread-safe. Writes 32 characters at `out`.
  void NextInto(char* out);
  // As NextInto, made at `now_ms` (the clock's time, read by the caller).
  void NextInto(char* out, int64_t now_ms);
  std::string Next();

 private:
  // Milliseconds since the start of the current UTC month at `now_ms`,
  // refreshing the cached month when `now_ms` falls outside it.
  uint32_t MillisInMonth(int64_t now_ms);

  const Clock& clock_;
  char prefix_hex_[20];
  std::atomic<uint32_t> counter_{0};
  // The cached month: its start in ms since the epoch (low 48 bits) and its
  // length in days (high 16 bits), in one word so that concurrent callers
  // never pair one month's start with another month's length. 0 = none yet.
  std::atomic<uint64_t> month_{0};
};

// Born timestamp (ms) encoded in a UNIQ_KEY, given the time it was decoded
// near (RocketMQ's MessageClientIDSetter.getNearlyTimeFromID).
absl::StatusOr<int64_t> UniqKeyTimestamp(std::string_view uniq_key, int64_t near_ms);

}  // namespace rmq::internal

#endif  // RMQ_COMMON_MSG_ID_H_
