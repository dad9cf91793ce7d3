// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/host_port.h"
#include "rmq/message.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using rmq::HostAddress;
using rmq::Message;
using rmq::MessageExt;
namespace property = rmq::property;

TEST_CASE("constructors set tags and keys as properties", "[message]") {
  Message a("TopicTest", "body");
  CHECK(a.topic() == "TopicTest");
  CHECK(a.body() == "body");
  CHECK(a.properties().empty());

  Message b("TopicTest", "TagA", "body");
  CHECK(b.tags() == "TagA");
  CHECK(b.GetProperty(property::kTags) == "TagA");
  CHECK_FALSE(b.HasProperty(property::kKeys));

  Message c("TopicTest", "TagA", "k1 k2", "body");
  CHECK(c.keys() == "k1 k2");
  CHECK(c.body() == "body");

  // Empty tags/keys are not stored, as in RocketMQ's Message(topic, tags, keys, body).
  Message d("TopicTest", "", "", "body");
  CHECK(d.properties().empty());
}

TEST_CASE("property accessors", "[message]") {
  Message m;
  CHECK(m.GetProperty("X").empty());
  CHECK_FALSE(m.HasProperty("X"));
  m.PutProperty("X", "1");
  CHECK(m.HasProperty("X"));
  CHECK(m.GetProperty("X") == "1");
  m.PutProperty("X", "2");
  CHECK(m.GetProperty("X") == "2");
  CHECK(m.properties().size() == 1);
  m.ClearProperty("X");
  CHECK_FALSE(m.HasProperty("X"));
  m.ClearProperty("absent");  // no-op
  m.set_flag(7);
  CHECK(m.flag() == 7);
}

TEST_CASE("properties stay sorted by name whatever the insertion order", "[message]") {
  rmq::MessageProperties props;
  // Inserted at the end, the front and the middle.
  CHECK(props.emplace("UNIQ_KEY", "u").second);
  CHECK(props.emplace("CLUSTER", "c").second);
  CHECK(props.insert_or_assign("MIN_OFFSET", "1").second);
  CHECK(props.insert_or_assign("MAX_OFFSET", "9").second);
  std::vector<std::string> names;
  for (const auto& [name, value] : props) names.push_back(name);
  CHECK(names == std::vector<std::string>{"CLUSTER", "MAX_OFFSET", "MIN_OFFSET", "UNIQ_KEY"});

  // emplace keeps an existing value (as std::map's does); insert_or_assign replaces it.
  auto [kept, added] = props.emplace("CLUSTER", "other");
  CHECK_FALSE(added);
  CHECK(kept->second == "c");
  CHECK_FALSE(props.insert_or_assign("CLUSTER", "d").second);
  CHECK(props.find("CLUSTER")->second == "d");
  CHECK(props.at("CLUSTER") == "d");
  CHECK_THROWS_AS(props.at("CLUSTERS"), std::out_of_range);
  CHECK(props.size() == 4);

  // A name that is a prefix of another is a different name.
  CHECK(props.find("MIN") == props.end());
  CHECK_FALSE(props.contains("UNIQ_KEYS"));
  CHECK(props.erase("MIN") == 0);
  CHECK(props.erase("MIN_OFFSET") == 1);
  CHECK_FALSE(props.contains("MIN_OFFSET"));
  CHECK(props.erase(props.find("CLUSTER"))->first == "MAX_OFFSET");
  CHECK(props.size() == 2);

  // Equality compares contents, so two messages built in different orders are equal.
  rmq::MessageProperties other{{"UNIQ_KEY", "u"}, {"MAX_OFFSET", "9"}};
  CHECK(props == other);
  other.insert_or_assign("MAX_OFFSET", "8");
  CHECK_FALSE(props == other);
  other.clear();
  CHECK(other.empty());
}

TEST_CASE("find finds every property of small and large sets, and nothing else", "[message]") {
  // Up to 16 properties are scanned, more are binary-searched: both agree.
  for (int count : {0, 1, 5, 16, 17, 40}) {
    INFO(count << " properties");
    rmq::MessageProperties props;
    for (int i = 0; i < count; ++i) props.emplace("p" + std::to_string(i * 7 % 41), std::to_string(i));
    for (int i = 0; i < count; ++i) {
      auto it = props.find("p" + std::to_string(i * 7 % 41));
      REQUIRE(it != props.end());
      CHECK(it->second == std::to_string(i));
    }
    CHECK(props.find("p") == props.end());
    CHECK(props.find("p41") == props.end());
    CHECK(props.find("q0") == props.end());
    CHECK(props.find("") == props.end());
  }
}

TEST_CASE("delay level reads the DELAY property", "[message]") {
  Message m("T", "b");
  CHECK(m.delay_time_level() == 0);
  m.set_delay_time_level(3);
  CHECK(m.GetProperty(property::kDelayTimeLevel) == "3");
  CHECK(m.delay_time_level() == 3);
  m.PutProperty(property::kDelayTimeLevel, "18");
  CHECK(m.delay_time_level() == 18);
  m.PutProperty(property::kDelayTimeLevel, "abc");
  CHECK(m.delay_time_level() == 0);
  m.PutProperty(property::kDelayTimeLevel, "3x");
  CHECK(m.delay_time_level() == 0);
}

TEST_CASE("WAIT defaults to true and follows Boolean.parseBoolean", "[message]") {
  Message m("T", "b");
  CHECK(m.wait_store_msg_ok());
  m.set_wait_store_msg_ok(false);
  CHECK(m.GetProperty(property::kWaitStoreMsgOk) == "false");
  CHECK_FALSE(m.wait_store_msg_ok());
  m.set_wait_store_msg_ok(true);
  CHECK(m.GetProperty(property::kWaitStoreMsgOk) == "true");
  CHECK(m.wait_store_msg_ok());
  m.PutProperty(property::kWaitStoreMsgOk, "TRUE");
  CHECK(m.wait_store_msg_ok());
  m.PutProperty(property::kWaitStoreMsgOk, "yes");
  CHECK_FALSE(m.wait_store_msg_ok());
}

TEST_CASE("HostAddress formats and parses IPv4", "[message]") {
  HostAddress h = HostAddress::Ipv4(192, 168, 0, 1, 10911);
  CHECK(h.ToString() == "192.168.0.1:10911");
  CHECK_FALSE(h.ipv6);
  auto parsed = HostAddress::Parse("192.168.0.1:10911");
  REQUIRE(parsed.has_value());
  CHECK(*parsed == h);
  CHECK(HostAddress::Parse("0.0.0.0:0").has_value());
  CHECK(HostAddress::Parse("255.255.255.255:65535").has_value());
}

TEST_CASE("HostAddress formats and parses IPv6", "[message]") {
  auto h = HostAddress::Parse("[::1]:10911");
  REQUIRE(h.has_value());
  CHECK(h->ipv6);
  CHECK(h->ip[15] == 1);
  CHECK(h->port == 10911);
  CHECK(h->ToString() == "[::1]:10911");
  auto g = HostAddress::Parse("[2001:db8::8a2e:370:7334]:9876");
  REQUIRE(g.has_value());
  CHECK(g->ip[0] == 0x20);
  CHECK(g->ip[1] == 0x01);
  CHECK(g->ToString() == "[2001:db8::8a2e:370:7334]:9876");
  CHECK(HostAddress::Parse(g->ToString()) == g);
}

TEST_CASE("JoinHostPort writes what HostAddress::Parse reads, IPv6 in brackets once", "[message]") {
  CHECK(rmq::internal::JoinHostPort("10.0.0.1", 10911) == "10.0.0.1:10911");
  CHECK(rmq::internal::JoinHostPort("::1", 9876) == "[::1]:9876");
  CHECK(rmq::internal::JoinHostPort("[::1]", 9876) == "[::1]:9876");
  CHECK(rmq::internal::JoinHostPort("localhost", 80) == "localhost:80");
  for (const char* host : {"10.0.0.1", "::1", "[::1]", "2001:db8::7334"}) {
    INFO(host);
    auto parsed = HostAddress::Parse(rmq::internal::JoinHostPort(host, 10911));
    REQUIRE(parsed.has_value());
    CHECK(parsed->port == 10911);
  }
}

TEST_CASE("HostAddress rejects malformed text", "[message]") {
  for (const char* bad : {"", ":", "1.2.3.4", "1.2.3.4:", "1.2.3:80", "1.2.3.4.5:80",
                          "256.1.1.1:80", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:80x",
                          "localhost:80", "::1:80", "[::1]", "[::1:80", "[1.2.3.4]:80",
                          "[zz::1]:80"}) {
    INFO(bad);
    CHECK_FALSE(HostAddress::Parse(bad).has_value());
  }
}

TEST_CASE("MessageExt offset msgId is host, port and offset in hex", "[message]") {
  MessageExt m("T", "b");
  m.store_host = HostAddress::Ipv4(127, 0, 0, 1, 10911);
  m.commit_log_offset = 0;
  CHECK(m.OffsetMsgId() == "7F00000100002A9F0000000000000000");
  m.commit_log_offset = 0x1234;
  CHECK(m.OffsetMsgId() == "7F00000100002A9F0000000000001234");
}

TEST_CASE("messages compare by value", "[message]") {
  MessageExt a("T", "TagA", "b");
  MessageExt b = a;
  CHECK(a == b);
  b.queue_id = 1;
  CHECK_FALSE(a == b);
  b = a;
  b.PutProperty("X", "1");
  CHECK_FALSE(a == b);
}

TEST_CASE("mutable_body changes the body in place", "[message]") {
  rmq::Message msg("TopicA", std::string(64, 'x'));
  const char* buffer = msg.body().data();
  std::string* body = msg.mutable_body();
  (*body)[0] = 'y';
  body->resize(32);
  CHECK(msg.body() == "y" + std::string(31, 'x'));
  CHECK(msg.body().data() == buffer);  // The same buffer: nothing allocated.
}
