// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// JSON bodies from the peer: FromJson of every body type on arbitrary text
// must fail cleanly or give a value that writes back as JSON which reads
// again to the same value. NormalizeFastjson must leave valid JSON alone and
// be idempotent.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>

#include "nlohmann/json.hpp"
#include "common/fastjson.h"
#include "remoting/protocol_bodies.h"

using namespace rmq::internal;

namespace {

using AllBodies =
    std::tuple<TopicConfig, DataVersion, TopicConfigSerializeWrapper, RegisterBrokerBody,
               QueueData, BrokerData, TopicRouteData, ClusterInfo, TopicList, SubscriptionData,
               ProducerData, ConsumerData, HeartbeatData, CheckClientRequestBody, ConsumerIdList,
               LockBatchRequestBody, LockBatchResponseBody, UnlockBatchRequestBody,
               SubscriptionGroupConfig, SubscriptionGroupWrapper, TopicStatsTable, ConsumeStats,
               KVTable, ConsumerConnection, ResetOffsetBody>;

template <typename T>
void Check(std::string_view in) {
  absl::StatusOr<T> decoded = FromJson<T>(in, "fuzz body");
  if (!decoded.ok()) {
    if (decoded.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return;
  }
  const std::string json = ToJson(*decoded);
  // rmq writes standard JSON, but for fastjson's bare queue keys.
  if (!nlohmann::json::accept(NormalizeFastjson(json))) std::abort();
  absl::StatusOr<T> again = FromJson<T>(json, "fuzz body");
  if (!again.ok()) std::abort();
  if (ToJson(*again) != json) std::abort();
}

template <typename... T>
void CheckAll(std::string_view in, std::tuple<T...>*) {
  (Check<T>(in), ...);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy so that AddressSanitizer catches any read past `size`.
  const std::string copy(reinterpret_cast<const char*>(data), size);
  const std::string_view in(copy);

  const std::string normalized = NormalizeFastjson(in);
  if (NormalizeFastjson(normalized) != normalized) std::abort();
  // Valid JSON has no bare keys: nothing to change.
  if (nlohmann::json::accept(in) && normalized != in) std::abort();
  // Only added: quotes around keys, and escapes inside an object key's text.
  if (normalized.size() < in.size()) std::abort();

  CheckAll(in, static_cast<AllBodies*>(nullptr));
  return 0;
}
