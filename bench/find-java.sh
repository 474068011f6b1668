# Sourced by the bench scripts: sets JAVA to a JDK 25 or newer (or keeps the caller's JAVA). Needs die().
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}
find_java() {
  [ -n "${JAVA:-}" ] && return 0
  local candidate
  for candidate in /usr/lib/jvm/temurin-2[5-9]*/bin/java /usr/lib/jvm/*-2[5-9]*/bin/java "$(command -v java || true)"; do
    if [ -x "$candidate" ] && [ "$(java_major "$candidate" || echo 0)" -ge 25 ] 2>/dev/null; then
      JAVA=$candidate
      return 0
    fi
  done
  die "needs a JDK 25 or newer; set JAVA=/path/to/bin/java"
}
