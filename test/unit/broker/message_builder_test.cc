// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RewriteSendProperties: the stored properties of a send, rewritten from the
// producer's encoding without a map.

#include <catch2/catch.hpp>

#include <string>

#include "broker/message_builder.h"
#include "common/properties_codec.h"

namespace rmq::internal {
namespace {

Message::Properties Decode(const std::string& encoded) {
  Message::Properties props;
  REQUIRE(DecodeProperties(encoded, &props).ok());
  return props;
}

TEST_CASE("a send's properties keep the producer's, with CLUSTER set and WAIT=true dropped") {
  std::string out;
  SendPropertyFlags flags;
  const std::string in = EncodeProperties(Message::Properties{
      {"TAGS", "TagA"}, {"WAIT", "true"}, {"UNIQ_KEY", "ABC"}, {"CLUSTER", "Other"}});
  REQUIRE(RewriteSendProperties(in, "DefaultCluster", /*drop_delay=*/false, &out, &flags));
  CHECK(Decode(out) == Message::Properties{
                           {"TAGS", "TagA"}, {"UNIQ_KEY", "ABC"}, {"CLUSTER", "DefaultCluster"}});
  CHECK(flags.wait_store_msg_ok);
  CHECK_FALSE(flags.transaction_prepared);
}

TEST_CASE("WAIT=false is stored and reported; TRAN_MSG is reported in any case") {
  std::string out;
  SendPropertyFlags flags;
  const std::string in =
      EncodeProperties(Message::Properties{{"WAIT", "FALSE"}, {"TRAN_MSG", "True"}});
  REQUIRE(RewriteSendProperties(in, "C", false, &out, &flags));
  CHECK(Decode(out) == Message::Properties{{"WAIT", "FALSE"}, {"TRAN_MSG", "True"}, {"CLUSTER", "C"}});
  CHECK_FALSE(flags.wait_store_msg_ok);
  CHECK(flags.transaction_prepared);
}

TEST_CASE("DELAY is dropped only for a message going to its dead-letter queue") {
  std::string out;
  SendPropertyFlags flags;
  const std::string in = EncodeProperties(Message::Properties{{"DELAY", "3"}});
  REQUIRE(RewriteSendProperties(in, "C", /*drop_delay=*/false, &out, &flags));
  CHECK(Decode(out).contains("DELAY"));
  REQUIRE(RewriteSendProperties(in, "C", /*drop_delay=*/true, &out, &flags));
  CHECK_FALSE(Decode(out).contains("DELAY"));
}

TEST_CASE("may_park tells whether a property could make the store delay the message") {
  std::string out;
  SendPropertyFlags flags;
  auto may_park = [&](const Message::Properties& props, bool drop_delay) {
    REQUIRE(RewriteSendProperties(EncodeProperties(props), "C", drop_delay, &out, &flags));
    return flags.may_park;
  };
  CHECK_FALSE(may_park({{"TAGS", "TagA"}, {"UNIQ_KEY", "ABC"}, {"WAIT", "false"}}, false));
  CHECK_FALSE(may_park({}, false));
  CHECK(may_park({{"TAGS", "TagA"}, {"DELAY", "3"}}, false));
  CHECK_FALSE(may_park({{"TAGS", "TagA"}, {"DELAY", "3"}}, /*drop_delay=*/true));  // Dropped.
  CHECK(may_park({{"TIMER_DELIVER_MS", "1"}}, false));
  CHECK(may_park({{"TIMER_DELAY_SEC", "1"}}, true));
  CHECK(may_park({{"TIMER_OUT_MS", "1"}}, false));  // The store decides what it means.
  CHECK_FALSE(may_park({{"DELAYED", "1"}, {"XTIMER_", "1"}}, false));
}

TEST_CASE("the rewrite is sorted by name: the bytes the general path stores") {
  std::string out;
  SendPropertyFlags flags;
  const Message::Properties props{{"UNIQ_KEY", "ABC"}, {"KEYS", "k"}, {"TAGS", "T"}};
  // The producer's order, reversed on purpose.
  const std::string in = std::string("UNIQ_KEY\x01" "ABC\x02") + "TAGS\x01T\x02" + "KEYS\x01k\x02";
  REQUIRE(RewriteSendProperties(in, "C", false, &out, &flags));
  Message::Properties with_cluster = props;
  with_cluster.emplace("CLUSTER", "C");
  CHECK(out == EncodeProperties(with_cluster));
}

TEST_CASE("CLUSTER goes in at its place by name, first, between or last") {
  SendPropertyFlags flags;
  for (const Message::Properties& props :
       {Message::Properties{{"DELAY", "1"}, {"TAGS", "T"}},                    // CLUSTER first
        Message::Properties{{"A", "1"}, {"CLUSTEQ", "2"}, {"CLUSTERS", "3"}},  // between
        Message::Properties{{"A", "1"}, {"B", "2"}},                           // last
        Message::Properties{{"CLUSTER", "Old"}, {"A", "1"}, {"Z", "2"}}}) {    // replaced
    // In reverse order, with WAIT=true (dropped) in the middle.
    std::string in;
    for (auto it = props.end(); it != props.begin();) {
      --it;
      in += it->first + "\x01" + it->second + "\x02";
      if (it == props.begin() + 1) in += "WAIT\x01true\x02";
    }
    std::string out = "left over from the last send, longer than the rewrite";
    REQUIRE(RewriteSendProperties(in, "DefaultCluster", false, &out, &flags));
    Message::Properties want = props;
    want.insert_or_assign("CLUSTER", "DefaultCluster");
    CHECK(out == EncodeProperties(want));
  }
}

TEST_CASE("no properties at all still gets CLUSTER") {
  std::string out;
  SendPropertyFlags flags;
  REQUIRE(RewriteSendProperties("", "C", false, &out, &flags));
  CHECK(Decode(out) == Message::Properties{{"CLUSTER", "C"}});
}

TEST_CASE("anything unusual is left to the general path") {
  std::string out;
  SendPropertyFlags flags;
  CHECK_FALSE(RewriteSendProperties("TAGS\x01" "a\x02" "TAGS\x01" "b\x02", "C", false, &out, &flags));
  // A name repeated further on, once the order broke before or at it.
  CHECK_FALSE(RewriteSendProperties("A\x01" "1\x02" "B\x01" "2\x02" "A\x01" "3\x02", "C", false,
                                    &out, &flags));
  CHECK_FALSE(RewriteSendProperties("B\x01" "1\x02" "A\x01" "2\x02" "B\x01" "3\x02", "C", false,
                                    &out, &flags));
  CHECK_FALSE(RewriteSendProperties("TAGS\x01" "a", "C", false, &out, &flags));  // unterminated
  CHECK_FALSE(RewriteSendProperties("\x01" "a\x02", "C", false, &out, &flags));  // empty name
  CHECK_FALSE(RewriteSendProperties("TAGS\x02", "C", false, &out, &flags));      // no value separator
  CHECK_FALSE(RewriteSendProperties("A\x01" "b\x01" "c\x02", "C", false, &out, &flags));
  std::string many;
  for (int i = 0; i < 33; ++i) many += "P" + std::to_string(i) + "\x01v\x02";
  CHECK_FALSE(RewriteSendProperties(many, "C", false, &out, &flags));
}

TEST_CASE("ParseJavaBoolean is Boolean.parseBoolean") {
  CHECK(ParseJavaBoolean("true"));
  CHECK(ParseJavaBoolean("TRUE"));
  CHECK(ParseJavaBoolean("tRuE"));
  CHECK_FALSE(ParseJavaBoolean("yes"));
  CHECK_FALSE(ParseJavaBoolean("1"));
  CHECK_FALSE(ParseJavaBoolean(""));
  CHECK_FALSE(ParseJavaBoolean("true "));
}

}  // namespace
}  // namespace rmq::internal
