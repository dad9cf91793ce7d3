// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// DecodeTraceData (RocketMQ's decoderFromTraceDataString) on arbitrary bytes:
// it returns contexts or an error, never crashes; and every context it
// returns encodes to a record that decodes back to the same context (less
// the clientHost of old 15-field Pub records, which the encoder no longer
// writes).

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "client/trace/trace_data.h"

using namespace rmq::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string copy(reinterpret_cast<const char*>(data), size);
  auto decoded = DecodeTraceData(copy);
  if (!decoded.ok()) return 0;
  for (TraceContext& ctx : *decoded) {
    if (ctx.beans.size() != 1) std::abort();
    ctx.beans[0].client_host.clear();
    TraceTransferBean encoded = EncodeTraceContext(ctx);
    auto again = DecodeTraceData(encoded.data);
    if (!again.ok() || again->size() != 1 || (*again)[0] != ctx) std::abort();
    if (encoded.keys.empty() || encoded.keys[0] != ctx.beans[0].msg_id) std::abort();
  }
  return 0;
}
