// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ParseRecord and DecodeRecord on arbitrary bytes: recovery runs them over
// whatever a crash left in a segment, so they must never read out of bounds
// and must agree with each other. A record they accept must re-encode to the
// very same bytes (the store serves stored bytes as they are).

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "common/crc32.h"
#include "common/record_codec.h"

using namespace rmq::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy so that AddressSanitizer catches any read past `size`.
  std::string copy(reinterpret_cast<const char*>(data), size);
  const std::string_view in(copy);

  RecordView unchecked;
  absl::StatusOr<rmq::internal::RecordKind> kind_nocrc = ParseRecord(in, false, &unchecked);
  RecordView checked;
  absl::StatusOr<rmq::internal::RecordKind> kind_crc = ParseRecord(in, true, &checked);
  absl::StatusOr<rmq::MessageExt> msg = DecodeRecord(in);

  if (kind_crc.ok() && !kind_nocrc.ok()) std::abort();  // the CRC check only adds errors
  if (!kind_nocrc.ok()) {
    if (kind_nocrc.status().code() != absl::StatusCode::kDataLoss) std::abort();
    return 0;
  }
  if (*kind_nocrc != RecordKind::kMessage) {
    if (msg.ok()) std::abort();
    if (*kind_nocrc == RecordKind::kBlank && unchecked.total_size < kEndFileMinBlankLength) {
      std::abort();
    }
    return 0;
  }
  // Every view of a message lies inside the record.
  const auto inside = [&](std::string_view part) {
    return part.data() >= in.data() &&
           part.data() + part.size() <= in.data() + unchecked.total_size;
  };
  if (unchecked.total_size <= 0 || static_cast<size_t>(unchecked.total_size) > size ||
      !inside(unchecked.body) || !inside(unchecked.topic) || !inside(unchecked.properties) ||
      !inside(unchecked.born_host) || !inside(unchecked.store_host)) {
    std::abort();
  }
  const bool crc_ok = Crc32(unchecked.body) == unchecked.body_crc;
  if (kind_crc.ok() != crc_ok) std::abort();
  if (!crc_ok) {
    if (msg.ok()) std::abort();
    return 0;
  }
  if (!msg.ok()) return 0;  // properties that do not decode

  // Re-encoding the decoded message with its stored properties bytes gives
  // back the record exactly.
  const size_t n = RecordSize(msg->sys_flag, msg->body().size(), msg->topic().size(),
                              unchecked.properties.size());
  if (n != static_cast<size_t>(msg->store_size)) std::abort();
  std::string again(n, '\0');
  EncodeRecord(*msg, unchecked.properties, msg->body_crc, again.data());
  if (std::memcmp(again.data(), in.data(), n) != 0) std::abort();
  return 0;
}
