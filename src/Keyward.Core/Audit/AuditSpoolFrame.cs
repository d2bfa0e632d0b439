using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;

namespace Keyward.Core.Audit;

/// <summary>
/// One record of the spool file: <c>"KWS1"</c>, the payload's length (u32 little-endian), the payload (UTF-8 JSON of a
/// <see cref="SpooledEvent"/>), and the CRC-32 (IEEE) of length and payload (u32 little-endian). A frame that is cut
/// short, has another magic, an impossible length, a wrong checksum or an unreadable payload is damaged: it and
/// everything after it are not read.
/// </summary>
internal static class AuditSpoolFrame
{
    /// <summary>The most payload bytes one frame may hold (an event is far smaller; see docs/audit.md).</summary>
    public const int MaxPayload = 1024 * 1024;

    private const int HeaderLength = 8;
    private const int TrailerLength = 4;
    private static ReadOnlySpan<byte> Magic => "KWS1"u8;

    /// <summary>The frame of <paramref name="spooled"/>.</summary>
    public static byte[] Encode(SpooledEvent spooled)
    {
        var payload = Payload(spooled);
        var frame = new byte[HeaderLength + payload.Length + TrailerLength];
        Magic.CopyTo(frame);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderLength));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(HeaderLength + payload.Length), Crc32.HashToUInt32(frame.AsSpan(4, 4 + payload.Length)));
        return frame;
    }

    /// <summary>Reads the frame at the start of <paramref name="data"/>; false when it is incomplete or damaged.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out SpooledEvent? spooled, out int length)
    {
        spooled = null;
        length = 0;
        if (data.Length < HeaderLength + TrailerLength || !data[..4].SequenceEqual(Magic))
        {
            return false;
        }

        var payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (payloadLength > MaxPayload || data.Length < HeaderLength + (int)payloadLength + TrailerLength)
        {
            return false;
        }

        var size = (int)payloadLength;
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(data[(HeaderLength + size)..]);
        if (Crc32.HashToUInt32(data.Slice(4, 4 + size)) != checksum || !TryParse(data.Slice(HeaderLength, size), out spooled))
        {
            return false;
        }

        length = HeaderLength + size + TrailerLength;
        return true;
    }

    private static byte[] Payload(SpooledEvent spooled)
    {
        var r = spooled.Record;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", spooled.Id);
            writer.WriteNumber("time", r.OriginalTime ?? 0);
            writer.WriteString("tenant", r.TenantId);
            writer.WriteString("actor", r.Actor);
            writer.WriteString("action", r.Action);
            writer.WriteString("target", r.Target);
            writer.WriteString("outcome", r.Outcome);
            writer.WriteString("client", r.ClientAddress);
            writer.WriteStartObject("details");
            foreach (var (key, value) in r.Details)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static bool TryParse(ReadOnlySpan<byte> payload, out SpooledEvent? spooled)
    {
        spooled = null;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var details = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var detail in root.GetProperty("details").EnumerateObject())
            {
                details[detail.Name] = detail.Value.GetString()!;
            }

            spooled = new SpooledEvent(root.GetProperty("id").GetGuid(), new AuditRecord
            {
                OriginalTime = root.GetProperty("time").GetInt64(),
                TenantId = root.GetProperty("tenant").GetString()!,
                Actor = root.GetProperty("actor").GetString()!,
                Action = root.GetProperty("action").GetString()!,
                Target = root.GetProperty("target").GetString(),
                Outcome = root.GetProperty("outcome").GetString()!,
                ClientAddress = root.GetProperty("client").GetString(),
                Details = details,
            });
            return spooled.Record.OriginalTime > 0 && spooled.Record.TenantId is not null && spooled.Record.Actor is not null
                && spooled.Record.Action is not null && spooled.Record.Outcome is not null && details.Values.All(v => v is not null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return false;
        }
    }
}
