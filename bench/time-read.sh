#!/usr/bin/env bash
# How fast spyglass reads a capture, next to tcpdump reading the same file: both timed as whole
# processes (start-up included), RUNS times each; prints the medians and their ratio.
#   bench/time-read.sh [--port N] [--workers N] [--only tcpdump|spyglass] FILE [RUNS=5]
# The MySQL server port is found in the file (the source port of the first SYN-ACK, else the
# port seen in most packets) unless --port is given. SPYGLASS=path overrides scripts/spyglass.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/common.sh
source "$root/scripts/lib/common.sh"

port="" only="" workers=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --port) port=${2:?--port needs a value}; shift 2 ;;
        --only) only=${2:?--only needs tcpdump or spyglass}; shift 2 ;;
        --workers) workers=${2:?--workers needs a number}; shift 2 ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        --) shift; break ;;
        -*) sg_die "unknown option $1" ;;
        *) break ;;
    esac
done
file=${1:?usage: bench/time-read.sh [--port N] [--workers N] [--only tcpdump|spyglass] FILE [RUNS=5]}
runs=${2:-5}
[[ -r $file ]] || sg_die "cannot read $file"
[[ $runs =~ ^[0-9]+$ && $runs -gt 0 ]] || sg_die "RUNS must be a positive integer, got '$runs'"
[[ -z $only || $only == tcpdump || $only == spyglass ]] || sg_die "--only takes tcpdump or spyglass"
tcpdump=$(sg_bin tcpdump)
spyglass=${SPYGLASS:-$root/scripts/spyglass}

if [[ -z $port ]]; then
    port=$("$tcpdump" -nr "$file" -c 1 'tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)' 2>/dev/null \
        | sed -n 's/.* IP6\{0,1\} [0-9a-f.:]*\.\([0-9]*\) > .*/\1/p')
    if [[ -z $port ]]; then
        # Started mid-conversation: the server's port is in every packet, a client's only in its own.
        port=$("$tcpdump" -nr "$file" -c 2000 tcp 2>/dev/null \
            | sed -n 's/.* IP6\{0,1\} [0-9a-f.:]*\.\([0-9]*\) > [0-9a-f.:]*\.\([0-9]*\): .*/\1\n\2/p' \
            | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
    fi
    [[ -n $port ]] || sg_die "cannot find the server port in $file; give --port"
fi

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# time_runs LABEL CMD...: prints each run's milliseconds to stderr, the median to stdout
time_runs() {
    local label=$1; shift
    local -a times=()
    local i start end
    for ((i = 1; i <= runs; i++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>"$tmp_err" || { cat "$tmp_err" >&2; sg_die "$label failed: $*"; }
        end=$(date +%s%N)
        times+=($(((end - start) / 1000000)))
    done
    printf '    %-14s runs (ms): %s\n' "$label" "${times[*]}" >&2
    printf '%s\n' "${times[@]}" | median
}

tmp_err=$(mktemp)
trap 'rm -f "$tmp_err"' EXIT
size=$(stat -c %s "$file")
sg_say "$file: $((size / 1024 / 1024)) MiB, server port $port, $workers worker(s), $runs runs each"

# One untimed run of each first: the page cache holds the file, and scripts/spyglass has built
# its jar if it had to, so neither the disk nor Maven is in the figures.
sg_say "warm-up"
if [[ $only != spyglass ]]; then "$tcpdump" -r "$file" -w /dev/null 2>/dev/null; fi
if [[ $only != tcpdump ]]; then
    [[ -x $spyglass ]] || sg_die "$spyglass not found or not executable (set SPYGLASS=... or use --only tcpdump)"
    "$spyglass" read --port "$port" --workers "$workers" -o /dev/null "$file" >/dev/null 2>&1 || true
fi

t_tcpdump="" t_spyglass=""
if [[ $only != spyglass ]]; then
    t_tcpdump=$(time_runs "tcpdump -r" "$tcpdump" -r "$file" -w /dev/null)
fi
if [[ $only != tcpdump ]]; then
    t_spyglass=$(time_runs "spyglass read" "$spyglass" read --port "$port" --workers "$workers" -o /dev/null "$file")
fi

mbps() { awk -v b="$size" -v ms="$1" 'BEGIN { if (ms > 0) printf "%.0f MB/s", b / 1e6 / (ms / 1000); else print "n/a" }'; }
[[ -n $t_tcpdump ]] && printf 'tcpdump -r     median %6d ms  (%s)\n' "$t_tcpdump" "$(mbps "$t_tcpdump")"
[[ -n $t_spyglass ]] && printf 'spyglass read  median %6d ms  (%s)\n' "$t_spyglass" "$(mbps "$t_spyglass")"
if [[ -n $t_tcpdump && -n $t_spyglass ]]; then
    awk -v s="$t_spyglass" -v t="$t_tcpdump" 'BEGIN { if (t > 0) printf "ratio spyglass/tcpdump: %.2f\n", s / t }'
fi
