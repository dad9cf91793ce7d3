// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/tcp_client_transport.h"

#include <cctype>
#include <charconv>
#include <algorithm>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/str_cat.h"
#include "remoting/request_code.h"
#include "remoting/tcp_connection.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// "host:port", "1.2.3.4:port" or "[v6]:port". The errors do not repeat the
// address: a failed request's error names it already ("CODE to ADDRESS: ").
absl::StatusOr<HostPort> ParseAddress(std::string_view address) {
  const size_t colon = address.rfind(':');
  auto invalid = [] {
    return absl::InvalidArgumentError("the address is neither inproc://NAME nor host:port");
  };
  if (colon == std::string_view::npos || colon == 0) return invalid();
  std::string_view host = address.substr(0, colon);
  const std::string_view port_text = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        "an IPv6 address is written in brackets: [host]:port (e.g. [::1]:9876)");
  }
  if (host.empty() || port_text.empty()) return invalid();
  uint32_t port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  const bool too_big = ec == std::errc::result_out_of_range;
  if (end != port_text.data() + port_text.size() || (ec != std::errc() && !too_big)) {
    return invalid();
  }
  // A number, but no port: say so rather than that it is no host:port.
  if (too_big || port == 0 || port > 65535) {
    return absl::InvalidArgumentError(StrCat("port ", port_text, " is out of range (1-65535)"));
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace

SerializeType SerializeTypeFromEnvironment() {
  const char* value = std::getenv("ROCKETMQ_SERIALIZE_TYPE");
  if (value == nullptr || *value == '\0') return SerializeType::kRocketmq;
  const std::string_view name(value);
  auto is = [&](std::string_view want) {
    if (name.size() != want.size()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(name[i])) != want[i]) return false;
    }
    return true;
  };
  if (is("JSON")) return SerializeType::kJson;
  if (is("ROCKETMQ")) return SerializeType::kRocketmq;
  static const bool warned = [&] {
    spdlog::warn("ROCKETMQ_SERIALIZE_TYPE={} is neither JSON nor ROCKETMQ; using ROCKETMQ", name);
    return true;
  }();
  (void)warned;
  return SerializeType::kRocketmq;
}

class TcpClientTransport::Impl final : public TcpConnection::Listener {
 public:
  Impl(std::string_view name, RequestHandler* handler, TcpClientOptions options)
      : name_(name), handler_(handler), options_(std::move(options)) {
    if (handler_ != nullptr) workers_ = std::make_unique<HandlerPool>(options_.handler_threads);
  }

  ~Impl() override { Shutdown(); }

  // The open (or opening) connection to `address`, created if there is none.
  absl::StatusOr<std::shared_ptr<TcpConnection>> Connection(const std::string& address) {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return absl::FailedPreconditionError("the client transport is shut down");
    auto it = connections_.find(address);
    if (it != connections_.end() && it->second->active()) return it->second;
    absl::StatusOr<HostPort> target = ParseAddress(address);
    if (!target.ok()) return target.status();
    TcpConnectionOptions connection_options;
    connection_options.limits = options_.limits;
    connection_options.idle_timeout = options_.idle_timeout;
    connection_options.request_type = options_.serialize_type;
    connection_options.connect_timeout = options_.connect_timeout;
    connection_options.batch_window = options_.batch_window;
    connection_options.typed_response = options_.typed_response;
    auto connection =
        std::make_shared<TcpConnection>(loop_.context(), address, connection_options, this);
    // Under mu_: Shutdown, which takes the map under mu_, closes it after it
    // starts connecting.
    connection->Connect(std::move(target->host), target->port);
    connections_[address] = connection;
    return connection;
  }

  bool InIoThread() const { return loop_.InThisThread(); }

  // A permit for one unwritten oneway frame; false after oneway_timeout.
  bool AcquireOneway() {
    absl::MutexLock lock(&oneway_mu_);
    auto below = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(oneway_mu_) {
      return oneway_pending_ < std::max<size_t>(1, options_.max_pending_oneway);
    };
    if (!oneway_mu_.AwaitWithTimeout(absl::Condition(&below), options_.oneway_timeout)) {
      return false;
    }
    ++oneway_pending_;
    return true;
  }
  // Sends a oneway request and waits for it to be written.
  absl::Status OnewayAndWait(TcpConnection& connection, const std::string& address,
                             RemotingCommand request) {
    // Shared: a write that outlasts the wait still reports into it.
    struct Written {
      absl::Notification done;
      absl::Status status;
    };
    auto written = std::make_shared<Written>();
    const int32_t code = request.code;
    absl::Status queued = connection.SendOneway(std::move(request), [written](absl::Status status) {
      written->status = std::move(status);
      written->done.Notify();
    });
    if (!queued.ok()) {
      written->status = std::move(queued);
    } else if (!written->done.WaitForNotificationWithTimeout(options_.oneway_timeout)) {
      return absl::DeadlineExceededError(
          StrCat(RequestCodeName(code), " to ", address, ": oneway request not written within ",
                 absl::FormatDuration(options_.oneway_timeout)));
    }
    if (!written->status.ok()) return RequestFailure(code, address, written->status);
    return absl::OkStatus();
  }

  void ReleaseOneway() {
    absl::MutexLock lock(&oneway_mu_);
    --oneway_pending_;
  }
  const TcpClientOptions& options() const { return options_; }

  void Shutdown() {
    std::vector<std::shared_ptr<TcpConnection>> open;
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_) return;
      shut_down_ = true;
      for (auto& [address, connection] : connections_) open.push_back(std::move(connection));
      connections_.clear();
    }
    for (const auto& connection : open) {
      connection->Close(absl::UnavailableError("the client transport shut down"));
    }
    // Closing fails what waits, on the io thread; then it runs out of work.
    loop_.Join();
    if (workers_ != nullptr) workers_->Stop();
  }

  // TcpConnection::Listener.
  void OnRequest(const std::shared_ptr<TcpConnection>& connection, RemotingCommand request,
                 Responder responder) override {
    if (handler_ == nullptr) {
      responder.Respond(RemotingCommand::Response(
          response_code::kRequestCodeNotSupported,
          StrCat("request code ", request.code, " (", RequestCodeName(request.code),
                 ") is not supported by client ", name_)));
      return;
    }
    workers_->Post([handler = handler_, channel = std::shared_ptr<Channel>(connection),
                    request = std::move(request), responder = std::move(responder)]() mutable {
      handler->HandleRequest(channel, std::move(request), std::move(responder));
    });
  }

  void OnClosed(const std::shared_ptr<TcpConnection>& connection,
                const absl::Status& reason) override {
    (void)reason;  // Logged by the connection; its requests carry it.
    absl::MutexLock lock(&mu_);
    auto it = connections_.find(connection->remote_address());
    if (it != connections_.end() && it->second == connection) connections_.erase(it);
  }

 private:
  const std::string name_;
  RequestHandler* const handler_;
  const TcpClientOptions options_;
  IoLoop loop_;
  std::unique_ptr<HandlerPool> workers_;
  absl::Mutex oneway_mu_;
  size_t oneway_pending_ ABSL_GUARDED_BY(oneway_mu_) = 0;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, std::shared_ptr<TcpConnection>> connections_
      ABSL_GUARDED_BY(mu_);
};

TcpClientTransport::TcpClientTransport(std::string_view name, RequestHandler* handler,
                                       TcpClientOptions options)
    : impl_(std::make_unique<Impl>(name, handler, std::move(options))) {}

TcpClientTransport::~TcpClientTransport() { Shutdown(); }

void TcpClientTransport::InvokeAsync(const std::string& address, RemotingCommand request,
                                     absl::Duration timeout, ResponseCallback done) {
  Invoke(address, std::move(request), timeout, std::move(done), WritePolicy::kBatch);
}

void TcpClientTransport::Invoke(const std::string& address, RemotingCommand request,
                                absl::Duration timeout, ResponseCallback done,
                                WritePolicy policy) {
  absl::StatusOr<std::shared_ptr<TcpConnection>> connection = impl_->Connection(address);
  if (!connection.ok()) {
    std::move(done)(RequestFailure(request.code, address, connection.status()));
    return;
  }
  (*connection)->InvokeAsync(std::move(request), timeout, std::move(done), policy);
}

absl::StatusOr<RemotingCommand> TcpClientTransport::InvokeSync(const std::string& address,
                                                               RemotingCommand request,
                                                               absl::Duration timeout) {
  if (impl_->InIoThread()) {
    // The response would have to be read by this very thread.
    return absl::FailedPreconditionError(
        StrCat(RequestCodeName(request.code), " to ", address,
               ": InvokeSync from a response callback would deadlock; use InvokeAsync"));
  }
  // The caller blocks on the answer: written at once, never batched.
  return AwaitResponse([&](ResponseCallback done) {
    Invoke(address, std::move(request), timeout, std::move(done), WritePolicy::kNow);
  });
}

absl::Status TcpClientTransport::InvokeOneway(const std::string& address,
                                              RemotingCommand request) {
  const int32_t code = request.code;
  absl::StatusOr<std::shared_ptr<TcpConnection>> connection = impl_->Connection(address);
  if (!connection.ok()) return RequestFailure(code, address, connection.status());
  if (impl_->InIoThread()) {
    // Cannot wait for the io thread on itself: queue it and trust it.
    (*connection)->InvokeOneway(std::move(request));
    return absl::OkStatus();
  }
  if (!(*connection)->connected()) {
    // A new connection: as RocketMQ waits for the channel before writing,
    // wait for this frame to be written, so that a peer that cannot be
    // reached is reported here.
    return impl_->OnewayAndWait(**connection, address, std::move(request));
  }
  if (!impl_->AcquireOneway()) {
    return absl::DeadlineExceededError(
        StrCat(RequestCodeName(code), " to ", address, ": ", impl_->options().max_pending_oneway,
               " oneway requests still unwritten after ",
               absl::FormatDuration(impl_->options().oneway_timeout)));
  }
  Impl* impl = impl_.get();
  absl::Status queued = (*connection)->SendOneway(
      std::move(request), [impl, code, address](absl::Status written) {
        impl->ReleaseOneway();
        if (!written.ok()) {
          spdlog::debug("remoting: oneway {} to {} not written: {}", RequestCodeName(code),
                       address, StdView(written.message()));
        }
      });
  if (!queued.ok()) {
    impl_->ReleaseOneway();
    return RequestFailure(code, address, queued);
  }
  return absl::OkStatus();
}

void TcpClientTransport::Shutdown() { impl_->Shutdown(); }

}  // namespace rmq::internal
