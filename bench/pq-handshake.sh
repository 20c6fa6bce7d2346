#!/usr/bin/env bash
# Post-quantum key exchange cost, server side: handshake rate (Lucid.Bench handshake: 16 concurrent library
# clients doing KEX + publickey + exec `true`) and connect latency (OpenSSH 10.5's `ssh host true`) against
# lucid sshd, OpenSSH 10.5p1's sshd and Debian's OpenSSH 9.2 sshd, for mlkem768x25519-sha256, sntrup761x25519-sha512
# and curve25519-sha256. Settings as bench/run.sh's servers (one ed25519 host key, publickey only, no DNS, no PAM).
#
# Usage: bench/pq-handshake.sh [--out FILE]   (after bench/run.sh or ./lucid has built the binaries)
# Environment: LUCID (default ./.publish/lucid, the Native AOT build), BENCH_TOOL, LUCID_OPENSSH105 (the 10.5 build;
# default ~/.cache/lucid-peers/openssh-10.5p1), BENCH_HANDSHAKE_SECONDS (8), BENCH_HANDSHAKE_REPS (2), BENCH_LATENCY_RUNS (10).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=""; [ "${1:-}" = --out ] && out=$2
lucid_bin=${LUCID:-$root/.publish/lucid}
bench_tool=${BENCH_TOOL:-$root/bench/Lucid.Bench/bin/Release/net10.0/Lucid.Bench.dll}
o105=${LUCID_OPENSSH105:-${XDG_CACHE_HOME:-$HOME/.cache}/lucid-peers/openssh-10.5p1}
seconds=${BENCH_HANDSHAKE_SECONDS:-8}; reps=${BENCH_HANDSHAKE_REPS:-2}; latency_runs=${BENCH_LATENCY_RUNS:-10}
log() { printf '%s pq-bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
[ -x "$lucid_bin" ] || die "no lucid at $lucid_bin (run ./lucid once, or set LUCID)"
[ -f "$bench_tool" ] || die "no Lucid.Bench.dll at $bench_tool (dotnet build bench/Lucid.Bench -c Release)"
[ -x "$o105/sshd" ] || die "no OpenSSH 10.5 build at $o105 (../shared/peers/build-openssh.sh DIR; LUCID_OPENSSH105=DIR)"

work=$(mktemp -d)
# OpenSSH reads authorized_keys as the user it authenticates: the folder must let that user in (keys stay 0600).
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

user=lucidbench
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user" 2>/dev/null || die "cannot create user $user"
usermod -p '*' "$user" 2>/dev/null || true
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$work/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519"
cp "$work/id_ed25519.pub" "$work/authorized_keys"; chmod 644 "$work/authorized_keys"

port_of() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
config() { # port [extra lines]
  printf 'ListenAddress 127.0.0.1\nPort %s\nHostKey %s\nAuthorizedKeysFile %s\nAuthenticationMethods publickey\n' "$1" "$work/host_ed25519" "$work/authorized_keys"
  printf 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nUseDNS no\nStrictModes no\nPermitRootLogin no\n'
  printf 'AllowUsers %s\nMaxStartups 200:30:400\nLoginGraceTime 60\nPidFile none\nLogLevel ERROR\n' "$user"
  printf 'KexAlgorithms mlkem768x25519-sha256,sntrup761x25519-sha512,curve25519-sha256\n'
  shift; for line in "$@"; do printf '%s\n' "$line"; done
}
declare -A port
start() { # name binary [extra config lines]
  local name=$1 bin=$2; shift 2
  port[$name]=$(port_of)
  # Debian's 9.2 knows sntrup761x25519-sha512 but not ML-KEM; its config names only what it has.
  if [ "$name" = openssh92 ]; then config "${port[$name]}" "$@" | sed 's/^KexAlgorithms .*/KexAlgorithms sntrup761x25519-sha512,curve25519-sha256/'
  else config "${port[$name]}" "$@"; fi >"$work/$name.conf"
  if [ "$name" = lucid ]; then "$lucid_bin" sshd -D -e -f "$work/$name.conf" 2>"$work/$name.log" &
  else "$bin" -D -e -f "$work/$name.conf" 2>"$work/$name.log" & fi
  pids+=($!)
  for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/${port[$name]}") 2>/dev/null && return; sleep 0.1; done
  cat "$work/$name.log" >&2; die "$name did not start"
}
start openssh92 /usr/sbin/sshd
start openssh105 "$o105/sshd" "SshdSessionPath $o105/sshd-session" "SshdAuthPath $o105/sshd-auth"
start lucid "$lucid_bin"
servers=(lucid openssh105 openssh92)
declare -A label=([lucid]="lucid sshd" [openssh105]="OpenSSH 10.5 sshd" [openssh92]="OpenSSH 9.2 sshd")
kexes=(mlkem768x25519-sha256 sntrup761x25519-sha512 curve25519-sha256)

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "" } else { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'; }
declare -A rate latency
for kex in "${kexes[@]}"; do
  for s in "${servers[@]}"; do
    if [ "$s" = openssh92 ] && [ "$kex" = mlkem768x25519-sha256 ]; then rate[$s,$kex]="—"; latency[$s,$kex]="—"; continue; fi
    values=()
    for _ in $(seq "$reps"); do
      line=$(timeout $((seconds + 120)) dotnet "$bench_tool" handshake --port "${port[$s]}" --user "$user" --key "$work/id_ed25519" \
        --kex "$kex" --seconds "$seconds" --concurrency 16 2>"$work/err") || die "handshake $s $kex: $(head -c 300 "$work/err")"
      values+=("$(awk '{ print $3 }' <<<"$line")")
      log "handshake $kex ${label[$s]}: $line"
    done
    rate[$s,$kex]=$(printf '%s\n' "${values[@]}" | median)
    times=()
    for _ in $(seq "$latency_runs"); do
      t0=$(date +%s%N)
      timeout 60 "$o105/ssh" -F /dev/null -i "$work/id_ed25519" -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o "KexAlgorithms=$kex" -p "${port[$s]}" \
        -l "$user" 127.0.0.1 true </dev/null || die "ssh $s $kex failed"
      times+=("$(( ($(date +%s%N) - t0) / 1000 ))")
    done
    latency[$s,$kex]=$(printf '%s\n' "${times[@]}" | median | awk '{ printf "%.1f", $1 / 1000 }')
    log "latency $kex ${label[$s]}: ${latency[$s,$kex]} ms"
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "—" || b == "—" || b == 0) print ""; else printf " (%.2f×)", a / b }'; }
render() {
  echo "Post-quantum KEX, server side: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $($o105/ssh -V 2>&1); $(/usr/bin/ssh -V 2>&1)"
  echo "Handshake rate: Lucid.Bench handshake (16 concurrent, ${seconds} s, median of $reps); latency: OpenSSH 10.5's ssh host true (median of $latency_runs)."
  echo "Ratios are to OpenSSH 10.5's sshd with the same KEX."
  echo
  echo "| KEX | measure | lucid sshd | OpenSSH 10.5 sshd | OpenSSH 9.2 sshd |"
  echo "|---|---|---|---|---|"
  for kex in "${kexes[@]}"; do
    b=${rate[openssh105,$kex]}
    echo "| $kex | handshake rate (conn/s) | ${rate[lucid,$kex]}$(ratio "${rate[lucid,$kex]}" "$b") | $b | ${rate[openssh92,$kex]}$(ratio "${rate[openssh92,$kex]}" "$b") |"
    b=${latency[openssh105,$kex]}
    echo "| $kex | connect+auth+true+exit (ms) | ${latency[lucid,$kex]}$(ratio "${latency[lucid,$kex]}" "$b") | $b | ${latency[openssh92,$kex]}$(ratio "${latency[openssh92,$kex]}" "$b") |"
  done
}
render
[ -z "$out" ] || render >"$out"
