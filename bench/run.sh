#!/usr/bin/env bash
# Side-by-side benchmark of Lucid and OpenSSH on this machine (loopback only). See the README's "Benchmark".
#
# Usage: bench/run.sh [--quick | --tiny] [--no-build] [--out FILE]
#   (default)   full run: 2 GiB transfers, 30 latency runs, 20 s handshake load, 1,000 idle sessions
#               (and 10,000 against lucid sshd); about 10 minutes on 2 cores
#   --quick     the same rows at small sizes; under 2 minutes
#   --tiny      the smallest sizes (what the CI smoke test runs); well under a minute
#   --no-build  use binaries already built (LUCID and BENCH_TOOL below)
#   --out FILE  also write the table (markdown) to FILE
# Environment: LUCID (the lucid executable; default: ./lucid's Native AOT publish), BENCH_TOOL (Lucid.Bench.dll),
# BENCH_REPS / BENCH_SIZE / BENCH_LATENCY_RUNS / BENCH_HANDSHAKE_SECONDS / BENCH_HANDSHAKE_REPS / BENCH_SESSIONS
# override the mode's sizes; BENCH_DEADLINE=HH:MM (UTC) skips the throughput rows not started by then.
#
# Every figure is the median of repeated runs, with [min-max] after it; the ratio is to OpenSSH->OpenSSH.
# Everything stops by itself: each wait is bounded, and the servers are killed on every exit path.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

mode=full build=1 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --tiny) mode=tiny ;;
    --no-build) build=0 ;;
    --out) out="$2"; shift ;;
    *) echo "usage: bench/run.sh [--quick | --tiny] [--no-build] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done

# --- sizes ------------------------------------------------------------------------------------------
case "$mode" in
  full)  size=$((2 * 1024 * 1024 * 1024)); reps=5; latency_runs=30; hs_seconds=20; hs_reps=3; sessions=1000; lucid_sessions=10000; alloc_mib=512 ;;
  quick) size=$((32 * 1024 * 1024));       reps=3; latency_runs=10; hs_seconds=3;  hs_reps=1; sessions=100;  lucid_sessions=500;   alloc_mib=32 ;;
  tiny)  size=$((1024 * 1024));            reps=1; latency_runs=3;  hs_seconds=2;  hs_reps=1; sessions=20;   lucid_sessions=40;    alloc_mib=4 ;;
esac
settle=1; [ "$mode" = tiny ] && settle=0.2
size=${BENCH_SIZE:-$size}; reps=${BENCH_REPS:-$reps}; latency_runs=${BENCH_LATENCY_RUNS:-$latency_runs}
hs_seconds=${BENCH_HANDSHAKE_SECONDS:-$hs_seconds}; hs_reps=${BENCH_HANDSHAKE_REPS:-$hs_reps}; sessions=${BENCH_SESSIONS:-$sessions}
# BENCH_DEADLINE=HH:MM (UTC): throughput rows not started by then are left out (marked "not run"), so a
# time-boxed run still ends with a table.
deadline=""; [ -z "${BENCH_DEADLINE:-}" ] || deadline=$(date -u -d "$BENCH_DEADLINE" +%s)
ciphers=(chacha20-poly1305@openssh.com aes128-gcm@openssh.com aes256-gcm@openssh.com aes128-ctr)
pairings=(OO LO OL LL) # client then server: O = OpenSSH, L = Lucid
declare -A pairing_name=([OO]="OpenSSH→OpenSSH" [LO]="Lucid→OpenSSH" [OL]="OpenSSH→Lucid" [LL]="Lucid→Lucid")

log() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- build --------------------------------------------------------------------------------------------
if [ "$build" = 1 ]; then
  log "building (Release; lucid is published Native AOT by ./lucid)"
  "$root/lucid" --help >/dev/null 2>&1 || die "./lucid could not build the CLI"
  dotnet build "$root/bench/Lucid.Bench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null || die "Lucid.Bench did not build"
fi
lucid_bin=${LUCID:-$root/.publish/lucid}
bench_tool=${BENCH_TOOL:-$root/bench/Lucid.Bench/bin/Release/net10.0/Lucid.Bench.dll}
[ -x "$lucid_bin" ] || die "no lucid executable at $lucid_bin (run without --no-build, or set LUCID)"
[ -f "$bench_tool" ] || die "no Lucid.Bench.dll at $bench_tool (run without --no-build, or set BENCH_TOOL)"
[ -x /usr/sbin/sshd ] || die "OpenSSH's sshd is not installed (apt-get install openssh-server)"

# --- workspace, cleanup -------------------------------------------------------------------------------
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
work=$(mktemp -d /tmp/lucid-bench.XXXXXX)
chmod 755 "$work"
results="$work/results.tsv"; : >"$results"
openssh_pid="" lucid_pid="" holder_pid=""

descendants() { # every process below $1 (not $1 itself), from one process listing (OpenSSH has 2 per session)
  ps -e -o pid=,ppid= 2>/dev/null | awk -v root="$1" '
    { kids[$2] = kids[$2] " " $1 }
    END { n = split(kids[root], queue, " "); for (i = 1; i <= n; i++) { print queue[i]; m = split(kids[queue[i]], more, " "); for (j = 1; j <= m; j++) queue[++n] = more[j] } }'
}
stop_tree() { # stop a server we started and every process it forked
  local pid=$1
  [ -n "$pid" ] || return 0
  local all; all="$pid $(descendants "$pid" | tr '\n' ' ')"
  kill $all 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 $all 2>/dev/null || true
}
# --- the table -----------------------------------------------------------------------------------------------
render() {
  awk -F'\t' -v names="OO=OpenSSH→OpenSSH,LO=Lucid→OpenSSH,OL=OpenSSH→Lucid,LL=Lucid→Lucid" '
    function cell(r, p,   base, s) {
      if (!((r, p) in med)) return "—"
      if (med[r, p] ~ /^(error|not run)/) return med[r, p]
      s = med[r, p]
      if (lo[r, p] != hi[r, p]) s = s " [" lo[r, p] "–" hi[r, p] "]"
      if (r ~ /^managed alloc/) return s # the target is zero; OpenSSH has no managed heap to compare with
      base = ((r, "OO") in med) ? med[r, "OO"] : (((r, "LO") in med) ? med[r, "LO"] : basefor[r])
      if (base != "" && base !~ /^(error|not run)/ && base + 0 != 0) s = s sprintf(" (%.2f×)", med[r, p] / base)
      return s
    }
    { if (!($1 in seen)) { seen[$1] = 1; if ($3 == "MB/s") order[++n] = $1; else later[++m] = $1; unit[$1] = $3 }
      med[$1, $2] = $4; lo[$1, $2] = $5; hi[$1, $2] = $6
      if ($1 ~ /^idle session PSS/ && $2 == "LO") pss_base = $4 }
    END {
      for (i = 1; i <= m; i++) order[++n] = later[i]
      for (i = 1; i <= n; i++) if (order[i] ~ /^idle session PSS/) basefor[order[i]] = pss_base
      split("OO LO OL LL", ps, " ")
      printf "| measure | unit | OpenSSH→OpenSSH | Lucid→OpenSSH | OpenSSH→Lucid | Lucid→Lucid |\n"
      printf "|---|---|---|---|---|---|\n"
      for (i = 1; i <= n; i++) {
        r = order[i]; printf "| %s | %s |", r, unit[r]
        for (j = 1; j <= 4; j++) printf " %s |", cell(r, ps[j])
        printf "\n"
      }
    }' "$results"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -z "$holder_pid" ] || kill "$holder_pid" 2>/dev/null || true
  stop_tree "$openssh_pid"; stop_tree "$lucid_pid"
  if [ "$status" -ne 0 ] && [ -s "$results" ] && [ ! -s "$work/table.md" ]; then
    log "stopped early (status $status); the rows measured so far:"
    render >&2 || true
    [ -z "$out" ] || { echo "Incomplete run (stopped early, status $status): the rows measured so far."; echo; render; } >"$out" || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the user, the keys (same user key, ed25519 host keys for both servers) ------------------------------
if [ "$(id -u)" = 0 ]; then
  user=lucidbench
  id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user" 2>/dev/null || id "$user" >/dev/null 2>&1 || die "cannot create user $user"
  # No password, but not locked: without PAM, OpenSSH's sshd refuses accounts whose password field starts with "!".
  usermod -p '*' "$user" 2>/dev/null || true
else
  user=$(id -un) # sshd not running as root can only log in its own user
fi
mkdir -p /run/sshd 2>/dev/null || true
ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$work/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C bench-user -f "$work/id_ed25519"
cp "$work/id_ed25519.pub" "$work/authorized_keys"
chmod 644 "$work/authorized_keys"
key="$work/id_ed25519"

# Listening ports come from below the kernel's ephemeral range (ip_local_port_range, 32768+ by default): a port
# there can be free at the probe and then taken by some process's outgoing connection before our server binds it.
free_port() {
  local p low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
  [ "$low" -gt 11000 ] || low=32768
  for _ in $(seq 100); do
    p=$((10000 + RANDOM % (low - 10000)))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  die "no free port found"
}
wait_listening() { # port pid name logfile
  for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$4" >&2; die "$3 exited at start-up"; }
    sleep 0.1
  done
  cat "$4" >&2; die "$3 did not listen on port $1 within 30 s"
}

# Equivalent settings for both servers: loopback, one ed25519 host key, publickey only, no DNS, no PAM,
# room for the concurrent handshakes of the load generator.
server_config() { # port
  cat <<EOF
ListenAddress 127.0.0.1
Port $1
HostKey $work/host_ed25519
AuthorizedKeysFile $work/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
StrictModes no
PermitRootLogin no
AllowUsers $user
MaxStartups 200:30:400
LoginGraceTime 60
PidFile none
LogLevel ERROR
EOF
}

# (Re)starts a server on the same port: fresh servers give the memory measurement a clean baseline.
start_openssh() {
  stop_tree "$openssh_pid"; openssh_pid=""
  server_config "$openssh_port" >"$work/openssh_sshd_config"
  /usr/sbin/sshd -D -e -f "$work/openssh_sshd_config" 2>>"$work/openssh_sshd.log" &
  openssh_pid=$!
  wait_listening "$openssh_port" "$openssh_pid" "OpenSSH sshd" "$work/openssh_sshd.log"
}
start_lucid() {
  stop_tree "$lucid_pid"; lucid_pid=""
  # OpenSSH 10's per-source penalties (on by default in lucid sshd; Debian's 9.2 has none) would slow a benchmark that
  # opens thousands of connections from 127.0.0.1.
  { server_config "$lucid_port"; echo "PerSourcePenalties no"; } >"$work/lucid_sshd_config"
  "$lucid_bin" sshd -D -e -f "$work/lucid_sshd_config" 2>>"$work/lucid_sshd.log" &
  lucid_pid=$!
  wait_listening "$lucid_port" "$lucid_pid" "lucid sshd" "$work/lucid_sshd.log"
}
openssh_port=$(free_port)
lucid_port=$(free_port)
while [ "$lucid_port" = "$openssh_port" ]; do lucid_port=$(free_port); done
start_openssh
start_lucid
log "OpenSSH sshd on 127.0.0.1:$openssh_port (pid $openssh_pid), lucid sshd on 127.0.0.1:$lucid_port (pid $lucid_pid); mode $mode"

# --- clients ----------------------------------------------------------------------------------------------
client_args=(-F /dev/null -i "$key" -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
  -o BatchMode=yes -o LogLevel=ERROR -o KexAlgorithms=curve25519-sha256 -o HostKeyAlgorithms=ssh-ed25519 -l "$user")
client_cmd() { # pairing [ssh options...]: sets cmd to the client command line up to (and including) the destination
  local pairing=$1; shift
  local bin=(ssh) port=$openssh_port
  [ "${pairing:0:1}" = L ] && bin=("$lucid_bin" ssh)
  [ "${pairing:1:1}" = L ] && port=$lucid_port
  cmd=("${bin[@]}" "${client_args[@]}" -p "$port" "$@" 127.0.0.1)
}
cipher_args() {
  if [ "$1" = aes128-ctr ]; then echo "-c aes128-ctr -m hmac-sha2-256-etm@openssh.com"; else echo "-c $1"; fi
}
now_ns() { date +%s%N; }

# record row pairing unit value... : median, min and max of the values (or "error: why")
record() {
  local row=$1 pairing=$2 unit=$3; shift 3
  if [ $# -eq 0 ]; then
    printf '%s\t%s\t%s\terror\t\t\n' "$row" "$pairing" "$unit" >>"$results"; return
  fi
  printf '%s\n' "$@" | sort -g | awk -v row="$row" -v p="$pairing" -v u="$unit" '
    { v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%s\t%s\t%s\t%.6g\t%.6g\t%.6g\n", row, p, u, m, v[1], v[NR] }' >>"$results"
}
record_error() { printf '%s\t%s\t%s\terror: %s\t\t\n' "$1" "$2" "$3" "$4" >>"$results"; log "$1 $2: $4"; }

clk_tck=$(getconf CLK_TCK)
server_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0; } # CPU incl. reaped children

# --- 1. connect + auth + true + exit ----------------------------------------------------------------------
log "latency: $latency_runs runs of 'ssh host true' per pairing"
for p in "${pairings[@]}"; do
  values=() failed=""
  client_cmd "$p"
  for _ in $(seq "$latency_runs"); do
    t0=$(now_ns)
    timeout 60 "${cmd[@]}" true </dev/null >/dev/null 2>"$work/err" || { failed=$(head -c 200 "$work/err"); break; }
    t1=$(now_ns)
    values+=("$(( (t1 - t0) / 1000 ))")
  done
  if [ -n "$failed" ]; then record_error "connect+auth+true+exit" "$p" "ms" "$failed"
  else record "connect+auth+true+exit" "$p" "ms" $(printf '%s\n' "${values[@]}" | awk '{ printf "%.1f\n", $1 / 1000 }'); fi
done

# --- 2. handshake rate (library load generator, 16 concurrent) --------------------------------------------
tool_args=(--user "$user" --key "$key")
log "handshake rate: 16 concurrent clients for ${hs_seconds} s, $hs_reps runs per server"
for p in LO LL; do
  port=$openssh_port spid=$openssh_pid; [ "$p" = LL ] && { port=$lucid_port; spid=$lucid_pid; }
  values=() failed=""
  for _ in $(seq "$hs_reps"); do
    s0=$(server_ticks "$spid")
    if line=$(timeout $((hs_seconds + 90)) dotnet "$bench_tool" handshake --port "$port" "${tool_args[@]}" --seconds "$hs_seconds" --concurrency 16 2>"$work/err"); then
      values+=("$(awk '{ print $3 }' <<<"$line")")
      errors=$(awk '{ print $7 }' <<<"$line")
      sleep 0.5 # the last connections' processes are reaped (and their CPU counted)
      log "handshake ${pairing_name[$p]}: $line; server CPU $(awk -v d=$(( $(server_ticks "$spid") - s0 )) -v hz="$clk_tck" -v n="$(awk '{ print $5 }' <<<"$line")" 'BEGIN { printf "%.1f", n ? d / hz * 1000 / n : 0 }') ms per connection (including the session's shell)"
      [ "$errors" = 0 ] || log "handshake ${pairing_name[$p]}: $errors failed connections ($(head -c 200 "$work/err"))"
    else
      failed="$(head -c 200 "$work/err")"; break
    fi
  done
  if [ -n "$failed" ]; then record_error "handshake rate" "$p" "conn/s" "$failed"; else record "handshake rate" "$p" "conn/s" "${values[@]}"; fi
done

# --- 3. memory per idle authenticated session ------------------------------------------------------------
server_pss_kib() { # sum of Pss over the server and every process it forked
  local pid=$1 p files=()
  for p in $pid $(descendants "$pid"); do files+=("/proc/$p/smaps_rollup"); done
  cat "${files[@]}" 2>/dev/null | awk '/^Pss:/ { total += $2 } END { print total + 0 }'
}
measure_sessions() { # row pairing count
  local row=$1 p=$2 count=$3 port=$openssh_port pid
  if [ "$p" = LL ]; then port=$lucid_port; start_lucid; pid=$lucid_pid; else start_openssh; pid=$openssh_pid; fi
  sleep "$settle"
  local before; before=$(server_pss_kib "$pid")
  rm -f "$work/hold.in" "$work/hold.out"; mkfifo "$work/hold.in"
  dotnet "$bench_tool" hold --port "$port" "${tool_args[@]}" --count "$count" --concurrency 16 --hold-seconds 900 \
    <"$work/hold.in" >"$work/hold.out" 2>"$work/hold.err" &
  holder_pid=$!
  exec 7>"$work/hold.in" # holds the holder's stdin open; closing it releases the sessions
  local limit=$((60 + count / 5)) waited=0
  while ! grep -q '^held' "$work/hold.out" 2>/dev/null; do
    kill -0 "$holder_pid" 2>/dev/null || break
    [ "$waited" -lt $((limit * 10)) ] || break
    sleep 0.1; waited=$((waited + 1))
  done
  local held; held=$(awk '/^held/ { print $2 }' "$work/hold.out" 2>/dev/null)
  if [ -z "$held" ] || [ "$held" = 0 ]; then
    exec 7>&-; kill "$holder_pid" 2>/dev/null || true; wait "$holder_pid" 2>/dev/null || true; holder_pid=""
    record_error "$row" "$p" "KiB/session" "no sessions held ($(head -c 200 "$work/hold.err"))"; return
  fi
  sleep "$settle"; sleep "$settle" # let the server settle (the last sessions' authentication work, deferred frees)
  local after; after=$(server_pss_kib "$pid")
  [ "$held" = "$count" ] || log "$row ${pairing_name[$p]}: held $held of $count sessions ($(head -c 200 "$work/hold.err"))"
  exec 7>&-
  for _ in $(seq 600); do kill -0 "$holder_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$holder_pid" 2>/dev/null || true; wait "$holder_pid" 2>/dev/null || true; holder_pid=""
  record "$row" "$p" "KiB/session" "$(awk -v a="$after" -v b="$before" -v n="$held" 'BEGIN { printf "%.1f", (a - b) / n }')"
  log "$row ${pairing_name[$p]}: server PSS $before KiB -> $after KiB with $held sessions"
}
log "memory: $sessions idle authenticated sessions per server ($lucid_sessions more against lucid sshd)"
measure_sessions "idle session PSS @$sessions" LO "$sessions"
measure_sessions "idle session PSS @$sessions" LL "$sessions"
measure_sessions "idle session PSS @$lucid_sessions" LL "$lucid_sessions"

# --- 4. managed allocations per MiB in steady state -----------------------------------------------------------
log "allocations: $alloc_mib MiB per run after warm-up, $reps runs"
for direction in down up; do
  for p in LO LL; do
    values=() failed=""
    # Lucid→OpenSSH: this process's SshClient against OpenSSH's sshd; Lucid→Lucid: SshClient and SshServer in one process.
    target=(--port "$openssh_port"); [ "$p" = LL ] && target=()
    for _ in $(seq "$reps"); do
      if line=$(timeout 300 dotnet "$bench_tool" alloc "${target[@]}" "${tool_args[@]}" --mib "$alloc_mib" \
          --warmup-mib $(( alloc_mib < 32 ? alloc_mib : 32 )) --direction "$direction" 2>"$work/err"); then
        values+=("$(awk '{ print $3 }' <<<"$line")")
      else
        failed="$(head -c 200 "$work/err")"; break
      fi
    done
    if [ -n "$failed" ]; then record_error "managed alloc $direction" "$p" "B/MiB" "$failed"; else record "managed alloc $direction" "$p" "B/MiB" "${values[@]}"; fi
  done
done

# --- 5. bulk throughput (last: the longest; its target rows first) -------------------------------------------------------------------------------
human_size() { awk -v n="$1" 'BEGIN { if (n >= 2^30) printf "%g GiB", n / 2^30; else printf "%g MiB", n / 2^20 }'; }
log "throughput: $(human_size "$size") per transfer, $reps runs each"
# Where the CPU goes (full and quick runs, when perf works): the client's task-clock (perf stat, the client and
# everything it runs) and the server's CPU ticks including reaped children (/proc/PID/stat utime+stime+cutime+cstime).
cpu=0
if [ "$mode" != tiny ] && perf stat -x, -e task-clock -o /dev/null -- true 2>/dev/null; then cpu=1; fi
cpu_results="$work/cpu.tsv"; : >"$cpu_results"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
failure_reason() { local why; why=$(head -c 200 "$work/err" | tr '\t\n' '  '); echo "${why:-exit status}"; }
# The four pairings take turns within each row (run 1 of each, then run 2 of each, ...): this machine's speed drifts
# over minutes, and running one pairing's repetitions back to back would charge that drift to whichever came last.
for cipher in "${ciphers[@]}"; do
  short=${cipher%%@*}; [ "$cipher" = aes128-ctr ] && short="aes128-ctr+hmac-sha2-256-etm"
  for direction in upload download; do
    if [ -n "$deadline" ] && [ "$(date +%s)" -ge "$deadline" ]; then
      for p in "${pairings[@]}"; do
        printf '%s\t%s\t%s\tnot run (time limit)\t\t\n' "$short $direction" "$p" "MB/s" >>"$results"
      done
      continue
    fi
    declare -A tp_values=() tp_client=() tp_server=() tp_failed=()
    for _ in $(seq "$reps"); do
      for p in "${pairings[@]}"; do
        [ -z "${tp_failed[$p]:-}" ] || continue
        spid=$openssh_pid; [ "${p:1:1}" = L ] && spid=$lucid_pid
        # shellcheck disable=SC2046
        client_cmd "$p" $(cipher_args "$cipher")
        run=("${cmd[@]}")
        [ "$cpu" = 0 ] || run=(perf stat -x, -e task-clock -o "$work/perf" -- "${cmd[@]}")
        s0=$(server_ticks "$spid")
        t0=$(now_ns)
        if [ "$direction" = upload ]; then
          head -c "$size" /dev/zero | timeout 600 "${run[@]}" 'cat >/dev/null' 2>"$work/err" || tp_failed[$p]=$(failure_reason)
        else
          timeout 600 "${run[@]}" "head -c $size /dev/zero" </dev/null >/dev/null 2>"$work/err" || tp_failed[$p]=$(failure_reason)
        fi
        t1=$(now_ns)
        [ -z "${tp_failed[$p]:-}" ] || continue
        tp_values[$p]+=" $(awk -v n="$size" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", n / 1e6 / (ns / 1e9) }')"
        if [ "$cpu" = 1 ]; then
          sleep 0.2 # OpenSSH's per-connection process is reaped (and counted) just after the client exits
          s1=$(server_ticks "$spid")
          tp_client[$p]+=" $(awk -F, -v ns=$((t1 - t0)) '$3 ~ /task-clock/ { printf "%.0f", $1 / (ns / 1e6) * 100 }' "$work/perf")"
          tp_server[$p]+=" $(awk -v d=$((s1 - s0)) -v hz="$clk_tck" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", d / hz / (ns / 1e9) * 100 }')"
        fi
      done
    done
    for p in "${pairings[@]}"; do
      if [ -n "${tp_failed[$p]:-}" ]; then
        record_error "$short $direction" "$p" "MB/s" "${tp_failed[$p]}"; continue
      fi
      # shellcheck disable=SC2086
      record "$short $direction" "$p" "MB/s" ${tp_values[$p]}
      if [ "$cpu" = 1 ]; then
        # shellcheck disable=SC2086
        printf '%s\t%s\t%s\t%s\n' "$short $direction" "$p" "$(median ${tp_client[$p]})" "$(median ${tp_server[$p]})" >>"$cpu_results"
      fi
    done
    unset tp_values tp_client tp_server tp_failed
  done
done

render_cpu() {
  awk -F'\t' '
    { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } c[$1, $2] = $3 "% / " $4 "%" }
    END {
      split("OO LO OL LL", ps, " ")
      printf "| transfer (client / server CPU, %% of one core) | OpenSSH→OpenSSH | Lucid→OpenSSH | OpenSSH→Lucid | Lucid→Lucid |\n"
      printf "|---|---|---|---|---|\n"
      for (i = 1; i <= n; i++) {
        printf "| %s |", order[i]
        for (j = 1; j <= 4; j++) printf " %s |", ((order[i], ps[j]) in c) ? c[order[i], ps[j]] : "—"
        printf "\n"
      }
    }' "$cpu_results"
}

{
  echo "Lucid vs OpenSSH, mode $mode: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(ssh -V 2>&1 | cut -d, -f1)"
  echo "Each cell: median [min–max] of the runs, then (ratio to OpenSSH→OpenSSH). Rows measured with the library client only (handshake rate, idle sessions) give the ratio to the Lucid→OpenSSH cell, i.e. to OpenSSH's sshd; allocation rows have no ratio (OpenSSH has no managed heap; the target is 0)."
  echo
  render
  if [ -s "$cpu_results" ]; then
    echo
    echo "CPU during the throughput runs (median run): the client's and the server's CPU time over the wall time;"
    echo "100% is one core busy. The remote command (cat or head) counts for the server."
    echo
    render_cpu
  fi
} >"$work/table.md"
cat "$work/table.md"
[ -z "$out" ] || cp "$work/table.md" "$out"
if grep -q 'error' "$work/table.md"; then
  log "some measurements failed (see the cells marked error)"
  exit 1
fi
log "done"
