using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace Keyward.Agent;

/// <summary>The agent → Keyward frames of <c>keyward-agent.v1</c>, written as compact JSON (text) or id-prefixed data (binary).</summary>
internal static class AgentMessages
{
    public static byte[] Heartbeat() => Write(w => w.WriteString("type", "heartbeat"));

    public static byte[] ConsentResult(string request, bool accepted) => Write(w =>
    {
        w.WriteString("type", "consent_result");
        w.WriteString("request", request);
        w.WriteBoolean("accepted", accepted);
    });

    public static byte[] Opened(uint stream) => Write(w =>
    {
        w.WriteString("type", "opened");
        w.WriteNumber("stream", stream);
    });

    public static byte[] OpenFailed(uint stream, string code) => Write(w =>
    {
        w.WriteString("type", "open_failed");
        w.WriteNumber("stream", stream);
        w.WriteString("code", code);
    });

    public static byte[] Close(uint stream) => Write(w =>
    {
        w.WriteString("type", "close");
        w.WriteNumber("stream", stream);
    });

    public static byte[] End(string session) => Write(w =>
    {
        w.WriteString("type", "end");
        w.WriteString("session", session);
    });

    /// <summary>A binary frame's stream id (4 bytes, big-endian).</summary>
    public static uint ReadStreamId(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadUInt32BigEndian(frame);

    /// <summary>Writes the stream id into the first 4 bytes of <paramref name="frame"/>.</summary>
    public static void WriteStreamId(Span<byte> frame, uint stream) => BinaryPrimitives.WriteUInt32BigEndian(frame, stream);

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
