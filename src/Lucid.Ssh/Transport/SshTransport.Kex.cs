using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Transport;

/// <summary>The read loop and key exchange (RFC 4253 sections 7-9, RFC 4419, strict KEX, ext-info).</summary>
public sealed partial class SshTransport
{
    private KeyExchangeMethod? _guessKem;
    private byte[]? _guessPublic;

    private async Task ReadLoopAsync()
    {
        var cancellationToken = _cts.Token;
        try
        {
            TryStartKex("initial");
            while (true)
            {
                uint sequence = _reader.Sequence;
                var payload = await _reader.ReadPacketAsync(cancellationToken);
                byte type = payload.Span[0];
                if (type == (byte)MessageNumber.KexInit)
                {
                    if (!_firstKexDone && sequence != 0 && PeerOffersStrictKex(payload.Span))
                        throw new SshProtocolException("strict KEX violation: KEXINIT was not the first packet", DisconnectReason.KeyExchangeFailed);
                    await RunKeyExchangeAsync(payload.Span.ToArray(), cancellationToken);
                    continue;
                }
                if (!_firstKexDone)
                {
                    // Before the first KEXINIT only IGNORE, DEBUG and DISCONNECT make sense (and none under strict KEX,
                    // which is checked when the KEXINIT arrives).
                    if (type == (byte)MessageNumber.Disconnect)
                        throw Disconnected(payload.Span);
                    if (type is (byte)MessageNumber.Ignore or (byte)MessageNumber.Debug)
                        continue;
                    throw new SshProtocolException($"unexpected message type {type} before key exchange", DisconnectReason.ProtocolError);
                }
                await DispatchAsync(payload, sequence, cancellationToken);
                if (_authenticated && (_reader.BytesSinceKeys >= _rekeyBytesIn || _reader.PacketsSinceKeys >= MaxPacketsPerKey))
                    TryStartKex("incoming byte limit");
            }
        }
        catch (Exception e)
        {
            await FailWithDisconnectAsync(e);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DispatchAsync(ReadOnlyMemory<byte> payload, uint sequence, CancellationToken cancellationToken)
    {
        var span = payload.Span;
        switch ((MessageNumber)span[0])
        {
            case MessageNumber.Disconnect:
                throw Disconnected(span);
            case MessageNumber.Ignore:
                return;
            case MessageNumber.Debug:
            {
                var reader = new SshReader(span[1..]);
                reader.ReadBoolean();
                TransportLog.RemoteDebug(_log, reader.ReadUtf8String());
                return;
            }
            case MessageNumber.Unimplemented:
            {
                uint rejected = new SshReader(span[1..]).ReadUInt32();
                TransportLog.Unimplemented(_log, rejected);
                // Waiting for a KEXINIT the peer refused would hang every sender forever; fail clearly instead.
                bool kexPending;
                lock (_kexLock)
                    kexPending = _ourKexInit is not null;
                if (kexPending && rejected == Volatile.Read(ref _kexInitSequence))
                    throw new SshProtocolException("peer refused key re-exchange (SSH2_MSG_UNIMPLEMENTED for our KEXINIT)", DisconnectReason.KeyExchangeFailed);
                return;
            }
            case MessageNumber.ExtInfo:
                ReadExtInfo(span);
                return;
            case MessageNumber.Ping:
            {
                var reader = new SshReader(span[1..]);
                var data = reader.ReadString();
                using var pong = new SshWriter(data.Length + 8);
                pong.WriteByte((byte)MessageNumber.Pong).WriteString(data);
                EnqueueGated(Outgoing.Copy(pong.WrittenSpan));
                return;
            }
            case MessageNumber.Pong:
                TransportLog.Received(_log, "SSH2_MSG_PONG");
                return;
        }
        byte type = span[0];
        if (type < 50 && type is not ((byte)MessageNumber.ServiceRequest or (byte)MessageNumber.ServiceAccept))
        {
            // A transport-layer message we do not handle here (a stray KEX message counts): RFC 4253 section 11.4.
            if (type is >= 20 and < 50)
                throw new SshProtocolException($"unexpected key exchange message {type} outside a key exchange");
            using var reply = new SshWriter(8);
            reply.WriteByte((byte)MessageNumber.Unimplemented).WriteUInt32(sequence);
            EnqueueGated(Outgoing.Copy(reply.WrittenSpan));
            return;
        }
        // Client side of delayed compression: it starts right after USERAUTH_SUCCESS arrives, and before the message
        // goes up: the application may answer it at once (CHANNEL_OPEN), and that packet must already be compressed.
        if (!_isServer && type == (byte)MessageNumber.UserAuthSuccess)
        {
            _authenticated = true;
            StartClientDelayedCompression();
        }
        await DeliverAsync(payload);
    }

    private void ReadExtInfo(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload[1..]);
        uint count = reader.ReadUInt32();
        if (count > 1024)
            throw new SshProtocolException("too many extensions in EXT_INFO");
        TransportLog.Received(_log, "SSH2_MSG_EXT_INFO");
        for (uint i = 0; i < count; i++)
        {
            var name = reader.ReadUtf8String();
            var value = reader.ReadString();
            var text = System.Text.Encoding.UTF8.GetString(value);
            _peerExtensions[name] = text;
            TransportLog.ExtInfo(_log, name, text);
            if (name == "server-sig-algs" && !_isServer)
                ServerSignatureAlgorithms = text.Split(',', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    private static bool PeerOffersStrictKex(ReadOnlySpan<byte> payload)
    {
        try
        {
            var kex = KexInitMessage.Parse(payload).Kex;
            return kex.Contains(KexInitMessage.KexStrictClient) || kex.Contains(KexInitMessage.KexStrictServer);
        }
        catch (SshProtocolException)
        {
            return false;
        }
    }

    private async Task FailWithDisconnectAsync(Exception e)
    {
        if (e is SshProtocolException protocol && _failure is null)
        {
            // Tell the peer why, then close (best effort, bounded).
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            EnqueueControl(Outgoing.Copy(DisconnectPayload(protocol.Reason, protocol.Message), done));
            try
            {
                await done.Task.WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (Exception)
            {
            }
        }
        Fail(e);
    }

    private void CheckRekeyTime()
    {
        if (_options.RekeyInterval is { } interval && _firstKexDone && _authenticated &&
            TimeSpan.FromTicks(Environment.TickCount64 * TimeSpan.TicksPerMillisecond - _lastKexTicks) >= interval)
            TryStartKex("time limit");
    }

    /// <summary>Sends our KEXINIT unless one is already out for the current exchange; returns it.</summary>
    private KexInitMessage TryStartKex(string reason)
    {
        lock (_kexLock)
        {
            if (_ourKexInit is not null)
                return _ourKexInit;
            if (_failure is not null)
                throw new SshConnectionException("connection closed");
            if (_firstKexDone)
                TransportLog.Rekeying(_log, reason);
            var kexInit = BuildKexInit(!_firstKexDone);
            _ourKexInit = kexInit;
            EnqueueControl(Outgoing.Copy(kexInit.Encode(), action: OutgoingAction.KexInit));
            TransportLog.KexInitSent(_log);
            if (kexInit.FirstKexPacketFollows)
            {
                _guessKem = AlgorithmRegistry.FindKex(kexInit.Kex[0])!.Create();
                _guessPublic = _guessKem.CreateClientPublic();
                EnqueueControl(Outgoing.Copy(KexInitPayload(_guessKem, _guessPublic)));
            }
            return kexInit;
        }
    }

    private KexInitMessage BuildKexInit(bool initial)
    {
        var kex = _options.KexAlgorithms.ToList();
        if (initial)
        {
            kex.Add(_isServer ? "ext-info-s" : "ext-info-c");
            kex.Add(_isServer ? KexInitMessage.KexStrictServer : KexInitMessage.KexStrictClient);
        }
        string[] hostKeys = _isServer
            ? [.. _options.HostKeyAlgorithms.Where(a => ((ServerTransportOptions)_options).HostKeys.Any(k => k.PublicKey.SignatureAlgorithms.Contains(a)))]
            : [.. _options.HostKeyAlgorithms];
        string[] ciphers = [.. _options.Ciphers];
        string[] macs = [.. _options.Macs];
        string[] compression = [.. _options.Compression];
        bool guess = initial && !_isServer && _options.SendKexGuess && kex.Count > 0 && AlgorithmRegistry.FindKex(kex[0])?.Create() is not GroupExchangeKem;
        return new KexInitMessage
        {
            Kex = [.. kex],
            HostKey = hostKeys,
            CipherC2S = ciphers,
            CipherS2C = ciphers,
            MacC2S = macs,
            MacS2C = macs,
            CompressionC2S = compression,
            CompressionS2C = compression,
            FirstKexPacketFollows = guess,
        };
    }

    private async Task RunKeyExchangeAsync(byte[] peerPayload, CancellationToken cancellationToken)
    {
        TransportLog.KexInitReceived(_log);
        var peer = KexInitMessage.Parse(peerPayload);
        bool initial = !_firstKexDone;
        var ours = TryStartKex("requested by peer");
        var client = _isServer ? peer : ours;
        var server = _isServer ? ours : peer;
        var algorithms = KexInitMessage.Negotiate(client, server, _isServer);
        if (initial)
        {
            _strictKex = peer.Kex.Contains(_isServer ? KexInitMessage.KexStrictClient : KexInitMessage.KexStrictServer);
            _peerWantsExtInfo = _isServer && peer.Kex.Contains("ext-info-c");
            if (_strictKex)
                TransportLog.StrictKex(_log, "enabled");
        }
        TransportLog.KexAlgorithm(_log, algorithms.Kex.Name);
        TransportLog.HostKeyAlgorithm(_log, algorithms.HostKey.Name);
        TransportLog.DirectionAlgorithms(_log, "server->client", algorithms.CipherServerToClient.Name,
            NegotiatedAlgorithms.MacName(algorithms.CipherServerToClient, algorithms.MacServerToClient), algorithms.CompressionServerToClient.Name);
        TransportLog.DirectionAlgorithms(_log, "client->server", algorithms.CipherClientToServer.Name,
            NegotiatedAlgorithms.MacName(algorithms.CipherClientToServer, algorithms.MacClientToServer), algorithms.CompressionClientToServer.Name);

        // RFC 4253 section 7: a wrong guess from the peer is silently discarded.
        bool discardGuess = peer.FirstKexPacketFollows && !KexInitMessage.GuessIsRight(client, server);
        bool ourGuessRight = ours.FirstKexPacketFollows && KexInitMessage.GuessIsRight(client, server);
        var state = new KexState(initial, discardGuess, client.Payload, server.Payload, algorithms);

        byte[] sharedSecret; // K encoded (mpint or string), as the exchange hash and the key derivation take it
        byte[] exchangeHash;
        if (_isServer)
            (sharedSecret, exchangeHash) = await ServerKexAsync(state, cancellationToken);
        else
            (sharedSecret, exchangeHash) = await ClientKexAsync(state, ourGuessRight, cancellationToken);

        try
        {
            await FinishKexAsync(state, sharedSecret, exchangeHash, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    private sealed record KexState(bool Initial, bool DiscardGuess, byte[] ClientKexInit, byte[] ServerKexInit, NegotiatedAlgorithms Algorithms)
    {
        public bool DiscardGuess { get; set; } = DiscardGuess;
    }

    private async Task<(byte[] Secret, byte[] Hash)> ClientKexAsync(KexState state, bool ourGuessRight, CancellationToken cancellationToken)
    {
        var algorithms = state.Algorithms;
        KeyExchangeMethod kem;
        byte[] clientPublic;
        if (ourGuessRight && _guessKem is not null)
        {
            kem = _guessKem;
            clientPublic = _guessPublic!;
        }
        else
        {
            _guessKem?.Dispose();
            kem = algorithms.Kex.Create();
            clientPublic = [];
        }
        _guessKem = null;
        _guessPublic = null;

        using var _ = kem;
        using var hashInput = new SshWriter(4096);
        hashInput.WriteString(_localVersion).WriteString(_remoteVersion).WriteString(state.ClientKexInit).WriteString(state.ServerKexInit);
        using var gexPart = new SshWriter(2048);
        byte replyType = 31;
        if (kem is GroupExchangeKem gex)
        {
            int want = GroupExchangeKem.PreferredBits(KeyMaterialBits(algorithms));
            using (var request = new SshWriter(16))
            {
                request.WriteByte(34).WriteUInt32(GroupExchangeKem.MinBits).WriteUInt32((uint)want).WriteUInt32(GroupExchangeKem.MaxBits);
                EnqueueControl(Outgoing.Copy(request.WrittenSpan));
            }
            TransportLog.Sent(_log, $"SSH2_MSG_KEX_DH_GEX_REQUEST({GroupExchangeKem.MinBits}<{want}<{GroupExchangeKem.MaxBits})");
            TransportLog.Expecting(_log, "SSH2_MSG_KEX_DH_GEX_GROUP");
            var group = await ReadKexPacketAsync(state, 31, cancellationToken);
            var reader = new SshReader(group.Span[1..]);
            var p = reader.ReadMPInt();
            var g = reader.ReadMPInt();
            reader.EnsureAtEnd();
            gex.UseGroup(p, g, GroupExchangeKem.MinBits, GroupExchangeKem.MaxBits);
            gexPart.WriteUInt32(GroupExchangeKem.MinBits).WriteUInt32((uint)want).WriteUInt32(GroupExchangeKem.MaxBits).WriteMPInt(p).WriteMPInt(g);
            replyType = 33;
        }
        if (clientPublic.Length == 0)
        {
            clientPublic = kem.CreateClientPublic();
            EnqueueControl(Outgoing.Copy(KexInitPayload(kem, clientPublic, replyType == 33 ? (byte)32 : (byte)30)));
        }
        TransportLog.Expecting(_log, ReplyName(kem, replyType));
        var replyPayload = await ReadKexPacketAsync(state, replyType, cancellationToken);
        var reply = new SshReader(replyPayload.Span[1..]);
        var hostKeyBlob = reply.ReadString().ToArray();
        var serverPublic = (kem.PublicValuesAreMpints ? reply.ReadMPIntMagnitude() : reply.ReadString()).ToArray();
        var signature = reply.ReadString().ToArray();
        reply.EnsureAtEnd();

        var secret = EncodeSecret(kem, kem.ClientComplete(serverPublic));
        hashInput.WriteString(hostKeyBlob).WriteRaw(gexPart.WrittenSpan);
        WritePublic(hashInput, kem, clientPublic);
        WritePublic(hashInput, kem, serverPublic);
        hashInput.WriteRaw(secret);
        var hash = KeyDerivation.Hash(algorithms.Kex, hashInput.WrittenSpan);

        SshPublicKey hostKey;
        try
        {
            hostKey = SshPublicKey.FromBlob(hostKeyBlob);
        }
        catch (SshKeyFormatException e)
        {
            throw new SshProtocolException($"invalid server host key: {e.Message}", DisconnectReason.KeyExchangeFailed);
        }
        if (hostKey.KeyType != algorithms.HostKey.KeyType)
            throw new SshProtocolException($"type mismatch for decoded server host key ({hostKey.KeyType} vs {algorithms.HostKey.Name})", DisconnectReason.KeyExchangeFailed);
        var signatureReader = new SshReader(signature);
        var signatureAlgorithm = signatureReader.ReadUtf8String();
        // A certificate's key signs with the plain algorithm (rsa-sha2-512 for rsa-sha2-512-cert-v01@openssh.com).
        if (signatureAlgorithm != algorithms.HostKey.SignatureAlgorithm || !hostKey.Verify(hash, signature))
            throw new SshProtocolException("incorrect signature", DisconnectReason.KeyExchangeFailed);
        if (hostKey is SshCertificate certificate)
            LogServerCertificate(certificate);
        else
            TransportLog.ServerHostKey(_log, hostKey.KeyType, KeyFingerprint.Format(hostKey));

        if (state.Initial)
        {
            var options = (ClientTransportOptions)_options;
            _verifyingHostKey = true;
            _options.Observer?.Started(SshStage.HostKey);
            if (!await options.HostKeyVerifier!(hostKey, options.Host, options.Port, cancellationToken))
                throw new SshHostKeyVerificationException().At(SshStage.HostKey, new SshFailureCause.HostKeyRejected(hostKey));
            _verifyingHostKey = false;
            _options.Observer?.Completed(SshStage.HostKey);
            HostKey = hostKey;
        }
        else if (!hostKey.Equals(HostKey))
        {
            throw new SshProtocolException("Server host key changed during rekey", DisconnectReason.HostKeyNotVerifiable);
        }
        return (secret, hash);
    }

    private async Task<(byte[] Secret, byte[] Hash)> ServerKexAsync(KexState state, CancellationToken cancellationToken)
    {
        var algorithms = state.Algorithms;
        var hostKey = ((ServerTransportOptions)_options).HostKeys.First(k =>
            k.PublicKey.KeyType == algorithms.HostKey.KeyType && k.PublicKey.SignatureAlgorithms.Contains(algorithms.HostKey.Name));
        var hostKeyBlob = hostKey.PublicKey.Blob;
        using var kem = algorithms.Kex.Create();
        using var hashInput = new SshWriter(4096);
        hashInput.WriteString(_remoteVersion).WriteString(_localVersion).WriteString(state.ClientKexInit).WriteString(state.ServerKexInit)
            .WriteString(hostKeyBlob.Span);
        byte initType = 30, replyType = 31;
        if (kem is GroupExchangeKem gex)
        {
            var request = await ReadKexPacketAsync(state, 34, cancellationToken);
            var reader = new SshReader(request.Span[1..]);
            uint min = reader.ReadUInt32(), want = reader.ReadUInt32(), max = reader.ReadUInt32();
            reader.EnsureAtEnd();
            if (min > want || want > max || max < 1024)
                throw new SshProtocolException($"DH_GEX_REQUEST, bad parameters: {min} !< {want} !< {max}", DisconnectReason.KeyExchangeFailed);
            var group = GroupExchangeKem.Choose((int)Math.Min(min, int.MaxValue), (int)Math.Min(want, int.MaxValue), (int)Math.Min(max, int.MaxValue))
                ?? throw new SshProtocolException("no matching DH group found", DisconnectReason.KeyExchangeFailed);
            gex.UseGroup(group);
            using (var reply = new SshWriter(1100))
            {
                reply.WriteByte(31).WriteMPInt(group.Prime).WriteMPInt(group.Generator);
                EnqueueControl(Outgoing.Copy(reply.WrittenSpan));
            }
            hashInput.WriteUInt32(min).WriteUInt32(want).WriteUInt32(max).WriteMPInt(group.Prime).WriteMPInt(group.Generator);
            initType = 32;
            replyType = 33;
        }
        var init = await ReadKexPacketAsync(state, initType, cancellationToken);
        var initReader = new SshReader(init.Span[1..]);
        var clientPublic = (kem.PublicValuesAreMpints ? initReader.ReadMPIntMagnitude() : initReader.ReadString()).ToArray();
        initReader.EnsureAtEnd();
        // With inline socket completions (lucid sshd) this read resumed on an epoll thread that serves other
        // connections' reads too; the arithmetic below (up to ~0.1 s for an 8192-bit group and an RSA signature)
        // moves to the pool rather than hold them up.
        if (!Thread.CurrentThread.IsThreadPoolThread)
            await Task.Yield();
        var serverPublic = kem.ServerRespond(clientPublic, out var rawSecret);
        var secret = EncodeSecret(kem, rawSecret);
        WritePublic(hashInput, kem, clientPublic);
        WritePublic(hashInput, kem, serverPublic);
        hashInput.WriteRaw(secret);
        var hash = KeyDerivation.Hash(algorithms.Kex, hashInput.WrittenSpan);
        var signature = await hostKey.SignAsync(hash, algorithms.HostKey.Name, cancellationToken);

        using var replyMessage = new SshWriter(2048);
        replyMessage.WriteByte(replyType).WriteString(hostKeyBlob.Span);
        WritePublic(replyMessage, kem, serverPublic);
        replyMessage.WriteString(signature);
        EnqueueControl(Outgoing.Copy(replyMessage.WrittenSpan));
        HostKey = hostKey.PublicKey;
        return (secret, hash);
    }

    private async Task FinishKexAsync(KexState state, byte[] secret, byte[] hash, CancellationToken cancellationToken)
    {
        _sessionId ??= hash;
        var algorithms = state.Algorithms;
        var c2s = DeriveKeys(algorithms.Kex, secret, hash, 'A', 'C', 'E', algorithms.CipherClientToServer, algorithms.MacClientToServer, algorithms.CompressionClientToServer, encrypt: !_isServer);
        var s2c = DeriveKeys(algorithms.Kex, secret, hash, 'B', 'D', 'F', algorithms.CipherServerToClient, algorithms.MacServerToClient, algorithms.CompressionServerToClient, encrypt: _isServer);
        var (outgoing, incoming) = _isServer ? (s2c, c2s) : (c2s, s2c);

        // Choose the rekey limits for the new keys (OpenSSH: 2^(2*block bits) blocks for 128-bit blocks, 1 GiB otherwise).
        _rekeyBytesOut = RekeyLimit(outgoing.Cipher.BlockSize);
        _rekeyBytesIn = RekeyLimit(incoming.Cipher.BlockSize);

        lock (_kexLock)
        {
            EnqueueControl(Outgoing.Copy([(byte)MessageNumber.NewKeys], action: OutgoingAction.NewKeys, keys: outgoing));
            if (state.Initial && _peerWantsExtInfo)
                EnqueueControl(Outgoing.Copy(ExtInfoPayload()));
        }
        TransportLog.Sent(_log, "SSH2_MSG_NEWKEYS");
        TransportLog.Expecting(_log, "SSH2_MSG_NEWKEYS");
        await ReadKexPacketAsync(state, (byte)MessageNumber.NewKeys, cancellationToken);
        TransportLog.Received(_log, "SSH2_MSG_NEWKEYS");
        _reader.SetKeys(incoming);
        if (_strictKex)
            _reader.Sequence = 0;

        Algorithms = algorithms;
        KeyExchangeCount++;
        _lastKexTicks = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
        lock (_kexLock)
            _ourKexInit = null;
        _firstKexDone = true;
        _firstKex.TrySetResult();
    }

    private long RekeyLimit(int blockSize)
    {
        long limit = blockSize >= 16 ? (1L << 32) * blockSize : 1L << 30;
        return _options.RekeyBytes is { } bytes && bytes > 0 ? Math.Min(limit, bytes) : limit;
    }

    private byte[] ExtInfoPayload()
    {
        var options = (ServerTransportOptions)_options;
        using var writer = new SshWriter(256);
        writer.WriteByte((byte)MessageNumber.ExtInfo).WriteUInt32(2)
            .WriteString("server-sig-algs").WriteString(string.Join(',', options.ServerSignatureAlgorithms))
            .WriteString("ping@openssh.com").WriteString("0");
        return writer.ToArray();
    }

    /// <summary>
    /// The next packet of the key exchange, which must be of <paramref name="expected"/> type. Under strict KEX
    /// during the first exchange anything else is fatal; otherwise IGNORE, DEBUG and UNIMPLEMENTED pass.
    /// </summary>
    private async ValueTask<ReadOnlyMemory<byte>> ReadKexPacketAsync(KexState state, byte expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            var payload = await _reader.ReadPacketAsync(cancellationToken);
            byte type = payload.Span[0];
            if (state.DiscardGuess && type is >= 30 and < 50)
            {
                state.DiscardGuess = false;
                continue;
            }
            if (type == expected)
                return payload;
            if (type == (byte)MessageNumber.Disconnect)
                throw Disconnected(payload.Span);
            if (_strictKex && state.Initial)
                throw new SshProtocolException($"strict KEX violation: unexpected packet type {type} (seqnr {unchecked(_reader.Sequence - 1)})", DisconnectReason.KeyExchangeFailed);
            if (type is (byte)MessageNumber.Ignore or (byte)MessageNumber.Debug or (byte)MessageNumber.Unimplemented)
                continue;
            throw new SshProtocolException($"protocol error: rcvd type {type} during key exchange (expected {expected})", DisconnectReason.ProtocolError);
        }
    }

    // OpenSSH's verify_host_key line; a certificate's fingerprint is its certified key's, as ssh prints it.
    private void LogServerCertificate(SshCertificate certificate)
    {
        TransportLog.ServerHostCertificate(_log, certificate.KeyType, KeyFingerprint.Format(certificate.Key), certificate.Serial,
            certificate.KeyId, certificate.SignatureKey.KeyType, KeyFingerprint.Format(certificate.SignatureKey),
            SshCertificateValidation.FormatValidity(certificate));
        foreach (var principal in certificate.Principals)
            TransportLog.ServerHostCertificatePrincipal(_log, principal);
    }

    private static string ReplyName(KeyExchangeMethod kem, byte replyType) => (kem, replyType) switch
    {
        (GroupExchangeKem, _) => "SSH2_MSG_KEX_DH_GEX_REPLY",
        (DhKem, _) => "SSH2_MSG_KEXDH_REPLY",
        _ => "SSH2_MSG_KEX_ECDH_REPLY",
    };

    // K as the exchange hash and key derivation take it (mpint or string); the raw secret is wiped here.
    private static byte[] EncodeSecret(KeyExchangeMethod kem, byte[] rawSecret)
    {
        try
        {
            return kem.EncodeSharedSecret(rawSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rawSecret);
        }
    }

    private static byte[] KexInitPayload(KeyExchangeMethod kem, byte[] clientPublic, byte type = 30)
    {
        using var writer = new SshWriter(clientPublic.Length + 16);
        writer.WriteByte(type);
        WritePublic(writer, kem, clientPublic);
        return writer.ToArray();
    }

    private static void WritePublic(SshWriter writer, KeyExchangeMethod kem, ReadOnlySpan<byte> value)
    {
        if (kem.PublicValuesAreMpints)
            writer.WriteMPIntMagnitude(value);
        else
            writer.WriteString(value);
    }

    /// <summary>How much key material the negotiated algorithms need, in bits (for the GEX group size).</summary>
    private static int KeyMaterialBits(NegotiatedAlgorithms a)
    {
        int bytes = Math.Max(a.CipherClientToServer.KeySize, a.CipherServerToClient.KeySize);
        bytes = Math.Max(bytes, Math.Max(a.CipherClientToServer.IvSize, a.CipherServerToClient.IvSize));
        bytes = Math.Max(bytes, Math.Max(a.MacClientToServer?.KeySize ?? 0, a.MacServerToClient?.KeySize ?? 0));
        return Math.Min(bytes * 8, 512);
    }

    private PacketKeys DeriveKeys(KexAlgorithmInfo kex, byte[] secret, byte[] hash, char ivLetter, char keyLetter, char macLetter,
        CipherAlgorithmInfo cipher, MacAlgorithmInfo? mac, CompressionAlgorithmInfo compression, bool encrypt)
    {
        var sessionId = _sessionId!;
        var iv = KeyDerivation.DeriveKey(kex, secret, hash, ivLetter, sessionId, cipher.IvSize);
        var key = KeyDerivation.DeriveKey(kex, secret, hash, keyLetter, sessionId, cipher.KeySize);
        var macKey = mac is null ? [] : KeyDerivation.DeriveKey(kex, secret, hash, macLetter, sessionId, mac.KeySize);
        try
        {
            return new PacketKeys(cipher.Create(key, iv, encrypt), mac?.Create(macKey), mac?.EncryptThenMac ?? false, compression);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(iv);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(macKey);
        }
    }
}
