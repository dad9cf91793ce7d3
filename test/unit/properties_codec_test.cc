// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/properties_codec.h"

#include <catch2/catch.hpp>
#include <string>

using rmq::Message;
using namespace rmq::internal;

namespace {

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

}  // namespace

TEST_CASE("properties encode as key\\x01value\\x02 in key order", "[properties]") {
  Message::Properties props{{"TAGS", "TagA"}, {"KEYS", "k1 k2"}, {"WAIT", "true"}};
  const std::string want = "KEYS\x01k1 k2\x02TAGS\x01TagA\x02WAIT\x01true\x02";
  CHECK(EncodeProperties(props) == want);
  CHECK(EncodedPropertiesSize(props) == want.size());

  std::string buf(want.size() + 4, '#');
  char* end = EncodeProperties(props, buf.data());
  CHECK(end == buf.data() + want.size());
  CHECK(buf.substr(0, want.size()) == want);
  CHECK(buf.substr(want.size()) == "####");  // nothing written past the end

  CHECK(EncodeProperties(Message::Properties{}).empty());
  CHECK(EncodedPropertiesSize(Message::Properties{}) == 0);
}

TEST_CASE("decode inverts encode, including empty values and non-ASCII", "[properties]") {
  Message::Properties props{{"TAGS", "标签"}, {"EMPTY", ""}, {"UNIQ_KEY", "7F0000010001"}};
  Message::Properties decoded{{"stale", "entry"}};
  REQUIRE(DecodeProperties(EncodeProperties(props), &decoded).ok());
  CHECK(decoded == props);  // replaced, not merged

  REQUIRE(DecodeProperties("", &decoded).ok());
  CHECK(decoded.empty());
}

TEST_CASE("decode accepts what Java's parser accepts", "[properties]") {
  Message::Properties decoded;
  // A last item without its trailing separator, and empty items.
  REQUIRE(DecodeProperties("a\x01" "1\x02\x02" "b\x01" "2", &decoded).ok());
  CHECK(decoded == Message::Properties{{"a", "1"}, {"b", "2"}});
  // A repeated key keeps the last value (HashMap.put).
  REQUIRE(DecodeProperties("a\x01" "1\x02" "a\x01" "2\x02", &decoded).ok());
  CHECK(decoded == Message::Properties{{"a", "2"}});
  // The value runs to the item's end, name/value separators included.
  REQUIRE(DecodeProperties("a\x01x\x01y\x02", &decoded).ok());
  CHECK(decoded == Message::Properties{{"a", "x\x01y"}});
}

TEST_CASE("malformed items are errors naming their byte position", "[properties]") {
  Message::Properties decoded{{"x", "y"}};
  absl::Status s = DecodeProperties("a\x01" "1\x02" "novalue\x02", &decoded);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Msg(s), Catch::Contains("byte 4") && Catch::Contains("no name/value separator"));
  CHECK(decoded.empty());

  s = DecodeProperties("a\x01" "1\x02\x01" "v\x02", &decoded);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Msg(s), Catch::Contains("byte 4") && Catch::Contains("empty name"));
}

TEST_CASE("validate rejects separators and empty names", "[properties]") {
  CHECK(ValidateProperties({{"TAGS", "a"}, {"KEYS", ""}}).ok());
  CHECK(ValidateProperties({{"", "a"}}).code() == absl::StatusCode::kInvalidArgument);
  absl::Status s = ValidateProperties({{"TA\x01GS", "a"}});
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  s = ValidateProperties({{"TAGS", "a\x02"}});
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Msg(s), Catch::Contains("'TAGS'"));
}

TEST_CASE("FindProperty agrees with decoding", "[properties]") {
  const std::string enc = EncodeProperties({{"TAGS", "TagA"}, {"KEYS", "k"}, {"E", ""}});
  std::string_view v;
  REQUIRE(FindProperty(enc, "TAGS", &v));
  CHECK(v == "TagA");
  // The returned view points into the encoding: no copy was made.
  CHECK(v.data() >= enc.data());
  CHECK(v.data() + v.size() <= enc.data() + enc.size());
  REQUIRE(FindProperty(enc, "E", &v));
  CHECK(v.empty());
  CHECK_FALSE(FindProperty(enc, "TAG", &v));    // prefix of a key
  CHECK_FALSE(FindProperty(enc, "TAGSX", &v));  // longer than a key
  CHECK_FALSE(FindProperty(enc, "TagA", &v));   // a value, not a key
  CHECK_FALSE(FindProperty("", "TAGS", &v));

  REQUIRE(FindProperty("a\x01" "1\x02" "a\x01" "2\x02", "a", &v));
  CHECK(v == "2");  // last wins, as in DecodeProperties
  REQUIRE(FindProperty("x\x02" "b\x01" "3", "b", &v));
  CHECK(v == "3");
}
