#!/usr/bin/env bash
# Runs OpenSSH 10.5's own regression tests (its regress/ directory) with one OpenSSH tool replaced by
# the lucid subcommand of the same name, and prints one line per test and a summary.
#
# usage: regress/run.sh [options] MODE [TEST...]
#   MODE      client (ssh), server (sshd), keygen (ssh-keygen), keyscan (ssh-keyscan)
#   TEST      regress script names without .sh (connect, dhgex, ...) or Makefile file tests (t1 ... t12);
#             none given: the mode's expected list, regress/expected/MODE.txt
#   --all           every test OpenSSH's Makefile runs (LTESTS and t1..t12), to survey what passes
#   --expected      exit non-zero only when a test of the expected list fails (what CI runs)
#   --timeout SECS  per-test limit (default 300); a test past it counts as failed
#   --markdown FILE also write the table as Markdown
#   --keep          keep the work directory (logs: WORK/regress/failed-*.log, WORK/logs/TEST.log)
#
# Needs OpenSSH 10.5p1's build tree (LUCID_OPENSSH105, built by test.sh or /work/shared/peers/build-openssh.sh)
# and the lucid CLI built by `dotnet build` (or LUCID_BIN pointing at any lucid executable, e.g. .publish/lucid).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

all=no; expected_only=no; timeout_secs=300; markdown=""; keep=no; mode=""; tests=()
while [ $# -gt 0 ]; do
  case "$1" in
    --all) all=yes ;;
    --expected) expected_only=yes ;;
    --timeout) timeout_secs=${2:?}; shift ;;
    --markdown) markdown=${2:?}; shift ;;
    --keep) keep=yes ;;
    -h|--help) usage ;;
    -*) echo "regress: unknown option $1" >&2; usage ;;
    *) if [ -z "$mode" ]; then mode=$1; else tests+=("$1"); fi ;;
  esac
  shift
done

# --- which OpenSSH tool lucid stands in for, per mode ---------------------------------------------------
case "$mode" in
  client)  tool=ssh;         vars=(TEST_SSH_SSH) ;;
  server)  tool=sshd;        vars=(TEST_SSH_SSHD) ;;
  keygen)  tool=ssh-keygen;  vars=(TEST_SSH_SSHKEYGEN) ;;
  keyscan) tool=ssh-keyscan; vars=(TEST_SSH_SSHKEYSCAN) ;;
  *) echo "regress: MODE must be client, server, keygen or keyscan" >&2; usage ;;
esac

# --- the OpenSSH 10.5 build tree and the lucid binary ----------------------------------------------------
openssh=${LUCID_OPENSSH105:-${XDG_CACHE_HOME:-$HOME/.cache}/lucid-peers/openssh-10.5p1}
if ! "$openssh/ssh" -V 2>&1 | grep -q OpenSSH_10.5p1; then
  echo "regress: no OpenSSH 10.5p1 build tree at $openssh (set LUCID_OPENSSH105; test.sh builds it)" >&2
  exit 2
fi
lucid=${LUCID_BIN:-$root/src/Lucid.Cli/bin/Release/net10.0/linux-x64/lucid}
if [ ! -x "$lucid" ]; then
  echo "regress: lucid not found at $lucid (run: dotnet build Lucid.slnx -c Release, or set LUCID_BIN)" >&2
  exit 2
fi

# The regress helpers (netcat, timestamp, modpipe, mkdtemp, sk-dummy.so) are not part of `make all`.
if [ ! -x "$openssh/regress/timestamp" ] || [ ! -x "$openssh/regress/modpipe" ]; then
  echo "regress: building OpenSSH's regress helpers in $openssh"
  ( flock 9; [ -x "$openssh/regress/modpipe" ] || make -C "$openssh" regress-binaries >/dev/null 2>&1 ) \
      9>"$openssh.lock" || { echo "regress: could not build the regress helpers" >&2; exit 2; }
fi

# --- the tests to run --------------------------------------------------------------------------------------
list_file="$here/expected/$mode.txt"
if [ "$all" = yes ]; then
  # The Makefile's own lists, in its order: the file tests, then LTESTS.
  mapfile -t tests < <(awk '/^REGRESS_TARGETS=/{for(i=2;i<=NF;i++)print $i}
      /^LTESTS=/{on=1} on{for(i=1;i<=NF;i++) if($i!="\\" && $i!~/^LTESTS=/) print $i; if($NF!="\\") on=0}' \
      "$openssh/regress/Makefile")
elif [ ${#tests[@]} -eq 0 ]; then
  [ -f "$list_file" ] || { echo "regress: no list $list_file" >&2; exit 2; }
  mapfile -t tests < <(sed 's/#.*//; s/[[:space:]]//g; /^$/d' "$list_file")
fi
expected=" $( [ -f "$list_file" ] && sed 's/#.*//' "$list_file" | tr -s '[:space:]' ' ') "

# --- a private copy of regress/ (tests write keys, configs and logs next to themselves) ---------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/lucid-regress.$mode.XXXXXX")
obj=$work/regress
cp -a "$openssh/regress" "$obj"
mkdir -p "$work/bin" "$work/logs"
cleanup() { stop_leftovers; [ "$keep" = yes ] && echo "regress: work directory kept: $work" || rm -rf "$work"; }
trap cleanup EXIT; trap "exit 130" INT TERM

# lucid is one binary with subcommands; the tests want one program per tool. test-exec.sh also copies the
# ssh binary's bytes as its test data ($DATA, transferred and compared by many tests), so the wrapper
# carries the lucid assembly's bytes after its exec line: never run, they give the tests a realistic file.
wrapper=$work/bin/lucid-$tool
{ printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$lucid" "$tool"; cat "$(dirname "$lucid")/lucid.dll" 2>/dev/null; } >"$wrapper"
chmod 755 "$wrapper"

# A free port for this run (the tests also use a few fixed ports of their own).
port=""
for _ in $(seq 50); do
  candidate=$((20000 + RANDOM % 30000))
  (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null || { port=$candidate; break; }
done
[ -n "$port" ] || { echo "regress: no free port found" >&2; exit 2; }

# What OpenSSH's top-level Makefile exports for `make t-exec`, with the build tree's binaries...
env_vars=(
  BUILDDIR="$openssh" OBJ="$obj" PATH="$openssh:$PATH" TEST_SHELL=/bin/sh SUDO=
  TEST_SSH_PORT="$port" TEST_SSH_UNSAFE_PERMISSIONS=1 OPENSSL_BIN="$(command -v openssl || echo openssl)"
  TEST_SSH_SCP="$openssh/scp" TEST_SSH_SSH="$openssh/ssh" TEST_SSH_SSHD="$openssh/sshd"
  TEST_SSH_SSHD_SESSION="$openssh/sshd-session" TEST_SSH_SSHD_AUTH="$openssh/sshd-auth"
  TEST_SSH_SSHAGENT="$openssh/ssh-agent" TEST_SSH_SSHADD="$openssh/ssh-add"
  TEST_SSH_SSHKEYGEN="$openssh/ssh-keygen" TEST_SSH_SSHKEYSCAN="$openssh/ssh-keyscan"
  TEST_SSH_SFTP="$openssh/sftp" TEST_SSH_SFTPSERVER="$openssh/sftp-server"
  TEST_SSH_PKCS11_HELPER="$openssh/ssh-pkcs11-helper" TEST_SSH_SK_HELPER="$openssh/ssh-sk-helper"
  TEST_SSH_MODULI_FILE="$openssh/moduli" TEST_SSH_IPV6=no TEST_SSH_UTF8=yes
)
# ...then the one replaced by lucid.
for v in "${vars[@]}"; do env_vars+=("$v=$wrapper"); done

# test-exec.sh takes its key types (SSH_KEYTYPES: the fixture keys, and the types keygen tests loop over)
# from OpenSSH's `ssh -Q key-plain`. In keygen mode that list has types lucid ssh-keygen cannot make (FIDO
# sk-* keys, which need a security key; ML-DSA hybrids), which would abort every test in its set-up. So the
# private copy of test-exec.sh narrows the list to the types the ssh-keygen under test makes; the run says
# which types it left out, and docs/REGRESS.md lists them.
if [ "$mode" = keygen ]; then
  probe=$work/probe; mkdir -p "$probe"
  for t in $("$openssh/ssh" -Q key-plain); do
    if "$wrapper" -q -N '' -t "$t" -f "$probe/$t" >/dev/null 2>&1; then
      echo "$t" >>"$obj/keygen-types"
    else
      echo "regress: lucid ssh-keygen cannot make $t keys: left out of SSH_KEYTYPES"
    fi
  done
  rm -rf "$probe"
  sed -i '/^SSH_HOSTKEY_TYPES=/a\
# lucid regress/run.sh (keygen mode): only the key types the ssh-keygen under test makes.\
SSH_KEYTYPES=`for t in $SSH_KEYTYPES; do grep -qx "$t" $OBJ/keygen-types \&\& echo $t; done`\
SSH_HOSTKEY_TYPES="$SSH_KEYTYPES"' "$obj/test-exec.sh"
  grep -q 'keygen-types' "$obj/test-exec.sh" || { echo "regress: could not narrow test-exec.sh's key types" >&2; exit 2; }
fi

# Every process a test starts carries LUCID_REGRESS_RUN in its environment, daemons included (sshd and
# ssh-agent detach into sessions of their own); what is still running after a test is ended by that mark,
# so a failed or timed-out test leaves nothing behind to hold the port or the CPU.
env_vars+=(LUCID_REGRESS_RUN="$work")
stop_leftovers() {
  local pids
  pids=$(grep -lszxF "LUCID_REGRESS_RUN=$work" /proc/[0-9]*/environ | cut -d/ -f3)
  [ -n "$pids" ] && kill $pids 2>/dev/null
  rm -f "$obj/pidfile"
  return 0
}

# --- run ---------------------------------------------------------------------------------------------------
echo "regress: mode $mode (lucid $tool for OpenSSH's), ${#tests[@]} tests, port $port"
passed=(); failed=(); skipped=(); rows=()
started=$(date +%s)
for test in "${tests[@]}"; do
  log=$work/logs/$test.log
  t0=$(date +%s)
  printf '  %-22s ' "$test"
  if [[ "$test" =~ ^t[0-9]+$ ]]; then
    # Makefile file tests: the Makefile's own recipe, with BSD make's .CURDIR/.OBJDIR given as the portable
    # top-level Makefile does.
    rm -f "$obj/$test.out" "$obj/$test.out.pub"
    (cd "$obj" && env "${env_vars[@]}" timeout -k 10 "$timeout_secs" \
        make -s .CURDIR="$obj" .OBJDIR="$obj" "$test") >"$log" 2>&1
    rc=$?
  elif [ -f "$obj/$test.sh" ]; then
    (cd "$obj" && env "${env_vars[@]}" timeout -k 10 "$timeout_secs" \
        /bin/sh "$obj/test-exec.sh" "$obj" "$obj/$test.sh") >"$log" 2>&1
    rc=$?
  else
    echo "no such test" >"$log"; rc=127
  fi
  stop_leftovers
  secs=$(( $(date +%s) - t0 ))
  if [ $rc -eq 0 ] && grep -q '^SKIPPED:' "$log"; then
    result=SKIP; skipped+=("$test")
  elif [ $rc -eq 0 ]; then
    result=PASS; passed+=("$test")
  else
    result=FAIL; [ $rc -eq 124 ] && result=TIMEOUT; failed+=("$test")
  fi
  why=""
  if [ "$result" != PASS ]; then
    # The first line that says what went wrong (the Makefile's t-tests trace their commands with "+ ").
    why=$(grep -v '^\(run test\|ok \|trace:\|+ \|make: \)' "$log" | grep -E -m1 'FAIL|fail|SKIPPED|FATAL|rror|not supported|^[0-9]+[acd][0-9]' | cut -c1-110)
  fi
  mark=""; [[ "$expected" == *" $test "* ]] && mark=" (expected to pass)"
  [ "$result" = PASS ] && mark=""
  printf '%-7s %4ss%s%s\n' "$result" "$secs" "${why:+  $why}" "$mark"
  rows+=("| $test | $result | ${secs}s | ${why//|/\\|} |")
done

total=$(( $(date +%s) - started ))
echo "regress: mode $mode: ${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} skipped in ${total}s"
if [ -n "$markdown" ]; then
  { echo "| test | $mode | time | first failure line |"; echo "|---|---|---|---|"; printf '%s\n' "${rows[@]}"; } >"$markdown"
fi

# Failed logs go to stdout for CI; locally --keep keeps them too.
status=0
for test in "${failed[@]}"; do
  if [ "$expected_only" = no ] || [[ "$expected" == *" $test "* ]]; then
    status=1
    echo "----- $test (log tail) -----"
    tail -25 "$work/logs/$test.log"
  fi
done
if [ "$expected_only" = yes ] && [ $status -ne 0 ]; then
  echo "regress: mode $mode: a test on the expected list ($list_file) failed" >&2
fi
exit $status
