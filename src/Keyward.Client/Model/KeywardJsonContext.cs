using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>
/// Source-generated JSON for the answers this client reads, in Keyward's wire names and order, so a caller can show
/// an answer as Keyward sent it (the CLI prints them).
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Registration))]
[JsonSerializable(typeof(SignInResult))]
[JsonSerializable(typeof(SessionStatus))]
[JsonSerializable(typeof(LogoutResult))]
[JsonSerializable(typeof(CreatedInvite))]
[JsonSerializable(typeof(WebSocketTicket))]
[JsonSerializable(typeof(StepUpResult))]
[JsonSerializable(typeof(RecoveryCodes))]
public sealed partial class KeywardJsonContext : JsonSerializerContext;
