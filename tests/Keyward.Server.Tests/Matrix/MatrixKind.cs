using Keyward.Core.Credentials;

namespace Keyward.Server.Tests.Matrix;

/// <summary>
/// One kind of credential in the confusion matrix: its name, the <see cref="CredentialKind"/> it is (null for the
/// kinds outside that enum: setup and recovery codes, the identity assertion), and how to make each of its forms.
/// </summary>
/// <param name="Name">The name cells are called by (<c>kws_</c>, <c>setup code</c>…).</param>
/// <param name="Kind">The enum value, when it is a <c>kw&lt;k&gt;_</c> token.</param>
/// <param name="Forms">The forms this kind has, each made by the fixture (a fresh one where it is single use).</param>
internal sealed record MatrixKind(string Name, CredentialKind? Kind, IReadOnlyDictionary<string, Func<MatrixHost, Task<string>>> Forms);
