// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/tcp_server.h"

#include <atomic>
#include <exception>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "common/host_port.h"
#include "common/str_cat.h"
#include "remoting/tcp_connection.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// "1.2.3.4:5" or "[::1]:5", as RocketMQ names a channel's remote address.
std::string EndpointName(const asio::ip::tcp::endpoint& endpoint) {
  const asio::ip::address address = endpoint.address();
  if (address.is_v6()) return StrCat("[", address.to_string(), "]:", endpoint.port());
  return StrCat(address.to_string(), ":", endpoint.port());
}

}  // namespace

// Accepts connections on the io thread and hands their requests to the
// handler on the workers. The connections are its TcpConnection::Listener.
class TcpServer::Impl final : public TcpConnection::Listener {
 public:
  Impl(RequestHandler* handler, TcpServerOptions options)
      : handler_(handler),
        options_(std::move(options)),
        workers_(options_.worker_threads),
        acceptor_(*loop_.context()),
        accept_retry_(*loop_.context()) {}

  ~Impl() override { Stop(); }

  absl::Status Listen() {
    asio::error_code ec;
    const asio::ip::address ip = asio::ip::make_address(options_.host, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          StrCat("listen address '", options_.host, "' is not an IP address"));
    }
    const asio::ip::tcp::endpoint endpoint(ip, options_.port);
    // reuse_address: a restarted server gets its port back while the old
    // connections linger in TIME_WAIT.
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          StrCat("cannot listen on ", EndpointName(endpoint), ": ", ec.message()));
    }
    port_ = acceptor_.local_endpoint(ec).port();
    asio::post(*loop_.context(), [this] { Accept(); });
    spdlog::info("remoting: serving on {}", JoinHostPort(options_.host, port_));
    return absl::OkStatus();
  }

  uint16_t port() const { return port_; }

  void Stop() {
    absl::MutexLock lock(&stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_.store(true);
    asio::post(*loop_.context(), [this] {
      asio::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
      // Copied: closing removes a connection from the set.
      std::vector<std::shared_ptr<TcpConnection>> open(connections_.begin(), connections_.end());
      for (const auto& connection : open) {
        connection->Close(absl::UnavailableError("the server stopped"));
      }
    });
    // Everything on the io thread is closed or closing, so it runs out of work.
    loop_.Join();
    workers_.Stop();
  }

  // TcpConnection::Listener.
  void OnRequest(const std::shared_ptr<TcpConnection>& connection, RemotingCommand request,
                 Responder responder) override {
    if (stopping_.load()) return;  // The responder answers SYSTEM_ERROR, if anything.
    if (handler_->AnswersWithoutBlocking(request)) {
      // Cheap and never blocks (a send to an asynchronously flushed store):
      // answered here, its response joins the connection's next write with
      // the other answers to the frames of this read.
      // What it throws must not unwind through the connection's parsing
      // (which would stop reading it): logged, and the dropped responder
      // answers SYSTEM_ERROR.
      const int32_t code = request.code;
      try {
        handler_->HandleRequest(connection, std::move(request), std::move(responder));
      } catch (const std::exception& e) {
        spdlog::error("remoting: handling request code {} from {} threw: {}", code,
                      connection->remote_address(), e.what());
      } catch (...) {
        spdlog::error("remoting: handling request code {} from {} threw", code,
                      connection->remote_address());
      }
      return;
    }
    workers_.Post([handler = handler_, channel = std::shared_ptr<Channel>(connection),
                   request = std::move(request), responder = std::move(responder)]() mutable {
      handler->HandleRequest(channel, std::move(request), std::move(responder));
    });
  }

  void OnClosed(const std::shared_ptr<TcpConnection>& connection,
                const absl::Status& reason) override {
    (void)reason;  // Logged by the connection.
    connections_.erase(connection);
    if (stopping_.load()) return;
    workers_.Post([handler = handler_, channel = std::shared_ptr<Channel>(connection)] {
      handler->OnChannelClosed(channel);
    });
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
      OnAccept(ec, std::move(socket));
    });
  }

  void OnAccept(const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping_.load()) return;
    if (ec) {
      // Out of file descriptors, say: retry soon rather than spin.
      spdlog::warn("remoting: accepting a connection on port {} failed: {}", port_, ec.message());
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](const asio::error_code& error) {
        if (!error) Accept();
      });
      return;
    }
    asio::error_code error;
    const asio::ip::tcp::endpoint peer = socket.remote_endpoint(error);
    if (!error) {
      TcpConnectionOptions connection_options;
      connection_options.limits = options_.limits;
      connection_options.idle_timeout = options_.idle_timeout;
      connection_options.max_inflight_requests = options_.max_inflight_per_connection;
      connection_options.request_type = options_.request_type;
      connection_options.adopt_peer_type = true;
      connection_options.typed_header = options_.typed_header;
      auto connection = std::make_shared<TcpConnection>(loop_.context(), EndpointName(peer),
                                                        connection_options, this);
      connections_.insert(connection);
      spdlog::debug("remoting: accepted a connection from {}", connection->remote_address());
      connection->Start(std::move(socket));
    }  // Else the peer is already gone.
    Accept();
  }

  RequestHandler* const handler_;
  const TcpServerOptions options_;
  IoLoop loop_;
  HandlerPool workers_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  absl::Mutex stop_mu_;
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;
  // Io thread only.
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  absl::flat_hash_set<std::shared_ptr<TcpConnection>> connections_;
};

absl::StatusOr<std::unique_ptr<TcpServer>> TcpServer::Start(RequestHandler* handler,
                                                            TcpServerOptions options) {
  auto impl = std::make_unique<Impl>(handler, std::move(options));
  if (absl::Status listening = impl->Listen(); !listening.ok()) return listening;
  return std::unique_ptr<TcpServer>(new TcpServer(std::move(impl)));
}

TcpServer::TcpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TcpServer::~TcpServer() { Stop(); }

uint16_t TcpServer::port() const { return impl_->port(); }

void TcpServer::Stop() { impl_->Stop(); }

}  // namespace rmq::internal
