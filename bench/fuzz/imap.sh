#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fuzzes the IMAP command parser with Jazzer for longer than the regression run of `mvn verify`.
#   bench/fuzz/imap.sh [seconds]      (default 300)
# A crash leaves its input under postern-imap/src/test/resources/org/postern/imap/parse/
# CommandParserFuzzTestInputs/parse/, where the normal build replays it from then on; the growing
# corpus stays in postern-imap/.cifuzz-corpus/ (not committed).
set -eu
seconds=${1:-300}
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAZZER_FUZZ=1
# JUnit configuration parameters jazzer.internal.arg.N are libFuzzer's argv (0 is argv[0]); they come
# after the @FuzzTest's own -max_total_time, so this bound wins.
exec mvn -o -q -pl postern-imap test -Dtest=CommandParserFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds"
