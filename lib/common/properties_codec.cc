// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/properties_codec.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "common/message_access.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace rmq::internal {
namespace {

// Calls fn(item_start, name, value) for every non-empty item of `encoded`,
// splitting at the first name/value separator; items without one are
// reported with has_separator == false. Stops early when fn returns false.
// Shared by DecodeProperties and FindProperty so the two always agree on
// what an encoding means.
template <typename Fn>
void ForEachProperty(std::string_view encoded, Fn&& fn) {
  size_t pos = 0;
  while (pos < encoded.size()) {
    size_t end = encoded.find(kPropertySeparator, pos);
    if (end == std::string_view::npos) end = encoded.size();  // a last item may lack its separator
    std::string_view item = encoded.substr(pos, end - pos);
    if (!item.empty()) {
      size_t sep = item.find(kNameValueSeparator);
      bool ok = sep != std::string_view::npos;
      std::string_view name = ok ? item.substr(0, sep) : item;
      std::string_view value = ok ? item.substr(sep + 1) : std::string_view();
      if (!fn(pos, ok, name, value)) return;
    }
    pos = end + 1;
  }
}

bool HasSeparator(std::string_view s) {
  return s.find(kNameValueSeparator) != std::string_view::npos ||
         s.find(kPropertySeparator) != std::string_view::npos;
}

}  // namespace

size_t EncodedPropertiesSize(const Message::Properties& props) {
  size_t size = 0;
  for (const auto& [name, value] : props) size += name.size() + value.size() + 2;
  return size;
}

char* EncodeProperties(const Message::Properties& props, char* dst) {
  for (const auto& [name, value] : props) {
    std::memcpy(dst, name.data(), name.size());
    dst += name.size();
    *dst++ = kNameValueSeparator;
    std::memcpy(dst, value.data(), value.size());
    dst += value.size();
    *dst++ = kPropertySeparator;
  }
  return dst;
}

std::string EncodeProperties(const Message::Properties& props) {
  std::string out(EncodedPropertiesSize(props), '\0');
  EncodeProperties(props, out.data());
  return out;
}

size_t CountSeparators(std::string_view bytes) {
  static_assert(kNameValueSeparator == '\x01' && kPropertySeparator == '\x02');
  size_t count = 0;
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes a step: a byte equal to either separator compares to
  // 0xFF, and subtracting that adds one to its lane's 8-bit counter. The
  // lanes are summed (psadbw) every 255 steps, before a counter could wrap.
  // The last, partial step loads the final sixteen bytes and masks off
  // those counted already. About a fifth of the word-at-a-time loop's
  // instructions, which remains for strings under sixteen bytes and for
  // machines without SSE2.
  if (bytes.size() >= 16) {
    const __m128i name_value = _mm_set1_epi8(kNameValueSeparator);
    const __m128i property = _mm_set1_epi8(kPropertySeparator);
    auto hits = [&](size_t at) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes.data() + at));
      return _mm_or_si128(_mm_cmpeq_epi8(v, name_value), _mm_cmpeq_epi8(v, property));
    };
    auto sum = [](__m128i lanes) {
      const __m128i halves = _mm_sad_epu8(lanes, _mm_setzero_si128());
      return static_cast<size_t>(_mm_cvtsi128_si32(halves)) +
             static_cast<size_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(halves, halves)));
    };
    constexpr size_t kStepsPerSum = 255;
    while (i + 16 <= bytes.size()) {
      __m128i lanes = _mm_setzero_si128();
      for (size_t steps = 0; steps < kStepsPerSum && i + 16 <= bytes.size(); ++steps, i += 16) {
        lanes = _mm_sub_epi8(lanes, hits(i));
      }
      count += sum(lanes);
    }
    if (const size_t rest = bytes.size() - i; rest > 0) {
      // 16 zero bytes then 16 0xFF: from `rest` on, the last `rest` lanes are set.
      alignas(16) static constexpr uint8_t kLastLanes[32] = {
          0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
          0,    0,    0,    0,    0,    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
          0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
      const __m128i mask = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kLastLanes + rest));
      count += sum(_mm_sub_epi8(_mm_setzero_si128(), _mm_and_si128(hits(bytes.size() - 16), mask)));
      i = bytes.size();
    }
  }
#endif
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  // The high bit of each zero byte of v, and nothing else: adding 0x7F to a
  // byte's low seven bits carries into its high bit exactly when they are
  // not all zero, and never into the next byte.
  auto zero_bytes = [](uint64_t v) { return ~(((v & kLow7) + kLow7) | v | kLow7); };
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, sizeof(word));
    // A byte is 0x01 or 0x02, never both, so the two masks add up without
    // overlap. Each has only bit 7 of a byte set: shifted to bit 0 and
    // multiplied by kOnes, the byte counts sum into the top byte (at most 8).
    // (std::popcount is a library call on baseline x86-64.)
    const uint64_t found = zero_bytes(word ^ kOnes) | zero_bytes(word ^ (2 * kOnes));
    count += static_cast<size_t>(((found >> 7) * kOnes) >> 56);
  }
  for (; i < bytes.size(); ++i) {
    count += bytes[i] == kNameValueSeparator || bytes[i] == kPropertySeparator;
  }
  return count;
}

absl::Status ValidateProperties(const Message::Properties& props) {
  for (const auto& [name, value] : props) {
    if (name.empty()) {
      return absl::InvalidArgumentError("message property with an empty name");
    }
    if (HasSeparator(name)) {
      return absl::InvalidArgumentError(fmt::format(
          "message property name '{}' contains a separator character (\\x01 or \\x02)",
          name));
    }
    if (HasSeparator(value)) {
      return absl::InvalidArgumentError(fmt::format(
          "value of message property '{}' contains a separator character (\\x01 or \\x02)",
          name));
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status NoSeparatorError(size_t pos) {
  return absl::InvalidArgumentError(fmt::format(
      "message properties: item at byte {} has no name/value separator (\\x01)", pos));
}

absl::Status EmptyNameError(size_t pos) {
  return absl::InvalidArgumentError(
      fmt::format("message properties: item at byte {} has an empty name", pos));
}

// Why an item ForEachProperty reports is malformed (no separator, no name), or OK.
absl::Status ItemError(size_t pos, bool ok, std::string_view name) {
  if (!ok) return NoSeparatorError(pos);
  if (name.empty()) return EmptyNameError(pos);
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeProperties(std::string_view encoded, Message::Properties* props) {
  props->clear();
  // One allocation for every item: one per separator, one more for a last
  // item without its separator, and two for the MIN_OFFSET and MAX_OFFSET a
  // pulled message gains.
  props->reserve(
      static_cast<size_t>(std::count(encoded.begin(), encoded.end(), kPropertySeparator)) + 3);
  absl::Status status;
  ForEachProperty(encoded, [&](size_t pos, bool ok, std::string_view name, std::string_view value) {
    status = ItemError(pos, ok, name);
    if (!status.ok()) return false;
    // A repeated name keeps the last value, as Java's HashMap.put does.
    props->insert_or_assign(name, std::string(value));
    return true;
  });
  if (!status.ok()) props->clear();
  return status;
}

absl::Status DecodePropertiesWith(std::string_view encoded, std::span<const PropertyView> extra,
                                  Message::Properties* props) {
  std::vector<MessageProperties::value_type>& items = MessageAccess::items(*props);
  // New properties: one allocation, for about as many items as the bytes
  // allow (no count pass: a reused vector has the room already).
  if (items.capacity() == 0) items.reserve(extra.size() + 1 + encoded.size() / 16);
  size_t n = 0;  // Items written so far, into items[0, n).
  auto put = [&](std::string_view name, std::string_view value) {
    if (n < items.size()) {
      // A reused message mostly had the same names in the same places:
      // comparing costs less than copying.
      if (items[n].first != name) items[n].first.assign(name);
      items[n].second.assign(value);
    } else {
      items.emplace_back(std::string(name), std::string(value));
    }
    ++n;
  };
  size_t next_extra = 0;
  std::string_view last_name;
  bool ascending = true;
  absl::Status status;
  ForEachProperty(encoded, [&](size_t pos, bool ok, std::string_view name, std::string_view value) {
    status = ItemError(pos, ok, name);
    if (!status.ok()) return false;
    if (!last_name.empty() && !PropertyNameLess(last_name, name)) {
      ascending = false;  // Out of order or repeated: the general path below.
      return false;
    }
    last_name = name;
    // The extras that sort before this name go first; an extra of the same
    // name replaces it (it is put after decoding).
    while (next_extra < extra.size() && PropertyNameLess(extra[next_extra].first, name)) {
      put(extra[next_extra].first, extra[next_extra].second);
      ++next_extra;
    }
    if (next_extra < extra.size() && extra[next_extra].first == name) {
      put(name, extra[next_extra].second);
      ++next_extra;
    } else {
      put(name, value);
    }
    return true;
  });
  if (!status.ok()) {
    props->clear();
    return status;
  }
  if (!ascending) {
    RMQ_RETURN_IF_ERROR(DecodeProperties(encoded, props));
    for (const auto& [name, value] : extra) props->insert_or_assign(name, std::string(value));
    return absl::OkStatus();
  }
  for (; next_extra < extra.size(); ++next_extra) put(extra[next_extra].first, extra[next_extra].second);
  items.erase(items.begin() + static_cast<std::ptrdiff_t>(n), items.end());
  return absl::OkStatus();
}

bool FindProperty(std::string_view encoded, std::string_view name, std::string_view* value) {
  bool found = false;
  // Scans to the end: with a repeated name the last value wins, as in decoding.
  ForEachProperty(encoded, [&](size_t, bool ok, std::string_view item_name, std::string_view v) {
    if (ok && item_name == name) {
      *value = v;
      found = true;
    }
    return true;
  });
  return found;
}

void FindProperties(std::string_view encoded, std::span<const std::string_view> names,
                    std::span<std::string_view> values) {
  ForEachProperty(encoded, [&](size_t, bool ok, std::string_view item_name, std::string_view v) {
    if (!ok) return true;
    for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
      if (item_name == names[i]) values[i] = v;
    }
    return true;
  });
}

IndexedProperties FindIndexedProperties(std::string_view encoded) {
  IndexedProperties found;
  ForEachProperty(encoded, [&found](size_t, bool ok, std::string_view name, std::string_view v) {
    if (!ok) return true;
    if (name == property::kTags) {
      found.tags = v;
    } else if (name == property::kKeys) {
      found.keys = v;
    } else if (name == property::kUniqKey) {
      found.uniq_key = v;
    }
    return true;
  });
  return found;
}

}  // namespace rmq::internal
