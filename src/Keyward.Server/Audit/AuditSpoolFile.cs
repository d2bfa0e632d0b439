using Keyward.Server.Keys;

namespace Keyward.Server.Audit;

/// <summary>Where the revocation spool lives: <c>&lt;data&gt;/audit/revocations.spool</c> (mode 0600).</summary>
internal static class AuditSpoolFile
{
    /// <summary>The spool's file name under <see cref="AuditKeyFile.Directory"/>.</summary>
    public const string FileName = "revocations.spool";

    /// <summary>The spool's path for <paramref name="dataDirectory"/>.</summary>
    public static string Path(string dataDirectory) => System.IO.Path.Combine(dataDirectory, AuditKeyFile.Directory, FileName);
}
