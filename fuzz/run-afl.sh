#!/usr/bin/env bash
# Long-run fuzzing of one harness under afl++ with SharpFuzz:
#   fuzz/run-afl.sh TARGET [SECONDS]      (default 3600; `dotnet fuzz/Lucid.Fuzz/bin/Release/net10.0/Lucid.Fuzz.dll list` names them)
# Installs what it needs on first use: afl++ (Debian package) and the SharpFuzz.CommandLine 2.3.0 tool (NuGet).
# Publishes Lucid.Fuzz into fuzz/.afl/TARGET/bin, instruments Lucid.Ssh.dll there with sharpfuzz, and runs afl-fuzz
# at the lowest priority from fuzz/corpus/TARGET into fuzz/.afl/TARGET/findings. Crashes found land in
# findings/default/crashes; replay one with:  dotnet fuzz/.afl/TARGET/bin/Lucid.Fuzz.dll replay TARGET FILE
set -euo pipefail
target=${1:?usage: fuzz/run-afl.sh TARGET [SECONDS]}
seconds=${2:-3600}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/fuzz/corpus/$target"
[ -d "$corpus" ] || { echo "run-afl: no corpus at $corpus (unknown target?)" >&2; exit 2; }

if ! command -v afl-fuzz >/dev/null; then
  echo "run-afl: installing afl++"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq afl++ >/dev/null
fi
tools="$root/fuzz/.tools"
if [ ! -x "$tools/sharpfuzz" ]; then
  echo "run-afl: installing SharpFuzz.CommandLine 2.3.0"
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi

out="$root/fuzz/.afl/$target"
rm -rf "$out/bin"
dotnet publish "$root/fuzz/Lucid.Fuzz/Lucid.Fuzz.csproj" -c Release -o "$out/bin" --nologo -v quiet -clp:ErrorsOnly
"$tools/sharpfuzz" "$out/bin/Lucid.Ssh.dll"

# afl++ checks for an instrumented binary and CPU frequency settings; the instrumentation is in the .NET assembly,
# and a shared machine's CPU governor is not ours to change.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export DOTNET_TieredPGO=0
resume="-i $corpus"
[ -d "$out/findings/default/queue" ] && resume="-i -"
# shellcheck disable=SC2086
nice -n 19 afl-fuzz -V "$seconds" $resume -o "$out/findings" -t 10000 -m none -- "$out/bin/Lucid.Fuzz" afl "$target" || true
stats="$out/findings/default/fuzzer_stats"
if [ -f "$stats" ]; then
  grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time)' "$stats"
fi
crashes=$(find "$out/findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
echo "run-afl: $target: $crashes crashing inputs in $out/findings/default/crashes"
[ "$crashes" -eq 0 ]
