// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/client_transport.h"

#include "absl/synchronization/mutex.h"
#include "common/str_cat.h"
#include "remoting/inproc_transport.h"
#include "remoting/tcp_client_transport.h"

namespace rmq::internal {
namespace {

// Sends inproc:// addresses to the in-process transport and every other
// address ("host:port") to a TCP transport, created on the first such
// address so that in-process users start no threads. Timeouts of in-process
// calls follow `clock`; over TCP they are real time (tcp_client_transport.h).
class RoutingTransport final : public Transport {
 public:
  RoutingTransport(std::string_view name, RequestHandler* handler, std::shared_ptr<Clock> clock)
      : name_(name), handler_(handler), inproc_(name, handler, std::move(clock)) {}

  absl::StatusOr<RemotingCommand> InvokeSync(const std::string& address, RemotingCommand request,
                                             absl::Duration timeout) override {
    if (IsInprocAddress(address)) return inproc_.CallSync(address, std::move(request), timeout);
    absl::StatusOr<Transport*> tcp = Tcp();
    if (!tcp.ok()) return RequestFailure(request.code, address, tcp.status());
    return (*tcp)->InvokeSync(address, std::move(request), timeout);
  }
  void InvokeAsync(const std::string& address, RemotingCommand request, absl::Duration timeout,
                   ResponseCallback done) override {
    if (IsInprocAddress(address)) {
      inproc_.InvokeAsync(address, std::move(request), timeout, std::move(done));
      return;
    }
    absl::StatusOr<Transport*> tcp = Tcp();
    if (!tcp.ok()) {
      std::move(done)(RequestFailure(request.code, address, tcp.status()));
      return;
    }
    (*tcp)->InvokeAsync(address, std::move(request), timeout, std::move(done));
  }
  absl::Status InvokeOneway(const std::string& address, RemotingCommand request) override {
    if (IsInprocAddress(address)) return inproc_.InvokeOneway(address, std::move(request));
    absl::StatusOr<Transport*> tcp = Tcp();
    if (!tcp.ok()) return RequestFailure(request.code, address, tcp.status());
    return (*tcp)->InvokeOneway(address, std::move(request));
  }
  bool DoneWithHeaderOnReturn(const std::string& address) const override {
    // Without asking the TCP transport, which would be created just for that.
    return IsInprocAddress(address) ? inproc_.DoneWithHeaderOnReturn(address)
                                    : TcpClientTransport::kDoneWithHeaderOnReturn;
  }
  void Shutdown() override {
    inproc_.Shutdown();
    Transport* tcp = nullptr;
    {
      absl::MutexLock lock(&mu_);
      shut_down_ = true;
      tcp = tcp_.get();
    }
    if (tcp != nullptr) tcp->Shutdown();
  }

 private:
  // The TCP transport, created on first use. It lives as long as this object.
  absl::StatusOr<Transport*> Tcp() {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return absl::FailedPreconditionError("the client transport is shut down");
    if (tcp_ == nullptr) tcp_ = std::make_unique<TcpClientTransport>(name_, handler_);
    return tcp_.get();
  }

  const std::string name_;
  RequestHandler* const handler_;
  InprocTransport inproc_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<TcpClientTransport> tcp_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<Transport> NewClientTransport(std::string_view name, RequestHandler* handler,
                                              std::shared_ptr<Clock> clock) {
  return std::make_unique<RoutingTransport>(name, handler, std::move(clock));
}

}  // namespace rmq::internal
