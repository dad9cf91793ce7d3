// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Running the project's programs from tests as a user would: a shell
// command's exit code and output, and a program's path from the environment
// variable meson sets for the test.

#ifndef RMQ_TEST_SUPPORT_RUN_COMMAND_H_
#define RMQ_TEST_SUPPORT_RUN_COMMAND_H_

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

namespace rmq::testing {

struct CommandRun {
  int exit_code = -1;
  std::string out;  // stdout, and stderr too unless the command redirects it
};

// Runs `command` with /bin/sh; stderr is merged into `out` unless
// `merge_stderr` is false (then it goes to the test's own stderr).
inline CommandRun RunCommand(const std::string& command, bool merge_stderr = true) {
  CommandRun run;
  FILE* pipe = ::popen((merge_stderr ? command + " 2>&1" : command).c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) run.out.append(buf, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The path in environment variable `env` (set by test/**/meson.build).
inline std::string BinFromEnv(const char* env) {
  const char* path = std::getenv(env);
  INFO("environment variable " << env << " (run the test through meson)");
  REQUIRE(path != nullptr);
  return path;
}

}  // namespace rmq::testing

#endif  // RMQ_TEST_SUPPORT_RUN_COMMAND_H_
