# SPDX-License-Identifier: Apache-2.0
# Shared by the bench/*/run.sh scripts (sourced): ending the Postern a script started and waiting for
# its background work (search indexing of a freshly loaded mailbox) to settle before measuring.
# The sourcing script defines log() and sets POSTERN_PID when it starts Postern.

POSTERN_PID="${POSTERN_PID:-}"

# utime + stime of a process in clock ticks (field 14 and 15; "java" has no spaces in its name).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# SIGTERM (Postern closes its store cleanly), SIGKILL after 30 s; only the process this script started.
stop_postern() {
  [[ -n "$POSTERN_PID" ]] || return 0
  kill -TERM "$POSTERN_PID" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$POSTERN_PID" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$POSTERN_PID" 2>/dev/null && kill -KILL "$POSTERN_PID" 2>/dev/null || true
  wait "$POSTERN_PID" 2>/dev/null || true
  POSTERN_PID=""
}

# Waits at most IDLE_WAIT s until Postern uses under 5% of a core over 10 s; prints the seconds waited.
wait_idle() {
  local start=$SECONDS a b
  while (( SECONDS - start < IDLE_WAIT )); do
    a=$(cpu_ticks "$POSTERN_PID"); sleep 10; b=$(cpu_ticks "$POSTERN_PID")
    if (( b - a < 50 )); then log "Postern idle after $((SECONDS - start)) s"; echo $((SECONDS - start)); return; fi
    log "Postern busy ($((b - a)) ticks in 10 s; search indexing), waiting"
  done
  log "Postern still busy after $IDLE_WAIT s: measuring anyway"
  echo "$IDLE_WAIT"
}

# Copies a loaded data folder FROM to TO for a run that must not change FROM. Message files are written
# once and never changed in place: hard links are a safe, instant copy; the database and index are copied.
copy_data() { # FROM TO
  mkdir -p "$2"
  local f
  for f in "$1"/*; do
    case "$(basename "$f")" in
      blobs) cp -al "$f" "$2/blobs" ;;
      *.log|*.jfr) ;;
      *) cp -a "$f" "$2/" ;;
    esac
  done
}
