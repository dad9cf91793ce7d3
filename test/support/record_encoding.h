// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// A message as the commit log stores it, for tests that build records by hand.

#ifndef RMQ_TEST_SUPPORT_RECORD_ENCODING_H_
#define RMQ_TEST_SUPPORT_RECORD_ENCODING_H_

#include <string>

#include "common/properties_codec.h"
#include "common/record_codec.h"
#include "rmq/message.h"

namespace rmq::testing {

// The stored record of `*m` (its body_crc as set); sets m->store_size.
inline std::string EncodeStoredRecord(MessageExt* m) {
  const std::string props = internal::EncodeProperties(m->properties());
  const size_t size =
      internal::RecordSize(m->sys_flag, m->body().size(), m->topic().size(), props.size());
  m->store_size = static_cast<int32_t>(size);
  std::string record(size, '\0');
  internal::EncodeRecord(*m, props, m->body_crc, record.data());
  return record;
}

}  // namespace rmq::testing

#endif  // RMQ_TEST_SUPPORT_RECORD_ENCODING_H_
