namespace Keyward.Server.Tests.Matrix;

/// <summary>What a plane answers a credential it does not accept: the status and the catalogue code (one of them).</summary>
/// <param name="Status">The 4xx status.</param>
/// <param name="Codes">The stable code, or the codes that are each right (an expired row may be purged, then unknown).</param>
internal sealed record MatrixRefusal(int Status, params string[] Codes);
