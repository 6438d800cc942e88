#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SMTP to durable delivery, Postern next to Postfix+Dovecot in the same run (issue 3, "Speed").
#
# Workload: smtp-source (Debian's postfix package) with SESSIONS parallel sessions sends MESSAGES
# messages of SIZE bytes to one local recipient. The clock starts before smtp-source and stops when
# the recipient's INBOX, asked over IMAP (STATUS MESSAGES, implicit TLS) on the server itself, holds
# all of them: "accepted by SMTP and readable in the mailbox". Both sides fsync before every 250:
# Postfix its queue file (and Dovecot LMTP its Maildir file before its own 250 to Postfix), Postern
# its blob and its SQLite commit. Prints per run and the medians of RUNS runs, and Postern/Postfix.
#
# Usage: bench/smtp/run.sh
# Environment (defaults in brackets):
#   RUNS [3]  SESSIONS [20]  MESSAGES [5000]  SIZE [10240]  TIMEOUT [600 s per run]
#   OFFSET [40000]        Postern's port_offset (SMTP 40025, IMAPS 40993); other benches use 20000/30000
#   PEER_USER [test150]   Dovecot user that receives (bench/imap uses test201.., bench/pop3 test401..)
#   JFR [0]               1: record a JFR profile of Postern (settings=profile) into the work folder
#   SHARED_BENCH [../shared/bench] (peers_setup.sh)
#   POSTERN_CLASSPATH     run org.postern.server.Main from this class path instead of postern.jar
# Loopback only. Needs root (peers_setup.sh installs and starts Postfix and Dovecot). Ends only what it
# started: Postern by pid, and the peers with 'peers_setup.sh stop' only if they were not running before.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$ROOT/scripts/find-jdk.sh"
JAVA="$JAVA_HOME/bin/java"
SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
RUNS="${RUNS:-3}" SESSIONS="${SESSIONS:-20}" MESSAGES="${MESSAGES:-5000}" SIZE="${SIZE:-10240}"
TIMEOUT="${TIMEOUT:-600}" OFFSET="${OFFSET:-40000}" PEER_USER="${PEER_USER:-test150}" JFR="${JFR:-0}"
PEERS_DIR="${PEERS_DIR:-/var/tmp/peers}"
PSMTP=$((OFFSET + 25)) PIMAPS=$((OFFSET + 993))
PASS=benchpass
POSTERN_RCPT=bench@peers.test
POSTERN_JAR="$ROOT/postern-server/target/postern.jar"
WORK="$(mktemp -d /tmp/postern-smtp-bench.XXXXXX)"
POSTERN_PID="" STARTED_PEERS=0

log() { echo "[smtp-bench $(date +%H:%M:%S)] $*" >&2; }
. "$ROOT/bench/lib.sh"
die() { log "$*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root: peers_setup.sh installs and starts Postfix and Dovecot"
SMTP_SOURCE="$(command -v smtp-source || echo /usr/sbin/smtp-source)"
if [[ ! -f "$POSTERN_JAR" ]]; then
  log "building postern.jar"
  (cd "$ROOT" && mvn -q -o -DskipTests -pl postern-server -am package) >&2
fi
# A private copy: a rebuild replacing the jar under a running JVM breaks its class loading.
cp "$POSTERN_JAR" "$WORK/postern.jar"; POSTERN_JAR="$WORK/postern.jar"

cleanup() {
  stop_postern
  if [[ "$STARTED_PEERS" == 1 ]]; then bash "$SHARED_BENCH/peers_setup.sh" stop || true; fi
  log "logs in $WORK"
}
trap cleanup EXIT

# --- Postfix + Dovecot ---------------------------------------------------------------------------
if [[ -e /run/dovecot/master.pid ]] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null \
    && postfix status >/dev/null 2>&1; then
  log "Postfix and Dovecot already running: using them, leaving them running"
else
  if ! command -v dovecot >/dev/null || ! command -v postfix >/dev/null; then
    bash "$SHARED_BENCH/peers_setup.sh" all
  else
    [[ -f "$PEERS_DIR/dovecot.conf" ]] || bash "$SHARED_BENCH/peers_setup.sh" configure
    bash "$SHARED_BENCH/peers_setup.sh" start
  fi
  STARTED_PEERS=1
fi
[[ -x "$SMTP_SOURCE" ]] || die "smtp-source not found (apt-get install postfix)"

# --- Postern -------------------------------------------------------------------------------------
DATA="$WORK/postern-data"
mkdir -p "$DATA"
cat > "$DATA/postern.conf" <<CONF
config_version = 1
hostname = bench.peers.test
listen_address = 127.0.0.1
port_offset = $OFFSET
# Like for like: peers_setup.sh runs Postfix's smtpd without postscreen (master.cf), so no greet wait.
smtp_pregreet_delay = 0
CONF
if [[ -n "${POSTERN_CLASSPATH:-}" ]]; then POSTERN=(-cp "$POSTERN_CLASSPATH" org.postern.server.Main)
else POSTERN=(-jar "$POSTERN_JAR"); fi
postern_cli() { "$JAVA" --enable-native-access=ALL-UNNAMED "${POSTERN[@]}" --data "$DATA" "$@"; }
postern_cli domain add peers.test >&2
echo "$PASS" | postern_cli account add "$POSTERN_RCPT" --password-stdin >&2
if (exec 3<>"/dev/tcp/127.0.0.1/$PSMTP") 2>/dev/null; then die "port $PSMTP is in use: set OFFSET"; fi
jfr=()
[[ "$JFR" == 1 ]] && jfr=("-XX:StartFlightRecording:filename=$WORK/postern.jfr,settings=profile,dumponexit=true")
( ulimit -n 20000; exec "$JAVA" "${jfr[@]}" --enable-native-access=ALL-UNNAMED "${POSTERN[@]}" --data "$DATA" serve ) \
  > "$WORK/postern.log" 2>&1 &
POSTERN_PID=$!
for _ in $(seq 300); do
  kill -0 "$POSTERN_PID" 2>/dev/null || die "Postern did not start: $(tail -5 "$WORK/postern.log")"
  (exec 3<>"/dev/tcp/127.0.0.1/$PIMAPS") 2>/dev/null && break
  sleep 0.2
done
log "Postern pid $POSTERN_PID, SMTP $PSMTP, IMAPS $PIMAPS"

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

measure() { # NAME SMTP_PORT RCPT IMAPS_PORT IMAP_USER -> prints delivered msg/s
  local name=$1 smtp=$2 rcpt=$3 imaps=$4 user=$5 base t0 t1 t2 n
  base=""
  for _ in $(seq 50); do
    base=$(python3 "$HERE/wait_count.py" --port "$imaps" --user "$user" --password "$PASS" --count 2>/dev/null) && break
    sleep 0.2
  done
  if [[ -z "$base" ]]; then log "$name: cannot count the mailbox over IMAPS port $imaps"; echo 0; return; fi
  t0=$(now)
  timeout "$TIMEOUT" "$SMTP_SOURCE" -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f bench@bench.test -t "$rcpt" \
    "127.0.0.1:$smtp" || log "$name: smtp-source failed"
  t1=$(now)
  n=$(python3 "$HERE/wait_count.py" --port "$imaps" --user "$user" --password "$PASS" \
        --target $((base + MESSAGES)) --timeout "$TIMEOUT") || log "$name: timeout"
  [[ -n "$n" ]] || n=$base
  t2=$(now)
  log "$name: accepted $MESSAGES in $(calc "$t1 - $t0") s ($(calc "$MESSAGES / ($t1 - $t0)") msg/s), readable $((n - base)) in $(calc "$t2 - $t0") s"
  calc "($n - $base) / ($t2 - $t0)"
}

# Dovecot slows down as a Maildir grows (earlier runs left tens of thousands of messages in it), while
# Postern starts from a fresh data folder: empty the peer's INBOX before each of its runs.
empty_peer_inbox() {
  doveadm -c "$PEERS_DIR/dovecot.conf" expunge -u "$PEER_USER" mailbox INBOX all 2>/dev/null \
    || python3 "$SHARED_BENCH/imap_count.py" purge --host 127.0.0.1 --port 143 --user "$PEER_USER" --password "$PASS" \
    || log "could not empty $PEER_USER's INBOX"
}

log "$MESSAGES messages x $SIZE B, $SESSIONS sessions, $RUNS runs"
postern_rates=() peer_rates=()
for run in $(seq "$RUNS"); do
  # Alternate which server goes first, so drift in the machine's load does not favour one.
  if (( run % 2 == 1 )); then order="peers postern"; else order="postern peers"; fi
  for s in $order; do
    if [[ $s == postern ]]; then
      r=$(measure postern "$PSMTP" "$POSTERN_RCPT" "$PIMAPS" "$POSTERN_RCPT"); postern_rates+=("$r")
    else
      empty_peer_inbox
      r=$(measure postfix+dovecot 25 "$PEER_USER@peers.test" 993 "$PEER_USER"); peer_rates+=("$r")
    fi
    echo "run $run $s: $r msg/s delivered"
    sleep 2
  done
done
p=$(median "${postern_rates[@]}"); d=$(median "${peer_rates[@]}")
echo "median delivered msg/s: postern $p, postfix+dovecot $d, ratio $(calc "$p / $d")x ($RUNS runs, $MESSAGES x $SIZE B, $SESSIONS sessions)"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
