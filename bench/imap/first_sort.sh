#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The first SORT after a restart (issue 4): for ROUNDS rounds and each warm-up MODE, starts Postern on a
# copy of a loaded data folder, waits for the start-up warm-up to end (warmup = on) and for the search
# indexer to be quiet, then times, each in a new IMAPS session, the first `UID SORT (SUBJECT DATE) UTF-8
# ALL` and the first `UID SORT (DATE) UTF-8 ALL`: wall time and the server's CPU for it (/proc/PID/stat
# utime+stime). Prints every sample and the medians. Target: 300 ms.
#
# Usage: bench/imap/first_sort.sh
# Environment: DATA [/tmp/h7/data100k] (a loaded folder, never written: Postern runs on a copy, blobs
#   hard-linked) USER_ADDR [big@peers.test] USER_PASS [benchpass] ROUNDS [3] MODES ["off on"]
#   OFFSET [28000] (port_offset of the copy: IMAPS on OFFSET+993) POSTERN_JAR (default the tree's)
#   EXTRA_CP (jars put before postern.jar, e.g. a freshly built module) JAVA_OPTS
# Ends only the Postern processes it started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/scripts/find-jdk.sh"
JAVA="$JAVA_HOME/bin/java"
DATA="${DATA:-/tmp/h7/data100k}"
USER_ADDR="${USER_ADDR:-big@peers.test}"
USER_PASS="${USER_PASS:-benchpass}"
ROUNDS="${ROUNDS:-3}"
MODES="${MODES:-off on}"
OFFSET="${OFFSET:-28000}"
PORT=$((OFFSET + 993))
POSTERN_JAR="${POSTERN_JAR:-$ROOT/postern-server/target/postern.jar}"
WORK="$(mktemp -d /tmp/postern-first-sort.XXXXXX)"

log() { echo "[first-sort $(date +%H:%M:%S)] $*" >&2; }
. "$ROOT/bench/lib.sh"
die() { log "$*"; exit 1; }

[[ -f "$DATA/postern.conf" && -f "$DATA/store.db" ]] || die "no loaded data folder in $DATA"
[[ -f "$POSTERN_JAR" ]] || die "no $POSTERN_JAR (mvn -o -q -f postern-server/pom.xml install -DskipTests)"
cp "$POSTERN_JAR" "$WORK/postern.jar" # a rebuild under the running JVM would break its class loading
CP="${EXTRA_CP:+$EXTRA_CP:}$WORK/postern.jar"

cleanup() {
  stop_postern
  rm -rf "$WORK/data"
  log "samples and logs in $WORK"
}
trap cleanup EXIT

SERVE="$WORK/data"
copy_data "$DATA" "$SERVE"
set_key() { # KEY VALUE
  sed -i "/^$1 *=/d" "$SERVE/postern.conf"
  echo "$1 = $2" >> "$SERVE/postern.conf"
}
set_key port_offset "$OFFSET"
log "serving a copy of $DATA in $SERVE, IMAPS on $PORT"


start_postern() { # MODE ROUND
  local out="$WORK/postern-$1-$2.log"
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT is already in use: set OFFSET"; fi
  set_key warmup "$1"
  # shellcheck disable=SC2086
  "$JAVA" --enable-native-access=ALL-UNNAMED ${JAVA_OPTS:-} -cp "$CP" org.postern.server.Main --data "$SERVE" serve > "$out" 2>&1 &
  POSTERN_PID=$!
  local start=$SECONDS
  until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
    kill -0 "$POSTERN_PID" 2>/dev/null || die "Postern did not start: $(tail -5 "$out")"
    (( SECONDS - start < 120 )) || die "Postern did not open $PORT within 120 s"
    sleep 0.2
  done
  if [[ "$1" == on ]]; then
    until grep -q 'warm-up: \(done\|failed\)' "$out"; do
      (( SECONDS - start < 300 )) || die "no end of the warm-up in $out within 300 s"
      sleep 0.5
    done
    log "$(grep -o 'warm-up: \(done\|failed\).*' "$out" | head -1)"
  fi
  # The search indexer catching up, or a warm-up's last compilations, would be timed with the SORT.
  local a b waited=0
  while (( waited < 120 )); do
    a=$(cpu_ticks "$POSTERN_PID"); sleep 3; b=$(cpu_ticks "$POSTERN_PID"); waited=$((waited + 3))
    (( b - a < 15 )) && break
  done
  log "Postern pid $POSTERN_PID ($1) quiet after $((SECONDS - start)) s"
}

measure() { # MODE ROUND
  python3 - "$POSTERN_PID" "$PORT" "$USER_ADDR" "$USER_PASS" "$1" "$2" <<'PY'
import imaplib, json, ssl, sys, time
pid, port, user, password, mode, rnd = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def ticks():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])  # utime + stime (fields 14, 15)
hz = 100
for crit in ("(SUBJECT DATE)", "(DATE)"):
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=120)
    m.login(user, password)
    typ, data = m.select("INBOX")
    assert typ == "OK", data
    c0, t0 = ticks(), time.perf_counter()
    typ, data = m.uid("SORT", crit, "UTF-8", "ALL")
    t1, c1 = time.perf_counter(), ticks()
    assert typ == "OK", data
    n = len(data[0].split()) if data and data[0] else 0
    print(json.dumps({"mode": mode, "round": int(rnd), "sort": crit, "uids": n,
                      "wall_ms": round((t1 - t0) * 1000, 1), "cpu_ms": (c1 - c0) * 1000 // hz}), flush=True)
    m.logout()
PY
}

for r in $(seq "$ROUNDS"); do
  for mode in $MODES; do
    start_postern "$mode" "$r"
    log "load average $(cut -d' ' -f1-3 /proc/loadavg)"
    lg="$WORK/postern-$mode-$r.log"; p0=$(stat -c %s "$lg")
    measure "$mode" "$r" | tee -a "$WORK/samples.jsonl"
    if [[ "${JAVA_OPTS:-}" == *PrintCompilation* ]]; then
      # What the JIT compiled while the two sessions ran: what a warm-up did not reach.
      tail -c +"$((p0 + 1))" "$lg" > "$WORK/jit-$mode-$r.txt"
      log "JIT during the sessions: $(grep -c '::\| [a-z][A-Za-z0-9_.$]*\.[A-Za-z_$<][A-Za-z0-9_$<>]* (' "$WORK/jit-$mode-$r.txt") compilations," \
        "$(grep -c 'org\.postern' "$WORK/jit-$mode-$r.txt") of org.postern methods (list in $WORK/jit-$mode-$r.txt)"
    fi
    stop_postern
  done
done

python3 - "$WORK/samples.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("first SORT after a restart, medians (n = rounds):")
for mode in dict.fromkeys(r["mode"] for r in rows):
    for crit in dict.fromkeys(r["sort"] for r in rows):
        s = [r for r in rows if r["mode"] == mode and r["sort"] == crit]
        if not s: continue
        print(f"  warmup={mode:3} UID SORT {crit:15} n={len(s)} wall {statistics.median(r['wall_ms'] for r in s):7.1f} ms"
              f"  server CPU {statistics.median(r['cpu_ms'] for r in s):5.0f} ms  (wall {[r['wall_ms'] for r in s]}, cpu {[r['cpu_ms'] for r in s]})")
PY
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
