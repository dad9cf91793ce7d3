// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/client_transport.h"

#include "common/str_cat.h"
#include "remoting/inproc_transport.h"

namespace rmq::internal {
namespace {

// Sends inproc:// addresses to the in-process transport. The TCP carrier
// (asio, RocketMQ frames) plugs in here; until it does, other addresses are
// refused with an error that says so.
class RoutingTransport final : public Transport {
 public:
  RoutingTransport(std::string_view name, RequestHandler* handler, std::shared_ptr<Clock> clock)
      : inproc_(name, handler, std::move(clock)) {}

  absl::StatusOr<RemotingCommand> InvokeSync(const std::string& address, RemotingCommand request,
                                             absl::Duration timeout) override {
    if (absl::Status s = Supported(address); !s.ok()) return s;
    return inproc_.InvokeSync(address, std::move(request), timeout);
  }
  void InvokeAsync(const std::string& address, RemotingCommand request, absl::Duration timeout,
                   ResponseCallback done) override {
    if (absl::Status s = Supported(address); !s.ok()) {
      std::move(done)(s);
      return;
    }
    inproc_.InvokeAsync(address, std::move(request), timeout, std::move(done));
  }
  absl::Status InvokeOneway(const std::string& address, RemotingCommand request) override {
    if (absl::Status s = Supported(address); !s.ok()) return s;
    return inproc_.InvokeOneway(address, std::move(request));
  }
  void Shutdown() override { inproc_.Shutdown(); }

 private:
  static absl::Status Supported(const std::string& address) {
    if (IsInprocAddress(address)) return absl::OkStatus();
    return absl::UnimplementedError(
        StrCat("address '", address, "': this build of rmq only reaches inproc:// servers"));
  }

  InprocTransport inproc_;
};

}  // namespace

std::unique_ptr<Transport> NewClientTransport(std::string_view name, RequestHandler* handler,
                                              std::shared_ptr<Clock> clock) {
  return std::make_unique<RoutingTransport>(name, handler, std::move(clock));
}

}  // namespace rmq::internal
