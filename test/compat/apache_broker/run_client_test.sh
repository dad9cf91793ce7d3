#!/usr/bin/env bash
# Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
#
# Meson test rmq_client_vs_apache_broker: starts a real Apache RocketMQ 4.9.7
# NameServer and Broker (apache_rocketmq.sh), runs the Catch2 program given
# as $1 against them (RMQ_APACHE_NAMESRV, RMQ_APACHE_BROKER) twice: with
# rmq's binary (ROCKETMQ) headers, then with JSON headers (what Java clients
# send by default; ROCKETMQ_SERIALIZE_TYPE=JSON). Stops both JVMs on exit.
#
#   run_client_test.sh TEST_BIN LIB_DIR [catch2 args...]
# LIB_DIR receives the jars from Maven Central (kept between runs).
set -u
test_bin="$1"
lib_dir="$2"
shift 2
source "$(dirname "${BASH_SOURCE[0]}")/apache_rocketmq.sh"

apache_rmq_fetch "$lib_dir" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/rmq-apache-broker-XXXXXX")
status=1
cleanup() {
  apache_rmq_stop
  if [[ "$status" == 0 ]]; then rm -rf "$work"; else echo "kept $work (logs/)" >&2; fi
}
trap cleanup EXIT
apache_rmq_start "$lib_dir" "$work" || exit 1
trap cleanup EXIT  # apache_rmq_start installs its own

export RMQ_APACHE_NAMESRV="$APACHE_NAMESRV_ADDR" RMQ_APACHE_BROKER="$APACHE_BROKER_ADDR"
status=0
for type in ROCKETMQ JSON; do
  echo "=== rmq's client with $type headers" >&2
  ROCKETMQ_SERIALIZE_TYPE=$type "$test_bin" "$@" || status=1
done
if [[ $status != 0 ]]; then
  grep -h -E " (WARN|ERROR) " "$work"/logs/*.log | tail -n 40 >&2
fi
exit $status
