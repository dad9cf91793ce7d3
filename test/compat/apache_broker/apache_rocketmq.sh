# Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
#
# Sourced (bash): fetches a real Apache RocketMQ 4.9.7 NameServer and Broker
# from Maven Central and runs them on ephemeral loopback ports.
#
#   source apache_rocketmq.sh
#   apache_rmq_fetch "$LIB_DIR"             # mvn dependency:copy-dependencies, once
#   apache_rmq_start "$LIB_DIR" "$WORK_DIR"  # sets APACHE_NAMESRV_ADDR, APACHE_BROKER_ADDR
#   ...
#   apache_rmq_stop                         # also runs on EXIT (trap)
#
# Both JVMs run with a small heap, ROCKETMQ_HOME pointing at a generated
# directory holding the logback configurations, and user.home set to WORK_DIR
# so that logs, kvConfig.json and the store stay there. Readiness is polled
# (the "boot success" lines each prints once serving; the broker prints its
# after registering with the name server), with a deadline.

APACHE_RMQ_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$APACHE_RMQ_SCRIPT_DIR/../retry.sh"
APACHE_RMQ_NAMESRV_PID=""
APACHE_RMQ_BROKER_PID=""
APACHE_NAMESRV_ADDR=""
APACHE_BROKER_ADDR=""
APACHE_RMQ_WORK=""

# Java 17 and RocketMQ 4.9: the store frees mapped buffers through
# sun.nio.ch.DirectBuffer and reflection on java.nio's internals.
APACHE_RMQ_JAVA_OPTS=(
  -Xms256m -Xmx256m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC
  -XX:-OmitStackTraceInFastThrow
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
  -Drocketmq.broker.diskSpaceWarningLevelRatio=0.99
  -Drocketmq.broker.diskSpaceCleanForciblyRatio=0.99
)

apache_rmq_log() { echo "apache_rocketmq: $*" >&2; }

# apache_rmq_fetch LIB_DIR: the jars of rocketmq-namesrv and rocketmq-broker
# 4.9.7 and their dependencies into LIB_DIR (skipped when already there).
apache_rmq_fetch() {
  local lib="$1"
  if compgen -G "$lib/rocketmq-broker-4.9.7.jar" >/dev/null &&
     compgen -G "$lib/rocketmq-namesrv-4.9.7.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null || { apache_rmq_log "mvn not found"; return 1; }
  mkdir -p "$lib"
  # Maven works in a copy of the pom so nothing lands in the source tree.
  local project="$lib.mvn"
  mkdir -p "$project"
  cp "$APACHE_RMQ_SCRIPT_DIR/pom.xml" "$project/pom.xml"
  apache_rmq_log "fetching Apache RocketMQ 4.9.7 from Maven Central into $lib"
  if ! compat_retry mvn -q -B -f "$project/pom.xml" dependency:copy-dependencies \
         -DoutputDirectory="$lib" >"$project/mvn.log" 2>&1; then
    cat "$project/mvn.log" >&2
    apache_rmq_log "mvn failed"
    return 1
  fi
}

# True if nothing listens on 127.0.0.1:$1 and it can be bound.
apache_rmq_port_free() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

# A random port P in [20000, 60000) with P-2, P and P+1 free (a broker's
# fast/VIP port, main port and HA port).
apache_rmq_pick_ports() {
  local p tries=0
  while (( tries++ < 200 )); do
    p=$(( 20002 + RANDOM % 40000 ))
    if apache_rmq_port_free $((p - 2)) && apache_rmq_port_free "$p" &&
       apache_rmq_port_free $((p + 1)); then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# apache_rmq_wait_for FILE TEXT PID SECONDS: polls until FILE contains TEXT;
# fails at once when PID exits, or after SECONDS.
apache_rmq_wait_for() {
  local file="$1" text="$2" pid="$3" deadline=$(( SECONDS + $4 ))
  while (( SECONDS < deadline )); do
    grep -q -- "$text" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { apache_rmq_log "process $pid exited"; return 1; }
    sleep 0.1
  done
  apache_rmq_log "no '$text' in $file after $4 s"
  return 1
}

apache_rmq_write_home() {
  local home="$1"
  mkdir -p "$home/conf"
  local role
  for role in namesrv broker; do
    cat >"$home/conf/logback_$role.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <appender name="File" class="ch.qos.logback.core.FileAppender">
    <file>\${user.home}/logs/$role.log</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %p %t %c{0} - %m%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="File"/></root>
</configuration>
EOF
  done
}

# Starts one JVM in the background; echoes its pid.
apache_rmq_java() {
  local out="$1"
  shift
  java "${APACHE_RMQ_JAVA_OPTS[@]}" -Duser.home="$APACHE_RMQ_WORK" \
    -Drocketmq.home.dir="$APACHE_RMQ_WORK/home" -cp "$APACHE_RMQ_LIB/*" "$@" \
    >"$out" 2>&1 </dev/null &
  echo $!
}

apache_rmq_try_start() {
  local work="$APACHE_RMQ_WORK" nport bport
  nport=$(apache_rmq_pick_ports) || return 1
  bport=$(apache_rmq_pick_ports) || return 1
  (( bport - 2 > nport + 1 || bport + 1 < nport )) || return 1

  printf 'listenPort=%s\n' "$nport" >"$work/namesrv.properties"
  APACHE_RMQ_NAMESRV_PID=$(apache_rmq_java "$work/namesrv.out" \
    org.apache.rocketmq.namesrv.NamesrvStartup -c "$work/namesrv.properties")
  apache_rmq_wait_for "$work/namesrv.out" "boot success" "$APACHE_RMQ_NAMESRV_PID" 120 || return 1

  rm -rf "$work/store"
  cat >"$work/broker.conf" <<EOF
brokerClusterName=RmqCompatCluster
brokerName=apache-broker-a
brokerId=0
brokerIP1=127.0.0.1
listenPort=$bport
namesrvAddr=127.0.0.1:$nport
storePathRootDir=$work/store
storePathCommitLog=$work/store/commitlog
mappedFileSizeCommitLog=268435456
mappedFileSizeConsumeQueue=600000
autoCreateTopicEnable=true
autoCreateSubscriptionGroup=true
flushDiskType=ASYNC_FLUSH
brokerRole=ASYNC_MASTER
diskMaxUsedSpaceRatio=99
deleteWhen=04
fileReservedTime=48
enablePropertyFilter=true
EOF
  APACHE_RMQ_BROKER_PID=$(apache_rmq_java "$work/broker.out" \
    org.apache.rocketmq.broker.BrokerStartup -c "$work/broker.conf" -n "127.0.0.1:$nport")
  apache_rmq_wait_for "$work/broker.out" "boot success" "$APACHE_RMQ_BROKER_PID" 180 || return 1
  APACHE_NAMESRV_ADDR="127.0.0.1:$nport"
  APACHE_BROKER_ADDR="127.0.0.1:$bport"
}

# apache_rmq_start LIB_DIR WORK_DIR: starts a name server and a broker
# (cluster RmqCompatCluster, broker apache-broker-a) and sets
# APACHE_NAMESRV_ADDR and APACHE_BROKER_ADDR. Retries with other ports if
# one was taken meanwhile. Installs an EXIT trap that stops both.
apache_rmq_start() {
  APACHE_RMQ_LIB="$1"
  APACHE_RMQ_WORK="$2"
  mkdir -p "$APACHE_RMQ_WORK"
  apache_rmq_write_home "$APACHE_RMQ_WORK/home"
  export ROCKETMQ_HOME="$APACHE_RMQ_WORK/home"
  trap apache_rmq_stop EXIT
  trap 'exit 130' INT TERM
  local attempt
  for attempt in 1 2 3; do
    if apache_rmq_try_start; then
      apache_rmq_log "name server $APACHE_NAMESRV_ADDR, broker $APACHE_BROKER_ADDR (work $APACHE_RMQ_WORK)"
      return 0
    fi
    apache_rmq_log "start attempt $attempt failed:"
    tail -n 20 "$APACHE_RMQ_WORK/namesrv.out" "$APACHE_RMQ_WORK/broker.out" >&2 2>/dev/null
    apache_rmq_stop
  done
  return 1
}

# Stops the JVMs this script started (SIGTERM: their shutdown hooks run;
# SIGKILL after 20 s), waiting for them.
apache_rmq_stop() {
  local pid
  for pid in "$APACHE_RMQ_BROKER_PID" "$APACHE_RMQ_NAMESRV_PID"; do
    [[ -n "$pid" ]] || continue
    kill -TERM "$pid" 2>/dev/null
    local deadline=$(( SECONDS + 20 ))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  APACHE_RMQ_BROKER_PID=""
  APACHE_RMQ_NAMESRV_PID=""
}
