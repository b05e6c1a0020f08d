#!/bin/sh
# System packages the grader's sandbox uses (see docs/threat-model.md):
#   bubblewrap  - bwrap, the OS sandbox (namespaces: no network, private pid/mount/ipc/uts, uid 65534)
#   util-linux  - prlimit (rlimits), unshare and setpriv (the no-bwrap fallback); part of Debian's base
# and what the tests use to check the reports against their readers:
#   libxml2-utils - xmllint, validates junit.xml against Jenkins' junit-10.xsd
#                   (tests/grader/junit-consumers.test.ts skips that test, loudly, without it)
# and what one benchmark compares the reference with:
#   python3-numpy - the NumPy trainer of bench/reference-vs-numpy.ts (which skips, saying so, without it)
# Without bwrap the grader and its tests still work, in the weaker fallback sandbox, so a failed
# install only warns.
set -u

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

if ! command -v bwrap >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends bubblewrap \
    || { $SUDO apt-get update -qq && $SUDO apt-get install -y --no-install-recommends bubblewrap; } \
    || echo "WARNING: could not install bubblewrap; submissions will run in the fallback sandbox (no OS isolation)" >&2
fi

if ! command -v xmllint >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends libxml2-utils \
    || { $SUDO apt-get update -qq && $SUDO apt-get install -y --no-install-recommends libxml2-utils; } \
    || echo "WARNING: could not install libxml2-utils; the junit.xml schema test will be skipped" >&2
fi

if ! python3 -c 'import numpy' >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends python3-numpy \
    || { $SUDO apt-get update -qq && $SUDO apt-get install -y --no-install-recommends python3-numpy; } \
    || echo "WARNING: could not install python3-numpy; bench/reference-vs-numpy.ts will skip" >&2
fi

for tool in bwrap prlimit unshare setpriv xmllint; do
  if command -v "$tool" >/dev/null 2>&1; then
    echo "$tool: $(command -v "$tool")"
  else
    echo "WARNING: $tool not found" >&2
  fi
done
command -v bwrap >/dev/null 2>&1 && bwrap --version
exit 0
