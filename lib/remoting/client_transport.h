// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The Transport a client-side object (a client instance, a broker talking to
// name servers) uses: it picks the carrier by address, "inproc://NAME" for
// servers in this process and "host:port" for TCP.

#ifndef RMQ_REMOTING_CLIENT_TRANSPORT_H_
#define RMQ_REMOTING_CLIENT_TRANSPORT_H_

#include <memory>
#include <string_view>

#include "remoting/transport.h"
#include "rmq/clock.h"

namespace rmq::internal {

// `name` identifies the client to servers; `handler` (may be null, not owned,
// must outlive the transport's Shutdown) answers requests servers send back;
// `clock` times request timeouts.
std::unique_ptr<Transport> NewClientTransport(std::string_view name, RequestHandler* handler,
                                              std::shared_ptr<Clock> clock);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_CLIENT_TRANSPORT_H_
