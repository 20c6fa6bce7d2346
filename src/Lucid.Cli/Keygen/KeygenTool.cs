namespace Lucid.Cli.Keygen;

internal static class KeygenTool
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("ssh-keygen: not yet available");
        return 1;
    }
}
