// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/compression.h"

#include <zlib.h>

#include "common/str_cat.h"

namespace rmq::internal {

absl::StatusOr<std::string> ZlibCompress(std::string_view data, int level) {
  if (level < 0 || level > 9) {
    return absl::InvalidArgumentError(StrCat("compression level ", level, " is outside 0..9"));
  }
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                     reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                     level);
  if (rc != Z_OK) return absl::InternalError(StrCat("zlib compress2 failed: ", rc));
  out.resize(size);
  return out;
}

absl::StatusOr<std::string> ZlibUncompress(std::string_view data) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return absl::InternalError("zlib inflateInit failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int rc;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) {
    return absl::DataLossError(StrCat("compressed message body (", data.size(),
                                      " bytes) is not a complete zlib stream (zlib code ", rc, ")"));
  }
  return out;
}

}  // namespace rmq::internal
