using System.Reflection;
using System.Runtime.InteropServices;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// The libsodium primitives Lucid uses: X25519, Ed25519, ChaCha20 (the original 64-bit-nonce variant
/// that chacha20-poly1305@openssh.com is built on) and Poly1305. Spans in, spans out, no allocations.
/// </summary>
/// <remarks>
/// Pointers rather than marshalled arrays keep every call blittable: no stubs, nothing for the trimmer
/// to keep. The first call runs sodium_init; if the library cannot be loaded every call throws the
/// same <see cref="SshException"/> naming the package to install.
/// </remarks>
public static unsafe class Sodium
{
    private const string LibraryName = "libsodium.so.23";

    public const int X25519KeySize = 32;
    public const int Ed25519SeedSize = 32;
    public const int Ed25519PublicKeySize = 32;
    public const int Ed25519SecretKeySize = 64;
    public const int Ed25519SignatureSize = 64;
    public const int ChaCha20KeySize = 32;
    public const int ChaCha20NonceSize = 8;
    public const int Poly1305KeySize = 32;
    public const int Poly1305TagSize = 16;

    public const string MissingLibraryMessage =
        "libsodium is not installed (libsodium.so.23): install it with 'sudo apt-get install libsodium23'";

    // 0 = not tried, 1 = ready, -1 = unavailable. Reads of an int are atomic; racing initialisers are harmless
    // because sodium_init itself is idempotent and thread-safe.
    private static volatile int s_state;

    static Sodium()
    {
        NativeLibrary.SetDllImportResolver(typeof(Sodium).Assembly, Resolve);
    }

    /// <summary>True when libsodium loaded and initialised.</summary>
    public static bool IsAvailable
    {
        get
        {
            if (s_state == 0)
                TryInitialize();
            return s_state == 1;
        }
    }

    /// <summary>Throws the "install libsodium" <see cref="SshException"/> unless libsodium is usable.</summary>
    public static void EnsureAvailable()
    {
        if (s_state != 1 && !IsAvailable)
            throw new SshException(MissingLibraryMessage);
    }

    /// <summary>X25519: <paramref name="shared"/> = <paramref name="scalar"/> · <paramref name="point"/>. False when the result is all zeros (a low-order point).</summary>
    public static bool X25519(Span<byte> shared, ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point)
    {
        CheckLength(shared, X25519KeySize, nameof(shared));
        CheckLength(scalar, X25519KeySize, nameof(scalar));
        CheckLength(point, X25519KeySize, nameof(point));
        EnsureAvailable();
        fixed (byte* q = shared, n = scalar, p = point)
            return crypto_scalarmult_curve25519(q, n, p) == 0;
    }

    /// <summary>X25519 public key: <paramref name="publicKey"/> = <paramref name="scalar"/> · base point.</summary>
    public static void X25519Base(Span<byte> publicKey, ReadOnlySpan<byte> scalar)
    {
        CheckLength(publicKey, X25519KeySize, nameof(publicKey));
        CheckLength(scalar, X25519KeySize, nameof(scalar));
        EnsureAvailable();
        fixed (byte* q = publicKey, n = scalar)
        {
            if (crypto_scalarmult_curve25519_base(q, n) != 0)
                throw new SshException("X25519 base point multiplication failed");
        }
    }

    /// <summary>Ed25519 key pair from a 32-byte seed; the secret key is libsodium's (and OpenSSH's) 64 bytes: seed then public key.</summary>
    public static void Ed25519KeyPairFromSeed(Span<byte> publicKey, Span<byte> secretKey, ReadOnlySpan<byte> seed)
    {
        CheckLength(publicKey, Ed25519PublicKeySize, nameof(publicKey));
        CheckLength(secretKey, Ed25519SecretKeySize, nameof(secretKey));
        CheckLength(seed, Ed25519SeedSize, nameof(seed));
        EnsureAvailable();
        fixed (byte* pk = publicKey, sk = secretKey, s = seed)
        {
            if (crypto_sign_ed25519_seed_keypair(pk, sk, s) != 0)
                throw new SshException("Ed25519 key derivation failed");
        }
    }

    /// <summary>A detached Ed25519 signature of <paramref name="message"/>.</summary>
    public static void Ed25519Sign(Span<byte> signature, ReadOnlySpan<byte> message, ReadOnlySpan<byte> secretKey)
    {
        CheckLength(signature, Ed25519SignatureSize, nameof(signature));
        CheckLength(secretKey, Ed25519SecretKeySize, nameof(secretKey));
        EnsureAvailable();
        fixed (byte* sig = signature, m = message, sk = secretKey)
        {
            if (crypto_sign_ed25519_detached(sig, null, m, (ulong)message.Length, sk) != 0)
                throw new SshException("Ed25519 signing failed");
        }
    }

    /// <summary>Verifies a detached Ed25519 signature; false for any mismatch or a signature of the wrong size.</summary>
    public static bool Ed25519Verify(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> message, ReadOnlySpan<byte> publicKey)
    {
        if (signature.Length != Ed25519SignatureSize || publicKey.Length != Ed25519PublicKeySize)
            return false;
        EnsureAvailable();
        fixed (byte* sig = signature, m = message, pk = publicKey)
            return crypto_sign_ed25519_verify_detached(sig, m, (ulong)message.Length, pk) == 0;
    }

    /// <summary>
    /// ChaCha20 with a 64-bit nonce and 64-bit block counter (D. J. Bernstein's original variant):
    /// <paramref name="output"/> = <paramref name="input"/> XOR keystream starting at block <paramref name="initialCounter"/>.
    /// Input and output may be the same span.
    /// </summary>
    public static void ChaCha20Xor(Span<byte> output, ReadOnlySpan<byte> input, ReadOnlySpan<byte> nonce, ulong initialCounter, ReadOnlySpan<byte> key)
    {
        if (output.Length < input.Length)
            throw new ArgumentException("output is shorter than input", nameof(output));
        CheckLength(nonce, ChaCha20NonceSize, nameof(nonce));
        CheckLength(key, ChaCha20KeySize, nameof(key));
        EnsureAvailable();
        fixed (byte* c = output, m = input, n = nonce, k = key)
        {
            if (crypto_stream_chacha20_xor_ic(c, m, (ulong)input.Length, n, initialCounter, k) != 0)
                throw new SshException("ChaCha20 failed");
        }
    }

    /// <summary>Poly1305 one-time authenticator: the 16-byte tag of <paramref name="message"/> under a 32-byte one-time key.</summary>
    public static void Poly1305(Span<byte> tag, ReadOnlySpan<byte> message, ReadOnlySpan<byte> key)
    {
        CheckLength(tag, Poly1305TagSize, nameof(tag));
        CheckLength(key, Poly1305KeySize, nameof(key));
        EnsureAvailable();
        fixed (byte* t = tag, m = message, k = key)
        {
            if (crypto_onetimeauth_poly1305(t, m, (ulong)message.Length, k) != 0)
                throw new SshException("Poly1305 failed");
        }
    }

    /// <summary>Checks a Poly1305 tag in constant time.</summary>
    public static bool Poly1305Verify(ReadOnlySpan<byte> tag, ReadOnlySpan<byte> message, ReadOnlySpan<byte> key)
    {
        if (tag.Length != Poly1305TagSize)
            return false;
        CheckLength(key, Poly1305KeySize, nameof(key));
        EnsureAvailable();
        fixed (byte* t = tag, m = message, k = key)
            return crypto_onetimeauth_poly1305_verify(t, m, (ulong)message.Length, k) == 0;
    }

    private static void TryInitialize()
    {
        try
        {
            // sodium_init returns 0 on first success, 1 when already initialised, -1 on failure.
            s_state = sodium_init() >= 0 ? 1 : -1;
        }
        catch (DllNotFoundException)
        {
            s_state = -1;
        }
        catch (EntryPointNotFoundException)
        {
            s_state = -1;
        }
    }

    private static void CheckLength(ReadOnlySpan<byte> span, int expected, string name)
    {
        if (span.Length != expected)
            throw new ArgumentException($"{name} must be {expected} bytes, not {span.Length}", name);
    }

    // Debian/Ubuntu ship only the versioned soname without the -dev package; other systems name it differently.
    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
            return IntPtr.Zero;
        foreach (var candidate in (ReadOnlySpan<string>)[LibraryName, "libsodium", "sodium"])
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
                return handle;
        }
        return IntPtr.Zero;
    }

    [DllImport(LibraryName)]
    private static extern int sodium_init();

    [DllImport(LibraryName)]
    private static extern int crypto_scalarmult_curve25519(byte* q, byte* n, byte* p);

    [DllImport(LibraryName)]
    private static extern int crypto_scalarmult_curve25519_base(byte* q, byte* n);

    [DllImport(LibraryName)]
    private static extern int crypto_sign_ed25519_seed_keypair(byte* pk, byte* sk, byte* seed);

    [DllImport(LibraryName)]
    private static extern int crypto_sign_ed25519_detached(byte* sig, ulong* siglen, byte* m, ulong mlen, byte* sk);

    [DllImport(LibraryName)]
    private static extern int crypto_sign_ed25519_verify_detached(byte* sig, byte* m, ulong mlen, byte* pk);

    [DllImport(LibraryName)]
    private static extern int crypto_stream_chacha20_xor_ic(byte* c, byte* m, ulong mlen, byte* n, ulong ic, byte* k);

    [DllImport(LibraryName)]
    private static extern int crypto_onetimeauth_poly1305(byte* @out, byte* @in, ulong inlen, byte* k);

    [DllImport(LibraryName)]
    private static extern int crypto_onetimeauth_poly1305_verify(byte* h, byte* @in, ulong inlen, byte* k);
}
