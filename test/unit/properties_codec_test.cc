// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/properties_codec.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

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

TEST_CASE("FindProperties finds several names in one pass as FindProperty does", "[properties]") {
  const std::string enc = "TAGS\x01TagA\x02KEYS\x01k1 k2\x02UNIQ_KEY\x01U1\x02TAGS\x01TagB\x02odd\x02";
  constexpr std::string_view kNames[] = {"TAGS", "KEYS", "UNIQ_KEY", "ABSENT", "odd"};
  std::string_view values[std::size(kNames)] = {"", "", "", "kept", "kept"};
  FindProperties(enc, kNames, values);
  for (size_t i = 0; i < std::size(kNames); ++i) {
    INFO("name " << kNames[i]);
    std::string_view one = "kept";
    FindProperty(enc, kNames[i], &one);
    CHECK(values[i] == one);
  }
  CHECK(values[0] == "TagB");      // The last of a repeated name, as decoding.
  CHECK(values[3] == "kept");      // Absent: left as it was.
  CHECK(values[4] == "kept");      // An item without a separator is no property.
  // Fewer values than names: only those are written.
  std::string_view first[1];
  FindProperties(enc, kNames, first);
  CHECK(first[0] == "TagB");
}

TEST_CASE("FindIndexedProperties finds TAGS, KEYS and UNIQ_KEY as FindProperty does",
          "[properties]") {
  const std::string encodings[] = {
      "KEYS\x01k1 k2\x02TAGS\x01TagA\x02UNIQ_KEY\x01U1\x02",
      "TAGS\x01TagA\x02TAGS\x01TagB\x02",           // Repeated: the last wins.
      "TAGX\x01x\x02KEY\x01y\x02UNIQ_KEYS\x01z\x02",  // Near misses only.
      "TAGS\x02KEYS\x01\x02\x02UNIQ_KEY\x01" "a\x01" "b",  // Malformed, empty, no end.
      "",
  };
  for (const std::string& enc : encodings) {
    INFO("encoding " << enc);
    const IndexedProperties found = FindIndexedProperties(enc);
    std::string_view tags, keys, uniq;
    FindProperty(enc, rmq::property::kTags, &tags);
    FindProperty(enc, rmq::property::kKeys, &keys);
    FindProperty(enc, rmq::property::kUniqKey, &uniq);
    CHECK(found.tags == tags);
    CHECK(found.keys == keys);
    CHECK(found.uniq_key == uniq);
  }
  CHECK(FindIndexedProperties(encodings[0]).keys == "k1 k2");
  CHECK(FindIndexedProperties(encodings[1]).tags == "TagB");
  CHECK(FindIndexedProperties(encodings[2]).tags.empty());
  CHECK(FindIndexedProperties(encodings[3]).uniq_key == "a\x01" "b");
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

namespace {

// What DecodePropertiesWith must equal: DecodeProperties, then each extra put.
absl::Status Eager(std::string_view encoded, std::span<const PropertyView> extra,
                   Message::Properties* props) {
  absl::Status s = DecodeProperties(encoded, props);
  if (!s.ok()) return s;
  for (const auto& [name, value] : extra) props->insert_or_assign(name, std::string(value));
  return absl::OkStatus();
}

}  // namespace

TEST_CASE("DecodePropertiesWith equals decoding then putting the extras", "[properties]") {
  const PropertyView offsets[] = {{"MAX_OFFSET", "99"}, {"MIN_OFFSET", "0"}};
  const std::string_view encodings[] = {
      "",
      "CLUSTER\x01" "DefaultCluster\x02UNIQ_KEY\x01" "0A0B0C0D0E0F00112233445566778899\x02",
      "A\x01" "1\x02Z\x01" "2\x02",                      // extras fall between
      "MAX_OFFSET\x01" "5\x02TAGS\x01t\x02",              // an extra replaces a stored one
      "TAGS\x01t\x02KEYS\x01k\x02",                        // out of order
      "KEYS\x01k1\x02KEYS\x01k2\x02",                      // repeated: the last wins
      "\x02\x02KEYS\x01k\x02\x02",                          // empty items
      "KEYS\x01k\x02TAGS\x01last",                          // last item without separator
      "KEYS\x01v\x01w\x02",                                 // a value holding \x01
      "KEYS\x01k\x02TAGS\x02",                              // no name/value separator
      "KEYS\x01k\x02\x01v\x02",                             // empty name
      "TAGS\x01t\x02KEYS\x02",                              // out of order, then an error
  };
  for (std::string_view encoded : encodings) {
    for (size_t extras = 0; extras <= 2; ++extras) {
      INFO("encoded: " << encoded << ", extras: " << extras);
      std::span<const PropertyView> extra(offsets, extras);
      Message::Properties want;
      absl::Status want_status = Eager(encoded, extra, &want);
      // Into empty properties and into ones holding more items than needed.
      Message::Properties fresh;
      Message::Properties used{{"A", "a"}, {"B", std::string(100, 'b')}, {"C", "c"},
                               {"D", "d"}, {"E", "e"},    {"F", "f"}};
      for (Message::Properties* props : {&fresh, &used}) {
        absl::Status status = DecodePropertiesWith(encoded, extra, props);
        CHECK(status == want_status);
        CHECK(*props == want);
      }
    }
  }
}

TEST_CASE("DecodePropertiesWith reuses the strings it decodes into", "[properties]") {
  const std::string uniq(32, 'F');
  const std::string encoded = "CLUSTER\x01" "DefaultCluster\x02UNIQ_KEY\x01" + uniq + "\x02";
  const PropertyView offsets[] = {{"MAX_OFFSET", "12"}, {"MIN_OFFSET", "0"}};
  Message::Properties props;
  REQUIRE(DecodePropertiesWith(encoded, offsets, &props).ok());
  const char* uniq_data = props.find("UNIQ_KEY")->second.data();
  const auto* items = &*props.begin();

  const std::string uniq2(32, 'E');
  const std::string encoded2 = "CLUSTER\x01" "DefaultCluster\x02UNIQ_KEY\x01" + uniq2 + "\x02";
  REQUIRE(DecodePropertiesWith(encoded2, offsets, &props).ok());
  CHECK(props == Message::Properties{{"CLUSTER", "DefaultCluster"},
                                     {"MAX_OFFSET", "12"},
                                     {"MIN_OFFSET", "0"},
                                     {"UNIQ_KEY", uniq2}});
  CHECK(&*props.begin() == items);                            // same vector storage
  CHECK(props.find("UNIQ_KEY")->second.data() == uniq_data);  // same string storage

  // Fewer properties this time: the rest go.
  REQUIRE(DecodePropertiesWith("KEYS\x01k\x02", {}, &props).ok());
  CHECK(props == Message::Properties{{"KEYS", "k"}});
}

TEST_CASE("CountSeparators counts 0x01 and 0x02 bytes at every length and alignment",
          "[properties]") {
  // Bytes around the separators too (0x00, 0x03, 0x81, 0x82), whose bits a
  // word-at-a-time count could confuse with them.
  const std::string alphabet("\x00\x01\x02\x03\x81\x82\xff" "ab", 9);
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; ++round) {
    seed = seed * 1103515245u + 12345u;
    const size_t length = (seed >> 8) % 80;
    const size_t offset = (seed >> 16) % 8;
    std::string buffer(offset + length, 'x');
    for (size_t i = 0; i < length; ++i) {
      seed = seed * 1103515245u + 12345u;
      buffer[offset + i] = alphabet[(seed >> 16) % alphabet.size()];
    }
    const std::string_view bytes = std::string_view(buffer).substr(offset);
    size_t want = 0;
    for (char c : bytes) want += c == '\x01' || c == '\x02';
    INFO("round " << round << ", length " << length << ", offset " << offset);
    REQUIRE(CountSeparators(bytes) == want);
  }
  CHECK(CountSeparators("") == 0);
  // Longer than 255 sixteen-byte steps of separators: per-byte counters
  // summed too late would wrap.
  CHECK(CountSeparators(std::string(10000, '\x02')) == 10000);
  CHECK(CountSeparators(std::string(10007, '\x01') + "ab") == 10007);
  CHECK(CountSeparators(EncodeProperties(Message::Properties{{"A", "1"}, {"B", "2"}})) == 4);
}

TEST_CASE("decoding with extras orders names by bytes, high bytes last", "[properties]") {
  // Names compared by their first byte must order as whole names do, with
  // bytes unsigned: a name starting with a byte over 0x7F sorts after ASCII.
  const std::string high = "\xC3\xA9t\xC3\xA9";  // "été" in UTF-8
  rmq::Message::Properties props;
  props.emplace("A", "1");
  props.emplace("MAX_OFFSET", "x");
  props.emplace(high, "2");
  std::string encoded(rmq::internal::EncodedPropertiesSize(props), '\0');
  rmq::internal::EncodeProperties(props, encoded.data());
  const rmq::internal::PropertyView extra[] = {{"MAX_OFFSET", "9"}, {"MIN_OFFSET", "0"}};
  rmq::Message::Properties out;
  REQUIRE(rmq::internal::DecodePropertiesWith(encoded, extra, &out).ok());
  std::vector<std::string> names;
  for (const auto& [name, value] : out) names.push_back(name);
  CHECK(names == std::vector<std::string>{"A", "MAX_OFFSET", "MIN_OFFSET", high});
  CHECK(out.find("MAX_OFFSET")->second == "9");
  // Out of order on the wire ("B" after "C"): still decoded, by the general path.
  const std::string unordered = "C\x01" "3\x02" "B\x01" "2\x02";
  REQUIRE(rmq::internal::DecodePropertiesWith(unordered, extra, &out).ok());
  CHECK(out.size() == 4);
  CHECK(out.find("B")->second == "2");
}

TEST_CASE("decoding agrees with a plain split at every length and block boundary",
          "[properties]") {
  // The reference: items end at 0x02 (a last one may not), the first 0x01 of
  // an item splits name from value, an item without one or with an empty
  // name is malformed, a repeated name keeps its last value.
  auto reference = [](std::string_view encoded, std::map<std::string, std::string>* out) {
    out->clear();
    size_t pos = 0;
    while (pos < encoded.size()) {
      size_t end = encoded.find('\x02', pos);
      if (end == std::string_view::npos) end = encoded.size();
      const std::string_view item = encoded.substr(pos, end - pos);
      if (!item.empty()) {
        const size_t sep = item.find('\x01');
        if (sep == std::string_view::npos || sep == 0) return false;
        (*out)[std::string(item.substr(0, sep))] = std::string(item.substr(sep + 1));
      }
      pos = end + 1;
    }
    return true;
  };
  const std::string alphabet = "\x01\x02" "abcab";
  uint32_t seed = 777;
  for (int round = 0; round < 5000; ++round) {
    seed = seed * 1103515245u + 12345u;
    const size_t length = (seed >> 8) % 100;
    std::string encoded(length, 'a');
    for (char& c : encoded) {
      seed = seed * 1103515245u + 12345u;
      c = alphabet[(seed >> 16) % alphabet.size()];
    }
    INFO("round " << round << ", length " << length);
    std::map<std::string, std::string> want;
    const bool well_formed = reference(encoded, &want);
    Message::Properties got;
    const absl::Status status = DecodeProperties(encoded, &got);
    REQUIRE(status.ok() == well_formed);
    if (!well_formed) continue;
    REQUIRE(got.size() == want.size());
    for (const auto& [name, value] : want) {
      REQUIRE(got.find(name) != got.end());
      CHECK(got.find(name)->second == value);
      std::string_view found;
      CHECK(rmq::internal::FindProperty(encoded, name, &found));
      CHECK(found == value);
    }
  }
}
