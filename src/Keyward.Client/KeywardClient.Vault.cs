using System.Buffers.Text;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyward.Client;

/// <summary>
/// Actors (issue 12, docs/vault.md "HTTP API"): an agent (<c>kwa_</c>) or a service identity (<c>kwv_</c>) exchanges its
/// key for a capability, then reads, writes, lists or deletes one secret with it. Values travel as bytes: a read's
/// value is decoded straight from the answer's bytes into a <see cref="VaultValue"/> that clears itself; neither the
/// value nor a token is ever put in an exception or a string this client keeps.
/// </summary>
public sealed partial class KeywardClient
{
    /// <summary>
    /// Mints a capability for <paramref name="operation"/> (<c>read</c>, <c>write</c>, <c>list</c>, <c>delete</c>) on
    /// <paramref name="dataClass"/> at <paramref name="path"/> (for a list: the prefix), with the actor's key: a service
    /// key <c>kwv_…</c> at <c>/actor/v1/capabilities</c>, an agent key <c>kwa_…</c> at <c>/agent/v1/capabilities</c>.
    /// <paramref name="operatorName"/> names the operator when the actor has scopes from more than one.
    /// </summary>
    public async Task<MintedCapability> MintCapabilityAsync(
        string actorKey, string operation, string dataClass, string path, string? operatorName = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(actorKey);
        var endpoint = actorKey.StartsWith("kwa_", StringComparison.Ordinal) ? KeywardPaths.AgentCapabilities
            : actorKey.StartsWith("kwv_", StringComparison.Ordinal) ? KeywardPaths.ActorCapabilities
            : throw new ArgumentException("An actor key is a service key (kwv_…) or an agent key (kwa_…).", nameof(actorKey));
        var body = new JsonObject { ["operation"] = operation, ["data_class"] = dataClass, ["path"] = path };
        AddIfSet(body, "operator", operatorName);
        var response = await SendAsync(HttpMethod.Post, endpoint, body, actorKey, null, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccess();
        try
        {
            var json = response.Json;
            return new MintedCapability(
                json.GetProperty("capability").GetString() ?? throw new JsonException("capability is null"),
                json.GetProperty("expires_at").GetDateTimeOffset(),
                json.TryGetProperty("scope_id", out var scope) ? scope.ToString() : null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new KeywardProblemException($"POST {endpoint} answered {response.StatusCode} without a capability.", e);
        }
    }

    /// <summary>Writes <paramref name="value"/> as the next version of the actor's secret; returns its version.</summary>
    public async Task<int> PutSecretAsync(
        string capability, string dataClass, Guid actorId, string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var encoded = new byte[Base64.GetMaxEncodedToUtf8Length(value.Length) + 32];
        try
        {
            var length = 0;
            Write("{\"value_base64\":\""u8);
            Base64.EncodeToUtf8(value.Span, encoded.AsSpan(length), out _, out var written);
            length += written;
            Write("\"}"u8);
            using var request = new HttpRequestMessage(HttpMethod.Put, KeywardPaths.VaultSecret(dataClass, actorId, path))
            {
                Content = new ReadOnlyMemoryContent(encoded.AsMemory(0, length)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", capability);
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var answer = await Answer(request, response, cancellationToken).ConfigureAwait(false);
            answer.EnsureSuccess();
            return answer.Json.GetProperty("version").GetInt32();

            void Write(ReadOnlySpan<byte> text)
            {
                text.CopyTo(encoded.AsSpan(length));
                length += text.Length;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encoded);
        }
    }

    /// <summary>Reads the latest version of the actor's secret, or <paramref name="version"/>. Dispose the value.</summary>
    public async Task<VaultValue> GetSecretAsync(
        string capability, string dataClass, Guid actorId, string path, int? version = null, CancellationToken cancellationToken = default)
    {
        var uri = KeywardPaths.VaultSecret(dataClass, actorId, path) + (version is { } v ? "?version=" + v.ToString(CultureInfo.InvariantCulture) : string.Empty);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", capability);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            (await Answer(request, response, cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return ReadValue(body) ?? throw new KeywardProblemException($"GET {KeywardPaths.VaultRoot}/{dataClass}/… answered {(int)response.StatusCode} without a value.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(body);
        }
    }

    /// <summary>Lists the actor's live secrets under <paramref name="prefix"/> (null: the capability's own prefix).</summary>
    public async Task<IReadOnlyList<VaultEntry>> ListSecretsAsync(
        string capability, string dataClass, Guid actorId, string? prefix = null, CancellationToken cancellationToken = default)
    {
        var uri = KeywardPaths.VaultList(dataClass, actorId) + (prefix is null ? string.Empty : "?prefix=" + Uri.EscapeDataString(prefix));
        var response = await SendAsync(HttpMethod.Get, uri, null, capability, null, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccess();
        return [.. response.Json.GetProperty("entries").EnumerateArray().Select(e => new VaultEntry(
            e.GetProperty("path").GetString()!, e.GetProperty("version").GetInt32(), e.GetProperty("updated_at").GetDateTimeOffset()))];
    }

    /// <summary>Deletes every version of the actor's secret; returns how many were deleted.</summary>
    public async Task<int> DeleteSecretAsync(string capability, string dataClass, Guid actorId, string path, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Delete, KeywardPaths.VaultSecret(dataClass, actorId, path), null, capability, null, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccess();
        return response.Json.GetProperty("versions_deleted").GetInt32();
    }

    // A refusal's (or a small answer's) text as a KeywardResponse: never a value, which only a successful read carries.
    private async Task<KeywardResponse> Answer(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var result = new KeywardResponse(request.Method, request.RequestUri?.OriginalString ?? string.Empty, response, text);
        _onResponse?.Invoke(result);
        return result;
    }

    // {"path":…,"version":…,"value_base64":…} → the value decoded from the bytes, never a string.
    private static VaultValue? ReadValue(ReadOnlySpan<byte> body)
    {
        string? path = null;
        int? version = null;
        byte[]? value = null;
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                if (reader.ValueTextEquals("path"u8) && reader.Read())
                {
                    path = reader.GetString();
                }
                else if (reader.ValueTextEquals("version"u8) && reader.Read())
                {
                    version = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("value_base64"u8) && reader.Read() && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                {
                    var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(reader.ValueSpan.Length)];
                    if (Base64.DecodeFromUtf8(reader.ValueSpan, decoded, out _, out var written) != System.Buffers.OperationStatus.Done)
                    {
                        CryptographicOperations.ZeroMemory(decoded);
                        return null;
                    }

                    value = decoded.AsSpan(0, written).ToArray();
                    CryptographicOperations.ZeroMemory(decoded);
                }
            }
        }
        catch (JsonException)
        {
            if (value is not null)
            {
                CryptographicOperations.ZeroMemory(value);
            }

            return null;
        }

        return path is not null && version is { } number && value is not null ? new VaultValue(path, number, value) : null;
    }
}
