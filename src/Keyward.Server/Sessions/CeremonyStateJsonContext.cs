using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>
/// Source-generated JSON for the stored <see cref="CeremonyState"/>, compact: a property at its default (an unset id or
/// name, a false flag) is left out, and reads back as that default, so a sign-in's state is its mode, account, flag and
/// key ids only (issue 15). Rows written with every property (before this) read the same.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(CeremonyState))]
internal sealed partial class CeremonyStateJsonContext : JsonSerializerContext;
