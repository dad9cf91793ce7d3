// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// How EncodeFrameHead gathers a typed header's fields without a map: the
// fields a header visits, in any order, with their texts borrowed or copied,
// go out exactly as the same fields written into an ExtFields map would.

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "common/big_endian.h"
#include "remoting/frame_codec.h"
#include "remoting/remoting_command.h"
#include "remoting/request_code.h"

namespace rmq::internal {
namespace {

// A header whose fields are data: visited in the order given (or not at all,
// so that the encoder falls back to Encode's map), every other text handed
// over as not lasting, as a number's text is.
class ListedHeader final : public CommandHeader {
 public:
  ListedHeader(std::vector<std::pair<std::string, std::string>> fields, bool visit)
      : fields_(std::move(fields)), visit_(visit) {}

  void Encode(ExtFields* out) const override {
    for (const auto& [name, text] : fields_) out->insert_or_assign(name, text);
  }
  bool Visit(HeaderFieldSink& sink) const override {
    if (!visit_) return false;
    for (size_t i = 0; i < fields_.size(); ++i) {
      // Not lasting: what the encoder keeps must be a copy, so hand it one
      // that dies right after the call.
      std::string scratch = fields_[i].second;
      const bool lasting = i % 2 == 0;
      sink.Field(fields_[i].first, lasting ? std::string_view(fields_[i].second) : scratch, lasting);
    }
    return true;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
  bool visit_;
};

RemotingCommand Command(std::vector<std::pair<std::string, std::string>> fields, bool visit,
                        ExtFields ext_fields = {}) {
  RemotingCommand command = RemotingCommand::Request(
      request_code::kSendMessage, std::make_unique<ListedHeader>(std::move(fields), visit));
  command.opaque = 77;
  command.remark = "remark";
  command.ext_fields = std::move(ext_fields);
  command.body = Payload(std::string("body"));
  return command;
}

std::string Head(const RemotingCommand& command, SerializeType type) {
  std::string head;
  EncodeFrameHead(command, type, &head);
  return head;
}

// Fields named in reverse order of their names, with texts 20 characters
// long: together far more text than the encoder keeps inline.
std::vector<std::pair<std::string, std::string>> ManyFields(int count) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (int i = count - 1; i >= 0; --i) {
    std::string name = "field" + std::to_string(100 + i);
    fields.emplace_back(name, std::string(20, static_cast<char>('a' + i % 26)));
  }
  return fields;
}

TEST_CASE("Visited fields encode as the same fields written into a map", "[frame][encode]") {
  const auto type = GENERATE(SerializeType::kRocketmq, SerializeType::kJson);
  const int count = GENERATE(1, 2, 13, 40);
  INFO("type " << static_cast<int>(type) << ", " << count << " fields");
  const auto fields = ManyFields(count);
  CHECK(Head(Command(fields, /*visit=*/true), type) == Head(Command(fields, /*visit=*/false), type));
}

TEST_CASE("Fields named alike sort as strings do",
          "[frame][encode]") {
  // Same first letters ("queue" is a prefix of the others, so it sorts
  // first), the same first eight bytes or more, a NUL where a shorter name
  // ends, upper case before lower, and bytes above 0x7f after ASCII.
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"queueOffset", "1"},
      {"queue", "2"},
      {"queueId", "3"},
      {"Queue", "4"},
      {"\xc3\xa9t\xc3\xa9", "5"},
      {"", "6"},
      {"defaultTopicQueueNums", "7"},
      {"defaultTopic", "8"},
      {"defaultT", "9"},
      {std::string("ab\0", 3), "10"},
      {"ab", "11"},
      {"abcdefghij", "12"},
      {"abcdefghi", "13"}};
  const auto type = GENERATE(SerializeType::kRocketmq, SerializeType::kJson);
  CHECK(Head(Command(fields, true), type) == Head(Command(fields, false), type));
}

TEST_CASE("Visited in either order, names past ASCII come out after ASCII ones", "[frame][encode]") {
  // The writer's quick check compares first bytes as unsigned, as strings do:
  // "\xc3..." visited before "a" is out of order and must be sorted.
  const auto type = GENERATE(SerializeType::kRocketmq, SerializeType::kJson);
  const std::vector<std::pair<std::string, std::string>> in_order = {{"a", "1"},
                                                                     {"\xc3\xa9t\xc3\xa9", "2"}};
  const std::vector<std::pair<std::string, std::string>> reversed = {in_order[1], in_order[0]};
  const std::string expected = Head(Command(in_order, false), type);
  CHECK(Head(Command(in_order, true), type) == expected);
  CHECK(Head(Command(reversed, true), type) == expected);
}

TEST_CASE("Visited fields merge with ext_fields, the header's value winning", "[frame][encode]") {
  const auto fields = ManyFields(13);
  ExtFields ext{{"aaa", "before every field"}, {"field105", "overwritten"}, {"zzz", "after"}};
  const auto type = GENERATE(SerializeType::kRocketmq, SerializeType::kJson);
  const std::string visited = Head(Command(fields, true, ext), type);
  CHECK(visited == Head(Command(fields, false, ext), type));
  CHECK(visited.find("overwritten") == std::string::npos);
  CHECK(visited.find("before every field") != std::string::npos);
}

TEST_CASE("Headers encoded one after another on a thread each come out sorted",
          "[frame][encode]") {
  // The encoder remembers how it last sorted a header's fields, by the
  // addresses of their names; these headers keep their names in strings,
  // so the same addresses may come back holding other names.
  const auto type = GENERATE(SerializeType::kRocketmq, SerializeType::kJson);
  auto many = ManyFields(13);
  auto reversed = many;
  std::reverse(reversed.begin(), reversed.end());
  auto fewer = many;
  fewer.erase(fewer.begin() + 4);
  auto renamed = many;
  for (auto& [name, text] : renamed) name[0] = 'g';
  auto swapped = many;
  std::swap(swapped[2].second, swapped[9].second);
  for (const auto* fields : {&many, &many, &reversed, &many, &fewer, &many, &renamed, &swapped}) {
    CHECK(Head(Command(*fields, true), type) == Head(Command(*fields, false), type));
  }
}

TEST_CASE("A header that reuses its names' storage for other names is still sorted",
          "[frame][encode]") {
  // The same name addresses in the same visiting order, but other names at
  // them the second time: what was remembered no longer sorts them.
  class RewrittenHeader final : public CommandHeader {
   public:
    explicit RewrittenHeader(std::string names) : names_(std::move(names)) {}
    void SetNames(std::string_view names) { names_.replace(0, names.size(), names); }
    void Encode(ExtFields* out) const override {
      for (size_t i = 0; i < names_.size(); ++i) out->insert_or_assign(names_.substr(i, 1), "v");
    }
    bool Visit(HeaderFieldSink& sink) const override {
      for (size_t i = 0; i < names_.size(); ++i) {
        sink.Field(std::string_view(names_).substr(i, 1), "v", true);
      }
      return true;
    }

   private:
    std::string names_;
  };
  RemotingCommand command = RemotingCommand::Request(
      request_code::kSendMessage, std::make_unique<RewrittenHeader>("dcba"));
  auto& header = static_cast<RewrittenHeader&>(*command.header);
  const std::string first = Head(command, SerializeType::kRocketmq);
  header.SetNames("abcd");
  CHECK(Head(command, SerializeType::kRocketmq) == first);
  header.SetNames("cadb");
  CHECK(Head(command, SerializeType::kRocketmq) == first);
}

TEST_CASE("A frame head is appended after what the buffer holds, its sizes exact",
          "[frame][encode]") {
  const RemotingCommand command = Command(ManyFields(13), true);
  std::string buffer = "kept";
  EncodeFrameHead(command, SerializeType::kRocketmq, &buffer);
  REQUIRE(buffer.substr(0, 4) == "kept");
  const std::string head = buffer.substr(4);
  CHECK(head == Head(command, SerializeType::kRocketmq));
  // length = header-info field + header + body; header-info = type | size.
  const uint32_t header_size = static_cast<uint32_t>(head.size() - kFramePrefixSize);
  CHECK(GetBig<uint32_t>(head.data()) == 4 + header_size + 4);
  CHECK(GetBig<uint32_t>(head.data() + 4) == ((1u << 24) | header_size));
  // The ext fields' length field covers exactly the rest of the header.
  const size_t ext_length_at = kFramePrefixSize + 2 + 1 + 2 + 4 + 4 + 4 + command.remark.size();
  CHECK(GetBig<uint32_t>(head.data() + ext_length_at) == head.size() - ext_length_at - 4);
  const auto decoded = DecodeFrame(EncodeFrame(command, SerializeType::kRocketmq).substr(4), {});
  REQUIRE(decoded.ok());
  CHECK(decoded->ext_fields.size() == 13);
  CHECK(decoded->body.ToString() == "body");
}

}  // namespace
}  // namespace rmq::internal
