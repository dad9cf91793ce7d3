// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/msg_id.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "rmq/clock.h"

using rmq::HostAddress;
using rmq::VirtualClock;
using namespace rmq::internal;

namespace {

absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

int64_t Ms(absl::Time t) { return absl::ToUnixMillis(t); }

bool IsUpperHex(const std::string& s) {
  return s.find_first_not_of("0123456789ABCDEF") == std::string::npos;
}

uint32_t TimeField(const std::string& id) {
  return static_cast<uint32_t>(std::stoul(id.substr(20, 8), nullptr, 16));
}

uint32_t CounterField(const std::string& id) {
  return static_cast<uint32_t>(std::stoul(id.substr(28, 4), nullptr, 16));
}

}  // namespace

TEST_CASE("offset msgId of a known host and offset", "[msg_id]") {
  CHECK(CreateOffsetMsgId(HostAddress::Ipv4(127, 0, 0, 1, 10911), 0) ==
        "7F00000100002A9F0000000000000000");
  CHECK(CreateOffsetMsgId(HostAddress::Ipv4(10, 1, 2, 254, 10911), 0x0123456789ABCDEF) ==
        "0A0102FE00002A9F0123456789ABCDEF");
}

TEST_CASE("offset msgId round trips for IPv4 and IPv6", "[msg_id]") {
  HostAddress v4 = HostAddress::Ipv4(192, 168, 1, 20, 10911);
  for (int64_t offset : {int64_t{0}, int64_t{1}, int64_t{1} << 30, int64_t{0x7FFFFFFFFFFFFFFF}}) {
    std::string id = CreateOffsetMsgId(v4, offset);
    REQUIRE(id.size() == 32);
    CHECK(IsUpperHex(id));
    auto decoded = DecodeOffsetMsgId(id);
    REQUIRE(decoded.ok());
    CHECK(decoded->store_host == v4);
    CHECK(decoded->commit_log_offset == offset);
  }

  auto v6 = HostAddress::Parse("[2001:db8::1]:10911");
  REQUIRE(v6.has_value());
  std::string id = CreateOffsetMsgId(*v6, 4096);
  CHECK(id.size() == 56);
  CHECK(id == "20010DB800000000000000000000000100002A9F0000000000001000");
  auto decoded = DecodeOffsetMsgId(id);
  REQUIRE(decoded.ok());
  CHECK(decoded->store_host == *v6);
  CHECK(decoded->commit_log_offset == 4096);
}

TEST_CASE("offset msgId decoding accepts lower case and rejects bad text", "[msg_id]") {
  auto d = DecodeOffsetMsgId("7f00000100002a9f00000000000000ff");
  REQUIRE(d.ok());
  CHECK(d->commit_log_offset == 255);
  CHECK(d->store_host.port == 10911);

  auto short_id = DecodeOffsetMsgId("7F000001");
  CHECK(short_id.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(short_id.status().message()), Catch::Contains("8 characters"));
  auto not_hex = DecodeOffsetMsgId("7F00000100002A9F000000000000000G");
  CHECK(not_hex.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(not_hex.status().message()), Catch::Contains("hex"));
}

TEST_CASE("offset msgId decoding rejects a port field that is no port", "[msg_id]") {
  // A UNIQ_KEY (what sendMessage prints as MsgId) has a pid and a hash there.
  auto uniq_key = DecodeOffsetMsgId("7F00000129AF2E2C6C648B622AFB0000");
  CHECK(uniq_key.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(uniq_key.status().message()),
             Catch::Contains("is not an offset msgId: its port field 699346476 is not a port"));
  // Port 0: an embedded store's own host (it listens nowhere).
  auto port_zero = DecodeOffsetMsgId("7F000001000000000000000000001000");
  REQUIRE(port_zero.ok());
  CHECK(port_zero->store_host.port == 0);
  CHECK(port_zero->commit_log_offset == 0x1000);
  auto v6_port = DecodeOffsetMsgId("20010DB8000000000000000000000001000100000000000000001000");
  CHECK(v6_port.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(v6_port.status().message()), Catch::Contains("port field 65536"));
  auto top = DecodeOffsetMsgId("7F0000010000FFFF0000000000000000");
  REQUIRE(top.ok());
  CHECK(top->store_host.port == 65535);
}

TEST_CASE("UniqKey layout: ip, pid, hash, ms in month, counter", "[msg_id]") {
  const absl::Time t = Utc(2026, 3, 2, 1, 2, 3);
  VirtualClock clock(t);
  UniqKeyGenerator gen(clock, HostAddress::Ipv4(10, 0, 0, 7, 0));
  std::string a = gen.Next();
  std::string b = gen.Next();
  REQUIRE(a.size() == 32);
  CHECK(IsUpperHex(a));
  CHECK(a.substr(0, 8) == "0A000007");
  char pid_hex[5];
  std::snprintf(pid_hex, sizeof(pid_hex), "%04X", static_cast<unsigned>(getpid() & 0xFFFF));
  CHECK(a.substr(8, 4) == pid_hex);
  CHECK(a.substr(0, 20) == b.substr(0, 20));  // same prefix
  CHECK(TimeField(a) == Ms(t) - Ms(Utc(2026, 3, 1)));
  CHECK(CounterField(b) == (CounterField(a) + 1) % 65536);
  CHECK(a != b);

  // NextInto writes exactly 32 characters.
  std::string buf(40, '#');
  gen.NextInto(buf.data());
  CHECK(buf.substr(32) == "########");
  CHECK(IsUpperHex(buf.substr(0, 32)));
}

TEST_CASE("UniqKey made at a time the caller read carries that time", "[msg_id]") {
  const absl::Time t = Utc(2026, 3, 2, 1, 2, 3);
  VirtualClock clock(t);
  UniqKeyGenerator gen(clock, HostAddress::Ipv4(10, 0, 0, 7, 0));
  const std::string from_clock = gen.Next();
  std::string given(32, '#');
  gen.NextInto(given.data(), Ms(t) + 1500);  // not the clock's time
  CHECK(IsUpperHex(given));
  CHECK(given.substr(0, 20) == from_clock.substr(0, 20));
  CHECK(TimeField(given) == TimeField(from_clock) + 1500);
  CHECK(CounterField(given) == (CounterField(from_clock) + 1) % 65536);
  // Into the next month, the time restarts from its start, as from the clock.
  gen.NextInto(given.data(), Ms(Utc(2026, 4, 1)) + 7);
  CHECK(TimeField(given) == 7);
}

TEST_CASE("offset msgId digits of every byte value", "[msg_id]") {
  // Each byte of the offset shows as its two upper-case digits.
  for (int b = 0; b < 256; ++b) {
    const std::string id = CreateOffsetMsgId(HostAddress::Ipv4(0, 0, 0, 0, 0), b);
    char want[3];
    std::snprintf(want, sizeof(want), "%02X", b);
    CHECK(id.substr(30) == want);
  }
}

TEST_CASE("UniqKey time restarts when the month changes", "[msg_id]") {
  VirtualClock clock(Utc(2026, 1, 31, 23, 59, 59));
  UniqKeyGenerator gen(clock, HostAddress::Ipv4(127, 0, 0, 1, 0));
  std::string late_january = gen.Next();
  // More than 2^31 ms into the month: the field is unsigned.
  CHECK(TimeField(late_january) == Ms(Utc(2026, 1, 31, 23, 59, 59)) - Ms(Utc(2026, 1, 1)));
  clock.Advance(absl::Seconds(2));
  std::string february = gen.Next();
  CHECK(TimeField(february) == 1000);
  clock.AdvanceTo(Utc(2026, 2, 28, 12));
  CHECK(TimeField(gen.Next()) == Ms(Utc(2026, 2, 28, 12)) - Ms(Utc(2026, 2, 1)));

  // Decoded near its birth it gives back the time; decoded just after the
  // month changed, it still belongs to the previous month.
  auto ts = UniqKeyTimestamp(late_january, Ms(Utc(2026, 2, 1, 0, 0, 5)));
  REQUIRE(ts.ok());
  CHECK(*ts == Ms(Utc(2026, 1, 31, 23, 59, 59)));
  ts = UniqKeyTimestamp(february, Ms(Utc(2026, 2, 1, 0, 0, 1)));
  REQUIRE(ts.ok());
  CHECK(*ts == Ms(Utc(2026, 2, 1, 0, 0, 1)));
  ts = UniqKeyTimestamp(february, Ms(Utc(2026, 2, 20)));
  REQUIRE(ts.ok());
  CHECK(*ts == Ms(Utc(2026, 2, 1, 0, 0, 1)));

  CHECK(UniqKeyTimestamp("XYZ", 0).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(UniqKeyTimestamp(std::string(32, 'Z'), 0).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("UniqKey counter wraps at 16 bits", "[msg_id]") {
  VirtualClock clock;
  UniqKeyGenerator gen(clock, HostAddress::Ipv4(127, 0, 0, 1, 0));
  const uint32_t first = CounterField(gen.Next());
  for (int i = 0; i < 65535; ++i) gen.Next();
  CHECK(CounterField(gen.Next()) == first);
}

TEST_CASE("UniqKeys from concurrent threads are distinct", "[msg_id]") {
  VirtualClock clock;  // frozen time: only the counter tells ids apart
  UniqKeyGenerator gen(clock, HostAddress::Ipv4(127, 0, 0, 1, 0));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  std::vector<std::vector<std::string>> ids(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&gen, &out = ids[t]] {
        for (int i = 0; i < kPerThread; ++i) out.push_back(gen.Next());
      });
    }
  }
  std::set<std::string> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  CHECK(all.size() == kThreads * kPerThread);
}

TEST_CASE("two generators have different instance hashes", "[msg_id]") {
  VirtualClock clock;
  UniqKeyGenerator a(clock, HostAddress::Ipv4(127, 0, 0, 1, 0));
  UniqKeyGenerator b(clock, HostAddress::Ipv4(127, 0, 0, 1, 0));
  // Random 32-bit values: equal with probability 2^-32.
  CHECK(a.Next().substr(12, 8) != b.Next().substr(12, 8));
}
