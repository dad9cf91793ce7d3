// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// "host:port" as rmq writes addresses: an IPv6 address in brackets
// ("[::1]:9876"), which HostAddress::Parse and the TCP transport read, and
// Java's InetAddress.getByName takes too. Plain "::1:9876" would be
// ambiguous.

#ifndef RMQ_LIB_COMMON_HOST_PORT_H_
#define RMQ_LIB_COMMON_HOST_PORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/str_cat.h"

namespace rmq::internal {

// `host` may be given with its brackets already ("[::1]"): they are kept once.
inline std::string JoinHostPort(std::string_view host, uint32_t port) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return StrCat(host, ":", port);
  }
  if (host.find(':') != std::string_view::npos) return StrCat("[", host, "]:", port);
  return StrCat(host, ":", port);
}

}  // namespace rmq::internal

#endif  // RMQ_LIB_COMMON_HOST_PORT_H_
