using System.Text.Json;
using Keyward.Core.Ceremonies;
using Keyward.Core.Storage;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Sessions;

/// <summary>
/// The two halves of a WebAuthn ceremony (sign-in or registration) kept between begin and finish: the state is stored
/// with its challenge for <see cref="SignInOptions.CeremonyLifetime"/>, and taken back once, atomically.
/// </summary>
internal sealed class CeremonyJournal(CeremonyStore store, IOptions<SignInOptions> options)
{
    /// <summary>Stores the ceremony; returns its id with the options the browser needs.</summary>
    public async Task<CeremonyOptionsResponse> StartAsync(string kind, byte[] challenge, CeremonyState state, string optionsJson, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(state, CeremonyStateJsonContext.Default.CeremonyState);
        var id = await store.SaveAsync(kind, challenge, json, options.Value.CeremonyLifetime, cancellationToken).ConfigureAwait(false);
        return new CeremonyOptionsResponse(id, new CeremonyOptionsJson(optionsJson));
    }

    /// <summary>As <see cref="StartAsync(string, byte[], CeremonyState, string, CancellationToken)"/>, on a context the caller holds.</summary>
    public async Task<CeremonyOptionsResponse> StartAsync(KeywardDbContext db, string kind, byte[] challenge, CeremonyState state, string optionsJson, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(state, CeremonyStateJsonContext.Default.CeremonyState);
        var id = await store.SaveAsync(db, kind, challenge, json, options.Value.CeremonyLifetime, cancellationToken).ConfigureAwait(false);
        return new CeremonyOptionsResponse(id, new CeremonyOptionsJson(optionsJson));
    }

    /// <summary>Takes the ceremony once; null when it is unknown, of another kind, already taken, or expired.</summary>
    public async Task<(CeremonyState State, byte[] Challenge)?> TakeAsync(string kind, Guid ceremonyId, CancellationToken cancellationToken)
    {
        var ceremony = await store.ConsumeAsync(ceremonyId, kind, cancellationToken).ConfigureAwait(false);
        return ceremony is null ? null : (JsonSerializer.Deserialize(ceremony.State, CeremonyStateJsonContext.Default.CeremonyState)!, ceremony.Challenge);
    }

    /// <summary>As <see cref="TakeAsync(string, Guid, CancellationToken)"/>, on a context the caller holds.</summary>
    public async Task<(CeremonyState State, byte[] Challenge)?> TakeAsync(KeywardDbContext db, string kind, Guid ceremonyId, CancellationToken cancellationToken)
    {
        var ceremony = await store.ConsumeAsync(db, ceremonyId, kind, cancellationToken).ConfigureAwait(false);
        return ceremony is null ? null : (JsonSerializer.Deserialize(ceremony.State, CeremonyStateJsonContext.Default.CeremonyState)!, ceremony.Challenge);
    }
}
