using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>Source-generated JSON for the accounts slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(List<KeyListItem>))]
[JsonSerializable(typeof(KeyRemovedResponse))]
[JsonSerializable(typeof(InviteResponse))]
[JsonSerializable(typeof(SessionsRevokedResponse))]
[JsonSerializable(typeof(RecoveryCodesResponse))]
[JsonSerializable(typeof(AccountStateResponse))]
[JsonSerializable(typeof(AccountListResponse))]
[JsonSerializable(typeof(AccountDetailResponse))]
[JsonSerializable(typeof(List<InviteListItem>))]
internal sealed partial class AccountsJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers. Made on first use: after
    /// <see cref="Default"/>, whose initializer is in the generated half of this class.</summary>
    public static AccountsJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
