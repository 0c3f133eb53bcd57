#!/usr/bin/env bash
# github-action.sh: the steps of the jpcheck GitHub Action (action.yml), kept in a script so
# they can be run and tested outside GitHub (cmd/jpcheck/action_test.go runs them against the
# embedded reference implementation).
#
#   github-action.sh install   build jpcheck from the action's checkout into $RUNNER_TEMP and put
#                              it on $GITHUB_PATH
#   github-action.sh conform   run jpcheck conform from the INPUT_* variables, write the report to
#                              INPUT_REPORT_DIR, the Markdown summary to $GITHUB_STEP_SUMMARY, and
#                              exit-code and report to $GITHUB_OUTPUT; it always exits 0, so the
#                              report can be uploaded before the job fails
#   github-action.sh finish    exit with conform's exit code (INPUT_EXIT_CODE): 1 fails the job
#                              on findings, 2 on a usage error, 3 on an unreachable target
set -euo pipefail

step=${1:-}
case "$step" in
install)
	src=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
	bin="${RUNNER_TEMP:?RUNNER_TEMP is not set}/jpcheck-bin"
	mkdir -p "$bin"
	version=${JPCHECK_ACTION_REF:-dev}
	commit=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)
	(cd "$src" && CGO_ENABLED=0 go build -ldflags "-X main.version=$version -X main.commit=$commit" -o "$bin/jpcheck" ./cmd/jpcheck)
	echo "$bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
	"$bin/jpcheck" --version
	;;
conform)
	dir=${INPUT_REPORT_DIR:-jpcheck-report}
	args=(conform --report-dir "$dir" --junit "$dir/junit.xml" --profile "${INPUT_PROFILE:-compat}")
	[ -n "${INPUT_TARGET:-}" ] && args+=(--target "$INPUT_TARGET")
	[ -n "${INPUT_FIXTURES:-}" ] && args+=(--fixtures "$INPUT_FIXTURES")
	[ -n "${INPUT_LABEL_FILTER:-}" ] && args+=(--label-filter "$INPUT_LABEL_FILTER")
	[ -n "${INPUT_WEBHOOK_LISTEN:-}" ] && args+=(--webhook-listen "$INPUT_WEBHOOK_LISTEN")
	[ -n "${INPUT_WEBHOOK_USER:-}" ] && args+=(--webhook-user "$INPUT_WEBHOOK_USER")
	# One consumer file per line.
	while IFS= read -r f; do
		f=${f#"${f%%[![:space:]]*}"}
		f=${f%"${f##*[![:space:]]}"}
		[ -n "$f" ] && args+=(--consumer "$f")
	done <<<"${INPUT_CONSUMERS:-}"
	# Further flags, split on white space.
	if [ -n "${INPUT_ARGS:-}" ]; then
		read -ra extra <<<"$INPUT_ARGS"
		args+=("${extra[@]}")
	fi
	mkdir -p "$dir"
	code=0
	jpcheck "${args[@]}" || code=$?
	if [ -f "$dir/run.json" ]; then
		# The summary masks customer data, as every output for a CI log does.
		jpcheck report --in "$dir" --format markdown >>"${GITHUB_STEP_SUMMARY:-/dev/null}" || true
	else
		printf '## jpcheck: no report\n\njpcheck conform exited %d before writing a report: see the log.\n' "$code" >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
	fi
	{
		echo "exit-code=$code"
		echo "report=$dir/index.html"
	} >>"${GITHUB_OUTPUT:-/dev/null}"
	echo "jpcheck conform exited $code; report in $dir/"
	;;
finish)
	code=${INPUT_EXIT_CODE:-}
	case "$code" in
	0) exit 0 ;;
	'') echo "jpcheck: conform did not run" >&2; exit 2 ;;
	1) echo "jpcheck: the contract suites failed (see the summary and the report artifact)" >&2 ;;
	*) echo "jpcheck: conform exited $code" >&2 ;;
	esac
	exit "$code"
	;;
*)
	echo "usage: github-action.sh install|conform|finish" >&2
	exit 2
	;;
esac
