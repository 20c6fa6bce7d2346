using System.Runtime.InteropServices;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// The few OpenSSL libcrypto (3.x) calls the packet ciphers and MACs make directly: one persistent
/// EVP_CIPHER_CTX / EVP_MD_CTX per direction with the key schedule set once, where .NET's AesGcm and
/// IncrementalHash set up OpenSSL's context again on every call.
/// </summary>
/// <remarks>
/// libcrypto.so.3 is the library .NET's own cryptography loads on Linux, so it is already in the process.
/// Every signature is blittable (pointers and integers): no marshalling stubs, nothing for the trimmer or
/// Native AOT to keep. <see cref="EnsureAvailable"/> turns a missing library into one clear
/// <see cref="SshException"/> naming the package; the types that hold contexts call it before their first use.
/// </remarks>
internal static unsafe partial class LibCrypto
{
    private const string LibraryName = "libcrypto.so.3";

    public const string MissingLibraryMessage =
        "OpenSSL's libcrypto is not installed (libcrypto.so.3): install it with 'sudo apt-get install libssl3'";

    // EVP_CTRL_AEAD_* (include/openssl/evp.h); the GCM names are aliases of these.
    public const int EVP_CTRL_AEAD_SET_IVLEN = 0x9;
    public const int EVP_CTRL_AEAD_GET_TAG = 0x10;
    public const int EVP_CTRL_AEAD_SET_TAG = 0x11;

    // 0 = not tried, 1 = ready, -1 = unavailable.
    private static volatile int s_state;

    public static bool IsAvailable
    {
        get
        {
            if (s_state == 0)
            {
                try
                {
                    // Any libcrypto.so.3 is OpenSSL 3.x; the check guards against a differently built library under that name.
                    s_state = OpenSSL_version_num() >= 0x30000000UL ? 1 : -1;
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
            return s_state == 1;
        }
    }

    public static void EnsureAvailable()
    {
        if (s_state != 1 && !IsAvailable)
            throw new SshException(MissingLibraryMessage);
    }

    /// <summary>A new EVP_CIPHER_CTX, owned by the returned handle.</summary>
    public static SafeEvpCipherCtx NewCipherContext()
    {
        EnsureAvailable();
        var ctx = new SafeEvpCipherCtx();
        ctx.SetHandle(EVP_CIPHER_CTX_new());
        if (ctx.IsInvalid)
            throw Failure("EVP_CIPHER_CTX_new");
        return ctx;
    }

    /// <summary>A new EVP_MD_CTX, owned by the returned handle.</summary>
    public static SafeEvpMdCtx NewDigestContext()
    {
        EnsureAvailable();
        var ctx = new SafeEvpMdCtx();
        ctx.SetHandle(EVP_MD_CTX_new());
        if (ctx.IsInvalid)
            throw Failure("EVP_MD_CTX_new");
        return ctx;
    }

    /// <summary>The exception for a libcrypto call that failed where it should not; OpenSSL's error queue is cleared so no stale entry confuses a later caller on this thread.</summary>
    public static System.Security.Cryptography.CryptographicException Failure(string function)
    {
        ulong code = ERR_get_error();
        ERR_clear_error();
        return new System.Security.Cryptography.CryptographicException(
            code == 0 ? $"OpenSSL {function} failed" : $"OpenSSL {function} failed (error 0x{code:x})");
    }

    // --- symmetric ciphers ---------------------------------------------------------------------------
    [LibraryImport(LibraryName)]
    public static partial nint EVP_CIPHER_CTX_new();

    [LibraryImport(LibraryName)]
    public static partial void EVP_CIPHER_CTX_free(nint ctx);

    // Legacy CBC ciphers, only ever used when a configuration names them (3des-cbc, aes*-cbc).
    [LibraryImport(LibraryName)]
    public static partial nint EVP_aes_128_cbc();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_aes_192_cbc();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_aes_256_cbc();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_des_ede3_cbc();

    [LibraryImport(LibraryName)]
    public static partial int EVP_CIPHER_CTX_set_padding(nint ctx, int pad);

    [LibraryImport(LibraryName)]
    public static partial int EVP_CipherInit_ex(nint ctx, nint cipher, nint engine, byte* key, byte* iv, int enc);

    [LibraryImport(LibraryName)]
    public static partial int EVP_CipherUpdate(nint ctx, byte* output, int* outputLength, byte* input, int inputLength);

    /// <summary>One EVP_CipherUpdate of a stream (or GCM) cipher: all <paramref name="length"/> bytes out, or false.</summary>
    public static bool CipherUpdateExact(nint ctx, byte* output, byte* input, int length)
    {
        if (length == 0)
            return true;
        int written;
        return EVP_CipherUpdate(ctx, output, &written, input, length) == 1 && written == length;
    }

    /// <summary>
    /// Runs whole blocks through a block mode's context in place (CTR, CBC: the context carries the counter or the
    /// chaining value from call to call); throws naming <paramref name="mode"/> on a partial block or a failure.
    /// </summary>
    public static void TransformBlocksInPlace(SafeEvpCipherCtx ctx, Span<byte> data, int blockSize, string mode)
    {
        if (data.Length % blockSize != 0)
            throw new InvalidOperationException($"{mode} data must be whole blocks");
        if (data.IsEmpty)
            return;
        bool added = false;
        ctx.DangerousAddRef(ref added);
        try
        {
            fixed (byte* p = data)
            {
                if (!CipherUpdateExact(ctx.DangerousGetHandle(), p, p, data.Length))
                    throw Failure(mode);
            }
        }
        finally
        {
            if (added)
                ctx.DangerousRelease();
        }
    }

    [LibraryImport(LibraryName)]
    public static partial int EVP_CipherFinal_ex(nint ctx, byte* output, int* outputLength);

    [LibraryImport(LibraryName)]
    public static partial int EVP_CIPHER_CTX_ctrl(nint ctx, int type, int arg, void* ptr);

    [LibraryImport(LibraryName)]
    public static partial nint EVP_aes_128_gcm();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_aes_256_gcm();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_aes_128_ctr();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_aes_192_ctr();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_aes_256_ctr();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_chacha20();

    // --- MACs (OpenSSL 3's EVP_MAC: Poly1305) ---------------------------------------------------------
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint EVP_MAC_fetch(nint libraryContext, string algorithm, string? properties);

    [LibraryImport(LibraryName)]
    public static partial nint EVP_MAC_CTX_new(nint mac);

    [LibraryImport(LibraryName)]
    public static partial void EVP_MAC_CTX_free(nint ctx);

    [LibraryImport(LibraryName)]
    public static partial int EVP_MAC_init(nint ctx, byte* key, nuint keyLength, nint parameters);

    [LibraryImport(LibraryName)]
    public static partial int EVP_MAC_update(nint ctx, byte* data, nuint length);

    [LibraryImport(LibraryName)]
    public static partial int EVP_MAC_final(nint ctx, byte* output, nuint* outputLength, nuint outputSize);

    /// <summary>A new Poly1305 EVP_MAC_CTX, owned by the returned handle; keyed per use with EVP_MAC_init.</summary>
    public static SafeEvpMacCtx NewPoly1305Context()
    {
        EnsureAvailable();
        var mac = Poly1305Algorithm.Handle;
        if (mac == 0)
            throw Failure("EVP_MAC_fetch(POLY1305)");
        var ctx = new SafeEvpMacCtx();
        ctx.SetHandle(EVP_MAC_CTX_new(mac));
        if (ctx.IsInvalid)
            throw Failure("EVP_MAC_CTX_new");
        return ctx;
    }

    /// <summary>Fetched once for the process (the runtime initialises it on first use): the algorithm object is immutable and shared by every context.</summary>
    private static class Poly1305Algorithm
    {
        public static readonly nint Handle = EVP_MAC_fetch(0, "POLY1305", null);
    }

    // --- digests --------------------------------------------------------------------------------------
    [LibraryImport(LibraryName)]
    public static partial nint EVP_MD_CTX_new();

    [LibraryImport(LibraryName)]
    public static partial void EVP_MD_CTX_free(nint ctx);

    [LibraryImport(LibraryName)]
    public static partial int EVP_DigestInit_ex(nint ctx, nint md, nint engine);

    [LibraryImport(LibraryName)]
    public static partial int EVP_DigestUpdate(nint ctx, void* data, nuint count);

    [LibraryImport(LibraryName)]
    public static partial int EVP_DigestFinal_ex(nint ctx, byte* md, uint* size);

    [LibraryImport(LibraryName)]
    public static partial int EVP_MD_CTX_copy_ex(nint destination, nint source);

    // Big-number primality (ssh-keygen -M screen): OpenSSL's Miller-Rabin, as OpenSSH's moduli.c calls it.
    [LibraryImport(LibraryName)]
    public static partial int BN_hex2bn(nint* bignum, byte* hex);

    [LibraryImport(LibraryName)]
    public static partial int BN_is_prime_ex(nint bignum, int checks, nint context, nint callback);

    [LibraryImport(LibraryName)]
    public static partial void BN_free(nint bignum);

    [LibraryImport(LibraryName)]
    public static partial nint EVP_sha1();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_md5();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_sha256();

    [LibraryImport(LibraryName)]
    public static partial nint EVP_sha512();

    // --- misc -----------------------------------------------------------------------------------------
    [LibraryImport(LibraryName)]
    private static partial ulong OpenSSL_version_num();

    [LibraryImport(LibraryName)]
    private static partial ulong ERR_get_error();

    [LibraryImport(LibraryName)]
    public static partial void ERR_clear_error();
}

/// <summary>An OpenSSL object owned by a handle: null is invalid, and the subclass says which free function releases it.</summary>
internal abstract class SafeLibCryptoHandle : SafeHandle
{
    protected SafeLibCryptoHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal new void SetHandle(nint value) => base.SetHandle(value);
}

/// <summary>An EVP_CIPHER_CTX; freeing it (EVP_CIPHER_CTX_free) also wipes the key schedule OpenSSL holds.</summary>
internal sealed class SafeEvpCipherCtx : SafeLibCryptoHandle
{
    protected override bool ReleaseHandle()
    {
        LibCrypto.EVP_CIPHER_CTX_free(handle);
        return true;
    }
}

/// <summary>An EVP_MD_CTX (freed with EVP_MD_CTX_free, which cleanses it).</summary>
internal sealed class SafeEvpMdCtx : SafeLibCryptoHandle
{
    protected override bool ReleaseHandle()
    {
        LibCrypto.EVP_MD_CTX_free(handle);
        return true;
    }
}

/// <summary>An EVP_MAC_CTX (freed with EVP_MAC_CTX_free, which cleanses the key it holds).</summary>
internal sealed class SafeEvpMacCtx : SafeLibCryptoHandle
{
    protected override bool ReleaseHandle()
    {
        LibCrypto.EVP_MAC_CTX_free(handle);
        return true;
    }
}
