namespace Keyward.Server.Http;

/// <summary>Keyward cannot start for a reason its operator can fix; the message says what and how, in one line.</summary>
public sealed class KeywardStartupException : Exception
{
    public KeywardStartupException()
    {
    }

    public KeywardStartupException(string message)
        : base(message)
    {
    }

    public KeywardStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
