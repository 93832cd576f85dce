# Shared shell functions for spyglass's scripts. Source it; it defines functions only.
#
#   sg_say MSG                 print a phase line
#   sg_die MSG                 print an error and exit 1
#   sg_find_jdk                export JAVA_HOME (>= 22) and put it first on PATH
#   sg_ensure_tools            install what the tests need (apt-get), or say what is missing
#   sg_free_port               print a free TCP port on 127.0.0.1
#   sg_mariadb_start DIR [mariadbd options...]
#                              private MariaDB in DIR; sets SG_DB_PORT SG_DB_PID SG_DB_SOCK
#   sg_mariadb_stop            stop it by its pid
#   sg_root_sql SQL            run SQL as root over the private server's socket
#   sg_tcpdump_start FILE PORT [--no-immediate] [tcpdump options...]
#                              start tcpdump on lo for tcp port PORT; sets SG_TCPDUMP_PID
#   sg_tcpdump_stop [SECONDS]  after SECONDS (0.3) SIGINT it by pid, wait until the file is
#                              complete; its closing counts are left in SG_TCPDUMP_STATS
#
# Processes are always stopped by the pid we started, never by name: other servers and other
# captures may run on the same machine.

SG_DB_USER=spy
SG_DB_PASSWORD=spypass
SG_DB_NAME=spydb

sg_say() { printf '==> %s\n' "$*"; }
sg_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Major version of the JDK in directory $1, or nothing.
sg_java_major() {
    local dir=$1 v=""
    [[ -x $dir/bin/java && -x $dir/bin/javac ]] || return 0
    if [[ -f $dir/release ]]; then
        v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$dir/release")
    fi
    if [[ -z $v ]]; then
        v=$("$dir/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
    fi
    v=${v#1.}            # 1.8 -> 8
    printf '%s\n' "${v%%[.+-]*}"
}

sg_find_jdk() {
    local want=22 best="" best_major=0 dir major
    if [[ -n ${JAVA_HOME:-} ]]; then
        major=$(sg_java_major "$JAVA_HOME")
        if [[ -n $major && $major -ge $want ]]; then
            best=$JAVA_HOME; best_major=$major
        fi
    fi
    if [[ -z $best ]]; then
        for dir in "${SG_JVM_DIR:-/usr/lib/jvm}"/*; do
            [[ -d $dir ]] || continue
            major=$(sg_java_major "$dir")
            if [[ -n $major && $major -gt $best_major ]]; then
                best=$dir; best_major=$major
            fi
        done
    fi
    if [[ -z $best || $best_major -lt $want ]]; then
        sg_die "no JDK >= $want found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm has none); install one, e.g. Temurin 25, and set JAVA_HOME"
    fi
    export JAVA_HOME=$best
    export PATH="$JAVA_HOME/bin:$PATH"
    # Maven's own Guava uses sun.misc.Unsafe; JDK 23+ would print warnings about Maven, not us.
    if (( best_major >= 23 )); then
        export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
    fi
    sg_say "JDK $best_major at $JAVA_HOME"
}

# mariadbd and mariadb-install-db live in /usr/sbin, which a non-root PATH may lack.
sg_have() {
    command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 || -x /sbin/$1 ]]
}

sg_ensure_tools() {
    local -a missing=()
    sg_have mariadbd && sg_have mariadb-install-db || missing+=(mariadb-server)
    sg_have mariadb || missing+=(mariadb-client)
    sg_have tcpdump || missing+=(tcpdump)
    sg_have sysbench || missing+=(sysbench)
    sg_have ip || missing+=(iproute2)
    sg_have gcc && [[ -e /usr/include/linux/if_packet.h && -e /usr/include/stdio.h ]] || missing+=(gcc libc6-dev)
    sg_have openssl || missing+=(openssl)
    sg_have mvn || missing+=(maven)
    # pt-fingerprint: PtFingerprintAgreementIT compares spyglass's fingerprints with Percona's.
    [[ -x /usr/bin/pt-fingerprint ]] || missing+=(percona-toolkit)
    if [[ ${#missing[@]} -eq 0 ]]; then
        sg_say "tools present: mariadb-server mariadb-client tcpdump sysbench iproute2 openssl maven percona-toolkit"
        return 0
    fi
    if [[ $(id -u) -ne 0 ]]; then
        sg_die "missing packages: ${missing[*]} — install them with: sudo apt-get install ${missing[*]}"
    fi
    command -v apt-get >/dev/null 2>&1 || sg_die "missing packages: ${missing[*]}, and apt-get is not available to install them"
    sg_say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
    local t
    for t in mariadbd mariadb tcpdump sysbench ip mvn; do
        sg_have "$t" || sg_die "$t still missing after installing ${missing[*]}"
    done
    [[ -x /usr/bin/pt-fingerprint ]] || sg_die "pt-fingerprint still missing after installing ${missing[*]}"
}

sg_bin() {
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"
    elif [[ -x /usr/sbin/$1 ]]; then printf '/usr/sbin/%s\n' "$1"
    else printf '/sbin/%s\n' "$1"
    fi
}

sg_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# sg_mariadb_start DIR [extra mariadbd options...]
sg_mariadb_start() {
    local dir=$1; shift
    local -a as_user=()
    [[ $(id -u) -eq 0 ]] && as_user=(--user=root)
    mkdir -p "$dir"
    SG_DB_SOCK=$dir/mariadbd.sock
    "$(sg_bin mariadb-install-db)" --no-defaults --datadir="$dir/data" "${as_user[@]}" \
        --auth-root-authentication-method=normal --skip-test-db --innodb-log-file-size=8M \
        >"$dir/install.log" 2>&1 || { tail -n 20 "$dir/install.log" >&2; sg_die "mariadb-install-db failed"; }
    local attempt
    for attempt in 1 2 3; do
        SG_DB_PORT=$(sg_free_port)
        "$(sg_bin mariadbd)" --no-defaults "${as_user[@]}" --datadir="$dir/data" \
            --bind-address=127.0.0.1 --port="$SG_DB_PORT" --skip-name-resolve \
            --socket="$SG_DB_SOCK" --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
            --general-log=1 --log-output=TABLE --innodb-log-file-size=8M \
            --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
            --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 \
            --max-connections=200 "$@" </dev/null >/dev/null 2>&1 &
        SG_DB_PID=$!
        local waited=0
        while ! grep -q 'ready for connections' "$dir/error.log" 2>/dev/null; do
            if ! kill -0 "$SG_DB_PID" 2>/dev/null; then break; fi
            if ((waited >= 600)); then
                kill -TERM "$SG_DB_PID" 2>/dev/null || true
                tail -n 20 "$dir/error.log" >&2
                sg_die "mariadbd (pid $SG_DB_PID) not ready after 60 s"
            fi
            sleep 0.1; waited=$((waited + 1))
        done
        if kill -0 "$SG_DB_PID" 2>/dev/null; then break; fi
        wait "$SG_DB_PID" 2>/dev/null || true
        if ! grep -q 'Address already in use\|Bind on TCP/IP port' "$dir/error.log" || ((attempt == 3)); then
            tail -n 20 "$dir/error.log" >&2
            sg_die "mariadbd exited during start-up"
        fi
        : >"$dir/error.log"
    done
    sg_root_sql "
        CREATE USER '$SG_DB_USER'@'%' IDENTIFIED BY '$SG_DB_PASSWORD';
        GRANT ALL PRIVILEGES ON *.* TO '$SG_DB_USER'@'%';
        CREATE DATABASE $SG_DB_NAME; CREATE DATABASE sbtest; CREATE DATABASE otherdb;
        TRUNCATE TABLE mysql.general_log;"
}

sg_root_sql() {
    "$(sg_bin mariadb)" --no-defaults --socket="$SG_DB_SOCK" -uroot --batch --skip-column-names -e "$1"
}

sg_mariadb_stop() {
    [[ -n ${SG_DB_PID:-} ]] || return 0
    if kill -0 "$SG_DB_PID" 2>/dev/null; then
        kill -TERM "$SG_DB_PID"
        local waited=0
        while kill -0 "$SG_DB_PID" 2>/dev/null && ((waited < 300)); do sleep 0.1; waited=$((waited + 1)); done
        kill -0 "$SG_DB_PID" 2>/dev/null && kill -KILL "$SG_DB_PID"
        wait "$SG_DB_PID" 2>/dev/null || true
    fi
    SG_DB_PID=
}

# sg_tcpdump_start FILE PORT [tcpdump options...]: capture everything on lo for that port,
# written unbuffered. Immediate mode, because in libpcap's default TPACKET_V3 mode packets wait
# in a ring block for up to a second and a stopped tcpdump loses the unfinished block.
# A bench capture at full rate passes --no-immediate and sleeps before stopping instead.
sg_tcpdump_start() {
    local file=$1 port=$2 log; shift 2
    local -a mode=(--immediate-mode)
    if [[ ${1:-} == --no-immediate ]]; then mode=(); shift; fi
    log=$(mktemp)
    local -a as_user=()
    [[ $(id -u) -eq 0 ]] && as_user=(-Z root)
    "$(sg_bin tcpdump)" -i lo "${mode[@]}" -U -s 0 "${as_user[@]}" "$@" -w "$file" "tcp port $port" </dev/null 2>"$log" &
    SG_TCPDUMP_PID=$!
    SG_TCPDUMP_LOG=$log
    local waited=0
    until grep -q 'listening on' "$log"; do
        if ! kill -0 "$SG_TCPDUMP_PID" 2>/dev/null || ((waited >= 200)); then
            cat "$log" >&2
            sg_die "tcpdump did not start"
        fi
        sleep 0.05; waited=$((waited + 1))
    done
}

sg_tcpdump_stop() {
    [[ -n ${SG_TCPDUMP_PID:-} ]] || return 0
    # Let the last packets (FIN, ACK) reach tcpdump before we stop it; a capture made without
    # immediate mode needs more than libpcap's one-second block timeout.
    sleep "${1:-0.3}"
    kill -INT "$SG_TCPDUMP_PID" 2>/dev/null || true
    wait "$SG_TCPDUMP_PID" 2>/dev/null || true
    SG_TCPDUMP_PID=
    # tcpdump's closing counts: "N packets captured", "... received by filter", "... dropped by kernel".
    SG_TCPDUMP_STATS=$(grep -E 'packets (captured|received|dropped)' "$SG_TCPDUMP_LOG" 2>/dev/null || true)
    rm -f "$SG_TCPDUMP_LOG"
    SG_TCPDUMP_LOG=
}
