#!/usr/bin/env bash
# The baseline for RedactBenchmark: Percona's pt-fingerprint over the very statements the
# benchmark redacts (StatementMix, written out by DumpMix), timed as a whole process.
#   bench/pt-fingerprint-baseline.sh [mix|point] [copies]      defaults: mix 10
# The workload is written `copies` times back to back (same statements, repeated) so that one run
# lasts long enough next to Perl's start-up, which is also timed on its own (empty input).
# Prints the median of 3 runs as MB/s of SQL (10^6 bytes, separators not counted: the same
# bytes RedactBenchmark's "redact:mb" counts) and statements/s, with and without the start-up.
set -euo pipefail

bench=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$bench/.." && pwd)
workload=${1:-mix}
copies=${2:-10}
runs=3

# shellcheck source=../scripts/lib/common.sh
source "$root/scripts/lib/common.sh"

if ! command -v pt-fingerprint >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || sg_die "pt-fingerprint is missing: sudo apt-get install percona-toolkit"
    sg_say "installing percona-toolkit" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends percona-toolkit </dev/null >/dev/null 2>&1 || {
        apt-get update -qq </dev/null >/dev/null
        apt-get install -y -qq --no-install-recommends percona-toolkit </dev/null >/dev/null
    }
    command -v pt-fingerprint >/dev/null 2>&1 || sg_die "pt-fingerprint still missing after installing percona-toolkit"
fi

"$bench/jmh.sh" --build
sg_find_jdk >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sql=$work/$workload.sql
: >"$work/empty.sql"

# statements=N sql_bytes=B file_bytes=F
read -r statements sql_bytes file_bytes < <("$JAVA_HOME/bin/java" -cp "$bench/target/benchmarks.jar" \
    spyglass.bench.jmh.DumpMix "$workload" "$sql" "$copies" | sed 's/[a-z_]*=//g')

# pt-fingerprint skips, without a word, a statement that does not start with a word character:
# it must have fingerprinted every one, or it did less work than spyglass.
printed=$(pt-fingerprint "$sql" | wc -l)
if (( printed != statements )); then
    sg_die "pt-fingerprint printed $printed fingerprints for $statements statements"
fi

# Milliseconds of `pt-fingerprint FILE > /dev/null`, one run.
time_ms() {
    local start end
    start=$(date +%s%N)
    pt-fingerprint "$1" >/dev/null
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

times=() startups=()
for ((r = 0; r < runs; r++)); do
    times+=("$(time_ms "$sql")")
    startups+=("$(time_ms "$work/empty.sql")")
done
t=$(median "${times[@]}")
s=$(median "${startups[@]}")

echo "pt-fingerprint $(pt-fingerprint --version 2>&1 | awk '{print $NF}'), perl $(perl -e 'print $^V')"
echo "workload $workload x $copies: $statements statements, $sql_bytes bytes of SQL ($file_bytes in the file with ';\\n' separators)"
echo "runs (ms): ${times[*]}; start-up alone, empty file (ms): ${startups[*]}"
awk -v t="$t" -v s="$s" -v b="$sql_bytes" -v n="$statements" 'BEGIN {
    printf "median %d ms: %.2f MB/s, %.0f statements/s (whole process)\n", t, b / t / 1000, n / t * 1000
    if (t > s) printf "minus start-up (%d ms): %.2f MB/s, %.0f statements/s\n", s, b / (t - s) / 1000, n / (t - s) * 1000
}'
