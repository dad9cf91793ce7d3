# Sourced by the compat drivers (bash): start, restart and stop rmq-server on
# ephemeral loopback ports, always stopping it when the driver exits.
#
#   compat_init NAME "$@"
#                        parses the drivers' arguments, RMQ_SERVER SOURCE_DIR
#                        BUILD_DIR [scenario...], into RMQ_SERVER, SRC,
#                        OUT (BUILD_DIR/NAME) and SCENARIOS; makes a fresh
#                        WORK=$OUT/run with store/, home/ and broker.conf
#                        (small store files); stops the server on exit and
#                        deletes store/ if the driver succeeded
#   rmq_start STORE [NAMESRV_PORT BROKER_PORT]
#                        ports default to 0 (free ones); sets RMQ_PID,
#                        NAMESRV_ADDR, BROKER_ADDR
#   rmq_stop             SIGTERM, wait for a clean exit 0, fail otherwise
#
# Server output goes to $WORK/server-N.{out,err}; rmq_dump_logs prints the
# last lines of each (called on failure).

source "$(dirname "${BASH_SOURCE[0]}")/retry.sh"

RMQ_PID=""
RMQ_RUN=0
NAMESRV_ADDR=""
BROKER_ADDR=""

# Seconds to wait for the announcement and for the exit after SIGTERM.
RMQ_START_TIMEOUT=${RMQ_START_TIMEOUT:-30}
RMQ_STOP_TIMEOUT=${RMQ_STOP_TIMEOUT:-30}

die() {
  echo "FAIL: $*" >&2
  exit 1
}

compat_init() {
  local name=$1
  shift
  [ $# -ge 3 ] || { echo "usage: $0 RMQ_SERVER SOURCE_DIR BUILD_DIR [scenario...]" >&2; exit 2; }
  RMQ_SERVER=$(realpath "$1")
  SRC=$(realpath "$2")
  OUT=$(realpath -m "$3")/$name
  shift 3
  SCENARIOS=("$@")
  mkdir -p "$OUT"
  WORK="$OUT/run"
  rm -rf "$WORK"
  mkdir -p "$WORK/store" "$WORK/home"
  # The defaults (1 GiB commit log segments, 420 MB index files) are
  # allocated on disk up front; a test needs a few MB. Transaction checks
  # every 2 s (not 60 s) let transactional_send see a check-back quickly.
  # enablePropertyFilter serves the SQL92 scenarios (MessageSelector.bySql).
  cat >"$WORK/broker.conf" <<'CONF'
mappedFileSizeCommitLog=67108864
maxHashSlotNum=50000
maxIndexNum=200000
transactionCheckInterval=2000
transactionTimeOut=1000
enablePropertyFilter=true
CONF
  trap rmq_cleanup EXIT
}

rmq_dump_logs() {
  local f
  for f in "$WORK"/server-*.err; do
    [ -f "$f" ] || continue
    echo "---- last lines of $f" >&2
    tail -n 30 "$f" >&2
  done
}

rmq_start() {
  local store=$1 namesrv_port=${2:-0} broker_port=${3:-0}
  RMQ_RUN=$((RMQ_RUN + 1))
  local out="$WORK/server-$RMQ_RUN.out" err="$WORK/server-$RMQ_RUN.err"
  "$RMQ_SERVER" -c "$WORK/broker.conf" --store "$store" --namesrv-port "$namesrv_port" --broker-port "$broker_port" \
    --host 127.0.0.1 >"$out" 2>"$err" &
  RMQ_PID=$!
  # Poll for the one announcement line: "namesrv=HOST:PORT broker=HOST:PORT".
  local deadline=$((SECONDS + RMQ_START_TIMEOUT)) line=""
  while :; do
    line=$(grep -m1 '^namesrv=' "$out" 2>/dev/null || true)
    [ -n "$line" ] && break
    if ! kill -0 "$RMQ_PID" 2>/dev/null; then
      wait "$RMQ_PID"
      local rc=$?
      RMQ_PID=""
      rmq_dump_logs
      die "rmq-server exited with status $rc before announcing its ports"
    fi
    [ $SECONDS -lt $deadline ] || { rmq_dump_logs; die "rmq-server announced no ports within ${RMQ_START_TIMEOUT} s"; }
    sleep 0.05
  done
  NAMESRV_ADDR=$(sed -n 's/^namesrv=\([^ ]*\) .*/\1/p' <<<"$line")
  BROKER_ADDR=$(sed -n 's/.* broker=\([^ ]*\).*/\1/p' <<<"$line")
  [ -n "$NAMESRV_ADDR" ] && [ -n "$BROKER_ADDR" ] || die "cannot parse rmq-server's announcement '$line'"
  echo "rmq-server run $RMQ_RUN (pid $RMQ_PID): namesrv $NAMESRV_ADDR, broker $BROKER_ADDR, store $store"
}

rmq_stop() {
  [ -n "$RMQ_PID" ] || return 0
  local pid=$RMQ_PID
  RMQ_PID=""
  kill -TERM "$pid" 2>/dev/null
  local deadline=$((SECONDS + RMQ_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      rmq_dump_logs
      die "rmq-server (pid $pid) did not exit within ${RMQ_STOP_TIMEOUT} s of SIGTERM"
    fi
    sleep 0.05
  done
  wait "$pid"
  local rc=$?
  [ $rc -eq 0 ] || { rmq_dump_logs; die "rmq-server exited with status $rc after SIGTERM (expected 0)"; }
}

# rmq_live_restart STORE COMMAND...: runs COMMAND in the background with a
# pipe as its stdin; once it prints a line "LIVE READY", restarts rmq-server
# on the same ports (SIGTERM with the client connected, exit 0 expected),
# writes "restarted" to the client and waits for it. Prints the client's
# output; returns its exit status (1 if it never got ready or hung).
rmq_live_restart() {
  local store=$1
  shift
  local in="$WORK/live.in" out="$WORK/live.out"
  rm -f "$in"
  mkfifo "$in"
  "$@" <"$in" >"$out" 2>&1 &
  local pid=$! rc
  exec 3>"$in"
  local deadline=$((SECONDS + 120))
  until grep -q '^LIVE READY' "$out"; do
    if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      kill "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      exec 3>&-
      cat "$out"
      echo "the client did not get ready for the live restart" >&2
      return 1
    fi
    sleep 0.05
  done
  local namesrv_port=${NAMESRV_ADDR##*:} broker_port=${BROKER_ADDR##*:}
  rmq_stop
  echo "restarting rmq-server on the same ports with clients connected"
  rmq_start "$store" "$namesrv_port" "$broker_port"
  echo restarted >&3
  exec 3>&-
  deadline=$((SECONDS + 120))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      kill "$pid" 2>/dev/null
      echo "the client hung after the live restart" >&2
      break
    fi
    sleep 0.05
  done
  wait "$pid"
  rc=$?
  grep -v '^LIVE READY' "$out"
  return $rc
}

# On any exit (trap rmq_cleanup EXIT): kill a server still running. After a
# success the store goes; after a failure $WORK stays for a look (the next
# run starts it afresh).
rmq_cleanup() {
  local rc=$?
  if [ -n "$RMQ_PID" ]; then
    kill -KILL "$RMQ_PID" 2>/dev/null
    wait "$RMQ_PID" 2>/dev/null
    RMQ_PID=""
  fi
  [ $rc -ne 0 ] || rm -rf "$WORK/store"
}
