// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_COMMON_CRC32_H_
#define RMQ_COMMON_CRC32_H_

#include <cstdint>
#include <string_view>

namespace rmq::internal {

// CRC-32 (zlib's polynomial) of `data`, masked to 31 bits as RocketMQ's
// UtilAll.crc32 does; this is the BODYCRC stored in every record.
int32_t Crc32(std::string_view data);

}  // namespace rmq::internal

#endif  // RMQ_COMMON_CRC32_H_
