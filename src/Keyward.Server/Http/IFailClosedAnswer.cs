namespace Keyward.Server.Http;

/// <summary>
/// A fail-closed boundary another slice owns: an exception from anywhere in the pipeline that must end the request with
/// a 503 of its own rather than a 500 or a forwarded request (the audit log could not record a decision, a shared signing
/// key is past its retirement). <see cref="HttpErrorsMiddleware"/> asks each registered answer, in registration order
/// (the innermost boundary first), from the one try/catch every request already passes through (issue 15: these were two
/// async middlewares of their own around every proxied request). Http owns the contract so it imports no sibling slice;
/// the slices implement it and Hosting registers them.
/// </summary>
internal interface IFailClosedAnswer
{
    /// <summary>Whether this boundary answers <paramref name="exception"/>. Called from an exception filter: no side effects.</summary>
    bool Answers(Exception exception);

    /// <summary>
    /// Answers the request, whose response has not started: drops what the request had put in the response (keeping
    /// HSTS, <see cref="HttpErrorsMiddleware.ClearKeepingHsts"/>) and writes the problem. Never echoes the exception's text.
    /// </summary>
    Task AnswerAsync(HttpContext context, Exception exception);
}
