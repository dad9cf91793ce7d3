// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-broker: a RocketMQ broker on TCP (mqbroker).
//
//   rmq-broker [-c broker.conf] [-n namesrv:9876] [-p PORT] [--host 0.0.0.0]
//
// broker.conf takes RocketMQ's keys (brokerClusterName, brokerName,
// brokerId, brokerRole, flushDiskType, storePathRootDir, listenPort,
// namesrvAddr, autoCreateTopicEnable, ...); -n and -p override namesrvAddr
// and listenPort. Prints "broker=IP:PORT" once it serves (-p 0 picks a free
// port). SIGTERM or SIGINT: unregisters, persists offsets, flushes, exits 0.

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
  CLI::App app{"rmq-broker: a RocketMQ broker"};
  std::string conf;
  std::optional<std::string> namesrv;
  std::optional<uint16_t> port;
  internal::TcpServerOptions listen;
  app.add_option("-c,--config", conf, "broker.conf (RocketMQ's keys)");
  app.add_option("-n,--namesrv", namesrv, "name server addresses, host:port;host:port (namesrvAddr)");
  app.add_option("-p,--port", port, "port to listen on, overriding listenPort (0: a free one; stdout then says broker=HOST:PORT)");
  app.add_option("--host", listen.host, "address to listen on");
  tools::LogOptions log;
  tools::AddLogOptions(app, &log);
  CLI11_PARSE(app, argc, argv);
  if (auto s = tools::SetUpLogging(log); !s.ok()) return tools::ConfigurationError("rmq-broker", s);
  BrokerConfig config;
  if (auto s = tools::LoadBrokerConfIfGiven(conf, &config); !s.ok()) {
    return tools::ConfigurationError("rmq-broker", s);
  }
  if (namesrv) config.namesrv_addr = *namesrv;
  listen.port = static_cast<uint16_t>(port.value_or(static_cast<uint16_t>(config.listen_port)));
  auto broker = internal::TcpBroker::Start(config, std::move(listen));
  if (!broker.ok()) {
    spdlog::critical("rmq-broker: {}", internal::StdView(broker.status().message()));
    return 1;
  }
  tools::Announce(internal::StrCat("broker=", (*broker)->address()));
  spdlog::info("broker {} serving on {}, store {}", config.broker_name, (*broker)->address(),
               config.store.store_path_root_dir);
  int signal = tools::WaitForTermination();
  spdlog::info("signal {}: shutting down", signal);
  (*broker)->Shutdown();
  return 0;
}
