// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Transactional messages on the broker, driven by raw requests: a prepared
// send is stored as a half message nobody can consume, END_TRANSACTION
// commits or rolls it back (with an op record either way), bad verdicts are
// refused, and the check pass re-appends unresolved half messages until
// transactionCheckMax, then moves them to TRANS_CHECK_MAX_TIME_TOPIC. With no
// producer connected nobody answers the checks, which is what lets these
// tests count the passes exactly.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/msg_id.h"
#include "unit/broker/broker_fixture.h"

namespace rmq::testing {
namespace {

using internal::EndTransactionRequestHeader;
using internal::SendMessageRequestHeader;
using internal::SendMessageResponseHeader;

constexpr std::string_view kHalfTopic = "RMQ_SYS_TRANS_HALF_TOPIC";
constexpr std::string_view kOpTopic = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
constexpr std::string_view kMaxTimeTopic = "TRANS_CHECK_MAX_TIME_TOPIC";

// A prepared message as the broker answered it.
struct Half {
  int64_t commit_log_offset = 0;
  int64_t queue_offset = 0;  // In the half topic (tranStateTableOffset).
  std::string uniq_key;
};

// Born now on the broker's clock (so the check sees its exact age).
RemotingCommand PreparedSendRequest(BrokerFixture& f, const std::string& uniq_key,
                                    int32_t queue_id = 2) {
  Message msg("TopicA", "TagA", "KeyA", "transfer 100");
  msg.PutProperty(property::kTransactionPrepared, "true");
  msg.PutProperty(property::kProducerGroup, "PG");
  msg.PutProperty(property::kUniqKey, uniq_key);
  RemotingCommand request = BrokerFixture::SendRequest(msg, queue_id);
  auto* header = static_cast<SendMessageRequestHeader*>(request.header.get());
  header->sys_flag = sysflag::kTransactionPreparedType;
  header->born_timestamp = f.clock().NowMillis();
  return request;
}

Half SendPrepared(BrokerFixture& f, const std::string& uniq_key) {
  RemotingCommand response = f.Call(PreparedSendRequest(f, uniq_key));
  INFO(response.remark);
  REQUIRE(response.code == rc::kSuccess);
  auto header = ResponseHeader<SendMessageResponseHeader>(response);
  auto id = internal::DecodeOffsetMsgId(header.msg_id);
  REQUIRE(id.ok());
  return {id->commit_log_offset, header.queue_offset, uniq_key};
}

RemotingCommand EndRequest(const Half& half, int32_t commit_or_rollback,
                           const std::string& group = "PG") {
  auto header = std::make_unique<EndTransactionRequestHeader>();
  header->producer_group = group;
  header->tran_state_table_offset = half.queue_offset;
  header->commit_log_offset = half.commit_log_offset;
  header->commit_or_rollback = commit_or_rollback;
  header->msg_id = half.uniq_key;
  return RemotingCommand::Request(rq::kEndTransaction, std::move(header));
}

// Every message of topic/queue_id, as stored.
std::vector<MessageExt> Stored(BrokerFixture& f, std::string_view topic, int32_t queue_id = 0) {
  return ReadQueue(*f.broker().store(), topic, queue_id);
}

TEST_CASE("a prepared message is stored as a half message no consumer sees", "[transaction]") {
  BrokerFixture f;
  Half half = SendPrepared(f, "UNIQ-1");
  auto stored = f.broker().store()->LookMessageByOffset(half.commit_log_offset);
  REQUIRE(stored.ok());
  CHECK(stored->topic() == kHalfTopic);
  CHECK(stored->queue_id == 0);
  CHECK(stored->queue_offset == half.queue_offset);
  CHECK(stored->GetProperty(property::kRealTopic) == "TopicA");
  CHECK(stored->GetProperty(property::kRealQueueId) == "2");
  CHECK(sysflag::TransactionValue(stored->sys_flag) == sysflag::kTransactionNotType);
  CHECK(Stored(f, "TopicA", 2).empty());
}

TEST_CASE("commit writes the message to its real queue and an op record", "[transaction]") {
  BrokerFixture f;
  Half half = SendPrepared(f, "UNIQ-C");
  RemotingCommand response = f.Call(EndRequest(half, sysflag::kTransactionCommitType));
  INFO(response.remark);
  REQUIRE(response.code == rc::kSuccess);

  auto delivered = Stored(f, "TopicA", 2);
  REQUIRE(delivered.size() == 1);
  const MessageExt& m = delivered[0];
  CHECK(m.body() == "transfer 100");
  CHECK(m.tags() == "TagA");
  CHECK(m.keys() == "KeyA");
  CHECK(m.GetProperty(property::kUniqKey) == "UNIQ-C");
  CHECK_FALSE(m.HasProperty(property::kTransactionPrepared));
  CHECK_FALSE(m.HasProperty(property::kRealTopic));
  CHECK_FALSE(m.HasProperty(property::kRealQueueId));
  CHECK(sysflag::TransactionValue(m.sys_flag) == sysflag::kTransactionCommitType);
  CHECK(m.prepared_transaction_offset == half.commit_log_offset);

  auto ops = Stored(f, kOpTopic);
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].tags() == "d");
  CHECK(ops[0].body() == std::to_string(half.queue_offset));
}

TEST_CASE("rollback writes only the op record; unknown writes nothing", "[transaction]") {
  BrokerFixture f;
  Half rolled = SendPrepared(f, "UNIQ-R");
  Half pending = SendPrepared(f, "UNIQ-U");
  REQUIRE(f.Call(EndRequest(rolled, sysflag::kTransactionRollbackType)).code == rc::kSuccess);
  REQUIRE(f.Call(EndRequest(pending, sysflag::kTransactionNotType)).code == rc::kSuccess);
  CHECK(Stored(f, "TopicA", 2).empty());
  auto ops = Stored(f, kOpTopic);
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].body() == std::to_string(rolled.queue_offset));
}

TEST_CASE("END_TRANSACTION that does not name a half message is refused", "[transaction]") {
  BrokerFixture f;
  Half half = SendPrepared(f, "UNIQ-X");

  SECTION("another producer group") {
    RemotingCommand r = f.Call(EndRequest(half, sysflag::kTransactionCommitType, "OtherGroup"));
    CHECK(r.code == rc::kSystemError);
    CHECK_THAT(r.remark, Catch::Contains("producer group wrong"));
  }
  SECTION("a wrong tranStateTableOffset") {
    Half wrong = half;
    wrong.queue_offset += 7;
    RemotingCommand r = f.Call(EndRequest(wrong, sysflag::kTransactionCommitType));
    CHECK(r.code == rc::kSystemError);
    CHECK_THAT(r.remark, Catch::Contains("transaction state table offset wrong"));
  }
  SECTION("an ordinary message") {
    RemotingCommand sent = f.Send(Message("TopicA", "plain"), 1);
    REQUIRE(sent.code == rc::kSuccess);
    auto id = internal::DecodeOffsetMsgId(ResponseHeader<SendMessageResponseHeader>(sent).msg_id);
    REQUIRE(id.ok());
    Half plain{id->commit_log_offset, 0, "UNIQ-P"};
    RemotingCommand r = f.Call(EndRequest(plain, sysflag::kTransactionCommitType));
    CHECK(r.code == rc::kSystemError);
    CHECK_THAT(r.remark, Catch::Contains("not a half message"));
  }
  SECTION("an offset where no message starts") {
    Half nowhere = half;
    nowhere.commit_log_offset = 1 << 20;
    RemotingCommand r = f.Call(EndRequest(nowhere, sysflag::kTransactionRollbackType));
    CHECK(r.code == rc::kSystemError);
    CHECK_THAT(r.remark, Catch::Contains("Find prepared transaction message failed"));
  }
  SECTION("a verdict that is no transaction type") {
    RemotingCommand r = f.Call(EndRequest(half, 5));
    CHECK(r.code == rc::kSystemError);
    CHECK_THAT(r.remark, Catch::Contains("commitOrRollback 5"));
  }
  // Whatever was refused left the half message pending and the topic empty.
  CHECK(Stored(f, "TopicA", 2).empty());
  CHECK(Stored(f, kOpTopic).empty());
}

TEST_CASE("rejectTransactionMessage refuses prepared sends", "[transaction]") {
  BrokerFixture f([](BrokerConfig& c) { c.reject_transaction_message = true; });
  RemotingCommand response = f.Call(PreparedSendRequest(f, "UNIQ-N"));
  CHECK(response.code == rc::kNoPermission);
  CHECK_THAT(response.remark, Catch::Contains("rejectTransactionMessage"));
  CHECK(Stored(f, kHalfTopic).empty());
}

TEST_CASE("the check pass re-appends an unresolved half message once per pass, then discards it",
          "[transaction]") {
  BrokerFixture f;  // transactionTimeOut 6 s, transactionCheckInterval 60 s, transactionCheckMax 15
  Half half = SendPrepared(f, "UNIQ-K");
  Half done = SendPrepared(f, "UNIQ-D");
  REQUIRE(f.Call(EndRequest(done, sysflag::kTransactionCommitType)).code == rc::kSuccess);

  // The first pass: the pending one is copied to the end with one check
  // counted; the committed one is passed over.
  f.clock().Advance(absl::Seconds(60));
  auto halves = Stored(f, kHalfTopic);
  REQUIRE(halves.size() == 3);
  CHECK(halves[2].GetProperty(property::kUniqKey) == "UNIQ-K");
  CHECK(halves[2].GetProperty(property::kTransactionCheckTimes) == "1");
  CHECK(Stored(f, "TopicA", 2).size() == 1);  // Only the committed one.

  // Passes 2..15 each add one copy; pass 16 finds the 15th check and
  // moves the message aside instead.
  for (int pass = 2; pass <= 15; ++pass) f.clock().Advance(absl::Seconds(60));
  halves = Stored(f, kHalfTopic);
  REQUIRE(halves.size() == 2 + 15);
  CHECK(halves.back().GetProperty(property::kTransactionCheckTimes) == "15");
  CHECK(Stored(f, kMaxTimeTopic).empty());

  f.clock().Advance(absl::Seconds(60));
  auto discarded = Stored(f, kMaxTimeTopic);
  REQUIRE(discarded.size() == 1);
  CHECK(discarded[0].GetProperty(property::kUniqKey) == "UNIQ-K");
  CHECK(discarded[0].GetProperty(property::kRealTopic) == "TopicA");
  CHECK(discarded[0].body() == "transfer 100");
  CHECK(Stored(f, kHalfTopic).size() == 2 + 15);  // Nothing more appended.
  (void)half;

  // And later passes leave it alone.
  f.clock().Advance(absl::Seconds(120));
  CHECK(Stored(f, kMaxTimeTopic).size() == 1);
  CHECK(Stored(f, kHalfTopic).size() == 2 + 15);
}

TEST_CASE("a half message younger than transactionTimeOut is not checked yet", "[transaction]") {
  BrokerFixture f([](BrokerConfig& c) {
    c.transaction_check_interval = 1000;
    c.transaction_timeout = 10000;
  });
  REQUIRE(f.Call(PreparedSendRequest(f, "UNIQ-Y")).code == rc::kSuccess);
  f.clock().Advance(absl::Seconds(10));  // Age 10 s: not older than the timeout.
  CHECK(Stored(f, kHalfTopic).size() == 1);
  f.clock().Advance(absl::Seconds(1));  // Age 11 s.
  CHECK(Stored(f, kHalfTopic).size() == 2);
}

TEST_CASE("a half message older than fileReservedTime is moved aside at once", "[transaction]") {
  BrokerFixture f;
  RemotingCommand request = PreparedSendRequest(f, "UNIQ-OLD");
  static_cast<SendMessageRequestHeader*>(request.header.get())->born_timestamp =
      f.clock().NowMillis() - 73LL * 3600 * 1000;  // fileReservedTime is 72 h
  REQUIRE(f.Call(std::move(request)).code == rc::kSuccess);
  f.clock().Advance(absl::Seconds(60));
  CHECK(Stored(f, kMaxTimeTopic).size() == 1);
  CHECK(Stored(f, kHalfTopic).size() == 1);
}

TEST_CASE("the check's progress survives a broker restart", "[transaction]") {
  BrokerFixture f;
  Half committed = SendPrepared(f, "UNIQ-A");
  SendPrepared(f, "UNIQ-B");
  REQUIRE(f.Call(EndRequest(committed, sysflag::kTransactionCommitType)).code == rc::kSuccess);
  f.clock().Advance(absl::Seconds(60));
  REQUIRE(Stored(f, kHalfTopic).size() == 3);  // B copied once.

  f.StopBroker();
  f.StartBroker();
  f.clock().Advance(absl::Seconds(60));
  auto halves = Stored(f, kHalfTopic);
  // Only B's copy was checked again (check 2); A stays committed, once.
  REQUIRE(halves.size() == 4);
  CHECK(halves[3].GetProperty(property::kUniqKey) == "UNIQ-B");
  CHECK(halves[3].GetProperty(property::kTransactionCheckTimes) == "2");
  CHECK(Stored(f, "TopicA", 2).size() == 1);
}

}  // namespace
}  // namespace rmq::testing
