using System.Globalization;
using System.Text;
using QRCoder;

namespace Keyward.Server.Accounts;

/// <summary>
/// The QR code of an invite link, as data the console draws without markup: the size in modules (quiet zone included)
/// and an SVG path of the dark modules, one <c>M x y h1 v1 h-1 z</c> square each (runs merged along a row). Made on
/// the server with QRCoder (MIT), so the page needs no QR script from anywhere; error correction M (15 %).
/// </summary>
/// <param name="Size">Width and height in modules, with the 4-module quiet zone.</param>
/// <param name="Path">The SVG path data, in module units.</param>
internal sealed record InviteQrCode(
    [property: System.Text.Json.Serialization.JsonPropertyName("size")] int Size,
    [property: System.Text.Json.Serialization.JsonPropertyName("path")] string Path)
{
    /// <summary>The QR code of <paramref name="text"/>.</summary>
    public static InviteQrCode For(string text)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var rows = data.ModuleMatrix;
        var path = new StringBuilder();
        for (var y = 0; y < rows.Count; y++)
        {
            var row = rows[y];
            for (var x = 0; x < row.Length; x++)
            {
                if (!row[x])
                {
                    continue;
                }

                var start = x;
                while (x + 1 < row.Length && row[x + 1])
                {
                    x++;
                }

                path.Append(CultureInfo.InvariantCulture, $"M{start} {y}h{x - start + 1}v1h-{x - start + 1}z");
            }
        }

        return new InviteQrCode(rows.Count, path.ToString());
    }

    /// <summary>Never the link it encodes (an invite is a credential).</summary>
    public override string ToString() => $"QR code, {Size}×{Size} modules";
}
