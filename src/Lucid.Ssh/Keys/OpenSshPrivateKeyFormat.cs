using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>
/// OpenSSH's own private key format (PROTOCOL.key, "openssh-key-v1"): a public envelope, then a private
/// section optionally encrypted with a bcrypt-pbkdf-derived key. Written byte for byte as ssh-keygen does.
/// </summary>
public static class OpenSshPrivateKeyFormat
{
    public const string BeginMarker = "-----BEGIN OPENSSH PRIVATE KEY-----";
    public const string EndMarker = "-----END OPENSSH PRIVATE KEY-----";

    /// <summary>ssh-keygen 9.x's default bcrypt rounds (-a).</summary>
    public const int DefaultRounds = 16;

    private const int SaltSize = 16;
    private const int LineLength = 70;
    private static ReadOnlySpan<byte> Magic => "openssh-key-v1\0"u8;

    /// <summary>True when the text starts (after blank space) with the OpenSSH private key marker.</summary>
    public static bool IsOpenSshPrivateKey(string text) => text.AsSpan().TrimStart().StartsWith(BeginMarker, StringComparison.Ordinal);

    /// <summary>
    /// Writes the file text. An empty or null passphrase writes it unencrypted (cipher and KDF "none"), as
    /// ssh-keygen does; otherwise bcrypt-pbkdf with <paramref name="rounds"/> and <paramref name="cipherName"/>.
    /// </summary>
    public static string Write(SshPrivateKey key, string? passphrase, string? comment = null,
        string cipherName = OpenSshKeyCipher.DefaultName, int rounds = DefaultRounds) =>
        Write(key, passphrase, comment, cipherName, rounds, salt: null, check: null);

    /// <summary>As above with the random parts fixed, so tests can compare bytes with ssh-keygen's output.</summary>
    internal static string Write(SshPrivateKey key, string? passphrase, string? comment, string cipherName, int rounds,
        byte[]? salt, uint? check)
    {
        bool encrypt = !string.IsNullOrEmpty(passphrase);
        var cipher = OpenSshKeyCipher.Find(encrypt ? cipherName : "none")
            ?? throw new ArgumentException($"unknown cipher {cipherName}", nameof(cipherName));
        if (rounds < 1)
            throw new ArgumentOutOfRangeException(nameof(rounds));

        var keyAndIv = new byte[cipher.KeySize + cipher.IvSize];
        using var kdfOptions = new SshWriter(32);
        if (encrypt)
        {
            salt ??= RandomNumberGenerator.GetBytes(SaltSize);
            var passBytes = Encoding.UTF8.GetBytes(passphrase!);
            BcryptPbkdf.DeriveKey(passBytes, salt, rounds, keyAndIv);
            CryptographicOperations.ZeroMemory(passBytes);
            kdfOptions.WriteString(salt).WriteUInt32((uint)rounds);
        }

        using var plain = new SshWriter(1024);
        uint checkWord = check ?? BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4));
        plain.WriteUInt32(checkWord).WriteUInt32(checkWord).WriteString(key.KeyType);
        key.WriteOpenSshFields(plain);
        plain.WriteString(comment ?? key.Comment);
        for (byte pad = 1; plain.Length % cipher.BlockSize != 0; pad++)
            plain.WriteByte(pad);

        using var file = new SshWriter(plain.Length + 512);
        file.WriteRaw(Magic)
            .WriteString(cipher.Name)
            .WriteString(encrypt ? "bcrypt" : "none")
            .WriteString(kdfOptions.WrittenSpan)
            .WriteUInt32(1)
            .WriteString(key.PublicKey.Blob.Span)
            .WriteUInt32((uint)plain.Length);
        var encrypted = file.GetSpan(plain.Length + cipher.TagSize)[..(plain.Length + cipher.TagSize)];
        cipher.Encrypt(keyAndIv.AsSpan(0, cipher.KeySize), keyAndIv.AsSpan(cipher.KeySize), plain.WrittenSpan,
            encrypted[..plain.Length], encrypted[plain.Length..]);
        file.Advance(encrypted.Length);
        CryptographicOperations.ZeroMemory(keyAndIv);

        return Armor(file.WrittenSpan);
    }

    /// <summary>Reads a private key; wrong or missing passphrase → <see cref="SshWrongPassphraseException"/>, damage → <see cref="SshKeyFormatException"/>.</summary>
    public static SshPrivateKey Read(string text, string? passphrase)
    {
        var decoded = Dearmor(text);
        try
        {
            var reader = new SshReader(decoded);
            var envelope = ReadEnvelope(ref reader);
            var cipher = OpenSshKeyCipher.Find(envelope.CipherName) ?? throw new SshKeyFormatException("key encrypted using unsupported cipher");
            if (envelope.KdfName is not ("none" or "bcrypt"))
                throw new SshKeyFormatException("key encrypted using unsupported cipher");
            if (envelope.KdfName == "none" && !cipher.IsNone)
                throw new SshKeyFormatException("invalid format: cipher without a key derivation function");
            if (envelope.KdfName != "none" && string.IsNullOrEmpty(passphrase))
                throw new SshWrongPassphraseException(passphraseGiven: false);

            uint encryptedLength = reader.ReadUInt32();
            if (encryptedLength < cipher.BlockSize || encryptedLength % cipher.BlockSize != 0)
                throw new SshKeyFormatException($"invalid format: private section of {encryptedLength} bytes is not a whole number of {cipher.BlockSize}-byte blocks");
            if ((uint)reader.Remaining < encryptedLength + (uint)cipher.TagSize)
                throw new SshKeyFormatException("invalid format: private section truncated");
            var encrypted = reader.ReadBytes((int)encryptedLength);
            var tag = reader.ReadBytes(cipher.TagSize);
            if (!reader.IsAtEnd)
                throw new SshKeyFormatException($"invalid format: {reader.Remaining} unexpected bytes after the private section");

            var keyAndIv = new byte[cipher.KeySize + cipher.IvSize];
            if (envelope.KdfName == "bcrypt")
            {
                var options = new SshReader(envelope.KdfOptions);
                var salt = options.ReadString();
                uint rounds = options.ReadUInt32();
                if (salt.IsEmpty || rounds == 0 || rounds > 1 << 20)
                    throw new SshKeyFormatException("invalid format: bad bcrypt parameters");
                var passBytes = Encoding.UTF8.GetBytes(passphrase!);
                BcryptPbkdf.DeriveKey(passBytes, salt, (int)rounds, keyAndIv);
                CryptographicOperations.ZeroMemory(passBytes);
            }

            var plain = GC.AllocateArray<byte>((int)encryptedLength, pinned: true);
            try
            {
                bool authentic = cipher.Decrypt(keyAndIv.AsSpan(0, cipher.KeySize), keyAndIv.AsSpan(cipher.KeySize), encrypted, tag, plain);
                CryptographicOperations.ZeroMemory(keyAndIv);
                if (!authentic)
                    throw new SshWrongPassphraseException(passphraseGiven: true);
                return ReadPrivateSection(plain, envelope.PublicKey, passphraseGiven: !cipher.IsNone);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        }
        catch (SshProtocolException e)
        {
            throw new SshKeyFormatException($"invalid format: truncated ({e.Message})");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }
    }

    /// <summary>The public key from the unencrypted envelope; needs no passphrase.</summary>
    public static SshPublicKey ReadPublicKey(string text)
    {
        var decoded = Dearmor(text);
        try
        {
            var reader = new SshReader(decoded);
            return ReadEnvelope(ref reader).PublicKey;
        }
        catch (SshProtocolException e)
        {
            throw new SshKeyFormatException($"invalid format: truncated ({e.Message})");
        }
    }

    /// <summary>True when the file's private section is encrypted (a passphrase is needed to read it).</summary>
    public static bool IsEncrypted(string text)
    {
        var decoded = Dearmor(text);
        try
        {
            var reader = new SshReader(decoded);
            return ReadEnvelope(ref reader).CipherName != "none";
        }
        catch (SshProtocolException e)
        {
            throw new SshKeyFormatException($"invalid format: truncated ({e.Message})");
        }
    }

    private readonly ref struct Envelope(string cipherName, string kdfName, ReadOnlySpan<byte> kdfOptions, SshPublicKey publicKey)
    {
        public string CipherName { get; } = cipherName;
        public string KdfName { get; } = kdfName;
        public ReadOnlySpan<byte> KdfOptions { get; } = kdfOptions;
        public SshPublicKey PublicKey { get; } = publicKey;
    }

    private static Envelope ReadEnvelope(ref SshReader reader)
    {
        if (reader.Remaining < Magic.Length || !reader.ReadBytes(Magic.Length).SequenceEqual(Magic))
            throw new SshKeyFormatException("invalid format: not an openssh-key-v1 key (bad magic)");
        string cipherName = Encoding.ASCII.GetString(reader.ReadString());
        string kdfName = Encoding.ASCII.GetString(reader.ReadString());
        var kdfOptions = reader.ReadString();
        uint keys = reader.ReadUInt32();
        if (keys != 1)
            throw new SshKeyFormatException($"invalid format: {keys} keys in one file (only 1 is supported)");
        var publicBlob = reader.ReadString();
        SshPublicKey publicKey;
        try
        {
            publicKey = SshPublicKey.FromBlob(publicBlob);
        }
        catch (SshKeyFormatException e) when (e.Problem.StartsWith("unknown key type", StringComparison.Ordinal))
        {
            throw new SshKeyFormatException("unknown or unsupported key type");
        }
        return new Envelope(cipherName, kdfName, kdfOptions, publicKey);
    }

    private static SshPrivateKey ReadPrivateSection(ReadOnlySpan<byte> plain, SshPublicKey envelopeKey, bool passphraseGiven)
    {
        var reader = new SshReader(plain);
        uint check1 = reader.ReadUInt32();
        uint check2 = reader.ReadUInt32();
        if (check1 != check2)
        {
            // Unencrypted keys cannot have a wrong passphrase: mismatched check words there mean damage.
            if (!passphraseGiven)
                throw new SshKeyFormatException("invalid format: check words differ");
            throw new SshWrongPassphraseException(passphraseGiven: true);
        }
        string keyType = Encoding.ASCII.GetString(reader.ReadString());
        var algorithm = KeyAlgorithms.Find(keyType) ?? throw new SshKeyFormatException("unknown or unsupported key type");
        if (keyType != envelopeKey.KeyType)
            throw new SshKeyFormatException("key type does not match");
        var key = algorithm.ReadPrivate(ref reader);
        try
        {
            key.Comment = Encoding.UTF8.GetString(reader.ReadString());
            for (int expected = 1; !reader.IsAtEnd; expected++)
            {
                if (reader.ReadByte() != (byte)expected)
                    throw new SshKeyFormatException("invalid format: wrong padding");
            }
            if (!key.PublicKey.Equals(envelopeKey))
                throw new SshKeyFormatException("invalid format: public key does not match the private key");
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static string Armor(ReadOnlySpan<byte> data)
    {
        var base64 = Convert.ToBase64String(data);
        var text = new StringBuilder(base64.Length + base64.Length / LineLength + 80);
        text.Append(BeginMarker).Append('\n');
        for (int i = 0; i < base64.Length; i += LineLength)
            text.Append(base64.AsSpan(i, Math.Min(LineLength, base64.Length - i))).Append('\n');
        text.Append(EndMarker).Append('\n');
        return text.ToString();
    }

    private static byte[] Dearmor(string text)
    {
        var span = text.AsSpan().TrimStart();
        if (!span.StartsWith(BeginMarker, StringComparison.Ordinal))
            throw new SshKeyFormatException("invalid format: no -----BEGIN OPENSSH PRIVATE KEY----- line");
        span = span[BeginMarker.Length..];
        int end = span.IndexOf(EndMarker, StringComparison.Ordinal);
        if (end < 0)
            throw new SshKeyFormatException("invalid format: no -----END OPENSSH PRIVATE KEY----- line (file truncated?)");
        var body = new StringBuilder(end);
        foreach (char c in span[..end])
        {
            if (c is not ('\n' or '\r' or ' ' or '\t'))
                body.Append(c);
        }
        try
        {
            return Convert.FromBase64String(body.ToString());
        }
        catch (FormatException)
        {
            throw new SshKeyFormatException("invalid format: bad base64 data");
        }
    }
}
