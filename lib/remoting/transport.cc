// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/transport.h"

#include "remoting/request_code.h"

namespace rmq::internal {

Responder::~Responder() {
  if (pending()) {
    Respond(RemotingCommand::Response(response_code::kSystemError,
                                      "the server dropped the request unanswered"));
  }
}

}  // namespace rmq::internal
