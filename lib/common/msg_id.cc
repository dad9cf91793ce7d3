// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/msg_id.h"

#include <unistd.h>

#include <array>
#include <cstring>
#include <random>

#include "absl/time/civil_time.h"
#include "common/big_endian.h"
#include "fmt/format.h"

namespace rmq::internal {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";
constexpr int64_t kMillisPerDay = 24 * 60 * 60 * 1000;
constexpr int kMonthStartBits = 48;
constexpr uint64_t kMonthStartMask = (uint64_t{1} << kMonthStartBits) - 1;

// Each byte's two upper-case hex digits: one load and one store a byte
// (an id is written on every send, by the producer and by the broker).
constexpr std::array<std::array<char, 2>, 256> kHexPairs = [] {
  std::array<std::array<char, 2>, 256> pairs{};
  for (size_t b = 0; b < 256; ++b) pairs[b] = {kHexDigits[b >> 4], kHexDigits[b & 0xF]};
  return pairs;
}();

void WriteHex(const uint8_t* bytes, size_t n, char* out) {
  for (size_t i = 0; i < n; ++i) std::memcpy(out + 2 * i, kHexPairs[bytes[i]].data(), 2);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes hex (either case, as RocketMQ's UtilAll.string2bytes accepts) into
// `out`; false if a character is not a hex digit.
bool ReadHex(std::string_view hex, uint8_t* out) {
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i / 2] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return true;
}

struct MonthSpan {
  int64_t start_ms;
  int64_t end_ms;
};

// The UTC calendar month containing `ms`. UniqKeys use UTC rather than
// RocketMQ's local time zone so that ids do not depend on the host's zone.
MonthSpan MonthAround(int64_t ms) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  absl::CivilMonth month = absl::ToCivilMonth(absl::FromUnixMillis(ms), utc);
  return {absl::ToUnixMillis(absl::FromCivil(month, utc)),
          absl::ToUnixMillis(absl::FromCivil(month + 1, utc))};
}

}  // namespace

std::string CreateOffsetMsgId(const HostAddress& store_host, int64_t commit_log_offset) {
  uint8_t bytes[16 + 4 + 8];
  const size_t ip_len = store_host.ipv6 ? 16 : 4;
  std::memcpy(bytes, store_host.ip.data(), ip_len);
  PutBig32(bytes + ip_len, store_host.port);
  PutBig64(bytes + ip_len + 4, commit_log_offset);
  const size_t n = ip_len + 12;
  std::string id(2 * n, '\0');
  WriteHex(bytes, n, id.data());
  return id;
}

absl::StatusOr<OffsetMsgId> DecodeOffsetMsgId(std::string_view msg_id) {
  if (msg_id.size() != 32 && msg_id.size() != 56) {
    return absl::InvalidArgumentError(fmt::format(
        "offset msgId '{}' has {} characters; expected 32 (IPv4 store host) or 56 (IPv6)",
        msg_id.substr(0, 64), msg_id.size()));
  }
  uint8_t bytes[28];
  if (!ReadHex(msg_id, bytes)) {
    return absl::InvalidArgumentError(
        fmt::format("offset msgId '{}' contains a character that is not a hex digit", msg_id));
  }
  OffsetMsgId out;
  const size_t ip_len = msg_id.size() == 56 ? 16 : 4;
  // A UNIQ_KEY has the same length, with a pid (never 0) and a hash where
  // the port would be, so its port field is above 65535: that tells the two
  // apart, rather than sending a request to a port that cannot exist. Port 0
  // is a store's own host when it listens nowhere (an embedded store), whose
  // ids must still decode.
  const auto port = GetBig<uint32_t>(bytes + ip_len);
  if (port > 65535) {
    return absl::InvalidArgumentError(fmt::format(
        "'{}' is not an offset msgId: its port field {} is not a port (0-65535)", msg_id, port));
  }
  out.store_host.ipv6 = ip_len == 16;
  std::memcpy(out.store_host.ip.data(), bytes, ip_len);
  out.store_host.port = static_cast<int32_t>(port);
  out.commit_log_offset = GetBig64(bytes + ip_len + 4);
  return out;
}

UniqKeyGenerator::UniqKeyGenerator(const Clock& clock, const HostAddress& ip) : clock_(clock) {
  uint8_t prefix[10];
  std::memcpy(prefix, ip.ip.data(), 4);
  const auto pid = static_cast<uint16_t>(getpid() & 0xFFFF);
  PutBig<uint16_t>(prefix + 4, pid);
  // RocketMQ puts its class loader's hash here to tell apart producers in one
  // JVM; a random value per generator does the same for us.
  std::random_device rd;
  PutBig<uint32_t>(prefix + 6, static_cast<uint32_t>(rd()));
  WriteHex(prefix, sizeof(prefix), prefix_hex_);
}

uint32_t UniqKeyGenerator::MillisInMonth(int64_t now_ms) {
  uint64_t cached = month_.load(std::memory_order_relaxed);
  if (cached != 0) {
    const auto start = static_cast<int64_t>(cached & kMonthStartMask);
    const auto days = static_cast<int64_t>(cached >> kMonthStartBits);
    if (now_ms >= start && now_ms < start + days * kMillisPerDay) {
      return static_cast<uint32_t>(now_ms - start);
    }
  }
  const MonthSpan month = MonthAround(now_ms);
  // A clock before 1970 or after year ~10889 cannot be packed; such times
  // only occur in tests with odd VirtualClocks, so just skip the cache.
  if (month.start_ms >= 0 && static_cast<uint64_t>(month.start_ms) <= kMonthStartMask) {
    const auto days = static_cast<uint64_t>((month.end_ms - month.start_ms) / kMillisPerDay);
    month_.store((days << kMonthStartBits) | static_cast<uint64_t>(month.start_ms),
                 std::memory_order_relaxed);
  }
  // A month is at most 31 days = 2.68e9 ms, which fits 32 unsigned bits.
  return static_cast<uint32_t>(now_ms - month.start_ms);
}

void UniqKeyGenerator::NextInto(char* out) { NextInto(out, clock_.NowMillis()); }

void UniqKeyGenerator::NextInto(char* out, int64_t now_ms) {
  uint8_t tail[6];
  PutBig<uint32_t>(tail, MillisInMonth(now_ms));
  PutBig<uint16_t>(tail + 4,
                   static_cast<uint16_t>(counter_.fetch_add(1, std::memory_order_relaxed)));
  std::memcpy(out, prefix_hex_, sizeof(prefix_hex_));
  WriteHex(tail, sizeof(tail), out + sizeof(prefix_hex_));
}

std::string UniqKeyGenerator::Next() {
  std::string id(32, '\0');
  NextInto(id.data());
  return id;
}

absl::StatusOr<int64_t> UniqKeyTimestamp(std::string_view uniq_key, int64_t near_ms) {
  // 32 digits with an IPv4 prefix, 56 with the IPv6 prefix RocketMQ 4.9 uses;
  // either way the time is the 4 bytes before the trailing 2-byte counter.
  if (uniq_key.size() != 32 && uniq_key.size() != 56) {
    return absl::InvalidArgumentError(
        fmt::format("UNIQ_KEY '{}' has {} characters; expected 32 or 56 hex digits",
                    uniq_key.substr(0, 64), uniq_key.size()));
  }
  uint8_t bytes[28];
  if (!ReadHex(uniq_key, bytes)) {
    return absl::InvalidArgumentError(
        fmt::format("UNIQ_KEY '{}' contains a character that is not a hex digit", uniq_key));
  }
  const int64_t span = GetBig<uint32_t>(bytes + uniq_key.size() / 2 - 6);
  MonthSpan month = MonthAround(near_ms);
  // An id is never from the future: a span that would put it after `near_ms`
  // was counted from the previous month's start. (RocketMQ also moves back
  // when the result equals near_ms; an id made at that very millisecond is
  // from this month, so we keep it.)
  if (month.start_ms + span > near_ms) month = MonthAround(month.start_ms - 1);
  return month.start_ms + span;
}

}  // namespace rmq::internal
