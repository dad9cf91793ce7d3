// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// One of the project's server programs (rmq-server, rmq-namesrv, rmq-broker)
// run as a child process by a test: its first stdout line, the one it prints
// once serving ("namesrv=HOST:PORT broker=HOST:PORT"), is read to learn the
// ports it chose with 0. Catch-free (errors are exceptions), so plain-main
// tests such as the crash tests can use it too.

#ifndef RMQ_TEST_SUPPORT_SERVER_PROCESS_H_
#define RMQ_TEST_SUPPORT_SERVER_PROCESS_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rmq::testing {

class ServerProcess {
 public:
  // Starts argv[0] (a path) and waits up to `announce_timeout` for its first
  // stdout line; announced() is empty if it ended or stayed silent instead.
  // stderr (the program's log) stays the test's. Throws std::runtime_error if
  // the process cannot be started at all.
  explicit ServerProcess(std::vector<std::string> argv,
                         std::chrono::milliseconds announce_timeout = std::chrono::seconds(30)) {
    // Everything the child needs is prepared before fork: the test may have
    // threads, so the child calls only async-signal-safe functions.
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    pid_ = ::fork();
    if (pid_ < 0) {
      ::close(out[0]);
      ::close(out[1]);
      throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);  // dup2 clears FD_CLOEXEC on the copy.
      ::execv(args[0], args.data());
      _exit(127);
    }
    ::close(out[1]);
    stdout_fd_ = out[0];
    ReadAnnouncement(announce_timeout);
  }
  ~ServerProcess() {
    if (pid_ > 0) Stop(SIGKILL);
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // "key=value" from the announced line ("" if absent).
  std::string Field(std::string_view key) const {
    const std::string prefix = std::string(key) + "=";
    size_t pos = 0;
    while (pos <= announced_.size()) {
      size_t end = announced_.find(' ', pos);
      if (end == std::string::npos) end = announced_.size();
      std::string_view item(announced_.data() + pos, end - pos);
      if (item.starts_with(prefix)) return std::string(item.substr(prefix.size()));
      pos = end + 1;
    }
    return "";
  }
  const std::string& announced() const { return announced_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // Sends `signal`, waits for the process and returns its exit code (-1 if a
  // signal ended it; term_signal() says which). Returns -1 at once if it was
  // already stopped.
  int Stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    term_signal_ = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // The signal that ended the process (0: it exited, or still runs).
  int term_signal() const { return term_signal_; }

 private:
  void ReadAnnouncement(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string got;
    for (;;) {
      const size_t newline = got.find('\n');
      if (newline != std::string::npos) {
        announced_ = got.substr(0, newline);
        return;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      struct pollfd p = {stdout_fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return;
      char buf[512];
      const ssize_t n = ::read(stdout_fd_, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // The process ended (or closed stdout) first.
      got.append(buf, static_cast<size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int term_signal_ = 0;
  std::string announced_;
};

}  // namespace rmq::testing

#endif  // RMQ_TEST_SUPPORT_SERVER_PROCESS_H_
