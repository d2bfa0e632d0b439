using System.Security.Cryptography;
using System.Text.Json;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Ceremonies;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Authentication;
using Keyward.Server.Hosting;
using Keyward.WebAuthn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Endpoints;

/// <summary>
/// Key registration: the first admin with the setup code, a new account with an invite, or another key for the
/// signed-in account. The code or invite is checked at begin and consumed (atomically) at finish, so a failed
/// ceremony does not burn it and two racing finishes cannot both use it.
/// </summary>
internal static class RegistrationEndpoints
{
    public const string RegisterKind = "register";

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/register").RequireRateLimiting(RateLimitPolicies.SignIn);
        group.MapPost("/begin", BeginAsync);
        group.MapPost("/finish", FinishAsync);
    }

    private static async Task<IResult> BeginAsync(
        [FromBody] RegisterBeginRequest request, HttpContext context, AccountService accounts, CeremonyStore ceremonies,
        SessionService sessions, RelyingParty rp, IOptions<KeywardOptions> options, IAuditLog audit, CancellationToken cancellationToken)
    {
        const string Failed = AuditActions.KeyRegistrationFailed;
        CeremonyState state;
        IReadOnlyList<CredentialDescriptor> exclude = [];
        if (request.SetupCode is not null)
        {
            var name = request.Username?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 200)
            {
                return Problems.Create(400, "username_required", "Choose a username (1 to 200 characters) for the first admin.");
            }

            if (!await accounts.IsSetupCodeValidAsync(request.SetupCode, cancellationToken).ConfigureAwait(false))
            {
                return await audit.RefuseAsync(context, Failed, 401, "setup_code_invalid", "The setup code is wrong, used, or expired. Restart Keyward to print a new one (only while no admin exists).", actor: name).ConfigureAwait(false);
            }

            state = new CeremonyState { Mode = "setup", AccountName = name, Role = Roles.Admin, UserHandle = NewHandle(), KeyName = request.KeyName };
        }
        else if (request.Invite is not null)
        {
            var invite = await accounts.FindUsableInviteAsync(request.Invite, cancellationToken).ConfigureAwait(false);
            if (invite is null)
            {
                return await audit.RefuseAsync(context, Failed, 401, "invite_invalid", "The invite is malformed, used, or expired. Ask an admin for a new one.").ConfigureAwait(false);
            }

            state = new CeremonyState { Mode = "invite", AccountName = invite.AccountName, Role = invite.Role, UserHandle = NewHandle(), InviteId = invite.Id, KeyName = request.KeyName };
        }
        else
        {
            const string Hint = "Send a setup code, an invite, or a session to add a key to your account.";
            var token = SessionAuthenticationHandler.ReadToken(context.Request);
            if (token is null)
            {
                return await audit.RefuseAsync(context, Failed, 401, "session_missing", Hint).ConfigureAwait(false);
            }

            var check = await sessions.CheckAsync(token, cancellationToken).ConfigureAwait(false);
            if (!check.IsValid)
            {
                return await audit.RefuseAsync(context, Failed, 401, check.Failure is null ? "session_missing" : SessionFailures.Code(check.Failure.Value), Hint).ConfigureAwait(false);
            }

            var account = (await accounts.GetAccountAsync(check.Session!.AccountId, cancellationToken).ConfigureAwait(false))!;
            var keys = await accounts.ListAuthenticatorsAsync(account.Id, cancellationToken).ConfigureAwait(false);
            exclude = [.. keys.Select(k => new CredentialDescriptor(k.CredentialId, k.Transports.Split(',', StringSplitOptions.RemoveEmptyEntries)))];
            state = new CeremonyState { Mode = "add", AccountId = account.Id, AccountName = account.Name, Role = account.Role, UserHandle = Base64Url.Encode(account.UserHandle), KeyName = request.KeyName };
        }

        var opts = rp.CreateRegistrationOptions(new RegistrationOptionsRequest
        {
            UserName = state.AccountName!,
            UserHandle = Base64Url.TryDecode(state.UserHandle, out var handle) ? handle : null,
            ExcludeCredentials = exclude,
            ResidentKey = ResidentKeyRequirement.Preferred,
            UserVerification = UserVerificationRequirement.Preferred,
        });
        var id = await ceremonies.SaveAsync(RegisterKind, opts.Ceremony.Challenge, JsonSerializer.Serialize(state), options.Value.SignIn.CeremonyLifetime, cancellationToken).ConfigureAwait(false);
        return Results.Json(new Dictionary<string, object> { ["ceremony_id"] = id, ["public_key"] = JsonDocument.Parse(opts.ToJson()).RootElement });
    }

    private static async Task<IResult> FinishAsync(
        [FromBody] CeremonyFinishRequest request, HttpContext context, AccountService accounts, CeremonyStore ceremonies,
        SessionService sessions, RelyingParty rp, TimeProvider time, IAuditLog audit, CancellationToken cancellationToken)
    {
        const string Failed = AuditActions.KeyRegistrationFailed;
        var ceremony = await ceremonies.ConsumeAsync(request.CeremonyId, RegisterKind, cancellationToken).ConfigureAwait(false);
        if (ceremony is null)
        {
            return await audit.RefuseAsync(context, Failed, 400, "ceremony_invalid", "The registration ceremony is unknown, already used, or expired. Start again with /api/register/begin.").ConfigureAwait(false);
        }

        var state = JsonSerializer.Deserialize<CeremonyState>(ceremony.State)!;
        var credential = RegistrationCredential.Parse(request.Credential);
        if (!credential.Succeeded)
        {
            return await audit.RefuseAsync(context, Failed, 400, credential.Failure.Code, credential.Failure.Message, actor: state.AccountName).ConfigureAwait(false);
        }

        var verified = rp.VerifyRegistration(credential.Value, new RegistrationCeremony { Challenge = ceremony.Challenge });
        if (!verified.Succeeded)
        {
            return await audit.RefuseAsync(context, Failed, 400, verified.Failure.Code, verified.Failure.Message, actor: state.AccountName).ConfigureAwait(false);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var isNew = state.Mode != "add";
        if (!isNew)
        {
            var check = await sessions.CheckAsync(SessionAuthenticationHandler.ReadToken(context.Request), cancellationToken).ConfigureAwait(false);
            if (!check.IsValid || check.Session!.AccountId != state.AccountId)
            {
                return await audit.RefuseAsync(context, Failed, 401, "session_invalid", "Adding a key needs the same live session that started it.", actor: state.AccountName).ConfigureAwait(false);
            }
        }
        else if (await accounts.FindAccountAsync(state.AccountName!, cancellationToken).ConfigureAwait(false) is not null)
        {
            return await audit.RefuseAsync(context, Failed, 409, "account_exists", $"An account named \"{state.AccountName}\" already exists.", actor: state.AccountName).ConfigureAwait(false);
        }

        if (await accounts.FindAuthenticatorAsync(verified.Value.CredentialId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return await audit.RefuseAsync(context, Failed, 409, "credential_exists", "This security key is already registered.", actor: state.AccountName).ConfigureAwait(false);
        }

        if (isNew && (state.Mode == "setup" ? !await accounts.ConsumeSetupCodeAsync(request.SetupCode, cancellationToken).ConfigureAwait(false)
                                       : !await accounts.ConsumeInviteAsync(state.InviteId!.Value, cancellationToken).ConfigureAwait(false)))
        {
            return state.Mode == "setup"
                ? await audit.RefuseAsync(context, Failed, 401, "setup_code_invalid", "The setup code is wrong, used, or expired.", actor: state.AccountName).ConfigureAwait(false)
                : await audit.RefuseAsync(context, Failed, 401, "invite_invalid", "The invite was used or expired meanwhile.", actor: state.AccountName).ConfigureAwait(false);
        }

        var r = verified.Value;
        var account = isNew
            ? new AccountEntity { Id = Guid.NewGuid(), TenantId = Tenants.Default, Name = state.AccountName!, Role = state.Role!, UserHandle = Base64Url.TryDecode(state.UserHandle, out var h) ? h : RandomNumberGenerator.GetBytes(32), CreatedAt = now }
            : (await accounts.GetAccountAsync(state.AccountId!.Value, cancellationToken).ConfigureAwait(false))!;
        var key = new AuthenticatorEntity
        {
            Id = Guid.NewGuid(),
            TenantId = account.TenantId,
            AccountId = account.Id,
            CredentialId = r.CredentialId,
            PublicKey = r.PublicKey.Encoded,
            Name = string.IsNullOrWhiteSpace(state.KeyName) ? $"Security key {DateTimeOffset.FromUnixTimeMilliseconds(now):yyyy-MM-dd}" : state.KeyName.Trim()[..Math.Min(state.KeyName.Trim().Length, 200)],
            SignCount = r.SignCount,
            BackupEligible = r.BackupEligible,
            BackedUp = r.BackedUp,
            UserVerifiedAtRegistration = r.UserVerified,
            Format = r.Format,
            Aaguid = r.Aaguid,
            Transports = string.Join(',', r.Transports.Take(8)),
            CreatedAt = now,
        };
        // Recorded before it happens, naming the key (and account) it will create; then done whatever the client does.
        // The code or invite is already spent: if the record fails, the registration does not happen and a new one is
        // needed (docs/audit.md).
        var records = new List<AuditRecord>
        {
            AuditTrail.For(context, AuditActions.KeyRegistered, AuditOutcomes.Success, key.Id.ToString(), account.Name, new Dictionary<string, string>
            {
                ["account_id"] = account.Id.ToString(),
                ["role"] = account.Role,
                ["format"] = key.Format,
                ["aaguid"] = Convert.ToHexStringLower(key.Aaguid),
                ["user_verified"] = r.UserVerified ? "true" : "false",
                ["new_account"] = isNew ? "true" : "false",
            }),
        };
        if (state.Mode == "setup")
        {
            records.Add(AuditTrail.For(context, AuditActions.SetupCodeUsed, AuditOutcomes.Success, account.Name, account.Name));
        }
        else if (state.Mode == "invite")
        {
            records.Add(AuditTrail.For(context, AuditActions.InviteUsed, AuditOutcomes.Success, state.InviteId!.Value.ToString(), account.Name));
        }

        await audit.RecordAllAsync(records, CancellationToken.None).ConfigureAwait(false);
        if (await accounts.RegisterAsync(account, key, isNew, CancellationToken.None).ConfigureAwait(false) is null)
        {
            // Lost a race after the record (the same key, or the account name, registered meanwhile): say so in the log
            // against the same key id, so the earlier key.registered reads as not done.
            return await audit.RefuseAsync(context, Failed, 409, "credential_exists", "This security key is already registered, or the account name was taken meanwhile.", key.Id.ToString(), account.Name).ConfigureAwait(false);
        }

        return Results.Json(new Dictionary<string, object>
        {
            ["account"] = account.Name,
            ["role"] = account.Role,
            ["key"] = new Dictionary<string, object> { ["id"] = key.Id, ["name"] = key.Name, ["format"] = key.Format, ["user_verified"] = r.UserVerified },
        });
    }

    private static string NewHandle() => Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
}
