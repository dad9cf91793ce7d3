// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Message properties on disk and on the wire: "key\x01value\x02" repeated
// (RocketMQ's NAME_VALUE_SEPARATOR and PROPERTY_SEPARATOR). Keys and values
// must not contain either separator.

#ifndef RMQ_COMMON_PROPERTIES_CODEC_H_
#define RMQ_COMMON_PROPERTIES_CODEC_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "rmq/message.h"

namespace rmq::internal {

// Java's Boolean.parseBoolean: "true" in any case is true, anything else is
// false. How RocketMQ reads boolean properties (WAIT, TRAN_MSG).
inline bool ParseJavaBoolean(std::string_view text) {
  if (text.size() != 4) return false;
  for (size_t i = 0; i < 4; ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != "true"[i]) return false;
  }
  return true;
}

inline constexpr char kNameValueSeparator = '\x01';
inline constexpr char kPropertySeparator = '\x02';

// Bytes EncodeProperties writes for `props`.
size_t EncodedPropertiesSize(const Message::Properties& props);
// Writes the encoding of `props` at `dst` (EncodedPropertiesSize bytes);
// returns the end. Allocates nothing.
char* EncodeProperties(const Message::Properties& props, char* dst);
std::string EncodeProperties(const Message::Properties& props);

// Checks that no key or value contains a separator, and no key is empty.
absl::Status ValidateProperties(const Message::Properties& props);

// How many bytes of `bytes` are a separator (either kind). An encoding of
// n properties none of which holds a separator has exactly 2n: the cheap
// check before the full one. Eight bytes a step.
size_t CountSeparators(std::string_view bytes);

// Parses an encoding into `props` (replacing its contents). A non-empty item
// without a name/value separator, or an empty name, is an error naming the
// item's byte position.
absl::Status DecodeProperties(std::string_view encoded, Message::Properties* props);

// a < b as std::string_view orders them (bytes unsigned), the order of
// encoded names. Property names mostly differ in their first byte: deciding
// there spares the memcmp call each comparison otherwise makes.
inline bool PropertyNameLess(std::string_view a, std::string_view b) {
  if (!a.empty() && !b.empty() && a[0] != b[0]) {
    return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
  }
  return a < b;
}

// One property as views, for DecodePropertiesWith.
using PropertyView = std::pair<std::string_view, std::string_view>;

// As DecodeProperties, then sets each of `extra` (sorted by name, unique
// names) as Message::PutProperty would, but in one pass that assigns into
// the strings `props` already holds: decoding into the properties of a
// message decoded before allocates nothing when the strings fit. Encodings
// with names in ascending order (what rmq's broker stores) take that pass;
// others are decoded as DecodeProperties does and `extra` put after.
absl::Status DecodePropertiesWith(std::string_view encoded, std::span<const PropertyView> extra,
                                  Message::Properties* props);

// Finds one property's value in an encoding without decoding the rest.
// Returns false if absent.
bool FindProperty(std::string_view encoded, std::string_view name, std::string_view* value);

// FindProperty for several names in one pass: values[i] becomes the value of
// names[i] (the last, if repeated) and is left as it was if absent. For a
// reader that needs a few properties of every record (the dispatcher).
void FindProperties(std::string_view encoded, std::span<const std::string_view> names,
                    std::span<std::string_view> values);

// TAGS, KEYS and UNIQ_KEY (each empty if absent, the last if repeated): what
// the dispatcher reads of every record, for its queue unit and the index.
// FindProperties for these three names, with the names compared as the
// constants they are (a load and a compare each, no memcmp call).
struct IndexedProperties {
  std::string_view tags;
  std::string_view keys;
  std::string_view uniq_key;
};
IndexedProperties FindIndexedProperties(std::string_view encoded);

}  // namespace rmq::internal

#endif  // RMQ_COMMON_PROPERTIES_CODEC_H_
