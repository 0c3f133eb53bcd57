#!/bin/sh
# test-deps.sh: installs what `make test` needs beyond Go, when it is missing: Chromium and its
# driver for the report's browser test (reports/browser_test.go), Node.js and npm for the
# official Node SDK test (mock/nodesdk_test.go). Both are Debian packages. As root it installs
# them with apt-get; otherwise it prints the one command to run and exits 2, so a missing tool
# is a clear setup error, never a test failure.
#
#   scripts/test-deps.sh          install what is missing (root), or say what to run
#   scripts/test-deps.sh --check  only say what is missing (exit 0 nothing missing, 2 otherwise)
set -eu

chrome=${CHROME_PATH:-/usr/bin/chromium}
missing=""
[ -x "$chrome" ] || missing="$missing chromium chromium-driver"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
missing=${missing# }

if [ -z "$missing" ]; then
	echo "test-deps: chromium ($chrome), node and npm are installed"
	exit 0
fi
cmd="apt-get update && apt-get install -y --no-install-recommends $missing"
if [ "${1:-}" = "--check" ]; then
	echo "test-deps: missing $missing; install with: $cmd" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "test-deps: make test needs $missing (Debian packages) and is not running as root." >&2
	echo "test-deps: run this once, then make test again:" >&2
	echo "  sudo sh -c '$cmd'" >&2
	exit 2
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "test-deps: make test needs $missing and this machine has no apt-get: install them, or point CHROME_PATH at a Chromium" >&2
	exit 2
fi
echo "test-deps: installing $missing (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the package list is meant to split
apt-get install -y -qq --no-install-recommends $missing >/dev/null
for tool in node npm; do
	command -v "$tool" >/dev/null 2>&1 || { echo "test-deps: $tool is still missing after apt-get install" >&2; exit 2; }
done
[ -x "$chrome" ] || { echo "test-deps: no Chromium at $chrome after apt-get install (set CHROME_PATH)" >&2; exit 2; }
echo "test-deps: installed $missing"
