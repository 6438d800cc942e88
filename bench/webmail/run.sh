#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The webmail in real Chromium on a big mailbox (issue 7): first list paint after login, scrolling the
# virtual list (frame times) and jumping to its end, opening a message, a full-text search; RUNS rounds,
# medians. Targets: list under 1 s, open under 200 ms, search under 1 s on 100,000 messages, no dropped
# frames. Postern only, loopback only. The browser side is postern-it's WebmailBenchIT (Playwright),
# skipped by the normal test run. See bench/webmail/README.md.
#
# Usage: bench/webmail/run.sh
# Environment: RUNS [3] COUNT [100000] QUERY [latency] (the search words; gen_mbox.py's vocabulary)
#   DATA [a new folder] (a data folder already loaded, e.g. by bench/jmap/run.sh: skips the loading)
#   CLONE [1] (1: Postern runs on a copy of DATA, blobs hard-linked, so reading mail there changes
#   nothing in DATA; 0: on DATA itself)
#   OFFSET [26000] (Postern's port_offset: HTTPS on OFFSET+443; DATA served in place keeps its own)
#   IDLE_WAIT [1800] (s to wait for Postern's background search indexing before measuring)
#   WARMUP [unset: as the folder's postern.conf says, default on] (on|off: sets `warmup` in the served copy;
#   with it on, round 1 starts only after the start-up warm-up's "warm-up: done" line)
#   POSTERN_JAR BENCH_JAR (jars; default the tree's target folders) SHARED_BENCH [../shared/bench]
#   WEBMAIL_JAR (default postern-webmail's target jar, put before postern.jar on the class path so the
#   webmail measured is the tree's even when postern.jar was built before it; WEBMAIL_JAR= to not)
# Ends only the Postern process it started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/scripts/find-jdk.sh"
JAVA="$JAVA_HOME/bin/java"
SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
RUNS="${RUNS:-3}"
COUNT="${COUNT:-100000}"
QUERY="${QUERY:-latency}"
CLONE="${CLONE:-1}"
IDLE_WAIT="${IDLE_WAIT:-1800}"
# Below 32768 (Linux's ephemeral range) and apart from bench/pop3 (20000), bench/jmap (25000), bench/imap (30000).
OFFSET="${OFFSET:-26000}"
if [[ -n "${DATA:-}" && -f "$DATA/postern.conf" && "$CLONE" != 1 ]]; then
  OFFSET="$(sed -n 's/^port_offset *= *//p' "$DATA/postern.conf")"; OFFSET="${OFFSET:-0}"
fi
PHTTPS=$((OFFSET + 443))
POSTERN_JAR="${POSTERN_JAR:-$ROOT/postern-server/target/postern.jar}"
BENCH_JAR="${BENCH_JAR:-$ROOT/postern-bench/target/postern-bench.jar}"
WEBMAIL_JAR="${WEBMAIL_JAR-$ROOT/postern-webmail/target/postern-webmail-0.1.0-SNAPSHOT.jar}"
WORK="$(mktemp -d /tmp/postern-webmail-bench.XXXXXX)"
RESULTS="$WORK/results.jsonl"
USER_ADDR="big@peers.test"
USER_PASS="benchpass"
POSTERN_PID=""

log() { echo "[webmail-bench $(date +%H:%M:%S)] $*" >&2; }
. "$ROOT/bench/lib.sh"
die() { log "$*"; exit 1; }

[[ -x /usr/bin/chromium ]] || die "no /usr/bin/chromium (apt-get install chromium)"
if [[ ! -f "$POSTERN_JAR" || ! -f "$BENCH_JAR" ]]; then
  log "building postern.jar and postern-bench.jar"
  (cd "$ROOT" && mvn -q -o -DskipTests -pl postern-server,postern-bench -am package) >&2
fi
# Private copies: another build replacing a jar under the running JVM breaks its class loading.
cp "$POSTERN_JAR" "$WORK/postern.jar"; POSTERN_JAR="$WORK/postern.jar"
CLASSPATH_SERVE="$POSTERN_JAR"
if [[ -n "$WEBMAIL_JAR" ]]; then
  cp "$WEBMAIL_JAR" "$WORK/postern-webmail.jar"; CLASSPATH_SERVE="$WORK/postern-webmail.jar:$POSTERN_JAR"
fi
bench_store() { timeout 3600 "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$BENCH_JAR:$POSTERN_JAR" org.postern.bench.Main "$@"; }


start_postern() { # DATA
  if (exec 3<>"/dev/tcp/127.0.0.1/$PHTTPS") 2>/dev/null; then
    die "port $PHTTPS is already in use by another program (another Postern?): set OFFSET or use another DATA"
  fi
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CLASSPATH_SERVE" org.postern.server.Main --data "$1" serve > "$WORK/postern.log" 2>&1 &
  POSTERN_PID=$!
  for _ in $(seq 300); do
    kill -0 "$POSTERN_PID" 2>/dev/null || die "Postern did not start: $(tail -5 "$WORK/postern.log")"
    (exec 3<>"/dev/tcp/127.0.0.1/$PHTTPS") 2>/dev/null && { log "Postern pid $POSTERN_PID, HTTPS on $PHTTPS"; return; }
    sleep 0.2
  done
  die "Postern did not open port $PHTTPS within 60 s"
}

# The start-up warm-up (warmup = on, the default) runs for some seconds after the ports open; round 1 is
# then the first login on a JVM that has compiled the webmail's server code, as after any real restart.
wait_warmup() {
  grep -qi '^warmup *= *\(off\|false\|no\)' "$1/postern.conf" && { log "warm-up off"; return; }
  local start=$SECONDS
  until grep -q 'warm-up: \(done\|failed\)' "$WORK/postern.log"; do
    kill -0 "$POSTERN_PID" 2>/dev/null || die "Postern exited: $(tail -5 "$WORK/postern.log")"
    (( SECONDS - start < 300 )) || { log "no end of the warm-up within 300 s: measuring anyway"; return; }
    sleep 0.5
  done
  log "$(grep -o 'warm-up: \(done\|failed\).*' "$WORK/postern.log" | head -1 | cut -c1-200)"
}

# Search indexing of a freshly loaded mailbox runs in the background and would be timed with the UI.


cleanup() {
  stop_postern
  [[ "$CLONE" == 1 && -d "$WORK/data" ]] && rm -rf "$WORK/data"
  log "results and logs in $WORK"
}
trap cleanup EXIT

DATA_GIVEN="${DATA:-}"
if [[ -z "${DATA:-}" ]]; then
  # The same mailbox as bench/jmap/run.sh: gen_mbox.py's messages through the store API.
  [[ -d "$SHARED_BENCH" ]] || die "no $SHARED_BENCH (set SHARED_BENCH to the folder with gen_mbox.py)"
  DATA="$WORK/postern-data"
  mkdir -p "$DATA"
  cat > "$DATA/postern.conf" <<CONF
config_version = 1
hostname = bench.peers.test
listen_address = 127.0.0.1
port_offset = $OFFSET
smtp_pregreet_delay = 0
outbound.relay = false
dev.argon2 = test
CONF
  echo "$USER_ADDR $USER_PASS" > "$WORK/users.list"
  bench_store accounts --data "$DATA" --users-file "$WORK/users.list" >&2
  python3 "$SHARED_BENCH/gen_mbox.py" "$WORK/bench.mbox" >&2
  log "loading $COUNT messages into $USER_ADDR's INBOX through the store API"
  bench_store load-store --data "$DATA" --account "$USER_ADDR" --count "$COUNT" --threads 4 --mbox "$WORK/bench.mbox" >&2
  CLONE=0
fi

SERVE="$DATA"
if [[ "$CLONE" == 1 ]]; then
  SERVE="$WORK/data"
  copy_data "$DATA" "$SERVE"
  sed -i "s/^port_offset *=.*/port_offset = $OFFSET/" "$SERVE/postern.conf"
  grep -q '^port_offset' "$SERVE/postern.conf" || echo "port_offset = $OFFSET" >> "$SERVE/postern.conf"
  log "serving a copy of $DATA in $SERVE"
fi
if [[ -n "${WARMUP:-}" ]]; then
  [[ "$CLONE" == 1 || -z "${DATA_GIVEN:-}" ]] || die "WARMUP=$WARMUP changes postern.conf: use it with CLONE=1"
  sed -i '/^warmup *=/d' "$SERVE/postern.conf"
  echo "warmup = $WARMUP" >> "$SERVE/postern.conf"
fi

start_postern "$SERVE"
wait_warmup "$SERVE"
wait_idle >/dev/null
log "measuring, $RUNS rounds (load average $(cut -d' ' -f1-3 /proc/loadavg))"
(cd "$ROOT" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 mvn -o -q -f postern-it/pom.xml verify -Dit.test=WebmailBenchIT \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dwebmail.bench.url="https://localhost:$PHTTPS" \
  -Dwebmail.bench.user="$USER_ADDR" -Dwebmail.bench.password="$USER_PASS" -Dwebmail.bench.runs="$RUNS" \
  -Dwebmail.bench.query="$QUERY") > "$WORK/mvn.log" 2>&1 || { tail -40 "$WORK/mvn.log" >&2; die "the browser benchmark failed"; }
grep -h '^WEBMAIL-BENCH ' "$WORK/mvn.log" "$ROOT"/postern-it/target/failsafe-reports/*WebmailBenchIT-output.txt 2>/dev/null \
  | sed 's/^WEBMAIL-BENCH //' | sort -u > "$RESULTS" || true
[[ -s "$RESULTS" ]] || die "no figures in $WORK/mvn.log"
cat "$RESULTS"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine makes runs noisy)"
