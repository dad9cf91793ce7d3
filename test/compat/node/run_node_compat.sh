#!/bin/bash
# ali-ons (npm, a Node.js RocketMQ 4.x client) against rmq-server: suite
# 'compat', test ali_ons_compat.
#
#   run_node_compat.sh RMQ_SERVER SOURCE_DIR BUILD_DIR [scenario...]
#
# Installs ali-ons as package-lock.json pins it into BUILD_DIR with npm ci
# (once; later runs reuse it), starts rmq-server on a fresh store, runs the
# "before-restart" scenarios, restarts rmq-server on the same store (SIGTERM,
# exit 0 expected), runs the "after-restart" ones, then restarts it once more
# on the same ports while ali-ons stays connected ("live-restart"). Exits
# non-zero if anything fails. Scenario names, if given, run only those.
set -u -o pipefail

source "$(dirname "$0")/../rmq_server.sh"
compat_init node-compat "$@"

# --- install: npm ci into OUT (the source tree stays clean) ----------------
# package-lock.json pins ali-ons's dependencies too; npm ci installs exactly
# those, reusing npm's cache after the first run.
step_start=$SECONDS
if ! cmp -s "$SRC/package.json" "$OUT/installed.package.json" ||
   ! cmp -s "$SRC/package-lock.json" "$OUT/installed.package-lock.json" || [ ! -d "$OUT/node_modules/ali-ons" ]; then
  rm -rf "$OUT/node_modules"
  cp "$SRC/package.json" "$SRC/package-lock.json" "$OUT/"
  (cd "$OUT" && compat_retry npm ci --no-audit --no-fund --no-progress --loglevel=error >"$OUT/npm.log" 2>&1) ||
    { cat "$OUT/npm.log" >&2; die "npm ci in $OUT failed"; }
  cp "$SRC/package.json" "$OUT/installed.package.json"
  cp "$SRC/package-lock.json" "$OUT/installed.package-lock.json"
fi
echo "install: $((SECONDS - step_start)) s"

run_node() {
  node_cmd "$@" "${SCENARIOS[@]}"
}

node_cmd() {
  HOME="$WORK/home" NODE_PATH="$OUT/node_modules" ONS_LOG="$WORK/ali-ons.log" \
    node "$SRC/ons_compat.js" "$NAMESRV_ADDR" "$@"
}

on_node_failure() {
  local phase=$1
  rmq_dump_logs
  if [ -f "$WORK/ali-ons.log" ]; then
    echo "---- last lines of $WORK/ali-ons.log" >&2
    tail -n 30 "$WORK/ali-ons.log" >&2
  fi
  die "ali-ons scenarios failed in phase $phase (details above; files in $WORK)"
}

step_start=$SECONDS
rmq_start "$WORK/store"
run_node before-restart || on_node_failure before-restart
rmq_stop
echo "restarting rmq-server on the same store"
rmq_start "$WORK/store"
run_node after-restart || on_node_failure after-restart

# Live restart: SIGTERM rmq-server while a consumer is connected (a pull held
# at the broker) and start it again on the same ports; ali-ons must
# reconnect and carry on.
if [ ${#SCENARIOS[@]} -eq 0 ] || [[ " ${SCENARIOS[*]} " == *" live_restart_reconnect "* ]]; then
  rmq_live_restart "$WORK/store" node_cmd live-restart || on_node_failure live-restart
fi
rmq_stop
echo "scenarios: $((SECONDS - step_start)) s"
echo "PASS: ali-ons compatibility"
