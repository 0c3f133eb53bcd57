#!/usr/bin/env bash
# Side by side in one run, one loopback target, the same request and auth headers, 64
# connections each: unthrottled `jpcheck load` (every response checked against the
# order-status contract), the vegeta CLI (attack | report, the version go.mod pins) and wrk.
# Then one `jpcheck load` run of at least 1,000,000 requests, for its peak resident memory.
#
# The target is `jpcheck mock` without simulated latency (its request log discarded): the
# reference implementation answering GET /orders/{id} with a real ~3 KB order, the same server
# process for all three tools. On a small machine the target shares the cores with the tool
# being measured; the ratios, not the absolute rates, are the result.
#
# Goals (the load issue): jpcheck load at least 1.5x the vegeta CLI's rate and at least 0.5x
# wrk's; the 1,000,000-request run under 150 MB resident. Printed, never asserted.
#
# Environment: DURATION (10s), ROUNDS (3), CONNECTIONS (64), BIG (1000000; 0 skips the memory
# run), PORT (18931).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
BIG=${BIG:-1000000}
PORT=${PORT:-18931}
KEY=jpcheck_test_key
MERCHANT=jpcheck_merchant
ORDER=JP1636474794
URL="http://127.0.0.1:${PORT}/orders/${ORDER}"
AUTH="Basic $(printf '%s:' "$KEY" | base64)"

tmp=$(mktemp -d)
server=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

need_apt() { # command package
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing $2 (apt-get)" >&2
		apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$2" >/dev/null 2>&1; }
	fi
	command -v "$1" >/dev/null 2>&1
}

echo "building jpcheck and the vegeta CLI ..." >&2
go build -o "$tmp/jpcheck" ./cmd/jpcheck
vegeta_version=$(go list -m -f '{{.Version}}' github.com/tsenart/vegeta/v12)
GOBIN="$tmp" go install "github.com/tsenart/vegeta/v12@${vegeta_version}"
have_wrk=yes
need_apt wrk wrk || { have_wrk=; echo "wrk is not installed and could not be: its column is skipped" >&2; }
have_time=yes
[ -x /usr/bin/time ] || need_apt /usr/bin/time time || { have_time=; echo "/usr/bin/time is missing: the memory run is skipped" >&2; }

"$tmp/jpcheck" mock --addr "127.0.0.1:${PORT}" 2>/dev/null &
server=$!
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null && break
	sleep 0.1
done

number() { # key file: the first number after "key": in a JSON file
	grep -o "\"$1\": *[0-9.e+-]*" "$2" | head -n 1 | sed 's/.*: *//'
}

printf 'GET %s\nAuthorization: %s\nX-Merchantid: %s\n' "$URL" "$AUTH" "$MERCHANT" >"$tmp/targets.txt"

# One round runs each tool once, back to back; rounds alternate so that whatever else the
# machine is doing weighs on all three alike. The medians are compared.
run_jpcheck() {
	"$tmp/jpcheck" load --target "http://127.0.0.1:${PORT}" --order-id "$ORDER" --rate 0 --workers "$CONNECTIONS" \
		--duration "$DURATION" --format json >"$tmp/jpcheck.json" || true # the SLO verdict is not the point here
	local errors
	errors=$(grep -A1 '"errors": {' "$tmp/jpcheck.json" | number count /dev/stdin)
	echo "$(number achieved "$tmp/jpcheck.json") $(number requests "$tmp/jpcheck.json") errors=${errors:-?}"
}
run_vegeta() {
	"$tmp/vegeta" attack -targets="$tmp/targets.txt" -rate=0 -workers="$CONNECTIONS" -max-workers="$CONNECTIONS" \
		-connections="$CONNECTIONS" -duration="$DURATION" | "$tmp/vegeta" report -type=json >"$tmp/vegeta.json"
	echo "$(number rate "$tmp/vegeta.json") $(number requests "$tmp/vegeta.json") success=$(number success "$tmp/vegeta.json")"
}
run_wrk() {
	wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: $AUTH" -H "X-Merchantid: $MERCHANT" "$URL" >"$tmp/wrk.txt"
	echo "$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.txt") $(awk '/requests in/ {print $1}' "$tmp/wrk.txt") non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.txt" | grep . || echo 0)"
}

tools="jpcheck vegeta"
[ -n "$have_wrk" ] && tools="$tools wrk"
for round in $(seq "$ROUNDS"); do
	for tool in $tools; do
		echo "round ${round}/${ROUNDS}: ${tool}, ${CONNECTIONS} connections, ${DURATION} ..." >&2
		"run_${tool}" >>"$tmp/${tool}.rounds"
	done
done

median() { # file: the median of the first column
	sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
jp_rate=$(median "$tmp/jpcheck.rounds")
vg_rate=$(median "$tmp/vegeta.rounds")
wrk_rate=0
[ -n "$have_wrk" ] && wrk_rate=$(median "$tmp/wrk.rounds")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
verdict() { awk -v a="$1" -v b="$2" -v g="$3" 'BEGIN { if (b > 0 && a / b >= g) print "met"; else if (b > 0) print "NOT met"; else print "-" }'; }
rounds() { awk '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 } END { print "" }' "$1"; }
notes() { awk '{ print $3 }' "$1" | sort | uniq -c | awk '{ printf "%s%s (x%d)", (NR > 1 ? ", " : ""), $2, $1 }'; }

echo
echo "load generators side by side: ${URL}, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} each"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
printf '%-26s %10s  %-26s %s\n' tool "median/s" "rounds (requests/s)" notes
printf '%-26s %10.0f  %-26s %s\n' "jpcheck load --rate 0" "$jp_rate" "$(rounds "$tmp/jpcheck.rounds")" "$(notes "$tmp/jpcheck.rounds"); every response validated"
printf '%-26s %10.0f  %-26s %s\n' "vegeta ${vegeta_version} CLI" "$vg_rate" "$(rounds "$tmp/vegeta.rounds")" "$(notes "$tmp/vegeta.rounds")"
if [ -n "$have_wrk" ]; then
	printf '%-26s %10.0f  %-26s %s\n' "wrk -t2" "$wrk_rate" "$(rounds "$tmp/wrk.rounds")" "$(notes "$tmp/wrk.rounds")"
fi
echo
echo "jpcheck load / vegeta CLI: $(ratio "$jp_rate" "$vg_rate") (goal >= 1.5x: $(verdict "$jp_rate" "$vg_rate" 1.5))"
if [ -n "$have_wrk" ]; then
	echo "jpcheck load / wrk:        $(ratio "$jp_rate" "$wrk_rate") (goal >= 0.5x: $(verdict "$jp_rate" "$wrk_rate" 0.5))"
fi

if [ -n "$have_time" ] && [ "$BIG" -gt 0 ]; then
	# Long enough for BIG requests at the rate just measured, with a margin.
	secs=$(awk -v n="$BIG" -v r="$jp_rate" 'BEGIN { s = (r > 0) ? n / r * 1.15 + 5 : 600; printf "%d", s }')
	echo
	echo "memory: jpcheck load unthrottled for ${secs}s (at least ${BIG} requests) ..." >&2
	/usr/bin/time -v "$tmp/jpcheck" load --target "http://127.0.0.1:${PORT}" --order-id "$ORDER" --rate 0 \
		--workers "$CONNECTIONS" --duration "${secs}s" --max-duration 0 --format json >"$tmp/big.json" 2>"$tmp/big.time" || true
	big_requests=$(number requests "$tmp/big.json")
	rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/big.time")
	awk -v n="$big_requests" -v kb="$rss_kb" -v want="$BIG" 'BEGIN {
		mb = kb / 1024
		printf "memory: %d requests, peak resident %.1f MB (goal < 150 MB for %d: %s)\n", n, mb, want, (mb < 150 && n >= want) ? "met" : "NOT met"
	}'
fi
