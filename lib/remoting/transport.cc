// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/transport.h"

#include <utility>

#include "absl/synchronization/notification.h"
#include "common/str_cat.h"
#include "remoting/request_code.h"
#include "remoting/response_wait.h"

namespace rmq::internal {

std::optional<HostAddress> Channel::remote_host() const {
  const std::string& address = remote_address();
  if (address.starts_with("inproc://")) return std::nullopt;
  return HostAddress::Parse(address);
}

Responder::~Responder() {
  if (pending()) {
    Respond(RemotingCommand::Response(response_code::kSystemError,
                                      "the server dropped the request unanswered"));
  }
}

absl::Status RequestFailure(int32_t code, std::string_view address, const absl::Status& status) {
  return absl::Status(status.code(), StrCat(RequestCodeName(code), " to ", address, ": ",
                                            StdView(status.message())));
}

absl::StatusOr<RemotingCommand> InvokeAndWait(Transport& transport, const std::string& address,
                                              RemotingCommand request, absl::Duration timeout) {
  return AwaitResponse([&](ResponseCallback done) {
    transport.InvokeAsync(address, std::move(request), timeout, std::move(done));
  });
}

absl::StatusOr<RemotingCommand> AwaitResponse(absl::FunctionRef<void(ResponseCallback)> send) {
  struct Slot {
    absl::Notification done;
    absl::StatusOr<RemotingCommand> result;
  } slot;
  send([&slot](absl::StatusOr<RemotingCommand> result) {
    slot.result = std::move(result);
    slot.done.Notify();
  });
  WaitForResponse(slot.done, ResponseSpinPolicy::ForProcess());
  return std::move(slot.result);
}

}  // namespace rmq::internal
