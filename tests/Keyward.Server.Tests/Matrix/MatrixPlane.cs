using Keyward.Client;

namespace Keyward.Server.Tests.Matrix;

/// <summary>
/// One place Keyward accepts a credential (a plane), how a credential is presented there, and what it answers.
/// </summary>
/// <param name="Name">The name cells are called by.</param>
/// <param name="Accepts">The kind the plane accepts (its diagonal), by <see cref="MatrixKind.Name"/>.</param>
/// <param name="Accepted">The status that shows the credential was accepted (for the WebSocket planes, 502: the gate
/// accepted it and went on to the upstream, which in these tests speaks no WebSocket).</param>
/// <param name="Unknown">The refusal of anything that is not a live credential of its kind.</param>
/// <param name="OwnForms">Refusals of its own kind's other forms (expired, revoked), when they differ from <paramref name="Unknown"/>.</param>
/// <param name="Present">Sends a credential to the plane.</param>
/// <param name="OtherKinds">The refusal of other kinds, when it differs from <paramref name="Unknown"/>.</param>
/// <param name="Second">A second kind the plane accepts, told apart by its shape (the agent socket: a support code).</param>
internal sealed record MatrixPlane(
    string Name,
    string Accepts,
    int Accepted,
    MatrixRefusal Unknown,
    IReadOnlyDictionary<string, MatrixRefusal> OwnForms,
    Func<MatrixHost, string, Task<KeywardResponse>> Present,
    MatrixRefusal? OtherKinds = null,
    MatrixSecondKind? Second = null)
{
    /// <summary>The expected refusal of <paramref name="kind"/> in <paramref name="form"/>, or null when it is accepted.</summary>
    public MatrixRefusal? Expect(string kind, string form) =>
        Second is { } second && kind == second.Kind && form != MatrixForms.Garbage ? (form == MatrixForms.Valid ? null : second.Unknown)
        : Second is { } shaped && form != MatrixForms.Garbage && shaped.SameShape.Contains(kind) ? shaped.Unknown
        : kind != Accepts ? OtherKinds ?? Unknown
        : form == MatrixForms.Valid ? null
        : OwnForms.GetValueOrDefault(form) ?? Unknown;
}

/// <summary>
/// A second kind a plane accepts, by its shape: every form but the live one and garbage (not of the shape: the plane's
/// own <see cref="MatrixPlane.Unknown"/>) gets <paramref name="Unknown"/>, and so do other kinds of the same shape.
/// </summary>
/// <param name="Kind">The kind, by <see cref="MatrixKind.Name"/>.</param>
/// <param name="Unknown">Its refusal (one code for unknown, expired and spent: a guesser learns nothing).</param>
/// <param name="SameShape">Other kinds shaped like it (anything but their garbage form is checked as one of it).</param>
internal sealed record MatrixSecondKind(string Kind, MatrixRefusal Unknown, IReadOnlyList<string> SameShape);
