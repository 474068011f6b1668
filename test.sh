#!/usr/bin/env bash
# The single test command: every module, every test (unit, codec, end-to-end over loopback).
# As root on a Debian/Ubuntu machine it first installs the system tools the tests use, if missing
# (curl, iptables, iproute2, maven); tests whose tools are still missing are skipped with the reason.
# Extra arguments go to Maven, e.g. ./test.sh -pl backend,frontend or ./test.sh -o (offline).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
# The redirect/TPROXY tests build network namespaces with ip (iproute2) and install rules with iptables.
PATH=$PATH:/usr/sbin:/sbin command -v iptables >/dev/null 2>&1 || missing+=(iptables)
PATH=$PATH:/usr/sbin:/sbin command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null &&
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    echo "test.sh: could not install ${missing[*]}" >&2
fi
if ! command -v mvn >/dev/null 2>&1; then
  echo "test.sh: needs Maven (mvn) and a JDK 25 or newer" >&2
  exit 127
fi

mvn -B verify "$@"
