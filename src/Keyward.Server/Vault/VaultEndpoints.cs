using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Keyward.Core.Capabilities;
using Keyward.Core.Vault;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Vault;

/// <summary>
/// The vault plane (docs/vault.md, "HTTP API"): one endpoint group per data class, mapped in a loop over
/// <see cref="VaultDataClass.All"/>, each bound to its class object, never to a class read from the request.
/// Anonymous to the session scheme: <see cref="VaultGate"/> takes a capability token and nothing else.
/// Every answer is <c>Cache-Control: no-store</c>; a value is never logged, audited or made a string.
/// </summary>
internal static class VaultEndpoints
{
    /// <summary>The plane's root.</summary>
    public const string Root = "/vault/v1";

    /// <summary>The most entries one list returns unless <c>limit</c> says fewer.</summary>
    public const int DefaultListLimit = 100;

    // Room for the JSON around value_base64 in a write's body.
    private const int BodyOverhead = 1024;

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var dataClass in VaultDataClass.All)
        {
            var group = app.MapGroup($"{Root}/{dataClass.Name}/actors/{{actorId:guid}}").AllowAnonymous();
            KeywardError[] gate = [KeywardErrors.CapInvalid, KeywardErrors.CapExpired, KeywardErrors.CapScopeRevoked, KeywardErrors.CapDataClassMismatch,
                KeywardErrors.CapOperationMismatch, KeywardErrors.CapActorMismatch, KeywardErrors.CapPathMismatch, KeywardErrors.VaultNotConfigured, KeywardErrors.VaultPathInvalid, KeywardErrors.RateLimited];
            group.MapGet("/secrets/{**path}", (HttpContext context, Guid actorId, string path, [FromServices] VaultGate vault, CancellationToken cancellationToken) =>
                    ReadAsync(context, dataClass, actorId, path, vault, cancellationToken))
                .Produces<VaultReadResponse>()
                .WithQueryParameters("version")
                .Refuses([.. gate, KeywardErrors.ApprovalRequired, KeywardErrors.VaultSecretNotFound, KeywardErrors.VaultDecryptFailed, KeywardErrors.VaultKekMissing, KeywardErrors.VaultKekMismatch, KeywardErrors.RequestInvalid]);
            group.MapPut("/secrets/{**path}", (HttpContext context, Guid actorId, string path, [FromServices] VaultGate vault, CancellationToken cancellationToken) =>
                    WriteAsync(context, dataClass, actorId, path, vault, cancellationToken))
                .Accepts<VaultWriteRequest>("application/json")
                .Produces<VaultWriteResponse>()
                .Refuses([.. gate, KeywardErrors.VaultValueTooLarge, KeywardErrors.BodyTooLarge, KeywardErrors.RequestInvalid, KeywardErrors.UnsupportedMediaType, KeywardErrors.VaultNoEpoch, KeywardErrors.VaultKekMissing, KeywardErrors.VaultKekMismatch]);
            group.MapDelete("/secrets/{**path}", (HttpContext context, Guid actorId, string path, [FromServices] VaultGate vault, CancellationToken cancellationToken) =>
                    DeleteAsync(context, dataClass, actorId, path, vault, cancellationToken))
                .Produces<VaultDeleteResponse>()
                .Refuses([.. gate, KeywardErrors.VaultSecretNotFound]);
            group.MapGet("/list", (HttpContext context, Guid actorId, [FromServices] VaultGate vault, CancellationToken cancellationToken) =>
                    ListAsync(context, dataClass, actorId, vault, cancellationToken))
                .Produces<VaultListResponse>()
                .WithQueryParameters("prefix", "limit")
                .Refuses([.. gate, KeywardErrors.RequestInvalid]);
        }
    }

    private static async Task<IResult> ReadAsync(HttpContext context, VaultDataClass dataClass, Guid actorId, string path, VaultGate gate, CancellationToken cancellationToken)
    {
        NoStore(context);
        var admitted = await gate.AdmitAsync(context, dataClass, CapabilityOperations.Read, actorId, path, cancellationToken).ConfigureAwait(false);
        if (admitted.Refused)
        {
            return await RefuseAsync(context, admitted.Refusal).ConfigureAwait(false);
        }

        var call = admitted.Value;
        int? version = null;
        if (context.Request.Query.TryGetValue("version", out var raw))
        {
            if (raw is not [{ } text] || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                return Problems.Result(KeywardErrors.RequestInvalid.Saying("version is a whole number from 1."));
            }

            version = number;
        }

        if (!VaultPath.IsValid(path))
        {
            return await gate.RefuseAsync(context, call, KeywardErrors.VaultPathInvalid, CapabilityOperations.Read).ConfigureAwait(false);
        }

        // A sensitive class: one approved, unspent read_sensitive_secret for exactly this address, spent by this read.
        if (dataClass.Sensitive && (context.RequestServices.GetService<ISensitiveReadApprovals>() is not { } approvals
            || !await approvals.TrySpendAsync(call.Address, cancellationToken).ConfigureAwait(false)))
        {
            return await gate.RefuseAsync(context, call, KeywardErrors.ApprovalRequired, CapabilityOperations.Read).ConfigureAwait(false);
        }

        var outcome = await gate.Secrets.GetAsync(call.Address, version, cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            return await gate.RefuseAsync(context, call, KeywardErrors.From(outcome.Failure!.Value), CapabilityOperations.Read).ConfigureAwait(false);
        }

        using var secret = outcome.Value!;

        // Recorded before the value leaves: if the log cannot hold the read, the caller gets 503 and no value.
        await gate.RecordAsync(context, call, VaultAuditActions.SecretRead, new Dictionary<string, string> { ["version"] = secret.Version.ToString(CultureInfo.InvariantCulture) }).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await WriteValueAsync(context.Response, secret, cancellationToken).ConfigureAwait(false);
        return Results.Empty;
    }

    private static async Task<IResult> WriteAsync(HttpContext context, VaultDataClass dataClass, Guid actorId, string path, VaultGate gate, CancellationToken cancellationToken)
    {
        NoStore(context);
        var admitted = await gate.AdmitAsync(context, dataClass, CapabilityOperations.Write, actorId, path, cancellationToken).ConfigureAwait(false);
        if (admitted.Refused)
        {
            return await RefuseAsync(context, admitted.Refusal).ConfigureAwait(false);
        }

        var call = admitted.Value;
        if (!context.Request.HasJsonContentType())
        {
            return Problems.Result(KeywardErrors.UnsupportedMediaType);
        }

        if (!VaultPath.IsValid(path))
        {
            return await gate.RefuseAsync(context, call, KeywardErrors.VaultPathInvalid, CapabilityOperations.Write).ConfigureAwait(false);
        }

        // Only now, for an admitted caller, the body may be as large as the largest value in base64 (and no larger).
        var maxValue = gate.Options.MaxValueBytes;
        var maxBody = Base64.GetMaxEncodedToUtf8Length(maxValue) + BodyOverhead;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBody;
        }

        var body = await ReadBodyAsync(context.Request, maxBody, cancellationToken).ConfigureAwait(false);
        var value = GC.AllocateArray<byte>(Base64.GetMaxDecodedFromUtf8Length(body.Length), pinned: true);
        try
        {
            if (body.Length > maxBody)
            {
                return Problems.Result(KeywardErrors.BodyTooLarge);
            }

            var length = DecodeValue(body, value);
            if (length < 0)
            {
                return Problems.Result(KeywardErrors.RequestInvalid.Saying("The body is {\"value_base64\": \"…\"}: one property, the value in standard base64."));
            }

            if (length > maxValue)
            {
                return await gate.RefuseAsync(context, call, KeywardErrors.VaultValueTooLarge, CapabilityOperations.Write).ConfigureAwait(false);
            }

            await gate.RecordAsync(context, call, VaultAuditActions.SecretWritten, new Dictionary<string, string> { ["bytes"] = length.ToString(CultureInfo.InvariantCulture) }).ConfigureAwait(false);
            var put = await gate.Secrets.PutAsync(call.Address, value.AsMemory(0, length), CancellationToken.None).ConfigureAwait(false);
            if (!put.Succeeded)
            {
                return await gate.RefuseAsync(context, call, KeywardErrors.From(put.Failure!.Value), CapabilityOperations.Write).ConfigureAwait(false);
            }

            return Results.Json(new VaultWriteResponse(path, put.Value), VaultJsonContext.Relaxed.VaultWriteResponse);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
            CryptographicOperations.ZeroMemory(body);
        }
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, VaultDataClass dataClass, Guid actorId, string path, VaultGate gate, CancellationToken cancellationToken)
    {
        NoStore(context);
        var admitted = await gate.AdmitAsync(context, dataClass, CapabilityOperations.Delete, actorId, path, cancellationToken).ConfigureAwait(false);
        if (admitted.Refused)
        {
            return await RefuseAsync(context, admitted.Refusal).ConfigureAwait(false);
        }

        var call = admitted.Value;
        if (!VaultPath.IsValid(path))
        {
            return await gate.RefuseAsync(context, call, KeywardErrors.VaultPathInvalid, CapabilityOperations.Delete).ConfigureAwait(false);
        }

        await gate.RecordAsync(context, call, VaultAuditActions.SecretDeleted).ConfigureAwait(false);
        var deleted = await gate.Secrets.DeleteAsync(call.Address, CancellationToken.None).ConfigureAwait(false);
        return deleted.Succeeded
            ? Results.Json(new VaultDeleteResponse(path, deleted.Value), VaultJsonContext.Relaxed.VaultDeleteResponse)
            : await gate.RefuseAsync(context, call, KeywardErrors.From(deleted.Failure!.Value), CapabilityOperations.Delete).ConfigureAwait(false);
    }

    private static async Task<IResult> ListAsync(HttpContext context, VaultDataClass dataClass, Guid actorId, VaultGate gate, CancellationToken cancellationToken)
    {
        NoStore(context);
        var query = context.Request.Query;
        if (query.TryGetValue("prefix", out var prefixes) && prefixes is not [not null])
        {
            return Problems.Result(KeywardErrors.RequestInvalid.Saying("prefix is given at most once."));
        }

        var limit = DefaultListLimit;
        if (query.TryGetValue("limit", out var limits)
            && (limits is not [{ } text] || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > VaultService.MaxList))
        {
            return Problems.Result(KeywardErrors.RequestInvalid.Saying($"limit is a whole number from 1 to {VaultService.MaxList}."));
        }

        // Without a prefix, the capability's own: known only once it is verified, so the gate compares the given one.
        var given = prefixes is [{ } one] ? one : null;
        var admitted = await gate.AdmitListAsync(context, dataClass, actorId, given, cancellationToken).ConfigureAwait(false);
        if (admitted.Refused)
        {
            return await RefuseAsync(context, admitted.Refusal).ConfigureAwait(false);
        }

        var call = admitted.Value;
        var prefix = call.Address.Path;
        if (!VaultPath.IsValidPrefix(prefix))
        {
            return await gate.RefuseAsync(context, call, KeywardErrors.VaultPathInvalid, CapabilityOperations.List).ConfigureAwait(false);
        }

        await gate.RecordAsync(context, call, VaultAuditActions.SecretsListed).ConfigureAwait(false);
        var listed = await gate.Secrets.ListAsync(call.Address.TenantId, dataClass, call.Address.OperatorId, actorId, prefix, limit, cancellationToken).ConfigureAwait(false);
        if (!listed.Succeeded)
        {
            return await gate.RefuseAsync(context, call, KeywardErrors.From(listed.Failure!.Value), CapabilityOperations.List).ConfigureAwait(false);
        }

        var entries = listed.Value!.Select(e => new VaultListItem(e.Path, e.Version, e.UpdatedAt)).ToList();
        return Results.Json(new VaultListResponse(prefix, entries), VaultJsonContext.Relaxed.VaultListResponse);
    }

    private static Task<IResult> RefuseAsync(HttpContext context, Refusal refusal) =>
        context.RequestServices.GetRequiredService<Keyward.Core.Audit.IAuditLog>().RefuseAsync(context, refusal);

    private static void NoStore(HttpContext context) => context.Response.Headers.CacheControl = "no-store";

    // Reads at most max + 1 bytes into a buffer the caller clears (the framework's limit stops a larger body first).
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        var expected = request.ContentLength is { } declared && declared <= max ? (int)declared : max;
        var buffer = GC.AllocateArray<byte>(expected + 1, pinned: true);
        var length = 0;
        try
        {
            while (length < buffer.Length)
            {
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            var body = GC.AllocateArray<byte>(length, pinned: true);
            buffer.AsSpan(0, length).CopyTo(body);
            return body;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    // {"value_base64": "<standard base64>"} and nothing else: the decoded length, or -1.
    private static int DecodeValue(ReadOnlySpan<byte> body, Span<byte> value)
    {
        byte[]? unescaped = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 2 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("value_base64"u8)
                || !reader.Read() || reader.TokenType != JsonTokenType.String || reader.HasValueSequence)
            {
                return -1;
            }

            // System.Text.Json's default encoder (and others) writes base64's '+' as \u002B: valid JSON for the same
            // text, so it is unescaped into a pinned scratch buffer, cleared below, rather than refused.
            var text = reader.ValueSpan;
            if (reader.ValueIsEscaped)
            {
                unescaped = GC.AllocateArray<byte>(text.Length, pinned: true);
                text = unescaped.AsSpan(0, reader.CopyString(unescaped));
            }

            var status = Base64.DecodeFromUtf8(text, value, out _, out var written);
            if (status != System.Buffers.OperationStatus.Done || !reader.Read() || reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return -1;
            }

            return written;
        }
        catch (JsonException)
        {
            return -1;
        }
        finally
        {
            if (unescaped is not null)
            {
                CryptographicOperations.ZeroMemory(unescaped);
            }
        }
    }

    // {"path":…,"version":…,"value_base64":…}, the value encoded straight from the decrypted buffer.
    private static async Task WriteValueAsync(HttpResponse response, VaultSecret secret, CancellationToken cancellationToken)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(Base64.GetMaxEncodedToUtf8Length(secret.Value.Length) + 512);
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                writer.WriteString("path"u8, secret.Path);
                writer.WriteNumber("version"u8, secret.Version);
                writer.WriteBase64String("value_base64"u8, secret.Value);
                writer.WriteEndObject();
            }

            await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            buffer.Clear();
        }
    }
}
