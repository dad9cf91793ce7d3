// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/tag_hash.h"

#include <cstddef>

namespace rmq::internal {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Java's String.hashCode step: h = 31 * h + c over UTF-16 code units, in
// 32-bit two's complement arithmetic (unsigned here so overflow is defined).
class JavaHash {
 public:
  void AddUnit(uint32_t unit) { h_ = h_ * 31u + unit; }
  void AddCodePoint(uint32_t cp) {
    if (cp < 0x10000) {
      AddUnit(cp);
    } else {
      cp -= 0x10000;
      AddUnit(0xD800 + (cp >> 10));
      AddUnit(0xDC00 + (cp & 0x3FF));
    }
  }
  uint32_t value() const { return h_; }

 private:
  uint32_t h_ = 0;
};

}  // namespace

// RocketMQ hashes the Java String its broker decoded from the stored UTF-8
// bytes, so a tag that is not valid UTF-8 must be decoded exactly as the JDK's
// UTF-8 decoder does (java.lang.String's decoder in JDK 17, which matches
// sun.nio.cs.UTF_8 with REPLACE): how many bytes one U+FFFD swallows depends on
// the kind of error, so the rules below follow that decoder case by case.
int64_t TagsStringToTagsCode(std::string_view tags) {
  const auto* s = reinterpret_cast<const uint8_t*>(tags.data());
  const size_t n = tags.size();
  JavaHash hash;
  size_t i = 0;
  while (i < n) {
    const uint8_t b1 = s[i++];
    if (b1 < 0x80) {
      hash.AddUnit(b1);
    } else if (b1 >= 0xC2 && b1 <= 0xDF) {  // two bytes
      if (i < n && IsContinuation(s[i])) {
        hash.AddUnit(((b1 & 0x1Fu) << 6) | (s[i] & 0x3Fu));
        ++i;
      } else {
        hash.AddUnit(kReplacement);  // the next byte is examined afresh
      }
    } else if (b1 >= 0xE0 && b1 <= 0xEF) {  // three bytes
      auto overlong = [&](uint8_t b2) { return b1 == 0xE0 && (b2 & 0xE0) == 0x80; };
      if (i + 1 < n) {
        const uint8_t b2 = s[i], b3 = s[i + 1];
        if (overlong(b2) || !IsContinuation(b2)) {
          hash.AddUnit(kReplacement);  // only the lead byte is consumed
        } else if (!IsContinuation(b3)) {
          hash.AddUnit(kReplacement);  // lead and second byte consumed
          i += 1;
        } else {
          const uint32_t c = ((b1 & 0x0Fu) << 12) | ((b2 & 0x3Fu) << 6) | (b3 & 0x3Fu);
          // An encoded surrogate is one replacement for all three bytes.
          hash.AddUnit(c >= 0xD800 && c <= 0xDFFF ? kReplacement : c);
          i += 2;
        }
      } else if (i < n && (overlong(s[i]) || !IsContinuation(s[i]))) {
        hash.AddUnit(kReplacement);  // the next byte is examined afresh
      } else {
        hash.AddUnit(kReplacement);  // a truncated tail: one replacement ends the input
        break;
      }
    } else if (b1 >= 0xF0 && b1 <= 0xF7) {  // four bytes
      // Whether the second byte can follow this lead byte in a valid sequence.
      auto bad_second = [&](uint8_t b2) {
        return b1 > 0xF4 || (b1 == 0xF0 && (b2 < 0x90 || b2 > 0xBF)) ||
               (b1 == 0xF4 && (b2 & 0xF0) != 0x80) || !IsContinuation(b2);
      };
      if (i + 2 < n) {
        const uint8_t b2 = s[i], b3 = s[i + 1], b4 = s[i + 2];
        const uint32_t cp = ((b1 & 0x07u) << 18) | ((b2 & 0x3Fu) << 12) | ((b3 & 0x3Fu) << 6) |
                            (b4 & 0x3Fu);
        if (!IsContinuation(b2) || !IsContinuation(b3) || !IsContinuation(b4) || cp < 0x10000 ||
            cp > 0x10FFFF) {
          hash.AddUnit(kReplacement);
          if (bad_second(b2)) {
            // only the lead byte is consumed
          } else if (!IsContinuation(b3)) {
            i += 1;
          } else {
            i += 2;
          }
        } else {
          hash.AddCodePoint(cp);
          i += 3;
        }
      } else if (b1 > 0xF4 || (i < n && bad_second(s[i]))) {
        hash.AddUnit(kReplacement);  // the next byte is examined afresh
      } else {
        ++i;  // the second byte (if any) belongs to this replacement
        hash.AddUnit(kReplacement);
        if (i < n && !IsContinuation(s[i])) continue;
        break;  // a truncated tail: one replacement ends the input
      }
    } else {
      hash.AddUnit(kReplacement);  // a stray continuation byte, C0, C1 or F8..FF
    }
  }
  return static_cast<int32_t>(hash.value());
}

}  // namespace rmq::internal
