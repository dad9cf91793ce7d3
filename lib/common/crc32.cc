// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/crc32.h"

#ifdef RMQ_HAVE_ISAL
#include <isa-l/crc.h>
#else
#include <zlib.h>
#endif

namespace rmq::internal {

int32_t Crc32(std::string_view data) {
#ifdef RMQ_HAVE_ISAL
  // ISA-L's gzip CRC is zlib's CRC-32 computed with carry-less multiply:
  // ~20 ns instead of ~160 ns for a 128-byte body, on the append path.
  uint32_t crc = crc32_gzip_refl(0, reinterpret_cast<const unsigned char*>(data.data()), data.size());
#else
  // crc32_z takes a size_t length, so bodies past 4 GiB need no chunking.
  uLong crc = crc32_z(0L, reinterpret_cast<const Bytef*>(data.data()), data.size());
#endif
  // RocketMQ stores the CRC in a Java int and drops the top bit so the value
  // is never negative; keep the same 31 bits so records interoperate.
  return static_cast<int32_t>(crc & 0x7FFFFFFFu);
}

}  // namespace rmq::internal
