// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-namesrv: a RocketMQ name server on TCP (mqnamesrv).
//
//   rmq-namesrv [--host 0.0.0.0] [-p 9876]
//
// Prints "namesrv=HOST:PORT" once it listens (-p 0 picks a free port) and
// runs until SIGTERM or SIGINT.

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "cluster/tcp_roles.h"
#include "common/str_cat.h"
#include "server_support.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace rmq;
  tools::PrepareServerProcess();
  CLI::App app{"rmq-namesrv: a RocketMQ name server"};
  internal::TcpServerOptions listen;
  listen.port = 9876;
  app.add_option("--host", listen.host, "address to listen on");
  app.add_option("-p,--port", listen.port, "port to listen on (0: a free one; stdout then says namesrv=HOST:PORT)");
  tools::LogOptions log;
  tools::AddLogOptions(app, &log);
  CLI11_PARSE(app, argc, argv);
  if (auto s = tools::SetUpLogging(log); !s.ok()) return tools::ConfigurationError("rmq-namesrv", s);
  const std::string host = listen.host;
  auto namesrv = internal::TcpNamesrv::Start(NamesrvConfig{}, std::move(listen));
  if (!namesrv.ok()) {
    spdlog::critical("rmq-namesrv: {}", internal::StdView(namesrv.status().message()));
    return 1;
  }
  const std::string ip = internal::IsWildcardHost(host) ? internal::LocalIpv4Address() : host;
  tools::Announce(internal::StrCat("namesrv=", internal::JoinHostPort(ip, (*namesrv)->port())));
  spdlog::info("name server listening on {}:{}", host, (*namesrv)->port());
  int signal = tools::WaitForTermination();
  spdlog::info("signal {}: shutting down", signal);
  (*namesrv)->Shutdown();
  return 0;
}
