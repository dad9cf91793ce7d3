// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What rmq-namesrv, rmq-broker and rmq-server share: logging options and
// waiting for SIGTERM/SIGINT.

#ifndef RMQ_TOOLS_SERVER_SUPPORT_H_
#define RMQ_TOOLS_SERVER_SUPPORT_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "rmq/broker.h"

namespace rmq::tools {

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  std::string file;            // "" = stderr
};

// Adds --log-level and --log-file to `app`.
void AddLogOptions(CLI::App& app, LogOptions* options);

// Sends every log line to stderr or the file, from `level` up.
absl::Status SetUpLogging(const LogOptions& options);

// Reads broker.conf `path` into `config` unless `path` is empty.
absl::Status LoadBrokerConfIfGiven(const std::string& path, BrokerConfig* config);

// Prints "<program>: <message>" to stderr and returns 2, the exit code for a
// bad command line or configuration.
int ConfigurationError(const char* program, const absl::Status& status);

// Call first thing in main. Blocks SIGTERM and SIGINT in this thread and
// every thread started after it, so that WaitForTermination receives them;
// and turns off Abseil's mutex deadlock detection, a debugging aid that
// Debian's Abseil keeps on and that costs a lock-graph lookup per Mutex use
// (about 1% of a loaded server's time; tests keep it on).
void PrepareServerProcess();

// Waits for SIGTERM or SIGINT; returns the signal's number.
int WaitForTermination();

// Prints `line` and a newline to stdout and flushes it (scripts read the
// chosen ports from it).
void Announce(const std::string& line);

}  // namespace rmq::tools

#endif  // RMQ_TOOLS_SERVER_SUPPORT_H_
