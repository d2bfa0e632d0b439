using System.Text.Json.Serialization;

namespace Keyward.LoadBench.SignIn;

/// <summary>Source-generated JSON for the line a sign-in client child reports.</summary>
[JsonSerializable(typeof(ClientResult))]
internal sealed partial class SignInJsonContext : JsonSerializerContext;
