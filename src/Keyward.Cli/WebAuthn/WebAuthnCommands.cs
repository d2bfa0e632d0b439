using System.CommandLine;
using System.Text.Json;
using Keyward.WebAuthn;
using Keyward.WebAuthn.Conformance;

namespace Keyward.Cli.WebAuthn;

/// <summary><c>keyward webauthn …</c>: tools for operators when a key misbehaves.</summary>
internal static class WebAuthnCommands
{
    public static Command Create()
    {
        var caseOption = new Option<FileInfo>("--case")
        {
            Description = "A case file: relying party expectations plus the browser's response JSON (the shape of tests/vectors/webauthn).",
            Required = true,
        };
        var legacyOption = new Option<bool>("--accept-standard-base64")
        {
            Description = "Also accept standard base64 (with '+', '/' and padding) in the response, as some old captures use.",
        };
        var sha1Option = new Option<bool>("--allow-sha1")
        {
            Description = "Accept RS1 (RSA with SHA-1) credential keys, as some early Windows Hello TPMs made. Dangerous.",
        };
        var verify = new Command("verify", "Verify one registration or authentication response and explain the outcome.");
        verify.Options.Add(caseOption);
        verify.Options.Add(legacyOption);
        verify.Options.Add(sha1Option);
        verify.SetAction(parse => Verify(parse.GetValue(caseOption)!, parse.GetValue(legacyOption), parse.GetValue(sha1Option), Console.Out));

        var webauthn = new Command("webauthn", "WebAuthn diagnostics.");
        webauthn.Subcommands.Add(verify);
        return webauthn;
    }

    /// <summary>Exit 0 when the response verifies, 1 when it does not, 2 when the case cannot be used.</summary>
    internal static int Verify(FileInfo file, bool acceptStandardBase64, bool allowSha1, TextWriter output)
    {
        JsonDocument document;
        try
        {
            using var stream = file.OpenRead();
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unusable(output, $"cannot read {file.FullName}: {e.GetType().Name}");
        }
        catch (JsonException e)
        {
            return Unusable(output, $"{file.Name} is not valid JSON (line {e.LineNumber + 1})");
        }

        using (document)
        {
            var c = VectorCase.Parse(document.RootElement, out var error);
            if (c is null)
            {
                return Unusable(output, $"{file.Name}: {error}");
            }

            var (passed, report) = VectorCaseRunner.Run(c, acceptStandardBase64 ? Base64Policy.AcceptStandardAlphabet : Base64Policy.Strict, allowSha1);
            output.WriteLine(report.ToJsonString(Keyward.Cli.Broker.SessionCommands.Indented));
            return passed ? 0 : 1;
        }
    }

    private static int Unusable(TextWriter output, string message)
    {
        output.WriteLine(new System.Text.Json.Nodes.JsonObject
        {
            ["result"] = "error",
            ["code"] = "unusable_input",
            ["message"] = message,
        }.ToJsonString(Keyward.Cli.Broker.SessionCommands.Indented));
        return 2;
    }
}
