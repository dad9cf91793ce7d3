// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Java RocketMQ serializes bodies with fastjson, which writes the keys of a
// map whose key type is not String without quotes:
//
//   a BrokerData's HashMap<Long, String> brokerAddrs:  {0:"127.0.0.1:10911"}
//   a TopicStatsTable's Map<MessageQueue, TopicOffset> offsetTable:
//     {{"brokerName":"b","queueId":0,"topic":"T"}:{"maxOffset":5,...}}
//
// That is not JSON. NormalizeFastjson rewrites such keys to standard form
// before parsing; bodies whose maps are keyed by a MessageQueue are written
// in fastjson's form (so that a Java client can read them) by WriteFastjson.

#ifndef RMQ_COMMON_FASTJSON_H_
#define RMQ_COMMON_FASTJSON_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace rmq::internal {

// Returns `text` with every bare object key made a JSON string: an integer
// key ({0:"a",-1:"b"} → {"0":"a","-1":"b"}) becomes its digits, an object
// key ({{"queueId":0}:1} → {"{\"queueId\":0}":1}) becomes its text. A key is
// what follows '{' or an object's ',' and is followed by ':' (whitespace
// allowed around it), outside string literals. Everything else is copied
// unchanged, so standard JSON comes back as it was and malformed text stays
// malformed for the parser to reject.
std::string NormalizeFastjson(std::string_view text);

// An object key that starts with this byte is written by WriteFastjson bare,
// without it: the encoder keys a map by a JSON object this way. 0xFF is never
// part of UTF-8, so no text key is mistaken for one (a text key that starts
// with it is invalid UTF-8 and is written with U+FFFD in its place anyway).
inline constexpr char kBareKeyMarker = '\xff';

// Compact JSON as nlohmann's dump(), except for keys that start with
// kBareKeyMarker (see above). Invalid UTF-8 in strings becomes U+FFFD.
std::string WriteFastjson(const nlohmann::json& value);

}  // namespace rmq::internal

#endif  // RMQ_COMMON_FASTJSON_H_
