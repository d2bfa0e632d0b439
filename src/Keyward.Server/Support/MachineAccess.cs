using Keyward.Core.Accounts;
using Keyward.Core.Sessions;

namespace Keyward.Server.Support;

/// <summary>A machine's access policy, as its enroll token set it.</summary>
/// <param name="MachineId">The machine.</param>
/// <param name="Label">Its label (for audit records and listings).</param>
/// <param name="UnattendedAllowed">Whether a support session may skip the consent of the person at the machine.</param>
/// <param name="JoinerAccounts">Accounts allowed to open sessions and join.</param>
/// <param name="JoinerRoles">Roles allowed to open sessions and join.</param>
/// <param name="LastSeenAt">When its agent was last connected (for listings), if known.</param>
internal sealed record MachineAccess(
    Guid MachineId, string Label, bool UnattendedAllowed, IReadOnlyList<Guid> JoinerAccounts, IReadOnlyList<string> JoinerRoles, DateTimeOffset? LastSeenAt = null)
{
    /// <summary>
    /// True when <paramref name="session"/>'s account may open support sessions for this machine and join them: it is
    /// listed, or has a listed role. A policy that lists no one allows admins (the default).
    /// </summary>
    public bool Allows(SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (JoinerAccounts.Count == 0 && JoinerRoles.Count == 0)
        {
            return session.Role == Roles.Admin;
        }

        return JoinerAccounts.Contains(session.AccountId) || JoinerRoles.Contains(session.Role, StringComparer.Ordinal);
    }
}
