// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-admin: mqadmin's habits for rmq (and Apache RocketMQ) clusters.
//
//   rmq-admin <command> -n host:port [options] [--json]
//
// Commands: updateTopic, deleteTopic, topicList, topicRoute, topicStatus,
// clusterList, brokerStatus, updateSubGroup, consumerProgress,
// consumerConnection, queryMsgById, queryMsgByUniqueKey, queryMsgByKey,
// queryMsgByOffset, resetOffsetByTime, sendMessage, consumeMessage. `-n`
// defaults to $NAMESRV_ADDR, as mqadmin's. Tables go to stdout (--json: one JSON
// document); errors to stderr with exit status 1 (2 for a bad command line,
// with CLI11's message; 0 for --help).
//
//   rmq-admin sql-check 'EXPR' [key=value ...]
//
// needs no cluster: it evaluates a SQL92 filter against the properties given
// and prints true, false (not delivered: also for an unknown result) or
// "error: ..." (exit status 2) for bad SQL or a malformed key=value.

#include <cstdio>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "admin_commands.h"
#include "cli_checks.h"
#include "common/str_cat.h"
#include "filter/sql_expression.h"

namespace {

using namespace rmq::tools;

// Adds -b BROKER_ADDR and -c CLUSTER (one of them is needed).
void AddTarget(CLI::App* cmd, BrokerTarget* target) {
  cmd->add_option("-b,--brokerAddr", target->broker_addr, "broker address host:port");
  cmd->add_option("-c,--clusterName", target->cluster, "every master of this cluster");
}

// -s of resetOffsetByTime: its text made milliseconds on parsing, so that a
// bad time is a command-line error naming the option (exit 2).
CLI::Validator TimestampToMillis() {
  auto to_millis = [](std::string& text) -> std::string {
    auto ms = ParseTimestamp(text);
    if (!ms.ok()) return std::string(ms.status().message());
    text = std::to_string(*ms);
    return "";
  };
  return CLI::Validator(to_millis, "TIME");
}

// For a command's callback: without -b or -c the command line is wrong, an
// error of parsing (exit 2) rather than of the command.
void RequireTarget(const BrokerTarget& target) {
  if (target.broker_addr.empty() && target.cluster.empty()) {
    throw CLI::RequiredError("give a broker address (-b) or a cluster (-c)",
                             CLI::ExitCodes::RequiredError);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rmq-admin: administer RocketMQ clusters (mqadmin's commands)"};
  app.require_subcommand(1);
  app.fallthrough();  // -n and --json may follow the command, as with mqadmin
  std::string namesrv;
  bool json = false;
  app.add_option("-n,--namesrvAddr", namesrv, "name server address(es), host:port[;host:port]")
      ->envname("NAMESRV_ADDR");
  app.add_flag("--json", json, "print one JSON document instead of tables");

  // Each command sets `run`; main connects and calls it.
  std::function<absl::StatusOr<AdminOutput>(AdminClient&)> run;

  TopicOptions topic_opts;
  topic_opts.config.read_queue_nums = topic_opts.config.write_queue_nums = 8;  // mqadmin's
  auto* update_topic = app.add_subcommand("updateTopic", "create or update a topic");
  update_topic->add_option("-t,--topic", topic_opts.config.topic_name, "topic")->required();
  AddTarget(update_topic, &topic_opts.target);
  update_topic->add_option("-r,--readQueueNums", topic_opts.config.read_queue_nums, "read queues (8)")
      ->check(IntegerIn(1, 1024));
  update_topic->add_option("-w,--writeQueueNums", topic_opts.config.write_queue_nums, "write queues (8)")
      ->check(IntegerIn(1, 1024));
  update_topic->add_option("-p,--perm", topic_opts.config.perm, "permission: 2 write, 4 read, 6 both")
      ->check(IntegerIn(0, 7));
  update_topic->add_option("-o,--order", topic_opts.config.order, "ordered topic (false)");
  update_topic->callback([&] {
    RequireTarget(topic_opts.target);
    run = [&](AdminClient& a) { return UpdateTopic(a, topic_opts); };
  });

  std::string topic, cluster, group, key, msg_id, broker_name;
  auto* delete_topic = app.add_subcommand("deleteTopic", "delete a topic from a cluster");
  delete_topic->add_option("-t,--topic", topic, "topic")->required();
  delete_topic->add_option("-c,--clusterName", cluster, "cluster")->required();
  delete_topic->callback([&] { run = [&](AdminClient& a) { return DeleteTopic(a, topic, cluster); }; });

  app.add_subcommand("topicList", "list every topic the name server knows")->callback([&] {
    run = [&](AdminClient& a) { return TopicList(a); };
  });

  auto* topic_route = app.add_subcommand("topicRoute", "a topic's route");
  topic_route->add_option("-t,--topic", topic, "topic")->required();
  topic_route->callback([&] { run = [&](AdminClient& a) { return TopicRoute(a, topic); }; });

  auto* topic_status = app.add_subcommand("topicStatus", "each queue's offsets");
  topic_status->add_option("-t,--topic", topic, "topic")->required();
  topic_status->callback([&] { run = [&](AdminClient& a) { return TopicStatus(a, topic); }; });

  auto* cluster_list = app.add_subcommand("clusterList", "brokers and their figures");
  cluster_list->add_option("-c,--clusterName", cluster, "only this cluster");
  cluster_list->callback([&] { run = [&](AdminClient& a) { return ClusterList(a, cluster); }; });

  BrokerTarget status_target;
  auto* broker_status = app.add_subcommand("brokerStatus", "a broker's runtime figures");
  AddTarget(broker_status, &status_target);
  broker_status->callback([&] {
    RequireTarget(status_target);
    run = [&](AdminClient& a) { return BrokerStatus(a, status_target); };
  });

  GroupOptions group_opts;
  auto* update_group = app.add_subcommand("updateSubGroup", "create or update a consumer group");
  update_group->add_option("-g,--groupName", group_opts.config.group_name, "group")->required();
  AddTarget(update_group, &group_opts.target);
  update_group->add_option("-s,--consumeEnable", group_opts.config.consume_enable, "consumeEnable");
  update_group->add_option("-m,--consumeFromMinEnable", group_opts.config.consume_from_min_enable,
                           "consumeFromMinEnable");
  update_group->add_option("-d,--consumeBroadcastEnable", group_opts.config.consume_broadcast_enable,
                           "consumeBroadcastEnable");
  update_group->add_option("-q,--retryQueueNums", group_opts.config.retry_queue_nums, "retryQueueNums")
      ->check(IntegerIn(0, 1024));
  update_group->add_option("-r,--retryMaxTimes", group_opts.config.retry_max_times, "retryMaxTimes")
      ->check(IntegerIn(-1, 1024));
  update_group->add_option("-i,--brokerId", group_opts.config.broker_id, "brokerId");
  update_group->add_option("-w,--whichBrokerWhenConsumeSlowly",
                           group_opts.config.which_broker_when_consume_slowly,
                           "whichBrokerWhenConsumeSlowly");
  update_group->add_option("-a,--notifyConsumerIdsChanged",
                           group_opts.config.notify_consumer_ids_changed_enable,
                           "notifyConsumerIdsChangedEnable");
  update_group->callback([&] {
    RequireTarget(group_opts.target);
    run = [&](AdminClient& a) { return UpdateSubGroup(a, group_opts); };
  });

  std::optional<std::string> progress_topic;
  auto* progress = app.add_subcommand("consumerProgress", "a group's offsets against the queues");
  progress->add_option("-g,--groupName", group, "group")->required();
  progress->add_option("-t,--topic", progress_topic, "only this topic");
  progress->callback([&] {
    run = [&](AdminClient& a) { return ConsumerProgress(a, group, progress_topic); };
  });

  auto* connection = app.add_subcommand("consumerConnection", "a group's members");
  connection->add_option("-g,--consumerGroup", group, "group")->required();
  connection->callback([&] { run = [&](AdminClient& a) { return ConsumerConnection(a, group); }; });

  std::optional<std::string> by_id_topic;
  auto* by_id = app.add_subcommand("queryMsgById", "a message by its msgId");
  by_id->add_option("-i,--msgId", msg_id,
                    "offset msgId, or with -t the msgId (UNIQ_KEY) sendMessage prints")
      ->required();
  by_id->add_option("-t,--topic", by_id_topic, "the message's topic (for a UNIQ_KEY)");
  by_id->callback([&] { run = [&](AdminClient& a) { return QueryMsgById(a, msg_id, by_id_topic); }; });

  // mqadmin's name for the lookup by the msgId a producer returns (UNIQ_KEY).
  std::string uniq_key_topic;
  auto* by_uniq_key = app.add_subcommand("queryMsgByUniqueKey",
                                         "a message by the msgId (UNIQ_KEY) its producer got");
  by_uniq_key->add_option("-i,--msgId", msg_id, "msgId (UNIQ_KEY)")->required();
  by_uniq_key->add_option("-t,--topic", uniq_key_topic, "topic")->required();
  by_uniq_key->callback([&] {
    run = [&](AdminClient& a) { return QueryMsgById(a, msg_id, uniq_key_topic); };
  });

  int32_t max_num = 64;
  int64_t begin_ms = 0;
  int64_t end_ms = std::numeric_limits<int64_t>::max();
  auto* by_key = app.add_subcommand("queryMsgByKey", "messages by key");
  by_key->add_option("-t,--topic", topic, "topic")->required();
  by_key->add_option("-k,--msgKey", key, "key")->required();
  by_key->add_option("-c,--maxNum", max_num, "at most this many per broker (64)")
      ->check(IntegerIn(1, 65536));
  by_key->add_option("-b,--beginTimestamp", begin_ms, "stored at or after (ms)");
  by_key->add_option("-e,--endTimestamp", end_ms, "stored at or before (ms)");
  by_key->callback([&] {
    run = [&](AdminClient& a) { return QueryMsgByKey(a, topic, key, max_num, begin_ms, end_ms); };
  });

  int32_t queue_id = 0;
  int64_t offset = 0;
  auto* by_offset = app.add_subcommand("queryMsgByOffset", "the message at a queue offset");
  by_offset->add_option("-t,--topic", topic, "topic")->required();
  by_offset->add_option("-b,--brokerName", broker_name, "broker name")->required();
  by_offset->add_option("-i,--queueId", queue_id, "queue id")->required();
  by_offset->add_option("-o,--offset", offset, "queue offset")->required()->check(IntegerIn(0));
  by_offset->callback([&] {
    run = [&](AdminClient& a) { return QueryMsgByOffset(a, topic, broker_name, queue_id, offset); };
  });

  int64_t timestamp_ms = 0;
  bool force = true;
  auto* reset = app.add_subcommand("resetOffsetByTime", "move a group's offsets to a time");
  reset->add_option("-g,--group", group, "group")->required();
  reset->add_option("-t,--topic", topic, "topic")->required();
  reset->add_option("-s,--timestamp", timestamp_ms,
                    "ms since the epoch (-1: the end), now, or yyyy-MM-dd#HH:mm:ss:SSS")
      ->required()
      ->transform(TimestampToMillis());
  reset->add_option("-f,--force", force, "also move offsets forward (true)");
  reset->callback([&] {
    run = [&](AdminClient& a) { return ResetOffsetByTime(a, group, topic, timestamp_ms, force); };
  });

  SendOptions send_opts;
  auto* send = app.add_subcommand("sendMessage", "send one message");
  send->add_option("-t,--topic", send_opts.topic, "topic")->required();
  send->add_option("-p,--body", send_opts.body, "body")->required();
  send->add_option("-k,--key", send_opts.keys, "keys");
  send->add_option("-c,--tags", send_opts.tags, "tags");
  send->add_option("-b,--broker", send_opts.broker_name, "broker name (with -i)");
  send->add_option("-i,--qid", send_opts.queue_id, "queue id (with -b)");
  send->callback([&] {
    if (send_opts.queue_id.has_value() != !send_opts.broker_name.empty()) {
      throw CLI::ValidationError("give both -b (broker name) and -i (queue id), or neither",
                                 CLI::ExitCodes::ValidationError);
    }
    run = [&](AdminClient&) { return SendMessage(namesrv, send_opts); };
  });

  ConsumeOptions consume_opts;
  auto* consume = app.add_subcommand("consumeMessage", "print messages of a topic");
  consume->add_option("-t,--topic", consume_opts.topic, "topic")->required();
  consume->add_option("-b,--brokerName", consume_opts.broker_name, "only this broker");
  consume->add_option("-i,--queueId", consume_opts.queue_id, "only this queue");
  consume->add_option("-o,--offset", consume_opts.offset, "from this offset (default: the first)")
      ->check(IntegerIn(0));
  consume->add_option("-c,--messageNumber", consume_opts.count, "at most this many (128)")
      ->check(IntegerIn(1, int64_t{1} << 20));
  consume->callback([&] { run = [&](AdminClient& a) { return ConsumeMessage(a, consume_opts); }; });

  std::string sql;
  std::vector<std::string> sql_properties;
  bool sql_check = false;
  auto* check = app.add_subcommand(
      "sql-check", "evaluate a SQL92 filter against properties key=value (no cluster needed)");
  check->add_option("expression", sql, "the filter, e.g. \"a > 5 AND TAGS IN ('x', 'y')\"")
      ->required();
  check->add_option("properties", sql_properties, "the message's properties, as key=value");
  check->callback([&] { sql_check = true; });

  if (auto exit_code = ParseCommandLine(app, argc, argv)) return *exit_code;
  if (sql_check) {
    int exit_code = 0;
    std::cout << rmq::internal::SqlCheck(sql, sql_properties, &exit_code) << "\n";
    return exit_code;
  }
  if (namesrv.empty()) {
    std::cerr << "rmq-admin: give the name server with -n host:port (or set NAMESRV_ADDR)\n";
    return kCommandLineError;
  }
  auto admin = AdminClient::Create(namesrv);
  if (!admin.ok()) {
    std::cerr << "rmq-admin: " << admin.status().message() << "\n";
    return kCommandLineError;
  }
  auto result = run(**admin);
  if (!result.ok()) {
    std::cerr << "rmq-admin: " << app.get_subcommands().front()->get_name() << ": "
              << result.status().message() << "\n";
    return 1;
  }
  std::cout << (json ? result->json.dump(2) + "\n" : result->text);
  return 0;
}
