// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/message_batch_codec.h"

#include "common/big_endian.h"
#include "common/properties_codec.h"
#include "common/str_cat.h"

namespace rmq::internal {
namespace {

constexpr size_t kFixedBytes = 4 + 4 + 4 + 4 + 4 + 2;  // All but the body and properties.

absl::Status Malformed(size_t index, size_t pos, std::string_view why) {
  return absl::InvalidArgumentError(
      StrCat("batch body: message ", index, " at byte ", pos, ": ", why));
}

}  // namespace

absl::Status DecodeMessageBatch(std::string_view data, std::vector<BatchEntry>* entries) {
  entries->clear();
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t index = entries->size();
    const size_t left = data.size() - pos;
    if (left < kFixedBytes) return Malformed(index, pos, StrCat("only ", left, " bytes left"));
    const char* p = data.data() + pos;
    const int32_t total = GetBig32(p);
    if (total < static_cast<int32_t>(kFixedBytes) || static_cast<size_t>(total) > left) {
      return Malformed(index, pos, StrCat("size ", total, " does not fit the ", left,
                                          " bytes left"));
    }
    BatchEntry entry;
    entry.flag = GetBig32(p + 12);
    const int32_t body_len = GetBig32(p + 16);
    if (body_len < 0 || static_cast<size_t>(body_len) > static_cast<size_t>(total) - kFixedBytes) {
      return Malformed(index, pos, StrCat("body length ", body_len, " exceeds its size ", total));
    }
    entry.body = std::string_view(p + 20, static_cast<size_t>(body_len));
    const size_t props_pos = 20 + static_cast<size_t>(body_len);
    const int16_t props_len = GetBig<int16_t>(p + props_pos);
    const size_t expected = kFixedBytes + static_cast<size_t>(body_len) + static_cast<size_t>(props_len);
    if (props_len < 0 || expected != static_cast<size_t>(total)) {
      return Malformed(index, pos, StrCat("size ", total, " disagrees with body ", body_len,
                                          " and properties ", props_len, " bytes"));
    }
    entry.properties = std::string_view(p + props_pos + 2, static_cast<size_t>(props_len));
    entries->push_back(entry);
    pos += static_cast<size_t>(total);
  }
  if (entries->empty()) return absl::InvalidArgumentError("batch body holds no message");
  return absl::OkStatus();
}

void EncodeBatchEntry(const Message& msg, std::string* out) {
  const std::string props = EncodeProperties(msg.properties());
  const size_t total = kFixedBytes + msg.body().size() + props.size();
  const size_t start = out->size();
  out->resize(start + total);
  char* p = out->data() + start;
  PutBig32(p, static_cast<int32_t>(total));
  PutBig32(p + 4, 0);
  PutBig32(p + 8, 0);
  PutBig32(p + 12, msg.flag());
  PutBig32(p + 16, static_cast<int32_t>(msg.body().size()));
  msg.body().copy(p + 20, msg.body().size());
  PutBig<int16_t>(p + 20 + msg.body().size(), static_cast<int16_t>(props.size()));
  props.copy(p + 22 + msg.body().size(), props.size());
}

}  // namespace rmq::internal
