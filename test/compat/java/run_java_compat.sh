#!/bin/bash
# Apache RocketMQ's Java client (rocketmq-client 4.9.8, Maven Central) against
# rmq-server: suite 'compat', test java_client_compat.
#
#   run_java_compat.sh RMQ_SERVER SOURCE_DIR BUILD_DIR [scenario...]
#
# Fetches the client's jars with Maven into BUILD_DIR (once; later runs are
# offline), compiles SOURCE_DIR/src with javac, starts rmq-server on a fresh
# store, runs the "before-restart" scenarios, restarts rmq-server on the same
# store (SIGTERM, exit 0 expected), runs the "after-restart" ones and the
# "binary-headers" one (a JVM set to ROCKETMQ headers and SEND_MESSAGE v1),
# then restarts it once more on the same ports while a Java consumer stays
# connected ("live-restart"). Exits non-zero if anything fails. Scenario
# names, if given, run only those (docs/compatibility.md lists them).
set -u -o pipefail

source "$(dirname "$0")/../rmq_server.sh"
compat_init java-compat "$@"
mkdir -p "$WORK/client-logs"

# --- build: jars by Maven (offline when cached), classes by javac ----------
step_start=$SECONDS
if ! cmp -s "$SRC/pom.xml" "$OUT/lib.pom"; then
  rm -rf "$OUT/lib" "$OUT/mvn"
  mkdir -p "$OUT/mvn"
  cp "$SRC/pom.xml" "$OUT/mvn/pom.xml"
  mvn_args=(-B -q -f "$OUT/mvn/pom.xml" dependency:copy-dependencies -DoutputDirectory="$OUT/lib" -DincludeScope=runtime)
  if ! mvn -o "${mvn_args[@]}" >"$OUT/mvn.log" 2>&1; then
    echo "jars not all in the local Maven repository; downloading"
    compat_retry mvn "${mvn_args[@]}" >"$OUT/mvn.log" 2>&1 ||
      { cat "$OUT/mvn.log" >&2; die "mvn dependency:copy-dependencies failed"; }
  fi
  cp "$SRC/pom.xml" "$OUT/lib.pom"
fi
rm -rf "$OUT/classes"
javac -nowarn -d "$OUT/classes" -cp "$OUT/lib/*" --release 17 $(find "$SRC/src" -name '*.java') ||
  die "javac failed"
echo "build: $((SECONDS - step_start)) s"

run_java() {
  local phase=$1
  java_cmd "$phase" "${SCENARIOS[@]}"
}

JAVA_OPTS_EXTRA=()
java_cmd() {
  java -cp "$OUT/classes:$OUT/lib/*" "${JAVA_OPTS_EXTRA[@]}" \
    -Dnamesrv="$NAMESRV_ADDR" \
    -Duser.home="$WORK/home" \
    -Drocketmq.client.logUseSlf4j=false \
    -Drocketmq.client.logLevel=WARN \
    -Drocketmq.client.logRoot="$WORK/client-logs" \
    rmq.compat.CompatMain "$@"
}

on_java_failure() {
  local phase=$1
  rmq_dump_logs
  local log
  for log in "$WORK"/client-logs/*.log; do
    [ -f "$log" ] || continue
    echo "---- last lines of $log" >&2
    tail -n 30 "$log" >&2
  done
  die "Java client scenarios failed in phase $phase (details above; files in $WORK)"
}

step_start=$SECONDS
rmq_start "$WORK/store"
run_java before-restart || on_java_failure before-restart
rmq_stop
echo "restarting rmq-server on the same store"
rmq_start "$WORK/store"
run_java after-restart || on_java_failure after-restart
# The same client with ROCKETMQ (binary) headers and SEND_MESSAGE (v1).
JAVA_OPTS_EXTRA=(-Drocketmq.serialize.type=ROCKETMQ -Dorg.apache.rocketmq.client.sendSmartMsg=false)
run_java binary-headers || on_java_failure binary-headers
JAVA_OPTS_EXTRA=()

# Live restart: SIGTERM rmq-server while a consumer is connected (a pull held
# at the broker) and start it again on the same ports; the Java clients must
# reconnect and carry on.
if [ ${#SCENARIOS[@]} -eq 0 ] || [[ " ${SCENARIOS[*]} " == *" live_restart_reconnect "* ]]; then
  rmq_live_restart "$WORK/store" java_cmd live-restart || on_java_failure live-restart
fi
rmq_stop
echo "scenarios: $((SECONDS - step_start)) s"
echo "PASS: Java client compatibility"
