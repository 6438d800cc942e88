# SPDX-License-Identifier: Apache-2.0
# Sourced by ./postern and ./run-tests: sets JAVA_HOME to a JDK 21 or newer, or exits with a message.
# Order: $JAVA_HOME, the java on PATH, then the usual install folders (newest first).

postern_java_major() { # prints the major version of the java binary in $1, or 0
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -1)
  case "$v" in 1.*) echo 0 ;; "") echo 0 ;; *) echo "${v%%.*}" ;; esac
}

postern_find_jdk() {
  local candidates=() c best="" best_v=0 v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/java/* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(postern_java_major "$c/bin/java")
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best=$c; best_v=$v; fi
    # JAVA_HOME that is new enough wins outright.
    if [ "$c" = "${JAVA_HOME:-}" ] && [ "$v" -ge 21 ]; then best=$c; break; fi
  done
  if [ -z "$best" ]; then
    echo "postern: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm)." >&2
    echo "postern: install one, e.g. 'apt-get install openjdk-21-jdk' or a Temurin 21+, and/or set JAVA_HOME." >&2
    exit 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}

postern_find_jdk
