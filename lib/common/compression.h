// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// zlib compression of message bodies, as RocketMQ's UtilAll.compress /
// uncompress (java.util.zip Deflater/Inflater: zlib format).

#ifndef RMQ_COMMON_COMPRESSION_H_
#define RMQ_COMMON_COMPRESSION_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rmq::internal {

// `level` 0..9 (RocketMQ's default is 5).
absl::StatusOr<std::string> ZlibCompress(std::string_view data, int level);
// DataLoss if `data` is not a complete zlib stream.
absl::StatusOr<std::string> ZlibUncompress(std::string_view data);

}  // namespace rmq::internal

#endif  // RMQ_COMMON_COMPRESSION_H_
