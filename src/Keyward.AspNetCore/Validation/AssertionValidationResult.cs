using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;

namespace Keyward.AspNetCore;

/// <summary>Either the identity an assertion proves, or why it was refused. <see cref="Kid"/> is for logs.</summary>
internal readonly record struct AssertionValidationResult(ClaimsIdentity? Identity, KeywardAssertionErrorCode? Error, string? Kid)
{
    [MemberNotNullWhen(true, nameof(Identity))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Identity is not null;

    public static AssertionValidationResult Ok(ClaimsIdentity identity, string kid) => new(identity, null, kid);

    public static AssertionValidationResult Fail(KeywardAssertionErrorCode error, string? kid = null) => new(null, error, kid);
}
