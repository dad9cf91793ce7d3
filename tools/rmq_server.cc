// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-server: a name server and a broker in one process, the "one binary"
// deployment.
//
//   rmq-server [--store DIR] [--namesrv-port 9876] [--broker-port 10911]
//              [--host 0.0.0.0] [-c broker.conf]
//
// Port 0 picks a free port. Prints "namesrv=HOST:PORT broker=HOST:PORT" once
// both serve. SIGTERM or SIGINT: the broker unregisters, persists offsets,
// flushes and closes its store, then the name server stops; exit 0.

#include <cstdio>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "cluster/tcp_roles.h"
#include "common/str_cat.h"
#include "server_support.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace rmq;
  tools::PrepareServerProcess();
  CLI::App app{"rmq-server: a RocketMQ name server and broker in one process"};
  std::string conf;
  std::optional<std::string> store;
  std::string host = "0.0.0.0";
  uint16_t namesrv_port = 9876;
  std::optional<uint16_t> broker_port;
  app.add_option("--store", store, "the broker's store directory (storePathRootDir)");
  app.add_option("--namesrv-port", namesrv_port, "name server port (0: a free one)");
  app.add_option("--broker-port", broker_port, "broker port, overriding listenPort (0: a free one)");
  app.add_option("--host", host, "address both roles listen on");
  app.add_option("-c,--config", conf, "broker.conf (RocketMQ's keys)");
  tools::LogOptions log;
  tools::AddLogOptions(app, &log);
  CLI11_PARSE(app, argc, argv);
  if (auto s = tools::SetUpLogging(log); !s.ok()) return tools::ConfigurationError("rmq-server", s);
  BrokerConfig config;
  if (auto s = tools::LoadBrokerConfIfGiven(conf, &config); !s.ok()) {
    return tools::ConfigurationError("rmq-server", s);
  }
  if (store) config.store.store_path_root_dir = *store;

  internal::TcpServerOptions namesrv_listen;
  namesrv_listen.host = host;
  namesrv_listen.port = namesrv_port;
  auto namesrv = internal::TcpNamesrv::Start(NamesrvConfig{}, std::move(namesrv_listen));
  if (!namesrv.ok()) {
    spdlog::critical("rmq-server: name server: {}", internal::StdView(namesrv.status().message()));
    return 1;
  }
  // The broker registers with the name server next to it, over loopback
  // unless both listen on one specific address.
  config.namesrv_addr = internal::LocalAddressOf(host, (*namesrv)->port());
  internal::TcpServerOptions broker_listen;
  broker_listen.host = host;
  broker_listen.port = broker_port.value_or(static_cast<uint16_t>(config.listen_port));
  auto broker = internal::TcpBroker::Start(config, std::move(broker_listen));
  if (!broker.ok()) {
    spdlog::critical("rmq-server: broker: {}", internal::StdView(broker.status().message()));
    (*namesrv)->Shutdown();
    return 1;
  }
  const std::string ip = internal::IsWildcardHost(host) ? internal::LocalIpv4Address() : host;
  tools::Announce(internal::StrCat("namesrv=", internal::JoinHostPort(ip, (*namesrv)->port()), " broker=",
                                   (*broker)->address()));
  spdlog::info("rmq-server: name server on port {}, broker {} on {}, store {}", (*namesrv)->port(),
               config.broker_name, (*broker)->address(), config.store.store_path_root_dir);
  int signal = tools::WaitForTermination();
  spdlog::info("signal {}: shutting down", signal);
  (*broker)->Shutdown();
  (*namesrv)->Shutdown();
  return 0;
}
