// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/batch_encoder.h"

#include <cstring>
#include <limits>

#include "client/send_validators.h"
#include "common/big_endian.h"
#include "common/properties_codec.h"
#include "common/str_cat.h"
#include "rmq/producer.h"

namespace rmq::internal {
namespace {

constexpr size_t kEntryFixedBytes = 4 + 4 + 4 + 4 + 4 + 2;  // All but the body and properties.
constexpr size_t kUniqKeyPropertyOverhead = property::kUniqKey.size() + 2;
// ListSplitter's "log overhead" per message.
// UNIQ_KEY values are 32 hex digits (UniqKeyGenerator).
constexpr size_t kUniqKeySize = 32;

absl::Status BatchError(size_t index, std::string_view why) {
  return absl::InvalidArgumentError(StrCat("batch message ", index, ": ", why));
}

}  // namespace

absl::Status CheckBatchRules(std::span<const Message> msgs) {
  if (msgs.empty()) return absl::InvalidArgumentError("the batch holds no message");
  const Message& first = msgs.front();
  for (size_t i = 0; i < msgs.size(); ++i) {
    const Message& msg = msgs[i];
    if (msg.delay_time_level() > 0) {
      return BatchError(i, StrCat("has delay level ", msg.delay_time_level(),
                                  "; delayed messages cannot be batched"));
    }
    if (msg.topic().starts_with(kRetryTopicPrefix)) {
      return BatchError(i, StrCat("is for the retry topic '", msg.topic(),
                                  "'; retry topics cannot be batched"));
    }
    if (ParseJavaBoolean(msg.GetProperty(property::kTransactionPrepared))) {
      return BatchError(i, "is a transaction half message; those cannot be batched");
    }
    if (msg.topic() != first.topic()) {
      return BatchError(i, StrCat("has topic '", msg.topic(), "' but message 0 has '",
                                  first.topic(), "'; a batch is for one topic"));
    }
    if (msg.wait_store_msg_ok() != first.wait_store_msg_ok()) {
      return BatchError(i, "has another waitStoreMsgOK than message 0; a batch shares one");
    }
  }
  return absl::OkStatus();
}

absl::Status EncodeBatch(std::span<const Message> msgs, std::span<const std::string> uniq_keys,
                         std::string* out) {
  size_t total = 0;
  for (size_t i = 0; i < msgs.size(); ++i) {
    const Message& msg = msgs[i];
    size_t props = EncodedPropertiesSize(msg.properties());
    if (!msg.HasProperty(property::kUniqKey)) props += kUniqKeyPropertyOverhead + uniq_keys[i].size();
    if (props > static_cast<size_t>(std::numeric_limits<int16_t>::max())) {
      return BatchError(i, StrCat("properties encode to ", props, " bytes, more than the 32767 a "
                                  "batch entry can hold"));
    }
    total += kEntryFixedBytes + msg.body().size() + props;
  }
  const size_t start = out->size();
  out->resize(start + total);
  char* p = out->data() + start;
  for (size_t i = 0; i < msgs.size(); ++i) {
    const Message& msg = msgs[i];
    const bool add_key = !msg.HasProperty(property::kUniqKey);
    size_t props = EncodedPropertiesSize(msg.properties());
    if (add_key) props += kUniqKeyPropertyOverhead + uniq_keys[i].size();
    const size_t body = msg.body().size();
    PutBig32(p, static_cast<int32_t>(kEntryFixedBytes + body + props));
    PutBig32(p + 4, 0);
    PutBig32(p + 8, 0);
    PutBig32(p + 12, msg.flag());
    PutBig32(p + 16, static_cast<int32_t>(body));
    std::memcpy(p + 20, msg.body().data(), body);
    p += 20 + body;
    PutBig<int16_t>(p, static_cast<int16_t>(props));
    p += 2;
    p = EncodeProperties(msg.properties(), p);
    if (add_key) {
      std::memcpy(p, property::kUniqKey.data(), property::kUniqKey.size());
      p += property::kUniqKey.size();
      *p++ = kNameValueSeparator;
      std::memcpy(p, uniq_keys[i].data(), uniq_keys[i].size());
      p += uniq_keys[i].size();
      *p++ = kPropertySeparator;
    }
  }
  return absl::OkStatus();
}

size_t EncodedBatchEntrySize(const Message& msg) {
  size_t props = EncodedPropertiesSize(msg.properties());
  if (!msg.HasProperty(property::kUniqKey)) props += kUniqKeyPropertyOverhead + kUniqKeySize;
  return kEntryFixedBytes + msg.body().size() + props;
}

}  // namespace rmq::internal

namespace rmq {

std::vector<std::span<const Message>> SplitBatch(std::span<const Message> msgs, size_t max_bytes) {
  std::vector<std::span<const Message>> runs;
  size_t start = 0;
  while (start < msgs.size()) {
    size_t end = start;
    size_t total = 0;
    for (; end < msgs.size(); ++end) {
      const size_t size = internal::EncodedBatchEntrySize(msgs[end]);
      // A message too large on its own still forms a run (its send reports why).
      if (end > start && total + size > max_bytes) break;
      total += size;
      if (total > max_bytes) {
        ++end;
        break;
      }
    }
    runs.push_back(msgs.subspan(start, end - start));
    start = end;
  }
  return runs;
}

}  // namespace rmq
