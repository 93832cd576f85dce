#!/usr/bin/env bash
# The capture behind spyglass's speed figure: tcpdump on lo while sysbench oltp_point_select
# (text protocol, THREADS client threads, 2 by default) runs flat out against a private MariaDB
# for SECONDS seconds (about 2 M packets a minute on 2 cores).
#   bench/capture-point-select.sh [--threads N] [OUT.pcap] [SECONDS=60]
# default OUT: bench/data/point-select.pcap. Each client thread is one connection, and a worker
# owns whole connections: with 2 threads, 2 workers can share the work only if the 2 connections
# hash to different workers; --threads 8 gives the spread of a real server.
# Prints the server port, which `spyglass read --port` needs (bench/time-read.sh finds it itself).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/common.sh
source "$root/scripts/lib/common.sh"

threads=2
if [[ ${1:-} == --threads ]]; then
    threads=${2:?--threads needs a number}
    shift 2
fi
[[ $threads =~ ^[0-9]+$ && $threads -gt 0 ]] || sg_die "--threads must be a positive integer, got '$threads'"
out=${1:-$root/bench/data/point-select.pcap}
seconds=${2:-60}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || sg_die "SECONDS must be a positive integer, got '$seconds'"
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

sg_ensure_tools
work=$(mktemp -d /tmp/spyglass-bench.XXXXXX)
cleanup() {
    sg_tcpdump_stop 0 || true
    sg_mariadb_stop || true
    rm -rf "$work"
}
trap cleanup EXIT

sg_say "starting a private MariaDB"
sg_mariadb_start "$work/db" --general-log=0 --max-connections=50
sb=(sysbench oltp_point_select --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SG_DB_PORT"
    --mysql-user="$SG_DB_USER" --mysql-password="$SG_DB_PASSWORD" --mysql-db=sbtest
    --db-ps-mode=disable --tables=4 --table-size=10000 --threads="$threads" --rand-seed=1)

sg_say "sysbench prepare (4 tables x 10000 rows)"
"${sb[@]}" prepare </dev/null >"$work/prepare.out"

sg_say "recording $out for ${seconds}s of oltp_point_select, $threads threads, port $SG_DB_PORT"
rm -f "$out"
# No immediate mode at full rate: TPACKET_V3 blocks batch packets; a 64 MiB buffer absorbs bursts.
sg_tcpdump_start "$out" "$SG_DB_PORT" --no-immediate -B 65536
"${sb[@]}" --time="$seconds" --events=0 --report-interval=0 run </dev/null >"$work/run.out"
# Longer than libpcap's 1 s block timeout, so the last block reaches the file.
sg_tcpdump_stop 2
sed 's/^/    tcpdump: /' <<<"$SG_TCPDUMP_STATS"

grep -E 'queries:|transactions:' "$work/run.out" | sed 's/^ */    sysbench /'
size=$(stat -c %s "$out")
sg_say "wrote $out: $((size / 1024 / 1024)) MiB; server port $SG_DB_PORT"
