// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The typed-header codec: every header of protocol_headers.h round-trips
// through ExtFields under RocketMQ's field names; required fields, bad
// integers and Java's boolean parsing behave as RocketMQ's
// RemotingCommand.decodeCommandCustomHeader does.

#include <charconv>
#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "common/str_cat.h"
#include "remoting/frame_codec.h"
#include "remoting/header_codec.h"
#include "remoting/protocol_headers.h"
#include "unit/remoting/header_samples.h"

namespace rmq::internal {
namespace {

using namespace header_samples;

std::string ToHexForTest(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// ---- Round trips ---------------------------------------------------------------

TEMPLATE_LIST_TEST_CASE("every header round-trips through ExtFields field by field", "[header]",
                   AllHeaders) {
  const TestType filled = Filled<TestType>::Make();
  const std::vector<FieldInfo> filled_fields = ListFields(filled);

  // The test fills every field with something other than its default, so a
  // field the codec drops or mixes up cannot go unnoticed.
  const std::vector<FieldInfo> default_fields = ListFields(TestType{});
  REQUIRE(filled_fields.size() == default_fields.size());
  for (size_t i = 0; i < filled_fields.size(); ++i) {
    INFO("field " << filled_fields[i].name << " is not filled with a non-default value");
    REQUIRE(!(filled_fields[i].value == default_fields[i].value));
  }

  const ExtFields encoded = Encode(filled);
  std::set<std::string> names;
  for (const auto& [name, value] : encoded) names.insert(name);
  CHECK(names == Filled<TestType>::kJavaNames);

  auto decoded = TestType::Decode(encoded);
  REQUIRE(decoded.ok());
  RequireSameFields(filled_fields, ListFields(*decoded));

  // Encoding again gives the same text: nothing is lost or reformatted.
  CHECK(Encode(*decoded) == encoded);
}

TEST_CASE("SendMessageRequestHeaderV2 carries SendMessageRequestHeader's fields", "[header]") {
  // SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2: a producerGroup,
  // b topic, c defaultTopic, d defaultTopicQueueNums, e queueId, f sysFlag,
  // g bornTimestamp, h flag, i properties, j reconsumeTimes, k unitMode,
  // l maxReconsumeTimes, m batch.
  const SendMessageRequestHeader v1 = Filled<SendMessageRequestHeader>::Make();
  const ExtFields v1_fields = Encode(v1);
  const ExtFields v2_fields = Encode(SendMessageRequestHeaderV2::FromV1(v1));
  const std::pair<const char*, const char*> kLetters[] = {
      {"a", "producerGroup"}, {"b", "topic"},          {"c", "defaultTopic"},
      {"d", "defaultTopicQueueNums"}, {"e", "queueId"}, {"f", "sysFlag"},
      {"g", "bornTimestamp"}, {"h", "flag"},           {"i", "properties"},
      {"j", "reconsumeTimes"}, {"k", "unitMode"},      {"l", "maxReconsumeTimes"},
      {"m", "batch"}};
  for (const auto& [letter, name] : kLetters) {
    INFO(letter << " = " << name);
    CHECK(v2_fields.at(letter) == v1_fields.at(name));
  }
  auto decoded = SendMessageRequestHeaderV2::Decode(v2_fields);
  REQUIRE(decoded.ok());
  RequireSameFields(ListFields(v1), ListFields(decoded->v1));
}

TEST_CASE("field values are written as Java's toString writes them", "[header]") {
  SendMessageRequestHeader h = Filled<SendMessageRequestHeader>::Make();
  h.queue_id = -3;
  h.born_timestamp = -9223372036854775807 - 1;
  const ExtFields fields = Encode(h);
  CHECK(fields.at("queueId") == "-3");
  CHECK(fields.at("bornTimestamp") == "-9223372036854775808");
  CHECK(fields.at("defaultTopicQueueNums") == "8");
  CHECK(fields.at("unitMode") == "true");
  CHECK(fields.at("properties") == "TAGS\001a\002KEYS\001k\002");

  ConsumerSendMsgBackRequestHeader back = Filled<ConsumerSendMsgBackRequestHeader>::Make();
  back.unit_mode = false;
  CHECK(Encode(back).at("unitMode") == "false");
}

TEST_CASE("encoding keeps unrelated ext fields and overwrites the header's own", "[header]") {
  ExtFields fields = {{"topic", "old"}, {"x-trace", "abc"}};
  DeleteTopicRequestHeader h;
  h.topic = "new";
  h.Encode(&fields);
  CHECK(fields.at("topic") == "new");
  CHECK(fields.at("x-trace") == "abc");
}

TEST_CASE("ext fields the header does not know are ignored when decoding", "[header]") {
  // A newer client sends fields rmq does not model (acceptStandardJsonOnly).
  ExtFields fields = {{"topic", "TopicA"}, {"acceptStandardJsonOnly", "true"}};
  auto decoded = GetRouteInfoRequestHeader::Decode(fields);
  REQUIRE(decoded.ok());
  CHECK(decoded->topic == "TopicA");
}

// ---- Decoding straight from a frame's fields (DecodeWire) --------------------

// `fields` as a peer might send them: in reverse name order, each name first
// with `stale` text and then with its own (the last counts), and a name no
// header has. Views into `fields`.
std::vector<WireField> Scrambled(const ExtFields& fields, std::string_view stale) {
  std::vector<WireField> wire = {{"zzUnknown", "1"}};
  for (auto it = fields.end(); it != fields.begin();) {
    --it;
    wire.push_back({it->first, stale});
    wire.push_back({it->first, it->second});
  }
  return wire;
}

// Checks that DecodeWire(wire) is Decode of the ExtFields `wire` makes:
// the same fields, or the same error.
template <typename H>
void CheckWireAgrees(std::span<const WireField> wire) {
  ExtFields fields;
  fields.AssignFromWire(wire);
  const absl::StatusOr<H> via_fields = H::Decode(fields);
  const absl::StatusOr<H> via_wire = H::DecodeWire(wire);
  REQUIRE(via_wire.status() == via_fields.status());
  if (!via_fields.ok()) return;
  const std::vector<FieldInfo> want = ListFields(*via_fields);
  const std::vector<FieldInfo> got = ListFields(*via_wire);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("field " << want[i].name);
    CHECK(got[i].value == want[i].value);
  }
}

TEMPLATE_LIST_TEST_CASE("a header decoded from the wire is the one decoded via ExtFields",
                        "[header]", AllHeaders) {
  const TestType filled = Filled<TestType>::Make();
  const ExtFields full = Encode(filled);
  const std::vector<WireField> wire = Scrambled(full, "stale 12x");
  auto decoded = TestType::DecodeWire(wire);
  REQUIRE(decoded.ok());
  const std::vector<FieldInfo> want = ListFields(filled);
  const std::vector<FieldInfo> got = ListFields(*decoded);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("field " << want[i].name);
    CHECK(got[i].value == want[i].value);
  }
  CheckWireAgrees<TestType>(wire);
  CheckWireAgrees<TestType>({});
}

TEMPLATE_LIST_TEST_CASE("fields in name order decode from the wire as via ExtFields",
                        "[header]", AllHeaders) {
  // The order rmq's encoder writes (decoded by looking ahead in name
  // order), with a name repeated (the last counts), one unknown, and one
  // missing.
  const ExtFields full = Encode(Filled<TestType>::Make());
  std::vector<WireField> wire;
  for (const auto& [name, text] : full) {
    wire.push_back({name, text});
    if (wire.size() == 2) wire.push_back({name, "stale 12x"});
    if (wire.size() == 1) wire.push_back({"b0Unknown", "1"});
  }
  CheckWireAgrees<TestType>(wire);
  std::vector<WireField> in_order;
  for (const auto& [name, text] : full) in_order.push_back({name, text});
  CheckWireAgrees<TestType>(in_order);
  if (in_order.size() > 1) in_order.erase(in_order.begin() + 1);
  CheckWireAgrees<TestType>(in_order);
}

TEMPLATE_LIST_TEST_CASE("from the wire, a missing or malformed field fails as via ExtFields",
                        "[header]", AllHeaders) {
  const ExtFields full = Encode(Filled<TestType>::Make());
  for (const FieldInfo& field : ListFields(Filled<TestType>::Make())) {
    INFO("field " << field.name);
    ExtFields without = full;
    without.erase(field.name);
    CheckWireAgrees<TestType>(Scrambled(without, "x"));
    ExtFields bad = full;
    bad[field.name] = "12x";
    CheckWireAgrees<TestType>(Scrambled(bad, "1"));
  }
  // The error names the header and the field, as Decode's.
  const WireField no_group[] = {{"topic", "TopicA"}};
  CHECK(SendMessageRequestHeader::DecodeWire(no_group).status().message() ==
        "SendMessageRequestHeader: field producerGroup is missing");
}

TEMPLATE_LIST_TEST_CASE("decoding into a used header writes every field, optional ones too",
                        "[header]", AllHeaders) {
  // A default header's fields: the required ones, with no optional one.
  const ExtFields minimal = Encode(TestType{});
  const auto fresh = TestType::Decode(minimal);
  REQUIRE(fresh.ok());
  const std::vector<FieldInfo> want = ListFields(*fresh);
  std::vector<WireField> wire;
  for (const auto& [name, text] : minimal) wire.push_back({name, text});
  for (bool from_wire : {false, true}) {
    INFO((from_wire ? "DecodeWireInto" : "DecodeInto"));
    TestType used = Filled<TestType>::Make();
    const absl::Status status = from_wire ? TestType::DecodeWireInto(wire, &used)
                                          : TestType::DecodeInto(minimal, &used);
    REQUIRE(status.ok());
    const std::vector<FieldInfo> got = ListFields(used);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      INFO("field " << want[i].name);
      CHECK(got[i].value == want[i].value);
    }
  }
}

// ---- Required and optional fields --------------------------------------------

TEMPLATE_LIST_TEST_CASE("a missing required field is an error naming the header and the field",
                   "[header]", AllHeaders) {
  const ExtFields full = Encode(Filled<TestType>::Make());
  int required = 0;
  for (const FieldInfo& field : ListFields(TestType{})) {
    if (field.optional) continue;
    ++required;
    ExtFields fields = full;
    fields.erase(field.name);
    auto decoded = TestType::Decode(fields);
    INFO("without " << field.name);
    REQUIRE(decoded.status().code() == absl::StatusCode::kInvalidArgument);
    const std::string message(decoded.status().message());
    CHECK(message ==
          StrCat(TestType::kName, ": field ", field.name, " is missing"));
  }
  // Headers whose fields are all nullable (RegisterBrokerResponseHeader) decode from nothing.
  if (required == 0) CHECK(TestType::Decode(ExtFields{}).ok());
}

TEMPLATE_LIST_TEST_CASE("optional fields left empty are not written and decode as absent",
                   "[header]", AllHeaders) {
  const TestType filled = Filled<TestType>::Make();
  // Keep the required fields, clear the optional ones: a header as a client
  // that leaves them null sends it.
  ExtFields fields = Encode(filled);
  std::vector<std::string> optional_names;
  for (const FieldInfo& field : ListFields(filled)) {
    if (field.optional) {
      optional_names.push_back(field.name);
      fields.erase(field.name);
    }
  }
  auto decoded = TestType::Decode(fields);
  REQUIRE(decoded.ok());
  for (const FieldInfo& field : ListFields(*decoded)) {
    INFO("field " << field.name);
    if (field.optional) CHECK(std::holds_alternative<Absent>(field.value));
  }
  const ExtFields again = Encode(*decoded);
  for (const std::string& name : optional_names) {
    INFO("field " << name);
    CHECK(!again.contains(name));
  }
  CHECK(again == fields);
}

TEST_CASE("the header name in errors is RocketMQ's class name", "[header]") {
  auto unregister = UnregisterBrokerRequestHeader::Decode({});
  CHECK(unregister.status().message() ==
        "UnRegisterBrokerRequestHeader: field brokerName is missing");
  auto send = SendMessageRequestHeader::Decode({});
  CHECK(send.status().message() == "SendMessageRequestHeader: field producerGroup is missing");
}

// ---- Bad values ---------------------------------------------------------------

TEMPLATE_LIST_TEST_CASE("a malformed integer is an error naming the field", "[header]",
                   AllHeaders) {
  const ExtFields full = Encode(Filled<TestType>::Make());
  for (const FieldInfo& field : ListFields(Filled<TestType>::Make())) {
    const bool is32 = std::holds_alternative<int32_t>(field.value);
    const bool is64 = std::holds_alternative<int64_t>(field.value);
    if (!is32 && !is64) continue;
    // 2^31 and 2^63 are one past the largest value of each type.
    const std::string overflow = is32 ? "2147483648" : "9223372036854775808";
    const std::string underflow = is32 ? "-2147483649" : "-9223372036854775809";
    for (const std::string& bad :
         {std::string("12x"), std::string(""), std::string(" 12"), std::string("1.5"),
          std::string("0x10"), overflow, underflow, std::string("99999999999999999999")}) {
      ExtFields fields = full;
      fields[field.name] = bad;
      auto decoded = TestType::Decode(fields);
      INFO("field " << field.name << " = '" << bad << "'");
      REQUIRE(decoded.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(decoded.status().message() ==
            StrCat(TestType::kName, ": field ", field.name, " '", bad, "' is not a ",
                   is32 ? "32" : "64", "-bit integer"));
    }
  }
}

TEST_CASE("an int32 field rejects 99999999999 but an int64 field takes it", "[header]") {
  ExtFields fields = Encode(Filled<QueueRequestHeader>::Make());
  fields["queueId"] = "99999999999";
  auto bad = QueueRequestHeader::Decode(fields);
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message() ==
        "GetMaxOffsetRequestHeader: field queueId '99999999999' is not a 32-bit integer");

  ExtFields offset = {{"offset", "99999999999"}};
  auto good = ViewMessageRequestHeader::Decode(offset);
  REQUIRE(good.ok());
  CHECK(good->offset == 99999999999);
}

TEST_CASE("integer limits decode exactly", "[header]") {
  ExtFields fields = Encode(Filled<UpdateConsumerOffsetRequestHeader>::Make());
  fields["queueId"] = "-2147483648";
  fields["commitOffset"] = "9223372036854775807";
  auto decoded = UpdateConsumerOffsetRequestHeader::Decode(fields);
  REQUIRE(decoded.ok());
  CHECK(decoded->queue_id == INT32_MIN);
  CHECK(decoded->commit_offset == INT64_MAX);
}

// ParseField against Java's Integer.parseInt / Long.parseLong for ASCII
// text: std::from_chars, which refuses only Java's leading '+'. Each length
// around the digits10 boundary, signs, leading zeros and a stray byte in
// every place.
template <typename T>
void CheckParsesAsJava(const std::string& text) {
  const bool plus = text.size() > 1 && text[0] == '+' && text[1] >= '0' && text[1] <= '9';
  const std::string_view java(text.data() + (plus ? 1 : 0), text.size() - (plus ? 1 : 0));
  T want = 7;
  const auto [end, ec] = std::from_chars(java.data(), java.data() + java.size(), want);
  const bool want_ok = ec == std::errc() && end == java.data() + java.size() && !java.empty();
  T got = 7;
  INFO("'" << text << "' as a " << sizeof(T) * 8 << "-bit integer");
  REQUIRE(ParseField(text, &got) == want_ok);
  if (want_ok) CHECK(got == want);
}

TEST_CASE("integers parse as Java's parseInt and parseLong parse them", "[header]") {
  std::vector<std::string> texts = {"", "-", "+", "--1", "+-1", "-+1", "++1", "0", "-0", "+0",
                                    "007", "-007", "1-", "1 ", " 1"};
  for (size_t digits = 1; digits <= 20; ++digits) {
    for (const char* sign : {"", "-", "+"}) {
      texts.push_back(sign + std::string(digits, '9'));
      texts.push_back(sign + std::string("1") + std::string(digits - 1, '0'));
      std::string stray = sign + std::string(digits, '5');
      stray[stray.size() / 2] = ':';  // the byte after '9'
      texts.push_back(stray);
      stray[stray.size() / 2] = '/';  // the byte before '0'
      texts.push_back(stray);
    }
  }
  for (const std::string& text : texts) {
    CheckParsesAsJava<int32_t>(text);
    CheckParsesAsJava<int64_t>(text);
  }
  int32_t value = 0;
  CHECK(ParseField("+42", &value));
  CHECK(value == 42);
  CHECK_FALSE(ParseField("+-42", &value));
}

TEST_CASE("a bad optional integer is an error too, not silently dropped", "[header]") {
  ExtFields fields = Encode(Filled<SendMessageRequestHeader>::Make());
  fields["reconsumeTimes"] = "two";
  auto decoded = SendMessageRequestHeader::Decode(fields);
  REQUIRE(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(decoded.status().message() ==
        "SendMessageRequestHeader: field reconsumeTimes 'two' is not a 32-bit integer");
}

TEST_CASE("the first bad field is the one reported", "[header]") {
  ExtFields fields = Encode(Filled<QueryMessageRequestHeader>::Make());
  fields.erase("key");          // declared second
  fields["maxNum"] = "lots";    // declared third
  auto decoded = QueryMessageRequestHeader::Decode(fields);
  CHECK(decoded.status().message() == "QueryMessageRequestHeader: field key is missing");
}

TEST_CASE("booleans parse as Java's Boolean.parseBoolean", "[header]") {
  auto parse = [](const std::string& text) {
    ExtFields fields = Encode(Filled<CreateTopicRequestHeader>::Make());
    fields["order"] = text;
    auto decoded = CreateTopicRequestHeader::Decode(fields);
    REQUIRE(decoded.ok());  // parseBoolean never fails
    return decoded->order;
  };
  CHECK(parse("true"));
  CHECK(parse("TRUE"));
  CHECK(parse("True"));
  CHECK(parse("tRuE"));
  CHECK_FALSE(parse("false"));
  CHECK_FALSE(parse("yes"));
  CHECK_FALSE(parse("1"));
  CHECK_FALSE(parse(""));
  CHECK_FALSE(parse("true "));
  CHECK_FALSE(parse("truee"));
  CHECK_FALSE(parse("t\x80ue"));

  // The same for an optional boolean: present and false is not absent.
  ExtFields fields = Encode(Filled<SendMessageRequestHeader>::Make());
  fields["batch"] = "yes";
  auto send = SendMessageRequestHeader::Decode(fields);
  REQUIRE(send.ok());
  REQUIRE(send->batch.has_value());
  CHECK_FALSE(*send->batch);
}

TEST_CASE("string fields take any bytes, empty included", "[header]") {
  ExtFields fields = Encode(Filled<SendMessageRequestHeader>::Make());
  fields["topic"] = "";
  fields["properties"] = std::string("a\0b\xff", 4);
  auto decoded = SendMessageRequestHeader::Decode(fields);
  REQUIRE(decoded.ok());
  CHECK(decoded->topic.empty());
  CHECK(*decoded->properties == std::string("a\0b\xff", 4));
}


// ---- Frames: the typed header's fields go out as its ExtFields would -----------

TEMPLATE_LIST_TEST_CASE("a typed header encodes the frame its ExtFields encode", "[header]",
                        AllHeaders) {
  // The frame encoder reads a typed header's fields through Visit, building
  // no map; the bytes must be those of the same fields given as ExtFields,
  // in both serialize types, alone and merged with extra fields.
  for (SerializeType type : {SerializeType::kRocketmq, SerializeType::kJson}) {
    for (bool extra : {false, true}) {
      INFO("type " << static_cast<int>(type) << ", extra fields " << extra);
      RemotingCommand typed = RemotingCommand::Request(
          7, std::make_unique<TestType>(Filled<TestType>::Make()));
      RemotingCommand plain = RemotingCommand::Request(7);
      plain.ext_fields = Encode(Filled<TestType>::Make());
      REQUIRE_FALSE(plain.ext_fields.empty());
      if (extra) {
        // One name sorts first, one last; a typed field overrides a stale one.
        typed.ext_fields = {{"AAA", "1"}, {"zzz", "2"}};
        typed.ext_fields.insert_or_assign(plain.ext_fields.begin()->first, "stale");
        plain.ext_fields.insert_or_assign("AAA", "1");
        plain.ext_fields.insert_or_assign("zzz", "2");
      }
      typed.opaque = plain.opaque = 99;
      CHECK(ToHexForTest(EncodeFrame(typed, type)) == ToHexForTest(EncodeFrame(plain, type)));
    }
  }
}

// Collects what Visit hands over, copying texts that do not last.
class CollectingSink final : public HeaderFieldSink {
 public:
  void Field(std::string_view name, std::string_view text, bool lasting) override {
    (void)lasting;
    fields.emplace_back(std::string(name), std::string(text));
  }
  std::vector<std::pair<std::string, std::string>> fields;
};

TEMPLATE_LIST_TEST_CASE("a header visits its fields sorted by name, with Encode's texts",
                        "[header]", AllHeaders) {
  // Sorted, the frame encoder has nothing to sort for each request; filled
  // and default (optional fields absent) alike.
  for (const TestType& header : {Filled<TestType>::Make(), TestType{}}) {
    CollectingSink sink;
    REQUIRE(header.Visit(sink));
    const ExtFields encoded = Encode(header);
    std::vector<std::pair<std::string, std::string>> expected(encoded.begin(), encoded.end());
    CHECK(sink.fields == expected);
  }
}

}  // namespace
}  // namespace rmq::internal
