using System.Buffers.Binary;

namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// Bounds-checked reads of TPM 2.0 marshalled structures (big-endian, TPM 2.0 Part 2). Every read reports
/// failure instead of throwing, so truncated input is a value the parser returns, never an exception.
/// </summary>
internal ref struct TpmReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _rest = data;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool AtEnd => _rest.IsEmpty;

    public bool TryReadUInt16(out ushort value)
    {
        value = 0;
        if (_rest.Length < 2)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_rest);
        _rest = _rest[2..];
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        value = 0;
        if (_rest.Length < 4)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_rest);
        _rest = _rest[4..];
        return true;
    }

    public bool TryReadUInt64(out ulong value)
    {
        value = 0;
        if (_rest.Length < 8)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt64BigEndian(_rest);
        _rest = _rest[8..];
        return true;
    }

    /// <summary>Reads a TPM2B: a UINT16 size followed by that many bytes.</summary>
    public bool TryReadSized(out byte[] value)
    {
        value = [];
        if (!TryReadUInt16(out var size) || _rest.Length < size)
        {
            return false;
        }

        value = _rest[..size].ToArray();
        _rest = _rest[size..];
        return true;
    }

    public bool TrySkip(int count)
    {
        if (count < 0 || _rest.Length < count)
        {
            return false;
        }

        _rest = _rest[count..];
        return true;
    }
}
