// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/crc32.h"

#include <zlib.h>

namespace rmq::internal {

int32_t Crc32(std::string_view data) {
  // crc32_z takes a size_t length, so bodies past 4 GiB need no chunking.
  uLong crc = crc32_z(0L, reinterpret_cast<const Bytef*>(data.data()), data.size());
  // RocketMQ stores the CRC in a Java int and drops the top bit so the value
  // is never negative; keep the same 31 bits so records interoperate.
  return static_cast<int32_t>(crc & 0x7FFFFFFFu);
}

}  // namespace rmq::internal
