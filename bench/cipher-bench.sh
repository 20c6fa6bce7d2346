#!/usr/bin/env bash
# Packet seal/open throughput of every cipher (and the CTR+MAC combinations) through Lucid's framing code.
# Usage: bench/cipher-bench.sh [megabytes per cipher, default 256] [payload bytes, default 32768]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build "$root/bench/Lucid.Bench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
echo "OpenSSL: $(openssl version 2>/dev/null || echo unknown); $(nproc) cores"
dotnet "$root/bench/Lucid.Bench/bin/Release/net10.0/Lucid.Bench.dll" "$@"
