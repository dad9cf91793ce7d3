// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Expected values are Java's String.hashCode(), computed with the JDK
// (jshell: "TagA".hashCode(), new String(bytes, UTF_8).hashCode()).

#include "common/tag_hash.h"

#include <catch2/catch.hpp>
#include <string>

using rmq::internal::TagsStringToTagsCode;

namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

}  // namespace

TEST_CASE("ASCII tags hash as Java's String.hashCode", "[tag_hash]") {
  CHECK(TagsStringToTagsCode("") == 0);
  CHECK(TagsStringToTagsCode("a") == 97);
  CHECK(TagsStringToTagsCode("TagA") == 2598919);
  CHECK(TagsStringToTagsCode("TagB") == 2598920);
  CHECK(TagsStringToTagsCode("TAG_ORDER_CREATED_2026") == 1745248879);
}

TEST_CASE("int32 overflow wraps and negative hashes are sign-extended", "[tag_hash]") {
  CHECK(TagsStringToTagsCode("abcdefghijklmnopqrstuvwxyz") == 958031277);
  // Negative in Java; the tagsCode is the sign-extended long.
  CHECK(TagsStringToTagsCode("ünïcödé") == -609221899);
  CHECK(TagsStringToTagsCode(Bytes({0xF8, 0x88, 0x80, 0x80, 0x80})) == -1886039875);
}

TEST_CASE("non-ASCII tags hash over UTF-16 code units", "[tag_hash]") {
  CHECK(TagsStringToTagsCode("标签") == 857175);
  // U+1F600 is the surrogate pair D83D DE00 in Java.
  CHECK(TagsStringToTagsCode("😀") == 1772899);
  CHECK(TagsStringToTagsCode("😀tag") == 1276941143);
  CHECK(TagsStringToTagsCode(Bytes({0xEF, 0xBF, 0xBF})) == 65535);          // U+FFFF
  CHECK(TagsStringToTagsCode(Bytes({0xF4, 0x8F, 0xBF, 0xBF})) == 1803232);  // U+10FFFF
}

TEST_CASE("invalid UTF-8 is replaced as Java's decoder replaces it", "[tag_hash]") {
  // Each expectation is new String(bytes, UTF_8).hashCode() from JDK 17.
  CHECK(TagsStringToTagsCode(Bytes({0xE2, 0x82, 0x41})) == 2031588);   // FFFD 'A'
  CHECK(TagsStringToTagsCode(Bytes({0xE2, 0x82})) == 65533);           // truncated: one FFFD
  CHECK(TagsStringToTagsCode(Bytes({0xED, 0xA0, 0x80})) == 65533);     // encoded surrogate
  CHECK(TagsStringToTagsCode(Bytes({0xC0, 0x80})) == 2097056);         // overlong: two FFFD
  CHECK(TagsStringToTagsCode(Bytes({0xF0, 0x80, 0x80, 0x80})) == 2017367872);
  CHECK(TagsStringToTagsCode(Bytes({0xF4, 0x90, 0x80, 0x80})) == 2017367872);  // > U+10FFFF
  CHECK(TagsStringToTagsCode(Bytes({0xF5, 0x41})) == 2031588);
  CHECK(TagsStringToTagsCode(Bytes({0x80, 0x80})) == 2097056);
  CHECK(TagsStringToTagsCode(Bytes({0xF0, 0x9F, 0x98})) == 65533);
  CHECK(TagsStringToTagsCode(Bytes({0xF0, 0x9F, 0x41})) == 2031588);
  CHECK(TagsStringToTagsCode(Bytes({0xE0, 0x80, 0x80})) == 65074269);  // three FFFD
  CHECK(TagsStringToTagsCode(Bytes({0xE0, 0xA0})) == 65533);
  CHECK(TagsStringToTagsCode(Bytes({0xC2})) == 65533);
  CHECK(TagsStringToTagsCode(Bytes({0xC2, 0xC2, 0xA9})) == 2031692);  // FFFD U+00A9
  CHECK(TagsStringToTagsCode(Bytes({0xFF, 0xFE})) == 2097056);
}
