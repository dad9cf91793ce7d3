#!/bin/bash
# compat_retry CMD...: runs CMD up to 3 times, 10 s then 30 s apart, until it
# succeeds; its status is the last attempt's. For downloads (Maven Central,
# npm): a registry's passing hiccup should not fail a compatibility test.
compat_retry() {
  local attempt
  for attempt in 1 2 3; do
    "$@" && return 0
    [ "$attempt" -lt 3 ] || break
    echo "attempt $attempt of '$*' failed; trying again in $((attempt == 1 ? 10 : 30)) s" >&2
    sleep $((attempt == 1 ? 10 : 30))
  done
  return 1
}
