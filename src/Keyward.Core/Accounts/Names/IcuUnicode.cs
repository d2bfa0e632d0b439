using System.Runtime.InteropServices;

namespace Keyward.Core.Accounts.Names;

/// <summary>
/// The Unicode data account names need, from the system's ICU (libicuuc): NFC and NFKC normalization, the Script
/// property and the Bidi_Class property. The build keeps <c>InvariantGlobalization</c> on, under which .NET's own
/// <see cref="string.Normalize()"/> returns its input unchanged, so names call ICU directly and nothing else in the
/// process becomes culture-sensitive (docs/architecture.md, decision log). ICU is loaded once, on first use; without it,
/// preparing a name throws (Keyward refuses to start, see <c>AccountNameReport</c>) rather than compare names unnormalized.
/// </summary>
internal sealed class IcuUnicode
{
    // ICU's C API exports every function with its major version as a suffix (uscript_getScript_72); the probe walks
    // down from a version newer than any released one and takes the first libicuuc that loads.
    private const int NewestVersion = 99;
    private const int OldestVersion = 50;

    // UErrorCode: U_ZERO_ERROR is 0, warnings are negative, failures positive.
    private const int UZeroError = 0;

    private static readonly Lazy<IcuUnicode> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly GetScript _getScript;
    private readonly CharDirection _charDirection;
    private readonly Normalize _normalize;
    private readonly IntPtr _nfc;
    private readonly IntPtr _nfkc;

    private IcuUnicode(GetScript getScript, CharDirection charDirection, Normalize normalize, IntPtr nfc, IntPtr nfkc)
    {
        _getScript = getScript;
        _charDirection = charDirection;
        _normalize = normalize;
        _nfc = nfc;
        _nfkc = nfkc;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int GetScript(int codePoint, ref int errorCode);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CharDirection(int codePoint);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GetInstance(ref int errorCode);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Normalize(IntPtr normalizer, ushort[] source, int length, [Out] ushort[] destination, int capacity, ref int errorCode);

    /// <summary>The loaded ICU; throws <see cref="InvalidOperationException"/> naming the fix when there is none.</summary>
    public static IcuUnicode Instance => Loaded.Value;

    /// <summary>The string in Normalization Form C.</summary>
    public string ToNfc(string text) => Run(_nfc, text);

    /// <summary>The string in Normalization Form KC.</summary>
    public string ToNfkc(string text) => Run(_nfkc, text);

    /// <summary>ICU's <c>UScriptCode</c> of the code point's Script property (<see cref="UnicodeScripts"/>).</summary>
    public int Script(int codePoint)
    {
        var error = UZeroError;
        var script = _getScript(codePoint, ref error);
        return error > UZeroError ? throw new InvalidOperationException($"ICU uscript_getScript failed ({error}).") : script;
    }

    /// <summary>ICU's <c>UCharDirection</c> of the code point's Bidi_Class (<see cref="BidiClass"/>).</summary>
    public BidiClass Direction(int codePoint) => (BidiClass)_charDirection(codePoint);

    private string Run(IntPtr normalizer, string text)
    {
        var source = new ushort[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            source[i] = text[i];
        }

        // NFKC expands a code unit to at most 18 (UAX #15 §9); names are short, so one call always fits.
        var destination = new ushort[Math.Max(16, text.Length * 18)];
        var error = UZeroError;
        var length = _normalize(normalizer, source, source.Length, destination, destination.Length, ref error);
        if (error > UZeroError)
        {
            throw new InvalidOperationException($"ICU unorm2_normalize failed ({error}).");
        }

        return string.Create(length, destination, static (span, units) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)units[i];
            }
        });
    }

    private static IcuUnicode Load()
    {
        foreach (var (library, suffix) in Candidates())
        {
            if (!NativeLibrary.TryLoad(library, out var handle))
            {
                continue;
            }

            if (NativeLibrary.TryGetExport(handle, "uscript_getScript" + suffix, out var getScript)
                && NativeLibrary.TryGetExport(handle, "u_charDirection" + suffix, out var charDirection)
                && NativeLibrary.TryGetExport(handle, "unorm2_normalize" + suffix, out var normalize)
                && NativeLibrary.TryGetExport(handle, "unorm2_getNFCInstance" + suffix, out var nfc)
                && NativeLibrary.TryGetExport(handle, "unorm2_getNFKCInstance" + suffix, out var nfkc))
            {
                return new IcuUnicode(
                    Marshal.GetDelegateForFunctionPointer<GetScript>(getScript),
                    Marshal.GetDelegateForFunctionPointer<CharDirection>(charDirection),
                    Marshal.GetDelegateForFunctionPointer<Normalize>(normalize),
                    Normalizer(nfc, "NFC"),
                    Normalizer(nfkc, "NFKC"));
            }

            NativeLibrary.Free(handle);
        }

        throw new InvalidOperationException(
            "Keyward needs ICU (libicuuc) to prepare account names (RFC 8265), and none was found. Install it (Debian: apt-get install libicu72, or the libicu of your release).");
    }

    private static IntPtr Normalizer(IntPtr getInstance, string form)
    {
        var error = UZeroError;
        var instance = Marshal.GetDelegateForFunctionPointer<GetInstance>(getInstance)(ref error);
        return error > UZeroError || instance == IntPtr.Zero ? throw new InvalidOperationException($"ICU has no {form} normalizer ({error}).") : instance;
    }

    private static IEnumerable<(string Library, string Suffix)> Candidates()
    {
        for (var version = NewestVersion; version >= OldestVersion; version--)
        {
            yield return ($"libicuuc.so.{version}", $"_{version}");
        }

        // Windows 10+ (icu.dll) and macOS (libicucore) export the names without a suffix.
        yield return ("icu.dll", string.Empty);
        yield return ("libicucore.dylib", string.Empty);
    }
}
