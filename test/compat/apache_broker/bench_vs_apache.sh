#!/usr/bin/env bash
# Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
#
# A benchmark, not a test: rmq-bench tcp against rmq-server and against a real
# Apache RocketMQ 4.9.7 broker (the same rmq client code), sync and async,
# RUNS times each, and the median figures with the ratios rmq/apache.
#
#   bench_vs_apache.sh BUILD_DIR [RUNS]
#
# Environment: SYNC_COUNT (20000), ASYNC_COUNT (300000), ASYNC_PRODUCERS (2),
# SIZE (128). The jars come from Maven Central into BUILD_DIR/apache-rocketmq-lib
# (as for the rmq_client_vs_apache_broker test).
set -u
build="$(cd "${1:?usage: bench_vs_apache.sh BUILD_DIR [RUNS]}" && pwd)"
runs="${2:-3}"
sync_count="${SYNC_COUNT:-20000}"
async_count="${ASYNC_COUNT:-300000}"
async_producers="${ASYNC_PRODUCERS:-2}"
size="${SIZE:-128}"
bench="$build/tools/rmq-bench"
server_bin="$build/tools/rmq-server"
source "$(dirname "${BASH_SOURCE[0]}")/apache_rocketmq.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/rmq-bench-vs-apache-XXXXXX")
rmq_pid=""
stop_all() {
  if [[ -n "$rmq_pid" ]]; then
    kill -TERM "$rmq_pid" 2>/dev/null
    wait "$rmq_pid" 2>/dev/null
    rmq_pid=""
  fi
  apache_rmq_stop
  rm -rf "$work"
}

apache_rmq_fetch "$build/apache-rocketmq-lib" || exit 1
apache_rmq_start "$build/apache-rocketmq-lib" "$work/apache" || exit 1
trap stop_all EXIT

# rmq-server announces "namesrv=HOST:PORT broker=HOST:PORT" once serving.
mkfifo "$work/rmq.out"
"$server_bin" --store "$work/rmq-store" --namesrv-port 0 --broker-port 0 --host 127.0.0.1 \
  --log-level warn >"$work/rmq.out" 2>"$work/rmq.err" &
rmq_pid=$!
exec 3<"$work/rmq.out"
if ! read -r -t 60 announced <&3; then
  echo "rmq-server did not announce its ports" >&2
  cat "$work/rmq.err" >&2
  exit 1
fi
rmq_namesrv=$(sed -n 's/.*namesrv=\([^ ]*\).*/\1/p' <<<"$announced")
echo "rmq-server: $announced; Apache: namesrv=$APACHE_NAMESRV_ADDR broker=$APACHE_BROKER_ADDR" >&2

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else print v[int((NR+1)/2)]}'; }

# run NAME NAMESRV MODE PRODUCERS COUNT: RUNS runs; prints the median line.
declare -A result
run() {
  local name="$1" namesrv="$2" mode="$3" producers="$4" count="$5" i line
  local -a tput=() p50=() p99=() echo50=() ratio=()
  for ((i = 1; i <= runs; ++i)); do
    line=$("$bench" tcp --namesrv "$namesrv" --mode "$mode" --producers "$producers" \
             --size "$size" --count "$count" --topic "Bench_${mode}_$i" 2>"$work/bench.err")
    if [[ $? != 0 || -z "$line" ]]; then
      echo "$name $mode run $i failed:" >&2
      tail -n 5 "$work/bench.err" >&2
      continue
    fi
    echo "  $name run $i: $line" >&2
    tput+=("$(field msgs_per_sec "$line")")
    p50+=("$(field p50_us "$line")")
    p99+=("$(field p99_us "$line")")
    echo50+=("$(field echo_p50_us "$line")")
    ratio+=("$(field ratio_p50 "$line")")
  done
  result[$name.$mode.tput]=$(printf '%s\n' "${tput[@]}" | median)
  result[$name.$mode.p50]=$(printf '%s\n' "${p50[@]}" | median)
  result[$name.$mode.p99]=$(printf '%s\n' "${p99[@]}" | median)
  result[$name.$mode.echo50]=$(printf '%s\n' "${echo50[@]}" | median)
  result[$name.$mode.ratio]=$(printf '%s\n' "${ratio[@]}" | median)
  printf '%-7s %-5s producers=%d size=%d count=%d: median of %d: msgs_per_sec=%s p50_us=%s p99_us=%s echo_p50_us=%s ratio_p50=%s\n' \
    "$name" "$mode" "$producers" "$size" "$count" "${#tput[@]}" "${result[$name.$mode.tput]}" \
    "${result[$name.$mode.p50]}" "${result[$name.$mode.p99]}" "${result[$name.$mode.echo50]}" \
    "${result[$name.$mode.ratio]:-}"
}

for mode in sync async; do
  if [[ $mode == sync ]]; then producers=1 count=$sync_count; else producers=$async_producers count=$async_count; fi
  run rmq "$rmq_namesrv" "$mode" "$producers" "$count"
  run apache "$APACHE_NAMESRV_ADDR" "$mode" "$producers" "$count"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "nan" }'; }
echo "rmq/apache: sync p50 latency $(ratio "${result[rmq.sync.p50]}" "${result[apache.sync.p50]}")" \
     "(lower is better), sync msgs/s $(ratio "${result[rmq.sync.tput]}" "${result[apache.sync.tput]}")," \
     "async msgs/s $(ratio "${result[rmq.async.tput]}" "${result[apache.async.tput]}")"
