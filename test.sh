#!/usr/bin/env bash
# Installs what the tests need, builds, and runs every test project. Exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# --- what the tests drive: real OpenSSH binaries and other clients, libsodium, tmux for terminals ---
need=()
command -v ssh >/dev/null || need+=(openssh-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
ldconfig -p | grep -q 'libsodium\.so\.23' || need+=(libsodium23)
command -v tmux >/dev/null || need+=(tmux)
command -v curl >/dev/null || need+=(curl)
# lucid sshd's systemd units are checked with systemd-analyze verify, socket activation with systemd-socket-activate.
{ command -v systemd-analyze && command -v systemd-socket-activate; } >/dev/null || need+=(systemd)
# Other mainstream clients that log in to lucid sshd: Dropbear, PuTTY, and Paramiko in Debian's own python3.
{ command -v dbclient && command -v dropbearconvert && command -v dropbearkey; } >/dev/null || need+=(dropbear-bin)
{ command -v plink && command -v puttygen && command -v pscp && command -v psftp; } >/dev/null || need+=(putty-tools)
/usr/bin/python3 -c 'import paramiko' 2>/dev/null || need+=(python3-paramiko)
# ssh-audit grades lucid sshd's default algorithms (the secure-defaults test expects 0 [fail]).
command -v ssh-audit >/dev/null || need+=(ssh-audit)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null 2>&1 || true
  if ! DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null; then
    echo "test.sh: could not install ${need[*]}" >&2
    exit 1
  fi
fi
# sshd refuses to start without its privilege-separation directory.
[ -d /run/sshd ] || { mkdir -p /run/sshd 2>/dev/null || sudo mkdir -p /run/sshd; }

# --- OpenSSH 10.5p1, the peer for post-quantum key exchange and OpenSSH 10 behaviour ----------------
# Built once from ../shared/peers (about 3 minutes on 2 cores) into a cache outside the clone; the tests
# find it through LUCID_OPENSSH105 (the build tree: ssh, sshd, sshd-session, ssh-keygen, regress/, ...).
peers=""
for candidate in "${LUCID_PEERS:-}" "$root/../shared/peers" /work/shared/peers; do
  [ -n "$candidate" ] && [ -x "$candidate/build-openssh.sh" ] && { peers=$candidate; break; }
done
if [ -z "$peers" ]; then
  echo "test.sh: OpenSSH 10.5p1's source (shared/peers/build-openssh.sh) not found; set LUCID_PEERS to its folder" >&2
  exit 1
fi
export LUCID_OPENSSH105="${LUCID_OPENSSH105:-${XDG_CACHE_HOME:-$HOME/.cache}/lucid-peers/openssh-10.5p1}"
if ! "$LUCID_OPENSSH105/ssh" -V 2>&1 | grep -q OpenSSH_10.5p1; then
  echo "test.sh: building OpenSSH 10.5p1 into $LUCID_OPENSSH105 (once; about 3 minutes)"
  if ! "$peers/build-openssh.sh" "$LUCID_OPENSSH105" >/dev/null; then
    echo "test.sh: could not build OpenSSH 10.5p1" >&2
    exit 1
  fi
fi

# --- build --------------------------------------------------------------------------------------
echo "test.sh: building"
if ! dotnet build Lucid.slnx -c Release --nologo -v quiet -clp:ErrorsOnly; then
  echo "test.sh: build failed" >&2
  exit 1
fi

# --- run every test project, then one closing line with the totals --------------------------------
passed=0; failed=0; skipped=0; status=0
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "test.sh: running $name"
  # A test that hangs is stopped after 10 minutes and named (the rest of that project does not run, so the
  # run fails loudly instead of sitting silent until CI's own limit). A line every 100 results shows progress;
  # a failed test is printed with the first lines of its message.
  dotnet test "$project" -c Release --no-build --nologo \
      --blame-hang-timeout 10min --blame-hang-dump-type none \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
      --logger "console;verbosity=normal" 2>&1 | tee "$results/$name.log" | awk -v name="$name" '
        /^[ \t]+(Passed|Failed|Skipped) [A-Za-z]/ { if (++done % 100 == 0) printf "test.sh: %s: %d tests run (%s)\n", name, done, strftime("%H:%M:%S"); fflush() }
        /^[ \t]+Passed / { detail = 0; next }
        /^[ \t]+Failed [A-Za-z]/ { print; detail = 25; fflush(); next }
        detail > 0 { detail--; print; fflush(); next }
        /^Total tests|^ +(Passed|Failed|Skipped): |[Bb]lame|aborted|crashed/ { print; fflush() }'
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  if ! grep -q '^Total tests:' "$results/$name.log"; then
    echo "test.sh: $name produced no result summary" >&2
    status=1; continue
  fi
  count() { grep -E "^ +$1: +[0-9]+" "$results/$name.log" | tail -1 | grep -Eo '[0-9]+' || echo 0; }
  passed=$((passed + $(count Passed))); failed=$((failed + $(count Failed))); skipped=$((skipped + $(count Skipped)))
done

# --- OpenSSH 10.5's own regression tests with a lucid tool in place of OpenSSH's -------------------------
# regress/expected/MODE.txt lists the tests that pass today with that tool swapped in; the list only grows.
# A listed test that fails fails the run (regress/run.sh prints its log). docs/REGRESS.md has the full table.
regress_failed=0
for mode in keygen client server; do
  [ -s "regress/expected/$mode.txt" ] || continue
  echo "test.sh: running OpenSSH's regress tests, $mode mode (regress/expected/$mode.txt)"
  if ! LUCID_BIN="$root/src/Lucid.Cli/bin/Release/net10.0/linux-x64/lucid" regress/run.sh --expected "$mode"; then
    regress_failed=$((regress_failed + 1)); status=1
  fi
done

echo
echo "$passed passed, $failed failed, $skipped skipped; OpenSSH regress: $regress_failed mode(s) with failures"
[ "$failed" -eq 0 ] || status=1
exit $status
