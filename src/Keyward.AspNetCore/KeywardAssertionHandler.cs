using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Keyward.AspNetCore;

/// <summary>
/// Authenticates a request by the identity assertion Keyward's proxy puts in the <c>Keyward-Assertion</c> header.
/// No header is no result (another scheme may apply); a bad one is a failure with a stable code, and the challenge
/// answers it as problem+json without echoing the token.
/// </summary>
internal sealed class KeywardAssertionHandler : AuthenticationHandler<KeywardAssertionOptions>
{
    /// <summary>Where a failure's code travels from authentication to the challenge.</summary>
    internal const string ErrorItem = "keyward.assertion.error";

    public KeywardAssertionHandler(IOptionsMonitor<KeywardAssertionOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : base(options, logger, encoder)
    {
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var values = Request.Headers[KeywardAssertionDefaults.HeaderName];
        if (values.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (values.Count > 1)
        {
            // Keyward's proxy strips client-sent identity headers and adds exactly one; two means something else is in the path.
            Logger.AssertionHeaderRepeated(values.Count);
            return Fail(KeywardAssertionErrorCode.AssertionInvalid, kid: null);
        }

        var validator = Options.Validator
            ?? throw new InvalidOperationException("The Keyward assertion options were not post-configured; register the scheme with AddKeywardAssertion.");
        var result = await validator.ValidateAsync(values[0] ?? string.Empty, Context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return Fail(result.Error.Value, result.Kid);
        }

        Logger.AssertionValidated(result.Identity.FindFirst(KeywardAssertionClaimTypes.Subject)?.Value, LogSafe.Kid(result.Kid));
        return AuthenticateResult.Success(new AuthenticationTicket(new(result.Identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var error = KeywardAssertionErrorCode.AssertionMissing;
        if (result.Failure is not null)
        {
            error = result.Properties?.Items.TryGetValue(ErrorItem, out var code) == true && KeywardAssertionErrors.TryParse(code, out var parsed)
                ? parsed
                : KeywardAssertionErrorCode.AssertionInvalid;
        }

        // RFC 9110 §11.6.1: a 401 carries a challenge. Only the code, never the token.
        Response.Headers.WWWAuthenticate = $"{Scheme.Name} error=\"{KeywardAssertionErrors.Code(error)}\"";
        await ProblemResponse.WriteAsync(Response, error).ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemResponse.WriteAsync(Response, KeywardAssertionErrorCode.AccessDenied);

    private AuthenticateResult Fail(KeywardAssertionErrorCode error, string? kid)
    {
        var code = KeywardAssertionErrors.Code(error);
        Logger.AssertionRejected(code, LogSafe.Kid(kid));
        var properties = new AuthenticationProperties();
        properties.Items[ErrorItem] = code;
        return AuthenticateResult.Fail(KeywardAssertionErrors.Message(error), properties);
    }
}
