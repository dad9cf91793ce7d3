// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Test support for the in-process transport tests: the shared handler and
// result collector (remoting_test_support.h), and binding a server.

#ifndef RMQ_TEST_UNIT_REMOTING_INPROC_TEST_SUPPORT_H_
#define RMQ_TEST_UNIT_REMOTING_INPROC_TEST_SUPPORT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "remoting/inproc_transport.h"
#include "remoting/request_code.h"
#include "remoting/transport.h"
#include "unit/remoting/remoting_test_support.h"

namespace rmq::internal::inproc_test {

inline constexpr absl::Duration kTimeout = absl::Seconds(3);

using remoting_test::AsyncResult;
using remoting_test::Echo;
using remoting_test::TestHandler;

inline std::unique_ptr<InprocServer> MustBind(std::string_view name, RequestHandler* handler) {
  auto server = InprocServer::Bind(name, handler);
  REQUIRE(server.ok());
  return *std::move(server);
}

}  // namespace rmq::internal::inproc_test

#endif  // RMQ_TEST_UNIT_REMOTING_INPROC_TEST_SUPPORT_H_
