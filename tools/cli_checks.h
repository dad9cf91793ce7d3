// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Command-line handling shared by rmq-admin and rmq-store: one exit status
// for every command-line error, and integer checks that tell a value that is
// not a number from one out of range.

#ifndef RMQ_TOOLS_CLI_CHECKS_H_
#define RMQ_TOOLS_CLI_CHECKS_H_

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"

namespace rmq::tools {

// The exit status of a bad command line (1 is left to failures at run time).
inline constexpr int kCommandLineError = 2;

// Parses the command line. On an error prints CLI11's message (help to
// stdout, errors to stderr) and returns the exit status: 0 for --help,
// kCommandLineError for every error, whatever CLI11's own code for it
// (which differs from error to error). nullopt: parsed, go on.
inline std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kCommandLineError;
  }
}

// An integer option's check, run on its text before CLI11 converts it: a
// text that is not a number says so (CLI::Range calls it "not in range").
// max at its type's limit: only a lower bound.
inline CLI::Validator IntegerIn(int64_t min, int64_t max = std::numeric_limits<int64_t>::max()) {
  const bool unbounded = max == std::numeric_limits<int64_t>::max();
  auto check = [min, max, unbounded](const std::string& text) -> std::string {
    int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [stop, ec] = std::from_chars(text.data(), end, value);
    if (stop != end || text.empty() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      return "'" + text + "' is not a number";
    }
    if (ec == std::errc() && value >= min && value <= max) return "";
    if (!unbounded) {
      return text + " is not in the range " + std::to_string(min) + " to " + std::to_string(max);
    }
    // Beyond int64_t is "too large" only if positive.
    return ec == std::errc() || text[0] == '-' ? text + " is less than " + std::to_string(min)
                                                : text + " is too large";
  };
  const std::string description = unbounded ? "INT>=" + std::to_string(min)
                                            : "INT in [" + std::to_string(min) + " - " +
                                                  std::to_string(max) + "]";
  return CLI::Validator(check, description);
}

}  // namespace rmq::tools

#endif  // RMQ_TOOLS_CLI_CHECKS_H_
