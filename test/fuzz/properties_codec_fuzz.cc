// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// DecodeProperties on arbitrary bytes (a record's PROPERTIES field, or a
// remoting header's), checking that what decodes re-encodes to the same map
// and that FindProperty, which scans without decoding, agrees with it; also
// that the strict checks of the broker's send path (ValidateEncodedProperties,
// RewriteSendProperties) accept only what DecodeProperties accepts, and that
// a rewrite means what the general path would store; and that
// DecodePropertiesWith (a pulled record's properties plus MIN/MAX_OFFSET,
// decoded into a message's earlier properties) means what DecodeProperties
// followed by PutProperty does; and that FindProperties (several names in
// one pass) finds what FindProperty finds for each, on any bytes; that
// CountSeparators (eight bytes a step) counts what a byte loop counts; and
// that a rewrite's may_park is whether DELAY (kept) or a TIMER_ name is there.

#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include "broker/message_builder.h"
#include "common/properties_codec.h"
#include "common/record_codec.h"

using namespace rmq::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string copy(reinterpret_cast<const char*>(data), size);
  const std::string_view in(copy);

  rmq::Message::Properties props;
  const bool decoded = DecodeProperties(in, &props).ok();
  if (ValidateEncodedProperties(in).ok() && !decoded) std::abort();
  std::string rewritten;
  SendPropertyFlags flags;
  const bool drop_delay = size % 2 == 1;
  if (RewriteSendProperties(in, "C", drop_delay, &rewritten, &flags)) {
    if (!decoded || !ValidateEncodedProperties(rewritten).ok()) std::abort();
    rmq::Message::Properties expected = props;
    auto wait = expected.find("WAIT");
    if (wait != expected.end() && ParseJavaBoolean(wait->second)) expected.erase(wait);
    if (drop_delay) expected.erase("DELAY");
    expected.erase("CLUSTER");
    expected.emplace(std::string("CLUSTER"), std::string("C"));
    rmq::Message::Properties got;
    if (!DecodeProperties(rewritten, &got).ok() || got != expected) std::abort();
    if (rewritten != EncodeProperties(expected)) std::abort();  // sorted, as the map encodes
    bool may_park = expected.contains("DELAY");
    for (const auto& [name, value] : expected) may_park |= name.starts_with("TIMER_");
    if (flags.may_park != may_park) std::abort();
  }
  size_t separators = 0;
  for (char c : in) separators += c == kNameValueSeparator || c == kPropertySeparator;
  if (CountSeparators(in) != separators) std::abort();
  // Into properties that hold something already (a reused message).
  static constexpr PropertyView kOffsets[] = {{"MAX_OFFSET", "9"}, {"MIN_OFFSET", "0"}};
  rmq::Message::Properties reused{{"A", std::string(40, 'x')}, {"ZZ", "z"}};
  const bool decoded_with = DecodePropertiesWith(in, kOffsets, &reused).ok();
  if (decoded_with != decoded) std::abort();
  if (decoded) {
    rmq::Message::Properties expected = props;
    for (const auto& [name, value] : kOffsets) expected.insert_or_assign(name, std::string(value));
    if (reused != expected) std::abort();
  }

  // Several names in one pass, on any bytes: what FindProperty finds for each.
  static constexpr std::string_view kNames[] = {"TAGS", "KEYS", "UNIQ_KEY", "a", ""};
  std::string_view several[std::size(kNames)];
  FindProperties(in, kNames, several);
  for (size_t i = 0; i < std::size(kNames); ++i) {
    std::string_view one;
    FindProperty(in, kNames[i], &one);
    if (several[i] != one) std::abort();
  }

  // The dispatcher's three, likewise.
  const rmq::internal::IndexedProperties indexed = FindIndexedProperties(in);
  if (indexed.tags != several[0] || indexed.keys != several[1] || indexed.uniq_key != several[2]) {
    std::abort();
  }

  if (!decoded) {
    if (!props.empty()) std::abort();  // a failed decode leaves nothing behind
    return 0;
  }
  for (const auto& [name, value] : props) {
    std::string_view found;
    if (!FindProperty(in, name, &found) || found != value) std::abort();
  }
  // A name that is not there is not found (a prefix of a present name, here).
  if (!props.empty()) {
    const std::string& first = props.begin()->first;
    const std::string shorter = first.substr(0, first.size() - 1);
    std::string_view found;
    if (!props.contains(shorter) && FindProperty(in, shorter, &found)) std::abort();
  }

  if (!ValidateProperties(props).ok()) return 0;
  const std::string encoded = EncodeProperties(props);
  if (encoded.size() != EncodedPropertiesSize(props)) std::abort();
  rmq::Message::Properties again;
  if (!DecodeProperties(encoded, &again).ok() || again != props) std::abort();
  if (EncodeProperties(again) != encoded) std::abort();
  return 0;
}
