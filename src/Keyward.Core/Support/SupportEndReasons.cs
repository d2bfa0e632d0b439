namespace Keyward.Core.Support;

/// <summary>Why a support session ended (stored, and in its audit event).</summary>
public static class SupportEndReasons
{
    /// <summary>Ended through the API by its technician or an admin.</summary>
    public const string Ended = "ended";

    /// <summary>Reaped: pending past its pending lifetime, or past its expiry.</summary>
    public const string Expired = "expired";
}
