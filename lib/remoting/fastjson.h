// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Java RocketMQ serializes bodies with fastjson, which writes the keys of a
// map whose key type is not String without quotes: a BrokerData's
// HashMap<Long, String> brokerAddrs comes out as {0:"127.0.0.1:10911"}. That
// is not JSON, so FromJson rewrites such keys to standard form first.

#ifndef RMQ_REMOTING_FASTJSON_H_
#define RMQ_REMOTING_FASTJSON_H_

#include <string>
#include <string_view>

namespace rmq::internal {

// Returns `text` with every bare integer object key quoted ({0:"a",-1:"b"} →
// {"0":"a","-1":"b"}). A key is an optionally signed run of digits that follows
// '{' or ',' and is followed by ':' (whitespace allowed around it), outside
// string literals. Everything else is copied unchanged, so standard JSON
// comes back as it was and malformed text stays malformed for the parser to
// reject.
std::string NormalizeFastjson(std::string_view text);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_FASTJSON_H_
