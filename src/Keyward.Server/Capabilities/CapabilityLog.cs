using Keyward.Server.Http;

namespace Keyward.Server.Capabilities;

/// <summary>The capability slice's diagnostic log (event ids 6500s). Never a key or token.</summary>
internal static partial class CapabilityLog
{
    [LoggerMessage(KeywardEventIds.ServiceKeyStoreFailed, LogLevel.Error, "The service key store could not be read; the request was refused (fail closed).")]
    public static partial void KeyStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(KeywardEventIds.CapabilityKeyCreated, LogLevel.Information, "Created the capability signing key {KeyId}.")]
    public static partial void KeyCreated(ILogger logger, string keyId);
}
