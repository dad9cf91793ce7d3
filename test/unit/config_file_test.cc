// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/config_file.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace rmq::internal;

namespace {

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

struct Config {
  int32_t mapped_file_size = 1073741824;
  int64_t delete_when = 4;
  bool auto_create_topic = true;
  std::string store_path = "/tmp/store";
  std::string flush_disk_type = "ASYNC_FLUSH";
};

ConfigBinder BinderFor(Config* c) {
  ConfigBinder b;
  b.Bind("mappedFileSizeCommitLog", &c->mapped_file_size);
  b.Bind("deleteWhen", &c->delete_when);
  b.Bind("autoCreateTopicEnable", &c->auto_create_topic);
  b.Bind("storePathRootDir", &c->store_path);
  b.Bind("flushDiskType", [c](std::string_view v) -> std::string {
    if (v != "ASYNC_FLUSH" && v != "SYNC_FLUSH") return "expected ASYNC_FLUSH or SYNC_FLUSH";
    c->flush_disk_type = std::string(v);
    return "";
  });
  return b;
}

}  // namespace

TEST_CASE("parses key=value lines with comments, blanks and separators", "[config]") {
  auto entries = ParseConfigText(
      "# broker.conf\n"
      "\n"
      "  ! another comment\n"
      "brokerName = broker-a \n"
      "brokerId:0\r\n"
      "namesrvAddr 127.0.0.1:9876;127.0.0.2:9876\n"
      "\tempty=\n"
      "bare\n"
      "url=http://host/a=b");
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 6);
  CHECK((*entries)[0].key == "brokerName");
  CHECK((*entries)[0].value == "broker-a");
  CHECK((*entries)[0].line == 4);
  CHECK((*entries)[1].key == "brokerId");
  CHECK((*entries)[1].value == "0");
  CHECK((*entries)[2].value == "127.0.0.1:9876;127.0.0.2:9876");
  CHECK((*entries)[3].key == "empty");
  CHECK((*entries)[3].value.empty());
  CHECK((*entries)[4].key == "bare");
  CHECK((*entries)[4].value.empty());
  CHECK((*entries)[5].value == "http://host/a=b");  // only the first '=' separates
  CHECK((*entries)[5].line == 9);
}

TEST_CASE("a repeated key keeps the last value", "[config]") {
  auto entries = ParseConfigText("a=1\nb=2\na=3\n");
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].key == "a");
  CHECK((*entries)[0].value == "3");
  CHECK((*entries)[0].line == 3);
}

TEST_CASE("a line without a key is an error naming the line", "[config]") {
  auto entries = ParseConfigText("a=1\n\n=2\n");
  CHECK(entries.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Msg(entries.status()), Catch::StartsWith("line 3:"));
  entries = ParseConfigText("a=1\n:x\n", "broker.conf");
  CHECK_THAT(Msg(entries.status()), Catch::StartsWith("broker.conf:2:"));
  entries = ParseConfigText("path=C:\\\n", "broker.conf");
  CHECK_THAT(Msg(entries.status()),
             Catch::StartsWith("broker.conf:1:") && Catch::Contains("'path'"));
}

TEST_CASE("binder sets typed fields", "[config]") {
  Config c;
  ConfigBinder b = BinderFor(&c);
  CHECK(b.Knows("deleteWhen"));
  CHECK_FALSE(b.Knows("deletewhen"));
  auto entries = ParseConfigText(
      "mappedFileSizeCommitLog=-2147483648\n"
      "deleteWhen=+9223372036854775807\n"
      "autoCreateTopicEnable=FALSE\n"
      "storePathRootDir=/data/rmq\n"
      "flushDiskType=SYNC_FLUSH\n");
  REQUIRE(entries.ok());
  REQUIRE(b.Apply(*entries, "broker.conf").ok());
  CHECK(c.mapped_file_size == -2147483648);
  CHECK(c.delete_when == 9223372036854775807);
  CHECK_FALSE(c.auto_create_topic);
  CHECK(c.store_path == "/data/rmq");
  CHECK(c.flush_disk_type == "SYNC_FLUSH");
  REQUIRE(b.Apply(*ParseConfigText("autoCreateTopicEnable=True"), "x").ok());
  CHECK(c.auto_create_topic);
}

TEST_CASE("AtConfigLine puts the line that set a key before an error about it", "[config]") {
  auto entries = ParseConfigText("# c\ndeleteWhen=4\nstorePathRootDir=/a\ndeleteWhen=25\n");
  REQUIRE(entries.ok());
  auto at = [&](absl::Status error) { return AtConfigLine(error, *entries, "broker.conf"); };

  // The key ends at a space, a quote or a colon; a repeated key's last line.
  CHECK(Msg(at(absl::InvalidArgumentError("deleteWhen '25': no hour"))) ==
        "broker.conf:4: deleteWhen '25': no hour");
  CHECK(Msg(at(absl::InvalidArgumentError("storePathRootDir is empty"))) ==
        "broker.conf:3: storePathRootDir is empty");
  CHECK(Msg(at(absl::InvalidArgumentError("deleteWhen: x"))) == "broker.conf:4: deleteWhen: x");
  CHECK(at(absl::OutOfRangeError("deleteWhen x")).code() == absl::StatusCode::kOutOfRange);

  // A key the file did not set, a message that starts with no key, and OK
  // pass through unchanged.
  CHECK(Msg(at(absl::InvalidArgumentError("maxIndexNum must be positive"))) ==
        "maxIndexNum must be positive");
  CHECK(Msg(at(absl::InvalidArgumentError("deleteWhenever x"))) == "deleteWhenever x");
  CHECK(Msg(at(absl::InvalidArgumentError(""))).empty());
  CHECK(at(absl::OkStatus()).ok());
  CHECK(Msg(AtConfigLine(absl::InvalidArgumentError("deleteWhen x"), *entries, "")) ==
        "line 4: deleteWhen x");
}

TEST_CASE("bad values are errors naming source, line, key and value", "[config]") {
  Config c;
  ConfigBinder b = BinderFor(&c);
  auto apply = [&](const char* text) {
    auto entries = ParseConfigText(text);
    REQUIRE(entries.ok());
    return b.Apply(*entries, "broker.conf");
  };

  absl::Status s = apply("deleteWhen=4\nmappedFileSizeCommitLog=abc\n");
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(Msg(s) == "broker.conf:2: bad value 'abc' for mappedFileSizeCommitLog: not an integer");

  for (const char* bad : {"mappedFileSizeCommitLog=12x", "mappedFileSizeCommitLog=",
                          "mappedFileSizeCommitLog=+-1", "mappedFileSizeCommitLog=1.5",
                          "mappedFileSizeCommitLog=0x10", "mappedFileSizeCommitLog=+"}) {
    INFO(bad);
    CHECK_THAT(Msg(apply(bad)), Catch::Contains("not an integer"));
  }
  s = apply("mappedFileSizeCommitLog=2147483648");
  CHECK_THAT(Msg(s), Catch::StartsWith("broker.conf:1: bad value '2147483648' for "
                                       "mappedFileSizeCommitLog: out of range"));
  CHECK_THAT(Msg(apply("deleteWhen=9223372036854775808")), Catch::Contains("out of range"));
  CHECK_THAT(Msg(apply("autoCreateTopicEnable=yes")),
             Catch::Contains("autoCreateTopicEnable") && Catch::Contains("true or false"));
  CHECK(Msg(apply("\n\nflushDiskType=SOMETIMES")) ==
        "broker.conf:3: bad value 'SOMETIMES' for flushDiskType: expected ASYNC_FLUSH or "
        "SYNC_FLUSH");
  // Control characters are shown escaped.
  CHECK_THAT(Msg(apply("deleteWhen=\x01")), Catch::Contains("'\\x01'"));
  CHECK(c.mapped_file_size == 1073741824);  // failed values leave fields alone
}

TEST_CASE("unknown keys are errors, with a suggestion for typos", "[config]") {
  Config c;
  ConfigBinder b = BinderFor(&c);
  auto entries = ParseConfigText("deleteWhen=4\nflushDiskTyp=SYNC_FLUSH\n");
  REQUIRE(entries.ok());
  CHECK(Msg(b.Apply(*entries, "broker.conf")) ==
        "broker.conf:2: unknown key 'flushDiskTyp' (did you mean 'flushDiskType'?)");
  entries = ParseConfigText("totallyDifferent=1\n");
  CHECK(Msg(b.Apply(*entries, "broker.conf")) == "broker.conf:1: unknown key 'totallyDifferent'");
}

TEST_CASE("ApplyFile reads, parses and applies a file", "[config]") {
  Config c;
  ConfigBinder b = BinderFor(&c);
  char path[] = "/tmp/rmq_config_test_XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const std::string text = "# test\nmappedFileSizeCommitLog=1024\nbogus=1\n";
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);

  absl::Status s = b.ApplyFile(path);
  CHECK(Msg(s) == std::string(path) + ":3: unknown key 'bogus'");
  CHECK(c.mapped_file_size == 1024);

  std::FILE* f = std::fopen(path, "w");
  REQUIRE(f != nullptr);
  std::fputs("=oops\n", f);
  std::fclose(f);
  CHECK_THAT(Msg(b.ApplyFile(path)), Catch::StartsWith(std::string(path) + ":1:"));
  std::remove(path);

  s = b.ApplyFile("/nonexistent/dir/broker.conf");
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK_THAT(Msg(s), Catch::Contains("/nonexistent/dir/broker.conf"));
}
