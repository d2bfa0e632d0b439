namespace Keyward.WebAuthn.Cbor;

/// <summary>The kinds of CBOR data item that WebAuthn structures use.</summary>
internal enum CborKind
{
    Integer,
    ByteString,
    TextString,
    Array,
    Map,
    Boolean,
    Null,
    Undefined,
    Float,
}
