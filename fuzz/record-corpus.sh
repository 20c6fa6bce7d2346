#!/usr/bin/env bash
# Records the fuzz corpus (fuzz/corpus/TARGET/*) from real OpenSSH: keys, certificates, signatures and
# known_hosts written by ssh-keygen and ssh-keyscan of Debian's OpenSSH 9.2 and of OpenSSH 10.5
# ($LUCID_OPENSSH105, built by test.sh), configuration files OpenSSH accepts (checked with ssh -G / sshd -T),
# and packets from real handshakes and sessions (`Lucid.Fuzz record`, see fuzz/Lucid.Fuzz/Recorder.cs).
# Needs root (sshd) and OpenSSH 9.2 installed. Rerunning replaces the recorded files; keys differ on every run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/fuzz/corpus"
recording="$root/fuzz/recording"
ssh105="${LUCID_OPENSSH105:-${XDG_CACHE_HOME:-$HOME/.cache}/lucid-peers/openssh-10.5p1}"
[ -d /run/sshd ] || mkdir -p /run/sshd
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="$work/data"
# The data the harnesses' signatures cover (KeyTargets.DataToSign).
printf 'data signed in the fuzz corpus' > "$data"

keygens=(/usr/bin/ssh-keygen)
[ -x "$ssh105/ssh-keygen" ] && keygens+=("$ssh105/ssh-keygen")

put() { # put TARGET NAME FILE
  mkdir -p "$corpus/$1"; cp "$3" "$corpus/$1/$2"
}
blob() { # the base64 field of a .pub line, decoded
  awk '{print $2}' "$1" | base64 -d
}

for keygen in "${keygens[@]}"; do
  [ "$keygen" = /usr/bin/ssh-keygen ] && v=9.2 || v=10.5
  d="$work/$v"; mkdir -p "$d"
  specs=("ed25519:" "ecdsa:-b 256" "ecdsa:-b 384" "ecdsa:-b 521" "rsa:-b 2048")
  [ "$v" = 9.2 ] && specs+=("dsa:")
  # A CA for certificates.
  "$keygen" -q -t ed25519 -N '' -C ca -f "$d/ca"
  "$keygen" -q -t rsa -b 2048 -N '' -C rsa-ca -f "$d/rsa-ca"
  for spec in "${specs[@]}"; do
    type=${spec%%:*}; opts=${spec#*:}
    name="$type$(echo "$opts" | tr -dc 0-9)"
    k="$d/$name"
    # shellcheck disable=SC2086
    "$keygen" -q -t "$type" $opts -N '' -C "fuzz-$name@openssh-$v" -f "$k"
    put private-key "openssh-$v-$name" "$k"
    put public-key-text "openssh-$v-$name.pub" "$k.pub"
    blob "$k.pub" > "$k.blob"; put public-key "openssh-$v-$name" "$k.blob"
    # Encrypted openssh-key-v1 (bcrypt-pbkdf, aes256-ctr), and the PEM and PKCS#8 forms, plain and encrypted.
    cp "$k" "$k.enc"; "$keygen" -q -p -N '' -P '' -f "$k.enc" >/dev/null 2>&1 || true
    "$keygen" -q -p -P '' -N fuzz-passphrase -a 2 -f "$k.enc" >/dev/null
    put private-key "openssh-$v-$name-encrypted" "$k.enc"
    if [ "$type" != ed25519 ]; then
      for fmt in PEM PKCS8; do
        cp "$k" "$k.$fmt"; "$keygen" -q -p -P '' -N '' -m "$fmt" -f "$k.$fmt" >/dev/null
        put private-key "openssh-$v-$name-$fmt" "$k.$fmt"
        cp "$k" "$k.$fmt.enc"; "$keygen" -q -p -P '' -N fuzz-passphrase -m "$fmt" -f "$k.$fmt.enc" >/dev/null
        put private-key "openssh-$v-$name-$fmt-encrypted" "$k.$fmt.enc"
        "$keygen" -e -m "$fmt" -f "$k.pub" > "$k.pub.$fmt" && put public-key-text "openssh-$v-$name.pub.$fmt" "$k.pub.$fmt"
      done
    fi
    "$keygen" -e -f "$k.pub" > "$k.pub.rfc4716" && put public-key-text "openssh-$v-$name.pub.rfc4716" "$k.pub.rfc4716"
    # Certificates: a user certificate with critical options and extensions, a host certificate.
    "$keygen" -q -s "$d/ca" -I "user-$name" -n fuzz,root -V -5m:+52w \
      -O force-command=/bin/true -O source-address=192.0.2.0/24 -O no-port-forwarding "$k.pub"
    put public-key-text "openssh-$v-$name-cert.pub" "$k-cert.pub"
    blob "$k-cert.pub" > "$k-cert.blob"; put certificate "openssh-$v-$name-user-cert" "$k-cert.blob"
    "$keygen" -q -s "$d/rsa-ca" -t rsa-sha2-512 -h -I "host-$name" -n host.example,192.0.2.7 -z 42 "$k.pub"
    blob "$k-cert.pub" > "$k-cert.blob"; put certificate "openssh-$v-$name-host-cert" "$k-cert.blob"
    # SSHSIG over the harness' data, and the key and signature blobs inside it for the signature harness.
    "$keygen" -q -Y sign -n file -f "$k" "$data" 2>/dev/null
    put sshsig "openssh-$v-$name.sig" "$data.sig"
    python3 - "$data.sig" "$k.sigpair" <<'PY'
import base64, struct, sys
text = open(sys.argv[1]).read().split('\n')
raw = base64.b64decode(''.join(l for l in text if l and not l.startswith('-----')))
def string(b, i):
    n = struct.unpack('>I', b[i:i+4])[0]; return b[i+4:i+4+n], i+4+n
i = 6 + 4  # "SSHSIG" magic, uint32 version
key, i = string(raw, i)
_, i = string(raw, i); _, i = string(raw, i); _, i = string(raw, i)  # namespace, reserved, hash algorithm
sig, i = string(raw, i)
open(sys.argv[2], 'wb').write(struct.pack('>I', len(key)) + key + struct.pack('>I', len(sig)) + sig)
PY
    put signature "openssh-$v-$name" "$k.sigpair"
    rm -f "$data.sig"
  done
done

# authorized_keys: every option sshd(8) documents, on keys ssh-keygen wrote.
ak="$work/authorized_keys"
e=$(cat "$work/9.2/ed25519.pub"); r=$(cat "$work/9.2/rsa2048.pub"); c=$(cat "$work/9.2/ecdsa256.pub")
cat > "$ak" <<AK
# comments and blank lines are skipped

$e
command="dump /home",no-pty,no-port-forwarding $r
permitopen="192.0.2.1:80",permitopen="192.0.2.2:25" $c
tunnel="0",command="sh /etc/netstart tun0" $e
restrict,command="uptime" $r
restrict,pty,command="nethack" $c
from="*.sales.example.net,!pc.sales.example.net",expiry-time="20300101" $e
environment="FOO=bar",no-agent-forwarding,no-X11-forwarding,no-user-rc $r
permitlisten="localhost:8080",permitlisten="[::1]:22000" $c
cert-authority,principals="fuzz,admin" $(cat "$work/9.2/ca.pub")
no-touch-required,verify-required $e
AK
put authorized-keys "sshd8-options" "$ak"
grep -v '^#' "$ak" | grep -v '^$' | head -3 > "$work/ak-plain"; put authorized-keys "plain" "$work/ak-plain"
cat "$recording"/id_*.pub > "$work/ak-recording"; put authorized-keys "recording-keys" "$work/ak-recording"

# Configuration files as OpenSSH ships them, and richer ones both versions accept.
put ssh-config "debian-9.2-etc-ssh_config" /etc/ssh/ssh_config
put sshd-config "debian-9.2-etc-sshd_config" /etc/ssh/sshd_config
tar -xzf /work/shared/peers/openssh-10.5p1-src.tar.gz -C "$work" openssh-10.5p1/ssh_config openssh-10.5p1/sshd_config 2>/dev/null || true
[ -f "$work/openssh-10.5p1/ssh_config" ] && put ssh-config "openssh-10.5-ssh_config" "$work/openssh-10.5p1/ssh_config"
[ -f "$work/openssh-10.5p1/sshd_config" ] && put sshd-config "openssh-10.5-sshd_config" "$work/openssh-10.5p1/sshd_config"
cp "$root/fuzz/recording/ssh_config" "$work/ssh_config"
ssh -G -F "$work/ssh_config" host.example >/dev/null
put ssh-config "rich" "$work/ssh_config"
cp "$root/fuzz/recording/sshd_config" "$work/sshd_config"
sed "s|@HOSTKEY@|$work/9.2/ed25519|" "$work/sshd_config" > "$work/sshd_config.t"
/usr/sbin/sshd -T -f "$work/sshd_config.t" -C user=fuzz,host=client.example,addr=192.0.2.7,laddr=127.0.0.1,lport=2222 >/dev/null
put sshd-config "rich" "$work/sshd_config"

# KRLs (ssh-keygen -k) revoking the recording keys and certificates their ecdsa key signed (the krl harness checks
# those), by key, by hash, by serial range and by key ID; both versions, plain and updated (-u).
for keygen in "${keygens[@]}"; do
  [ "$keygen" = /usr/bin/ssh-keygen ] && v=9.2 || v=10.5
  spec="$work/krl-spec-$v"
  printf 'serial: 1-10\nserial: 1000\nid: fuzz-revoked-id\n' > "$spec"
  "$keygen" -q -k -f "$work/krl-$v" -s "$recording/id_ecdsa.pub" -z 7 "$spec"
  put krl "openssh-$v-ca-serials-ids" "$work/krl-$v"
  "$keygen" -q -k -f "$work/krl-keys-$v" "$recording/id_rsa.pub"
  put krl "openssh-$v-plain-key" "$work/krl-keys-$v"
  printf 'sha256: %s\nsha1: %s\nhash: %s\n' "$(cat "$recording/id_ed25519.pub")" "$(cat "$recording/id_ecdsa.pub")" \
    "$("$keygen" -lf "$recording/id_rsa.pub" -E sha256 | awk '{print $2}')" > "$work/krl-hash-spec-$v"
  "$keygen" -q -k -f "$work/krl-hash-$v" "$work/krl-hash-spec-$v" && put krl "openssh-$v-hashes" "$work/krl-hash-$v"
  cp "$work/krl-$v" "$work/krl-upd-$v"; "$keygen" -q -k -u -f "$work/krl-upd-$v" "$recording/id_rsa.pub"
  put krl "openssh-$v-updated" "$work/krl-upd-$v"
done

# Packets from real handshakes and sessions, and known_hosts from ssh-keyscan.
dotnet run --no-build --project "$root/fuzz/Lucid.Fuzz" -c Release -- record "$corpus"
echo "record-corpus: $(find "$corpus" -type f | wc -l) corpus files"
