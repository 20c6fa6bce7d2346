#!/usr/bin/env python3
"""Computes HybridKemTranscriptTests' expected values independently of Lucid: one mlkem768x25519-sha256 exchange.

ML-KEM-768 comes from the first ACVP encapsulation vector in mlkem768-acvp.json (its ek/dk are the client's key
pair, its m the server's randomness, its c and k the results); X25519 from RFC 7748 section 6.1's two private
keys (Python's `cryptography`). The rest is draft-ietf-sshm-mlkem-hybrid-kex and RFC 4253: K = SHA-256(k || x25519),
encoded as a string; H over the usual fields; keys A..F from RFC 4253 section 7.2.
"""
import hashlib, json, os, struct
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization

here = os.path.dirname(os.path.abspath(__file__))
v = json.load(open(os.path.join(here, "mlkem768-acvp.json")))["encapsulation"][0]
ek, c, k = (bytes.fromhex(v[n]) for n in ("ek", "c", "k"))
a = X25519PrivateKey.from_private_bytes(bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
b = X25519PrivateKey.from_private_bytes(bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
raw = lambda key: key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
string = lambda data: struct.pack(">I", len(data)) + data

q_c = ek + raw(a)
q_s = c + raw(b)
shared = a.exchange(b.public_key())
K = hashlib.sha256(k + shared).digest()
K_enc = string(K)
V_C, V_S = b"SSH-2.0-OpenSSH_10.5", b"SSH-2.0-Lucid"
I_C, I_S = b"\x14client kexinit", b"\x14server kexinit"
K_S = string(b"ssh-ed25519") + string(bytes(range(32)))
H = hashlib.sha256(b"".join(map(string, (V_C, V_S, I_C, I_S, K_S, q_c, q_s))) + K_enc).digest()

def derive(letter, size):
    out = hashlib.sha256(K_enc + H + letter + H).digest()
    while len(out) < size:
        out += hashlib.sha256(K_enc + H + out).digest()
    return out[:size]

print("x25519 shared", shared.hex())
print("Q_C sha256", hashlib.sha256(q_c).hexdigest(), len(q_c))
print("Q_S sha256", hashlib.sha256(q_s).hexdigest(), len(q_s))
print("K", K.hex())
print("H", H.hex())
for letter, size in ((b"A", 12), (b"B", 12), (b"C", 32), (b"D", 32), (b"E", 64), (b"F", 64)):
    print(letter.decode(), derive(letter, size).hex())
