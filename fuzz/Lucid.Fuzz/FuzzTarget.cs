using Lucid.Ssh;

namespace Lucid.Fuzz;

/// <summary>
/// One harness: a name (also the corpus folder, fuzz/corpus/NAME) and the code that feeds one input to the product's
/// own parser. A harness lets the parser's exceptions escape; <see cref="IsExpected"/> says which ones are the parser
/// refusing bad input on purpose and which are bugs.
/// </summary>
public sealed record FuzzTarget(string Name, string Parser, Action<byte[]> Run)
{
    /// <summary>
    /// Lucid's rule (see SshException): every failure it reports on purpose is an SshException (protocol, key format,
    /// config, connection, authentication); anything else escaping a parser (IndexOutOfRange, NullReference,
    /// ArgumentOutOfRange, Format, Cryptographic, OutOfMemory, ...) is a bug.
    /// </summary>
    public static bool IsExpected(Exception exception) => exception is SshException;
}
