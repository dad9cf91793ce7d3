// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/record_codec.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/big_endian.h"
#include "common/crc32.h"
#include "common/properties_codec.h"
#include "support/record_encoding.h"

using rmq::HostAddress;
using rmq::MessageExt;
namespace sysflag = rmq::sysflag;
using namespace rmq::internal;

namespace {

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

MessageExt SampleMessage(int32_t sys_flag) {
  MessageExt m("TopicTest", "TagA", "key1 key2", "Hello RocketMQ");
  m.PutProperty("UNIQ_KEY", "7F0000010001");
  m.set_flag(5);
  m.queue_id = 3;
  m.queue_offset = 42;
  m.commit_log_offset = 1 << 20;
  m.sys_flag = sys_flag;
  m.born_timestamp = 1767225600123;
  m.store_timestamp = 1767225600456;
  m.born_host = (sys_flag & sysflag::kBornHostV6) != 0
                    ? *HostAddress::Parse("[2001:db8::7]:51000")
                    : HostAddress::Ipv4(10, 0, 0, 7, 51000);
  m.store_host = (sys_flag & sysflag::kStoreHostV6) != 0 ? *HostAddress::Parse("[::1]:10911")
                                                         : HostAddress::Ipv4(127, 0, 0, 1, 10911);
  m.reconsume_times = 2;
  m.prepared_transaction_offset = 77;
  m.body_crc = Crc32(m.body());
  return m;
}

std::string Encode(MessageExt* m) { return rmq::testing::EncodeStoredRecord(m); }

absl::Status ParseStatus(std::string_view data, bool check_crc = true) {
  RecordView view;
  return ParseRecord(data, check_crc, &view).status();
}

void Put32(std::string* s, size_t pos, int32_t v) { PutBig32(s->data() + pos, v); }

}  // namespace

TEST_CASE("Crc32 equals Java's CRC32 masked to 31 bits", "[record]") {
  // java.util.zip.CRC32 of the ASCII bytes, & 0x7FFFFFFF.
  CHECK(Crc32("") == 0);
  CHECK(Crc32("123456789") == 1274296614);  // 0xCBF43926 without its top bit
  CHECK(Crc32("hello world") == 222957957);
}

TEST_CASE("record layout follows the sys flag's IPv6 bits", "[record]") {
  RecordLayout v4 = RecordLayout::ForSysFlag(0);
  CHECK(v4.store_timestamp_pos == 56);
  CHECK(v4.store_host_pos == 64);
  CHECK(v4.reconsume_times_pos == 72);
  CHECK(v4.prepared_transaction_offset_pos == 76);
  CHECK(v4.body_length_pos == 84);
  RecordLayout v6 = RecordLayout::ForSysFlag(sysflag::kBornHostV6 | sysflag::kStoreHostV6);
  CHECK(v6.store_timestamp_pos == 68);
  CHECK(v6.store_host_pos == 76);
  CHECK(v6.body_length_pos == 108);
  CHECK(RecordSize(0, 0, 0, 0) == 91);
  CHECK(RecordSize(0, 10, 5, 20) == 126);
  CHECK(RecordSize(sysflag::kBornHostV6, 0, 0, 0) == 103);
  CHECK(RecordSize(sysflag::kBornHostV6 | sysflag::kStoreHostV6, 0, 0, 0) == 115);
}

TEST_CASE("a hand-built IPv4 record decodes field by field", "[record]") {
  // Built with explicit offsets, independently of EncodeRecord.
  const std::string body = "hi";
  const std::string topic = "T";
  const std::string props = "TAGS\x01" "a\x02";
  std::string r(91 + body.size() + topic.size() + props.size(), '\0');
  Put32(&r, 0, static_cast<int32_t>(r.size()));
  r[4] = '\xDA', r[5] = '\xA3', r[6] = '\x20', r[7] = '\xA7';
  Put32(&r, 8, Crc32(body));
  Put32(&r, 12, 1);                      // QUEUEID
  Put32(&r, 16, 2);                      // FLAG
  PutBig64(r.data() + 20, 3);            // QUEUEOFFSET
  PutBig64(r.data() + 28, 4096);         // PHYSICALOFFSET
  PutBig64(r.data() + 40, 1000);         // BORNTIMESTAMP
  r[48] = 10, r[51] = 1;                 // BORNHOST 10.0.0.1
  Put32(&r, 52, 5555);
  PutBig64(r.data() + 56, 2000);         // STORETIMESTAMP
  r[64] = 127, r[67] = 1;                // STOREHOST 127.0.0.1
  Put32(&r, 68, 10911);
  Put32(&r, 72, 6);                      // RECONSUMETIMES
  PutBig64(r.data() + 76, 7);            // PREPARED_TRANSACTION_OFFSET
  Put32(&r, 84, 2);
  r.replace(88, 2, body);
  r[90] = 1;
  r.replace(91, 1, topic);
  r[92] = 0, r[93] = static_cast<char>(props.size());
  r.replace(94, props.size(), props);

  auto m = DecodeRecord(r);
  REQUIRE(m.ok());
  CHECK(m->store_size == static_cast<int32_t>(r.size()));
  CHECK(m->queue_id == 1);
  CHECK(m->flag() == 2);
  CHECK(m->queue_offset == 3);
  CHECK(m->commit_log_offset == 4096);
  CHECK(m->born_timestamp == 1000);
  CHECK(m->born_host == HostAddress::Ipv4(10, 0, 0, 1, 5555));
  CHECK(m->store_timestamp == 2000);
  CHECK(m->store_host == HostAddress::Ipv4(127, 0, 0, 1, 10911));
  CHECK(m->reconsume_times == 6);
  CHECK(m->prepared_transaction_offset == 7);
  CHECK(m->body() == "hi");
  CHECK(m->topic() == "T");
  CHECK(m->tags() == "a");
  CHECK(m->OffsetMsgId() == "7F00000100002A9F0000000000001000");

  MessageExt copy = *m;
  CHECK(Encode(&copy) == r);  // and EncodeRecord writes exactly these bytes
}

TEST_CASE("encode, parse and decode round trip", "[record]") {
  for (int32_t flags : {0, sysflag::kBornHostV6, sysflag::kStoreHostV6,
                        sysflag::kBornHostV6 | sysflag::kStoreHostV6 | sysflag::kCompressed}) {
    INFO("sys flag " << flags);
    MessageExt m = SampleMessage(flags);
    std::string record = Encode(&m);
    CHECK(record.size() == RecordSize(flags, m.body().size(), m.topic().size(),
                                      EncodedPropertiesSize(m.properties())));

    std::string data = record + std::string(100, '\x55');  // the view may extend past it
    RecordView view;
    auto kind = ParseRecord(data, true, &view);
    REQUIRE(kind.ok());
    CHECK(*kind == RecordKind::kMessage);
    CHECK(view.total_size == static_cast<int32_t>(record.size()));
    CHECK(view.body == "Hello RocketMQ");
    CHECK(view.topic == "TopicTest");
    CHECK(view.born_host.size() == ((flags & sysflag::kBornHostV6) ? 20u : 8u));
    CHECK(view.store_host.size() == ((flags & sysflag::kStoreHostV6) ? 20u : 8u));
    CHECK(DecodeHost(view.store_host) == m.store_host);
    std::string_view tags;
    REQUIRE(FindProperty(view.properties, "TAGS", &tags));
    CHECK(tags == "TagA");

    auto decoded = DecodeRecord(data);
    REQUIRE(decoded.ok());
    CHECK(*decoded == m);
  }
}

TEST_CASE("PatchStoreFields rewrites the store-assigned fields in place", "[record]") {
  for (int32_t flags : {0, sysflag::kBornHostV6}) {
    MessageExt m = SampleMessage(flags);
    std::string record = Encode(&m);
    PatchStoreFields(record.data(), 9, 123456789, 1767225699999);
    auto decoded = DecodeRecord(record);
    REQUIRE(decoded.ok());
    m.queue_offset = 9;
    m.commit_log_offset = 123456789;
    m.store_timestamp = 1767225699999;
    CHECK(*decoded == m);
  }
}

TEST_CASE("EncodeHost and DecodeHost", "[record]") {
  char buf[20];
  HostAddress v4 = HostAddress::Ipv4(1, 2, 3, 4, 80);
  EncodeHost(v4, buf);
  CHECK(std::string(buf, 8) == std::string("\x01\x02\x03\x04\x00\x00\x00\x50", 8));
  CHECK(DecodeHost(std::string_view(buf, 8)) == v4);
  HostAddress v6 = *HostAddress::Parse("[fe80::1]:443");
  EncodeHost(v6, buf);
  CHECK(DecodeHost(std::string_view(buf, 20)) == v6);
  CHECK(DecodeHost("abc") == HostAddress{});
}

TEST_CASE("end of written data and blank records", "[record]") {
  RecordView view;
  auto kind = ParseRecord(std::string(64, '\0'), true, &view);
  REQUIRE(kind.ok());
  CHECK(*kind == RecordKind::kEnd);
  kind = ParseRecord("", true, &view);
  REQUIRE(kind.ok());
  CHECK(*kind == RecordKind::kEnd);
  CHECK(ParseStatus(std::string("\0\0\x01", 3)).code() == absl::StatusCode::kDataLoss);

  // A blank needs only its size and magic code readable.
  std::string blank(8, '\0');
  Put32(&blank, 0, 4000);
  Put32(&blank, 4, kBlankMagicCode);
  kind = ParseRecord(blank, true, &view);
  REQUIRE(kind.ok());
  CHECK(*kind == RecordKind::kBlank);
  CHECK(view.total_size == 4000);

  Put32(&blank, 0, 7);
  CHECK(ParseStatus(blank).code() == absl::StatusCode::kDataLoss);
  Put32(&blank, 0, -8);
  CHECK(ParseStatus(blank).code() == absl::StatusCode::kDataLoss);
  Put32(&blank, 0, 8);
  CHECK(ParseStatus(blank).ok());
  CHECK(ParseStatus(blank.substr(0, 7)).code() == absl::StatusCode::kDataLoss);

  auto decoded = DecodeRecord(std::string(blank));
  CHECK(decoded.status().code() == absl::StatusCode::kDataLoss);
  CHECK_THAT(Msg(decoded.status()), Catch::Contains("blank"));
  CHECK(DecodeRecord(std::string(100, '\0')).status().code() == absl::StatusCode::kDataLoss);
}

TEST_CASE("every corruption is DataLoss saying what is wrong", "[record]") {
  MessageExt m = SampleMessage(0);
  const std::string good = Encode(&m);
  const RecordLayout l = RecordLayout::ForSysFlag(0);
  const size_t body_len_pos = l.body_length_pos;
  const size_t topic_len_pos = body_len_pos + 4 + m.body().size();
  const size_t props_len_pos = topic_len_pos + 1 + m.topic().size();
  REQUIRE(ParseStatus(good).ok());

  auto expect = [](const std::string& data, const std::string& what, bool check_crc = true) {
    absl::Status s = ParseStatus(data, check_crc);
    INFO(Msg(s));
    CHECK(s.code() == absl::StatusCode::kDataLoss);
    CHECK_THAT(Msg(s), Catch::Contains(what));
  };

  std::string r = good;
  Put32(&r, 4, 0x12345678);
  expect(r, "bad magic code 0x12345678");
  CHECK_THAT(Msg(ParseStatus(r)), Catch::Contains("PHYSICALOFFSET field 1048576"));

  expect(good.substr(0, good.size() - 1), "overruns the");  // truncated
  expect(good.substr(0, 40), "overruns the");
  expect(good.substr(0, 6), "too few for its magic code");

  r = good;
  Put32(&r, 0, 90);
  expect(r, "below the minimum message size 91");
  Put32(&r, 0, -1);
  expect(r, "below the minimum");

  r = good;
  r[body_len_pos + 4] ^= 0x01;  // flip a body bit
  expect(r, "body CRC");
  CHECK(ParseStatus(r, /*check_crc=*/false).ok());
  CHECK(DecodeRecord(r).status().code() == absl::StatusCode::kDataLoss);

  r = good;
  Put32(&r, body_len_pos, 99999);
  expect(r, "body length 99999 overruns record size " + std::to_string(good.size()));
  Put32(&r, body_len_pos, -1);
  expect(r, "body length -1");

  r = good;
  r[topic_len_pos] = static_cast<char>(0x80);
  expect(r, "topic length -128 is negative");
  r[topic_len_pos] = 120;
  expect(r, "topic length 120 overruns");

  r = good;
  PutBig<uint16_t>(r.data() + props_len_pos, 40000);
  expect(r, "properties length 40000 exceeds the maximum 32767");
  PutBig<uint16_t>(r.data() + props_len_pos, 1000);
  expect(r, "properties length 1000");
  PutBig<uint16_t>(r.data() + props_len_pos, 1);  // too short: bytes left over
  expect(r, "but record size is");

  // Sys flag says IPv6 hosts but the record is too small for them.
  MessageExt tiny("", "");
  std::string t = Encode(&tiny);
  Put32(&t, kSysFlagPos, sysflag::kBornHostV6 | sysflag::kStoreHostV6);
  expect(t, "below the minimum 115 for sys flag 0x30");

  // Properties that do not decode: DecodeRecord reports DataLoss too.
  r = good;
  const size_t props_pos = props_len_pos + 2;
  r[props_pos + 4] = 'X';  // "KEYS\x01..." loses its separator
  CHECK(ParseStatus(r).ok());
  auto decoded = DecodeRecord(r);
  CHECK(decoded.status().code() == absl::StatusCode::kDataLoss);
  CHECK_THAT(Msg(decoded.status()), Catch::Contains("separator"));
}

namespace {

// ValidateEncodedProperties' rules, one byte at a time.
bool ValidByteByByte(std::string_view encoded) {
  bool in_value = false;
  size_t name_start = 0;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '\x01') {
      if (in_value || i == name_start) return false;
      in_value = true;
    } else if (encoded[i] == '\x02') {
      if (!in_value) return false;
      in_value = false;
      name_start = i + 1;
    }
  }
  return !in_value && name_start == encoded.size();
}

}  // namespace

TEST_CASE("ValidateEncodedProperties finds separators at any byte of a word", "[record]") {
  // Separators, NULs and high bytes at every position of strings long
  // enough to span several 8-byte words.
  const char alphabet[] = {'a', 'Z', '\x01', '\x02', '\0', '\x80', '\x83', '\xff', '\x03'};
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245 + 12345;
    return seed >> 16;
  };
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const size_t len = next() % 40;
    // Mostly well formed: name\x01value\x02 pieces, then a mutation.
    while (s.size() < len) {
      s += std::string(1 + next() % 9, static_cast<char>('a' + next() % 26));
      s += '\x01';
      s += std::string(next() % 12, static_cast<char>('A' + next() % 26));
      s += '\x02';
    }
    if (!s.empty() && round % 2 == 0) s[next() % s.size()] = alphabet[next() % sizeof(alphabet)];
    INFO("round " << round);
    CHECK(ValidateEncodedProperties(s).ok() == ValidByteByByte(s));
  }
}
