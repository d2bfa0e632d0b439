namespace Keyward.WebAuthn;

/// <summary>
/// Base64url without padding (RFC 4648 §5), as the WebAuthn L3 JSON forms use it.
/// Decoding is strict unless the caller opts in to the legacy form (standard alphabet, optional padding)
/// that some older captured responses use; see <see cref="Base64Policy"/>.
/// </summary>
public static class Base64Url
{
    /// <summary>Encodes bytes as unpadded base64url.</summary>
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Decodes unpadded base64url strictly; returns false on any other input.</summary>
    public static bool TryDecode(string? text, out byte[] bytes) => TryDecode(text, Base64Policy.Strict, out bytes);

    /// <summary>Decodes base64url under a policy; returns false on input the policy does not accept.</summary>
    public static bool TryDecode(string? text, Base64Policy policy, out byte[] bytes)
    {
        bytes = [];
        if (text is null)
        {
            return false;
        }

        if (IsStrictBase64Url(text))
        {
            // A strict base64url string of length 4k+1 cannot encode whole bytes.
            // Stryker disable once Arithmetic : equivalent, the decoder refuses a 4k+1 length with the same false
            if (text.Length % 4 == 1)
            {
                return false;
            }

            try
            {
                bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        if (policy != Base64Policy.AcceptStandardAlphabet)
        {
            return false;
        }

        // Legacy captures: standard alphabet, with or without '=' padding. Mixing alphabets is refused.
        var unpadded = text.TrimEnd('=');
        if (text.Length - unpadded.Length > 2 || unpadded.Contains('-', StringComparison.Ordinal) || unpadded.Contains('_', StringComparison.Ordinal))
        {
            return false;
        }

        var padded = unpadded.PadRight(unpadded.Length + ((4 - (unpadded.Length % 4)) % 4), '=');
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return false;
        }

        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    private static bool IsStrictBase64Url(string text)
    {
        foreach (var c in text)
        {
            var ok = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
