// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The remoting frame codec: round trips in both serialize types, golden
// frames written by hand from RocketMQ 4.9.x's layouts (what a Java client and
// broker put on the wire, and what ali-ons sends), and every way a peer's
// bytes can be malformed.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <catch2/catch.hpp>

#include "common/big_endian.h"
#include "common/str_cat.h"
#include "remoting/frame_codec.h"
#include "remoting/protocol_headers.h"
#include "remoting/remoting_command.h"
#include "remoting/request_code.h"

namespace rmq::internal {
namespace {

// ---- Helpers ------------------------------------------------------------------

// Bytes from hex pairs separated by spaces: Hex("00 01 ff").
std::string Hex(std::string_view text) {
  std::string out;
  auto digit = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i < text.size();) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<char>(digit(text[i]) * 16 + digit(text[i + 1])));
    i += 2;
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Big32(uint32_t v) {
  std::string out(4, '\0');
  PutBig<uint32_t>(out.data(), v);
  return out;
}

// A frame as DecodeFrame takes it (no length field): header-info word,
// header, body.
std::string Frame(uint32_t type, std::string_view header, std::string_view body = {}) {
  return Big32((type << 24) | static_cast<uint32_t>(header.size())) + std::string(header) +
         std::string(body);
}

// Decodes wire bytes (length field included), checking the length field too.
absl::StatusOr<RemotingCommand> DecodeWire(const std::string& wire, const FrameLimits& limits = {}) {
  absl::StatusOr<uint32_t> length = DecodeFrameLength(wire, limits);
  if (!length.ok()) return length.status();
  REQUIRE(*length == wire.size() - 4);
  return DecodeFrame(wire.substr(4), limits);
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// A header with no fields present: Java still writes "extFields":{} for it.
class EmptyHeader : public CommandHeader {
 public:
  void Encode(ExtFields*) const override {}
};

RemotingCommand FullCommand() {
  RemotingCommand command = RemotingCommand::Request(request_code::kSendMessageV2);
  command.language = "JAVA";
  command.version = 399;
  command.opaque = -123456;
  command.flag = RemotingCommand::kOnewayFlag;
  command.remark = "some remark";
  command.ext_fields = {{"a", "PG"}, {"b", "TopicA"}, {"empty", ""}, {"x y", "v\"\\/\n"}};
  return command;
}

void CheckSameFields(const RemotingCommand& got, const RemotingCommand& want) {
  CHECK(got.code == want.code);
  CHECK(got.language == want.language);
  CHECK(got.version == want.version);
  CHECK(got.opaque == want.opaque);
  CHECK(got.flag == want.flag);
  CHECK(got.remark == want.remark);
  CHECK(got.ext_fields == want.ext_fields);
  CHECK(got.body.ToString() == want.body.ToString());
}

constexpr SerializeType kJson = SerializeType::kJson;
constexpr SerializeType kRocketmq = SerializeType::kRocketmq;

// ---- Round trips --------------------------------------------------------------

TEST_CASE("Every field survives a round trip in both serialize types", "[frame]") {
  const SerializeType type = GENERATE(kJson, kRocketmq);
  RemotingCommand command = FullCommand();
  command.body = Payload(std::string("message body \0 with a NUL", 25));

  const std::string wire = EncodeFrame(command, type);
  auto decoded = DecodeWire(wire);
  REQUIRE(decoded.ok());
  CheckSameFields(*decoded, command);
  CHECK(decoded->serialize_type == type);
  CHECK(decoded->header == nullptr);
}

TEST_CASE("A typed header's fields go out as extFields, winning over ext_fields", "[frame]") {
  const SerializeType type = GENERATE(kJson, kRocketmq);
  QueueRequestHeader header;
  header.topic = "TopicA";
  header.queue_id = 7;
  RemotingCommand command = RemotingCommand::Request(
      request_code::kGetMaxOffset, std::make_unique<QueueRequestHeader>(header));
  command.ext_fields = {{"topic", "stale"}, {"extra", "x"}};
  const CommandHeader* typed = command.header.get();

  auto decoded = DecodeWire(EncodeFrame(command, type));
  REQUIRE(decoded.ok());
  CHECK(decoded->ext_fields ==
        ExtFields{{"extra", "x"}, {"queueId", "7"}, {"topic", "TopicA"}});
  // The command itself is as it was.
  CHECK(command.ext_fields == ExtFields{{"topic", "stale"}, {"extra", "x"}});
  CHECK(command.header.get() == typed);

  auto again = decoded->DecodeHeader<QueueRequestHeader>();
  REQUIRE(again.ok());
  CHECK((*again)->topic == "TopicA");
  CHECK((*again)->queue_id == 7);
}

TEST_CASE("An empty remark, ext fields and body stay empty", "[frame]") {
  const SerializeType type = GENERATE(kJson, kRocketmq);
  RemotingCommand command = RemotingCommand::Response(0);
  const std::string wire = EncodeFrame(command, type);
  auto decoded = DecodeWire(wire);
  REQUIRE(decoded.ok());
  CheckSameFields(*decoded, command);
  CHECK(decoded->body.empty());
  CHECK(decoded->body.chunks().empty());

  if (type == kJson) {
    // fastjson leaves out the null remark and extFields.
    CHECK(wire.substr(8) ==
          R"({"code":0,"flag":1,"language":"CPP","opaque":0,"serializeTypeCurrentRPC":"JSON","version":401})");
  } else {
    CHECK(ToHex(wire) ==
          "00 00 00 19 01 00 00 15 00 00 01 01 91 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00");
  }
}

TEST_CASE("A typed header with no fields writes extFields {} as Java does", "[frame]") {
  RemotingCommand command = RemotingCommand::Request(request_code::kGetAllTopicConfig,
                                                     std::make_unique<EmptyHeader>());
  command.opaque = 3;
  const std::string wire = EncodeFrame(command, kJson);
  CHECK(wire.substr(8) ==
        R"({"code":21,"extFields":{},"flag":0,"language":"CPP","opaque":3,"serializeTypeCurrentRPC":"JSON","version":401})");
  auto decoded = DecodeWire(wire);
  REQUIRE(decoded.ok());
  CHECK(decoded->ext_fields.empty());
}

TEST_CASE("A body of several chunks is sent as their concatenation", "[frame]") {
  const SerializeType type = GENERATE(kJson, kRocketmq);
  static const std::string kFirst = "first|";
  static const std::string kThird(70000, 'z');
  RemotingCommand command = RemotingCommand::Request(request_code::kSendMessage);
  command.body = Payload::Shared({kFirst, std::string_view(), kThird}, nullptr);

  std::string head = "XYZ";  // EncodeFrameHead appends
  EncodeFrameHead(command, type, &head);
  const std::string wire = EncodeFrame(command, type);
  CHECK(head.substr(3) + kFirst + kThird == wire);

  auto decoded = DecodeWire(wire);
  REQUIRE(decoded.ok());
  CHECK(decoded->body.size() == kFirst.size() + kThird.size());
  CHECK(decoded->body.ToString() == kFirst + kThird);
}

TEST_CASE("A non-ASCII remark and ext field travel as UTF-8", "[frame]") {
  const SerializeType type = GENERATE(kJson, kRocketmq);
  RemotingCommand command = RemotingCommand::Response(1, "消息发送失败 — ünïcødé ✓");
  command.ext_fields = {{"标签", "值 ✓"}};
  const std::string wire = EncodeFrame(command, type);
  // fastjson writes non-ASCII text as is, not as \u escapes.
  CHECK(wire.find("消息发送失败") != std::string::npos);
  auto decoded = DecodeWire(wire);
  REQUIRE(decoded.ok());
  CheckSameFields(*decoded, command);
}

TEST_CASE("Bytes that are not UTF-8 survive ROCKETMQ and become U+FFFD in JSON", "[frame]") {
  RemotingCommand command = RemotingCommand::Response(1, "bad \xff byte");
  auto binary = DecodeWire(EncodeFrame(command, kRocketmq));
  REQUIRE(binary.ok());
  CHECK(binary->remark == "bad \xff byte");
  auto json = DecodeWire(EncodeFrame(command, kJson));
  REQUIRE(json.ok());
  CHECK(json->remark == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("Languages map between names and LanguageCode", "[frame]") {
  const SerializeType type = GENERATE(kJson, kRocketmq);
  for (std::string_view name : {"JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY",
                                "OTHER", "HTTP", "GO", "PHP", "OMS", "RUST"}) {
    RemotingCommand command;
    command.language = std::string(name);
    auto decoded = DecodeWire(EncodeFrame(command, type));
    REQUIRE(decoded.ok());
    CHECK(decoded->language == name);
  }
  // A name no 4.9 peer knows goes out as OTHER.
  RemotingCommand command;
  command.language = "NODE_JS";
  auto decoded = DecodeWire(EncodeFrame(command, type));
  REQUIRE(decoded.ok());
  CHECK(decoded->language == "OTHER");
}

TEST_CASE("Binary codes follow LanguageCode; unknown codes read as OTHER", "[frame]") {
  RemotingCommand command;
  command.language = "GO";
  std::string wire = EncodeFrame(command, kRocketmq);
  CHECK(static_cast<uint8_t>(wire[8 + 2]) == 9);
  command.language = "RUST";
  wire = EncodeFrame(command, kRocketmq);
  CHECK(static_cast<uint8_t>(wire[8 + 2]) == 12);
  for (int code : {13, 99, 255}) {
    wire[8 + 2] = static_cast<char>(code);
    auto decoded = DecodeWire(wire);
    REQUIRE(decoded.ok());
    CHECK(decoded->language == "OTHER");
  }
}

TEST_CASE("ROCKETMQ carries code and version as Java shorts", "[frame]") {
  RemotingCommand command;
  command.code = -2;
  command.version = 32767;
  auto decoded = DecodeWire(EncodeFrame(command, kRocketmq));
  REQUIRE(decoded.ok());
  CHECK(decoded->code == -2);
  CHECK(decoded->version == 32767);
  // Java's (short) cast: 40000 comes back as 40000 - 65536.
  command.code = 40000;
  decoded = DecodeWire(EncodeFrame(command, kRocketmq));
  REQUIRE(decoded.ok());
  CHECK(decoded->code == 40000 - 65536);
}

TEST_CASE("A decoded body points into the received frame", "[frame]") {
  const SerializeType type = GENERATE(kJson, kRocketmq);
  RemotingCommand command = RemotingCommand::Request(request_code::kSendMessage);
  const std::string body(4096, 'b');
  command.body = Payload::Borrow(body);
  std::string frame = EncodeFrame(command, type).substr(4);
  const char* data = frame.data();
  const size_t body_at = frame.size() - body.size();

  auto decoded = DecodeFrame(std::move(frame), FrameLimits{});
  REQUIRE(decoded.ok());
  REQUIRE(decoded->body.chunks().size() == 1);
  CHECK(decoded->body.chunks()[0].data() == data + body_at);  // not copied
  CHECK(decoded->body.ToString() == body);

  // The bytes outlive the command they were decoded into.
  Payload kept = std::move(decoded->body);
  decoded = absl::InvalidArgumentError("gone");
  CHECK(kept.ToString() == body);
}

TEST_CASE("A frame in shared storage is decoded in place, its body keeping the storage",
          "[frame]") {
  const SerializeType type = GENERATE(kJson, kRocketmq);
  RemotingCommand command = RemotingCommand::Request(request_code::kSendMessage);
  command.remark = "in place";
  const std::string body(300, 'c');
  command.body = Payload::Borrow(body);
  // Two frames back to back in one block, as a read brings them.
  const std::string frame = EncodeFrame(command, type).substr(4);
  auto block = std::make_shared<const std::string>(StrCat("xxxx", frame, "yyyy", frame));
  std::weak_ptr<const std::string> watch = block;

  const std::string_view second = std::string_view(*block).substr(8 + frame.size(), frame.size());
  auto decoded = DecodeFrame(second, std::shared_ptr<const void>(block), FrameLimits{});
  REQUIRE(decoded.ok());
  CHECK(decoded->remark == "in place");
  REQUIRE(decoded->body.chunks().size() == 1);
  CHECK(decoded->body.chunks()[0].data() == second.data() + second.size() - body.size());
  CHECK(decoded->body.ToString() == body);

  // The body alone keeps the block.
  block.reset();
  Payload kept = std::move(decoded->body);
  decoded = absl::InvalidArgumentError("gone");
  CHECK_FALSE(watch.expired());
  CHECK(kept.ToString() == body);
  kept = Payload();
  CHECK(watch.expired());
}

TEST_CASE("A frame without a body decoded in place does not keep the storage", "[frame]") {
  RemotingCommand command = RemotingCommand::Response(response_code::kSuccess, "no body");
  auto block = std::make_shared<const std::string>(EncodeFrame(command, kRocketmq).substr(4));
  auto decoded = DecodeFrame(std::string_view(*block), std::shared_ptr<const void>(block),
                             FrameLimits{});
  REQUIRE(decoded.ok());
  CHECK(decoded->remark == "no body");
  CHECK(decoded->body.empty());
  CHECK(block.use_count() == 1);
}

// ---- Golden frames ------------------------------------------------------------

// SEND_MESSAGE_V2 as RocketMQ 4.9.4's Java client sends it in JSON:
// SendMessageRequestHeaderV2's fields by reflection (l, a null Integer, left
// out; k and m are primitive booleans, always there), in HashMap order —
// alphabetical for one-letter keys — then fastjson's sorted top-level keys.
// The properties' \u0001 and \u0002 separators are escaped by fastjson.
constexpr std::string_view kJavaSendV2Json =
    R"({"code":310,"extFields":{"a":"PG","b":"TopicA","c":"TBW102","d":"4","e":"3","f":"0",)"
    R"("g":"1700000000123","h":"0","i":"TAGS\u0001TagA\u0002WAIT\u0001true\u0002","j":"0",)"
    R"("k":"false","m":"false"},"flag":0,"language":"JAVA","opaque":7,)"
    R"("serializeTypeCurrentRPC":"JSON","version":401})";

const ExtFields kSendV2Fields = {
    {"a", "PG"}, {"b", "TopicA"}, {"c", "TBW102"}, {"d", "4"}, {"e", "3"}, {"f", "0"},
    {"g", "1700000000123"}, {"h", "0"}, {"i", "TAGS\x01TagA\x02WAIT\x01true\x02"},
    {"j", "0"}, {"k", "false"}, {"m", "false"}};

RemotingCommand SendV2AsJava() {
  auto header = std::make_unique<SendMessageRequestHeaderV2>();
  header->v1.producer_group = "PG";
  header->v1.topic = "TopicA";
  header->v1.default_topic = "TBW102";
  header->v1.default_topic_queue_nums = 4;
  header->v1.queue_id = 3;
  header->v1.sys_flag = 0;
  header->v1.born_timestamp = 1700000000123;
  header->v1.flag = 0;
  header->v1.properties = "TAGS\x01TagA\x02WAIT\x01true\x02";
  header->v1.reconsume_times = 0;
  header->v1.unit_mode = false;
  header->v1.batch = false;
  RemotingCommand command =
      RemotingCommand::Request(request_code::kSendMessageV2, std::move(header));
  command.language = "JAVA";
  command.opaque = 7;
  command.body = Payload::Borrow("hello");
  return command;
}

TEST_CASE("Golden: a Java client's JSON SEND_MESSAGE_V2", "[frame][golden]") {
  REQUIRE(kJavaSendV2Json.size() == 0x115);
  // length 0x11e = 4 + 277 header + 5 body; type 0, header length 0x115.
  const std::string wire = Hex("00 00 01 1e  00 00 01 15") + std::string(kJavaSendV2Json) + "hello";

  auto decoded = DecodeWire(wire);
  REQUIRE(decoded.ok());
  CHECK(decoded->code == 310);
  CHECK(decoded->language == "JAVA");
  CHECK(decoded->version == 401);
  CHECK(decoded->opaque == 7);
  CHECK(decoded->flag == 0);
  CHECK(decoded->remark.empty());
  CHECK(decoded->serialize_type == kJson);
  CHECK(decoded->ext_fields == kSendV2Fields);
  CHECK(decoded->body.ToString() == "hello");
  auto header = decoded->DecodeHeader<SendMessageRequestHeaderV2>();
  REQUIRE(header.ok());
  CHECK((*header)->v1.born_timestamp == 1700000000123);

  // rmq writes the same bytes for the same command.
  CHECK(EncodeFrame(SendV2AsJava(), kJson) == wire);
}

// The same request in RocketMQSerializable's layout, as 4.9.4 writes it
// (SendMessageRequestHeaderV2 is a FastCodesHeader: fields a..m in order).
std::string JavaSendV2Binary() {
  auto field = [](std::string_view key, std::string_view value) {
    return Hex("00") + static_cast<char>(key.size()) + std::string(key) +
           Big32(static_cast<uint32_t>(value.size())) + std::string(value);
  };
  return Hex("00 00 00 b0") +              // length: 4 + 167 header + 5 body
         Hex("01 00 00 a7") +              // ROCKETMQ, header length 167
         Hex("01 36") +                    // code 310
         Hex("00") +                       // language JAVA
         Hex("01 91") +                    // version 401
         Hex("00 00 00 07") +              // opaque
         Hex("00 00 00 00") +              // flag
         Hex("00 00 00 00") +              // remark: none
         Hex("00 00 00 92") +              // ext fields: 146 bytes
         field("a", "PG") + field("b", "TopicA") + field("c", "TBW102") + field("d", "4") +
         field("e", "3") + field("f", "0") + field("g", "1700000000123") + field("h", "0") +
         field("i", "TAGS\x01TagA\x02WAIT\x01true\x02") + field("j", "0") +
         field("k", "false") + field("m", "false") + "hello";
}

TEST_CASE("Golden: a Java client's ROCKETMQ SEND_MESSAGE_V2", "[frame][golden]") {
  const std::string wire = JavaSendV2Binary();
  REQUIRE(wire.size() == 4 + 0xb0);

  auto decoded = DecodeWire(wire);
  REQUIRE(decoded.ok());
  CHECK(decoded->code == 310);
  CHECK(decoded->language == "JAVA");
  CHECK(decoded->version == 401);
  CHECK(decoded->opaque == 7);
  CHECK(decoded->flag == 0);
  CHECK(decoded->remark.empty());
  CHECK(decoded->serialize_type == kRocketmq);
  CHECK(decoded->ext_fields == kSendV2Fields);
  CHECK(decoded->body.ToString() == "hello");

  CHECK(ToHex(EncodeFrame(SendV2AsJava(), kRocketmq)) == ToHex(wire));
}

const ExtFields kSendResponseFields = {{"MSG_REGION", "DefaultRegion"},
                                       {"TRACE_ON", "true"},
                                       {"msgId", "C0A8000100002A9F0000000000000064"},
                                       {"queueId", "3"},
                                       {"queueOffset", "100"}};

TEST_CASE("Golden: a Java broker's SEND_MESSAGE response", "[frame][golden]") {
  SECTION("JSON, extFields in Java's HashMap order") {
    constexpr std::string_view kText =
        R"({"code":0,"extFields":{"queueId":"3","TRACE_ON":"true","MSG_REGION":"DefaultRegion",)"
        R"("msgId":"C0A8000100002A9F0000000000000064","queueOffset":"100"},"flag":1,)"
        R"("language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":401})";
    REQUIRE(kText.size() == 0xe9);
    auto decoded = DecodeWire(Hex("00 00 00 ed 00 00 00 e9") + std::string(kText));
    REQUIRE(decoded.ok());
    CHECK(decoded->code == 0);
    CHECK(decoded->is_response());
    CHECK(decoded->opaque == 7);
    CHECK(decoded->ext_fields == kSendResponseFields);
    CHECK(decoded->body.empty());
  }
  SECTION("ROCKETMQ, the header's fast-coded fields first, then the ext fields map") {
    auto field = [](std::string_view key, std::string_view value) {
      return Hex("00") + static_cast<char>(key.size()) + std::string(key) +
             Big32(static_cast<uint32_t>(value.size())) + std::string(value);
    };
    const std::string wire = Hex("00 00 00 95 01 00 00 91") +  // 4 + 145 header
                             Hex("00 00  00  01 91  00 00 00 07  00 00 00 01  00 00 00 00") +
                             Hex("00 00 00 7c") +  // 124 bytes of ext fields
                             field("msgId", "C0A8000100002A9F0000000000000064") +
                             field("queueId", "3") + field("queueOffset", "100") +
                             field("TRACE_ON", "true") + field("MSG_REGION", "DefaultRegion");
    auto decoded = DecodeWire(wire);
    REQUIRE(decoded.ok());
    CHECK(decoded->code == 0);
    CHECK(decoded->flag == 1);
    CHECK(decoded->version == 401);
    CHECK(decoded->ext_fields == kSendResponseFields);
    auto header = decoded->DecodeHeader<SendMessageResponseHeader>();
    REQUIRE(header.ok());
    CHECK((*header)->queue_offset == 100);
  }
  SECTION("rmq's JSON response: the same object, keys sorted") {
    auto header = std::make_unique<SendMessageResponseHeader>();
    header->msg_id = "C0A8000100002A9F0000000000000064";
    header->queue_id = 3;
    header->queue_offset = 100;
    RemotingCommand response = RemotingCommand::Response(0, "", std::move(header));
    response.opaque = 7;
    response.ext_fields = {{"MSG_REGION", "DefaultRegion"}, {"TRACE_ON", "true"}};
    constexpr std::string_view kText =
        R"({"code":0,"extFields":{"MSG_REGION":"DefaultRegion","TRACE_ON":"true",)"
        R"("msgId":"C0A8000100002A9F0000000000000064","queueId":"3","queueOffset":"100"},)"
        R"("flag":1,"language":"CPP","opaque":7,"serializeTypeCurrentRPC":"JSON","version":401})";
    REQUIRE(kText.size() == 0xe8);
    CHECK(EncodeFrame(response, kJson) == Hex("00 00 00 ec 00 00 00 e8") + std::string(kText));
  }
}

TEST_CASE("Golden: an error response with a remark", "[frame][golden]") {
  RemotingCommand response = RemotingCommand::Response(17, "topic[X] not exist");
  response.language = "JAVA";
  response.opaque = 7;
  const std::string binary = Hex("00 00 00 2b 01 00 00 27") +        // 4 + 39 header
                             Hex("00 11 00 01 91 00 00 00 07 00 00 00 01") +
                             Hex("00 00 00 12") + "topic[X] not exist" +  // remark, 18 bytes
                             Hex("00 00 00 00");                          // no ext fields
  CHECK(ToHex(EncodeFrame(response, kRocketmq)) == ToHex(binary));

  // Java's response without a header has null extFields: left out.
  constexpr std::string_view kText =
      R"({"code":17,"flag":1,"language":"JAVA","opaque":7,"remark":"topic[X] not exist",)"
      R"("serializeTypeCurrentRPC":"JSON","version":401})";
  REQUIRE(kText.size() == 0x7e);
  CHECK(EncodeFrame(response, kJson) == Hex("00 00 00 82 00 00 00 7e") + std::string(kText));

  for (const std::string& wire : {binary, Hex("00 00 00 82 00 00 00 7e") + std::string(kText)}) {
    auto decoded = DecodeWire(wire);
    REQUIRE(decoded.ok());
    CHECK(decoded->code == 17);
    CHECK(decoded->remark == "topic[X] not exist");
    CHECK(decoded->ext_fields.empty());
  }
}

// ali-ons builds its header with JSON.stringify: its own key order, version
// 121, a header's numbers and booleans as JSON numbers and booleans.
TEST_CASE("Golden: an ali-ons SEND_MESSAGE_V2 with numeric ext fields", "[frame][golden]") {
  constexpr std::string_view kText =
      R"({"code":310,"language":"JAVA","opaque":12,"flag":0,"version":121,)"
      R"("extFields":{"a":"PG","b":"TopicA","c":"TBW102","d":4,"e":1,"f":0,)"
      R"("g":1700000000123,"h":0,"i":"TAGS\u0001TagA\u0002","j":0,"k":false,"l":16}})";
  auto decoded = DecodeFrame(Frame(0, kText, "body"), FrameLimits{});
  REQUIRE(decoded.ok());
  CHECK(decoded->code == 310);
  CHECK(decoded->language == "JAVA");
  CHECK(decoded->version == 121);
  CHECK(decoded->opaque == 12);
  CHECK(decoded->ext_fields == ExtFields{{"a", "PG"}, {"b", "TopicA"}, {"c", "TBW102"},
                                         {"d", "4"}, {"e", "1"}, {"f", "0"},
                                         {"g", "1700000000123"}, {"h", "0"},
                                         {"i", "TAGS\x01TagA\x02"}, {"j", "0"},
                                         {"k", "false"}, {"l", "16"}});
  auto header = decoded->DecodeHeader<SendMessageRequestHeaderV2>();
  REQUIRE(header.ok());
  CHECK((*header)->v1.born_timestamp == 1700000000123);
  CHECK((*header)->v1.unit_mode == false);
  CHECK((*header)->v1.max_reconsume_times == 16);
}

TEST_CASE("JSON ext field values of other JSON types become Java's text", "[frame]") {
  constexpr std::string_view kText =
      R"({"code":1,"extFields":{"neg":-5,"big":18446744073709551615,"float":1.5,)"
      R"("integral":3.0,"exp":1e3,"t":true,"f":false,"gone":null,"s":"str"}})";
  auto decoded = DecodeFrame(Frame(0, kText), FrameLimits{});
  REQUIRE(decoded.ok());
  CHECK(decoded->ext_fields == ExtFields{{"big", "18446744073709551615"}, {"exp", "1000"},
                                         {"f", "false"}, {"float", "1.5"}, {"integral", "3"},
                                         {"neg", "-5"}, {"s", "str"}, {"t", "true"}});
}

TEST_CASE("JSON: defaults, nulls, unknown keys and unknown languages", "[frame]") {
  SECTION("only code") {
    auto decoded = DecodeFrame(Frame(0, R"({"code":34})"), FrameLimits{});
    REQUIRE(decoded.ok());
    CHECK(decoded->code == 34);
    // A Java peer's RemotingCommand defaults.
    CHECK(decoded->language == "JAVA");
    CHECK(decoded->version == 0);
    CHECK(decoded->opaque == 0);
    CHECK(decoded->flag == 0);
    CHECK(decoded->remark.empty());
    CHECK(decoded->ext_fields.empty());
  }
  SECTION("nulls and unknown keys") {
    auto decoded = DecodeFrame(
        Frame(0, R"( {"code":34,"remark":null,"extFields":null,"language":null,"opaque":null,)"
                 R"("future":{"deep":[1,2,{"x":null}]},"serializeTypeCurrentRPC":"ROCKETMQ"} )"),
        FrameLimits{});
    REQUIRE(decoded.ok());
    CHECK(decoded->remark.empty());
    CHECK(decoded->language == "JAVA");
    CHECK(decoded->serialize_type == kJson);  // the frame's type, not the JSON's claim
  }
  SECTION("unknown language") {
    auto decoded = DecodeFrame(Frame(0, R"({"code":34,"language":"NODE_JS"})"), FrameLimits{});
    REQUIRE(decoded.ok());
    CHECK(decoded->language == "OTHER");
  }
  SECTION("extreme 32-bit values") {
    auto decoded = DecodeFrame(
        Frame(0, R"({"code":-2147483648,"opaque":2147483647,"flag":3,"version":-1})"),
        FrameLimits{});
    REQUIRE(decoded.ok());
    CHECK(decoded->code == INT32_MIN);
    CHECK(decoded->opaque == INT32_MAX);
    CHECK(decoded->flag == 3);
    CHECK(decoded->version == -1);
  }
}

// ---- Malformed input ----------------------------------------------------------

TEST_CASE("DecodeFrameLength enforces its limits", "[frame][malformed]") {
  FrameLimits limits;
  CHECK(Message(DecodeFrameLength(Hex("00 00 00"), limits).status()) ==
        "remoting frame: length field needs 4 bytes, got 3");
  for (uint32_t length : {0u, 1u, 3u}) {
    auto decoded = DecodeFrameLength(Big32(length), limits);
    REQUIRE(decoded.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(Message(decoded.status()) ==
          "remoting frame: length " + std::to_string(length) +
              " is below 4 (the header length field alone)");
  }
  CHECK(*DecodeFrameLength(Big32(4), limits) == 4);
  CHECK(*DecodeFrameLength(Big32(16 * 1024 * 1024), limits) == 16 * 1024 * 1024);
  CHECK(Message(DecodeFrameLength(Big32(16 * 1024 * 1024 + 1), limits).status()) ==
        "remoting frame: length 16777217 exceeds limit 16777216");
  CHECK(Message(DecodeFrameLength(Big32(0xFFFFFFFF), limits).status()) ==
        "remoting frame: length 4294967295 exceeds limit 16777216");
  limits.max_frame_size = 100;
  CHECK(*DecodeFrameLength(Big32(100) + "rest ignored", limits) == 100);
  CHECK(Message(DecodeFrameLength(Big32(101), limits).status()) ==
        "remoting frame: length 101 exceeds limit 100");
}

TEST_CASE("DecodeFrame rejects a bad frame layout", "[frame][malformed]") {
  FrameLimits limits;
  auto error = [&](const std::string& frame) {
    auto decoded = DecodeFrame(frame, limits);
    REQUIRE(decoded.status().code() == absl::StatusCode::kInvalidArgument);
    return Message(decoded.status());
  };
  CHECK(error("") == "remoting frame: 0 bytes, too short for the header length field");
  CHECK(error(Hex("00 00 00")) == "remoting frame: 3 bytes, too short for the header length field");
  CHECK(error(Hex("02 00 00 00")) == "remoting frame: unknown serialize type 2 (0 JSON, 1 ROCKETMQ)");
  CHECK(error(Hex("ff 00 00 05") + "abcde") ==
        "remoting frame: unknown serialize type 255 (0 JSON, 1 ROCKETMQ)");
  CHECK(error(Hex("00 00 00 05") + "{}") ==
        "remoting frame: header length 5 runs past frame end (2 bytes after the header length field)");
  CHECK(error(Hex("01 ff ff ff")) ==
        "remoting frame: header length 16777215 exceeds limit 65536");
  CHECK(error(Hex("00 01 11 70") + std::string(70000, ' ')) ==
        "remoting frame: header length 70000 exceeds limit 65536");
  limits.max_frame_size = 10;
  CHECK(error(Frame(0, R"({"code":1})")) == "remoting frame: length 14 exceeds limit 10");
  limits = FrameLimits{};
  limits.max_header_size = 9;
  CHECK(error(Frame(0, R"({"code":1})")) == "remoting frame: header length 10 exceeds limit 9");
  limits.max_header_size = 10;
  CHECK(DecodeFrame(Frame(0, R"({"code":1})"), limits).ok());
}

TEST_CASE("Every truncation of a frame fails cleanly", "[frame][malformed]") {
  const SerializeType type = GENERATE(kJson, kRocketmq);
  RemotingCommand command = FullCommand();
  command.body = Payload::Borrow("body");
  const std::string frame = EncodeFrame(command, type).substr(4);
  const size_t header_size = GetBig<uint32_t>(frame.data()) & 0xFFFFFF;
  const std::string header = frame.substr(4, header_size);
  const std::string prefix = type == kJson ? "JSON header: " : "ROCKETMQ header: ";

  // The frame cut anywhere: inside the header it is an error, in the body a
  // shorter body.
  for (size_t n = 0; n <= frame.size(); ++n) {
    INFO("frame cut to " << n << " bytes");
    auto decoded = DecodeFrame(frame.substr(0, n), FrameLimits{});
    if (n < 4 + header_size) {
      CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument);
    } else {
      REQUIRE(decoded.ok());
      CHECK(decoded->body.ToString() == frame.substr(4 + header_size, n - 4 - header_size));
    }
  }
  // A header that claims fewer bytes than it has: the header decoder sees a
  // truncated header at every length, whatever follows.
  for (size_t n = 0; n < header_size; ++n) {
    INFO("header cut to " << n << " bytes");
    for (const std::string& rest : {std::string(), header.substr(n) + "body"}) {
      auto decoded = DecodeFrame(Frame(static_cast<uint32_t>(type), header.substr(0, n), rest),
                                 FrameLimits{});
      REQUIRE(decoded.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(Message(decoded.status()).rfind(prefix, 0) == 0);
    }
  }
}

TEST_CASE("ROCKETMQ header errors name the field and the byte", "[frame][malformed]") {
  // code 10, JAVA, version 401, opaque 1, flag 0: 13 bytes.
  const std::string fixed = Hex("00 0a 00 01 91 00 00 00 01 00 00 00 00");
  const std::string no_remark = Hex("00 00 00 00");
  auto error = [](const std::string& header) {
    auto decoded = DecodeFrame(Frame(1, header), FrameLimits{});
    REQUIRE(decoded.status().code() == absl::StatusCode::kInvalidArgument);
    return Message(decoded.status());
  };
  CHECK(error("") == "ROCKETMQ header: code at byte 0 needs 2 bytes, header ends at byte 0");
  CHECK(error(Hex("00 0a 00 01")) ==
        "ROCKETMQ header: version at byte 3 needs 2 bytes, header ends at byte 4");
  CHECK(error(fixed.substr(0, 12)) ==
        "ROCKETMQ header: flag at byte 9 needs 4 bytes, header ends at byte 12");
  CHECK(error(fixed + Hex("00 00")) ==
        "ROCKETMQ header: remark length at byte 13 needs 4 bytes, header ends at byte 15");
  CHECK(error(fixed + Hex("ff ff ff ff") + no_remark) ==
        "ROCKETMQ header: remark length -1 at byte 13 is negative");
  CHECK(error(fixed + Hex("00 00 00 64") + std::string(4, 'r')) ==
        "ROCKETMQ header: remark length 100 at byte 13 runs past header end (21 bytes)");
  CHECK(error(fixed + no_remark) ==
        "ROCKETMQ header: ext fields length at byte 17 needs 4 bytes, header ends at byte 17");
  CHECK(error(fixed + no_remark + Hex("00 00 00 05")) ==
        "ROCKETMQ header: ext fields length 5 at byte 17 does not match the 0 bytes left in the "
        "header");
  CHECK(error(fixed + no_remark + Hex("80 00 00 00") + "abc") ==
        "ROCKETMQ header: ext fields length -2147483648 at byte 17 does not match the 3 bytes "
        "left in the header");
  CHECK(error(fixed + no_remark + Hex("00 00 00 02") + Hex("00 00 00")) ==
        "ROCKETMQ header: ext fields length 2 at byte 17 does not match the 3 bytes left in the "
        "header");
  CHECK(error(fixed + no_remark + Hex("00 00 00 01 00")) ==
        "ROCKETMQ header: ext field key length at byte 21 needs 2 bytes, header ends at byte 22");
  CHECK(error(fixed + no_remark + Hex("00 00 00 05 00 09") + "abc") ==
        "ROCKETMQ header: ext field key length 9 at byte 21 runs past header end (26 bytes)");
  CHECK(error(fixed + no_remark + Hex("00 00 00 04 00 01") + "k" + Hex("00")) ==
        "ROCKETMQ header: ext field value length at byte 24 needs 4 bytes, header ends at byte 25");
  CHECK(error(fixed + no_remark + Hex("00 00 00 07 00 01") + "k" + Hex("ff ff ff fe")) ==
        "ROCKETMQ header: ext field value length -2 at byte 24 is negative");
  CHECK(error(fixed + no_remark + Hex("00 00 00 0a 00 01") + "k" + Hex("00 00 27 0f") + "abc") ==
        "ROCKETMQ header: ext field value length 9999 at byte 24 runs past header end (31 bytes)");

  // Zero-length keys and values are fine; a repeated key keeps the last value.
  auto decoded = DecodeFrame(
      Frame(1, fixed + no_remark + Hex("00 00 00 16") + Hex("00 00 00 00 00 00") +
                   Hex("00 01") + "k" + Hex("00 00 00 01") + "1" + Hex("00 01") + "k" +
                   Hex("00 00 00 01") + "2"),
      FrameLimits{});
  REQUIRE(decoded.ok());
  CHECK(decoded->ext_fields == ExtFields{{"", ""}, {"k", "2"}});
}

TEST_CASE("JSON header errors say what is wrong", "[frame][malformed]") {
  auto error = [](std::string_view header) {
    auto decoded = DecodeFrame(Frame(0, header), FrameLimits{});
    REQUIRE(decoded.status().code() == absl::StatusCode::kInvalidArgument);
    return Message(decoded.status());
  };
  CHECK(error("") == "JSON header: not valid JSON: syntax error at byte 0 of 0");
  CHECK(error(R"({"code":1,)") == "JSON header: not valid JSON: syntax error at byte 10 of 10");
  CHECK(error(R"({"code":1}x)") == "JSON header: not valid JSON: syntax error at byte 10 of 11");
  CHECK(error(std::string(R"({"code":1,"remark":"bad )") + "\xff" + R"("})")
            .rfind("JSON header: not valid JSON", 0) == 0);
  CHECK(error(R"({"code":1e999})").rfind("JSON header: not valid JSON", 0) == 0);
  CHECK(error("[1,2]") == "JSON header: should be an object, not array");
  CHECK(error(R"("code")") == "JSON header: should be an object, not string");
  CHECK(error("{}") == "JSON header: code is missing");
  CHECK(error(R"({"code":null})") == "JSON header: code is missing");
  CHECK(error(R"({"code":"10"})") == "JSON header: code should be a 32-bit integer, not string");
  CHECK(error(R"({"code":10.5})") == "JSON header: code should be a 32-bit integer, not number");
  CHECK(error(R"({"code":2147483648})") ==
        "JSON header: code should be a 32-bit integer, not number");
  CHECK(error(R"({"code":-2147483649})") ==
        "JSON header: code should be a 32-bit integer, not number");
  CHECK(error(R"({"code":1,"opaque":"7"})") ==
        "JSON header: opaque should be a 32-bit integer, not string");
  CHECK(error(R"({"code":1,"flag":true})") ==
        "JSON header: flag should be a 32-bit integer, not boolean");
  CHECK(error(R"({"code":1,"version":[401]})") ==
        "JSON header: version should be a 32-bit integer, not array");
  CHECK(error(R"({"code":1,"language":0})") ==
        "JSON header: language should be a string, not number");
  CHECK(error(R"({"code":1,"remark":{}})") == "JSON header: remark should be a string, not object");
  CHECK(error(R"({"code":1,"extFields":["a"]})") ==
        "JSON header: extFields should be an object, not array");
  CHECK(error(R"({"code":1,"extFields":{"topic":{"x":1}}})") ==
        "JSON header: extFields.topic should be a string, number or boolean, not object");
}

}  // namespace
}  // namespace rmq::internal
