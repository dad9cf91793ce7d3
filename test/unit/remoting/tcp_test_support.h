// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Test support for the TCP transport tests: the shared handler and result
// collector (remoting_test_support.h), and a server on 127.0.0.1 with an
// ephemeral port.

#ifndef RMQ_TEST_UNIT_REMOTING_TCP_TEST_SUPPORT_H_
#define RMQ_TEST_UNIT_REMOTING_TCP_TEST_SUPPORT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/str_cat.h"
#include "remoting/request_code.h"
#include "remoting/tcp_server.h"
#include "remoting/transport.h"
#include "unit/remoting/remoting_test_support.h"

namespace rmq::internal::tcp_test {

// A request's timeout where the test expects an answer.
inline constexpr absl::Duration kTimeout = absl::Seconds(20);
using remoting_test::AsyncResult;
using remoting_test::AwaitLocked;
using remoting_test::Echo;
using remoting_test::kBound;
using remoting_test::TestHandler;

inline std::unique_ptr<TcpServer> MustStart(RequestHandler* handler, TcpServerOptions options = {}) {
  options.host = "127.0.0.1";
  auto server = TcpServer::Start(handler, std::move(options));
  REQUIRE(server.ok());
  return *std::move(server);
}

inline std::string AddressOf(const TcpServer& server) {
  return StrCat("127.0.0.1:", server.port());
}

}  // namespace rmq::internal::tcp_test

#endif  // RMQ_TEST_UNIT_REMOTING_TCP_TEST_SUPPORT_H_
