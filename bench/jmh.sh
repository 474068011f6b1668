#!/usr/bin/env bash
# Runs ferry's JMH benchmarks: bench/jmh.sh [JMH args], e.g.
#   bench/jmh.sh -f 1 -wi 2 -i 3 -w 1s -r 1s          # everything, short settings
#   bench/jmh.sh AeadBench -p cipher=AES_256_GCM      # one class, one parameter value
#   bench/jmh.sh -h                                   # JMH's own help
# Builds bench/target/ferry-bench.jar (+ target/lib) first when it is missing or older than bench's sources.
# The bench compiles against the other ferry modules as installed in ~/.m2: after changing them, run
# `mvn -B -q install -DskipTests` at the root first, or the figures are those of the installed code.
# JAVA picks the JVM (default: a JDK >= 25 found below); MVN_FLAGS is passed to Maven (default: -o, offline).
set -euo pipefail

BENCH=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")

java_major() { # prints the feature version of a java binary, e.g. 25
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}

if [ -z "${JAVA:-}" ]; then
  for candidate in /usr/lib/jvm/temurin-2[5-9]*/bin/java /usr/lib/jvm/*-2[5-9]*/bin/java "$(command -v java || true)"; do
    if [ -x "$candidate" ] && [ "$(java_major "$candidate" || echo 0)" -ge 25 ] 2>/dev/null; then
      JAVA=$candidate
      break
    fi
  done
fi
if [ -z "${JAVA:-}" ]; then
  echo "jmh.sh: needs a JDK 25 or newer; set JAVA=/path/to/bin/java" >&2
  exit 1
fi

JAR=$BENCH/target/ferry-bench.jar
LIB=$BENCH/target/lib
if [ ! -f "$JAR" ] || [ ! -d "$LIB" ] \
    || [ -n "$(find "$BENCH/src/main" "$BENCH/pom.xml" -newer "$JAR" -print -quit)" ]; then
  echo "jmh.sh: building the benchmarks…" >&2
  (cd "$ROOT" && mvn -B -q ${MVN_FLAGS--o} -pl bench package -DskipTests >&2)
  touch "$JAR" # the jar plugin leaves an unchanged jar untouched; mark it fresh
fi

exec "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR:$LIB/*" org.openjdk.jmh.Main "$@"
