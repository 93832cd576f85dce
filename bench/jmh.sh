#!/usr/bin/env bash
# Builds (when missing or stale) and runs spyglass's JMH benchmarks: bench/target/benchmarks.jar.
# Run bench/jmh.sh -h for how to use it.
set -euo pipefail

bench=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$bench/.." && pwd)
jar=$bench/target/benchmarks.jar

usage() {
    cat <<'USAGE'
usage: bench/jmh.sh [JMH options...] [benchmark regexp...]

Builds bench/target/benchmarks.jar when it is missing or older than any source of spyglass or
of the benchmarks (mvn install of the root project, then mvn package in bench/), then runs
  java -jar bench/target/benchmarks.jar [JMH options...]
with a JDK 23 or newer (JAVA_HOME if it is one, else the newest in /usr/lib/jvm).

  bench/jmh.sh 'RedactBenchmark.redact$' -prof gc          the issue-4 run: both workloads, whole
  bench/jmh.sh RedactBenchmark.stream -prof gc              the same, streamed in chunks
  bench/jmh.sh RedactBenchmark -p workload=mix -prof gc     one workload
  bench/jmh.sh RedactBenchmark -wi 2 -i 3 -f 1 -w 2s -r 2s  a quick look
  bench/jmh.sh -l                                           list the benchmarks
  bench/jmh.sh --jmh-help                                   JMH's own options
  bench/jmh.sh --build                                      build only

Reading RedactBenchmark: the score is statements/s (one op = one statement); the secondary
result "redact:mb" (or "stream:mb"), printed in "ops/s", is MB/s of SQL (10^6 bytes) on one core;
gc.alloc.rate.norm (with -prof gc) is bytes allocated per statement.
Extra JVM options for the JMH host JVM: JMH_JAVA_OPTS; for the forked JVMs: -jvmArgsAppend.
USAGE
}

case ${1:-} in
    -h | --help) usage; exit 0 ;;
esac

# shellcheck source=../scripts/lib/common.sh
source "$root/scripts/lib/common.sh"
sg_find_jdk >&2
major=$(sg_java_major "$JAVA_HOME")
if (( major < 23 )); then
    # The benchmarks' forked JVMs get --sun-misc-unsafe-memory-access=allow, which JDK 22 rejects.
    sg_die "the benchmarks need a JDK 23 or newer; JAVA_HOME=$JAVA_HOME is $major"
fi

# Stale: missing, or older than any source it is built from (the root project's included).
stale() {
    [[ -f $jar ]] || return 0
    [[ -n $(find "$root/src/main" "$root/pom.xml" "$bench/src" "$bench/pom.xml" -newer "$jar" -print -quit 2>/dev/null) ]]
}

# CRC-32 and name of every spyglass class outside the benchmarks' own package.
spyglass_classes() {
    unzip -v "$1" | awk '$NF ~ /^spyglass\/.*\.class$/ && $NF !~ /^spyglass\/bench\/jmh\// { print $7, $NF }' | sort -k2
}

mvn_quiet() {
    local dir=$1 log; shift
    log=$(mktemp)
    if ! (cd "$dir" && mvn -B -q "$@") </dev/null >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        sg_die "mvn $* in $dir failed (output above)"
    fi
    rm -f "$log"
}

build() {
    command -v mvn >/dev/null 2>&1 || sg_die "building the benchmarks needs Maven: apt-get install maven"
    # Always install, even when target/spyglass.jar is fresh: the local repository is shared, and
    # another checkout may have put its own spyglass there since.
    sg_say "building spyglass: mvn -Dmaven.test.skip=true install" >&2
    mvn_quiet "$root" -Dmaven.test.skip=true install
    sg_say "building bench/target/benchmarks.jar: mvn package" >&2
    mvn_quiet "$bench" package
    # The jar must hold the classes just built here, not those of a concurrent install elsewhere.
    if [[ $(spyglass_classes "$jar") != "$(spyglass_classes "$root/target/spyglass.jar")" ]]; then
        rm -f "$jar"
        sg_die "benchmarks.jar does not hold this checkout's spyglass classes (another checkout installed spyglass meanwhile?); run again"
    fi
}

if stale; then
    build
fi

case ${1:-} in
    --build) exit 0 ;;
    --jmh-help) set -- -h ;;
esac

flags=(--add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED
       --sun-misc-unsafe-memory-access=allow)
# shellcheck disable=SC2086 # JMH_JAVA_OPTS is a list of options
exec "$JAVA_HOME/bin/java" "${flags[@]}" ${JMH_JAVA_OPTS:-} -jar "$jar" "$@"
