using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Cortex.Llmd.Validation.JsonSchema;

/// <summary>
/// A JSON number kept exactly as its decimal digits, so that comparison and equality are exact at any size
/// (1 == 1.0, 9007199254740992 != 9007199254740991, 1e400 > 1e308) and nothing overflows or throws.
/// The value is <see cref="Digits"/> read as an integer, times 10 to the <see cref="Exponent"/>.
/// </summary>
internal readonly struct JsonNumber : IEquatable<JsonNumber>, IComparable<JsonNumber>
{
    // Exponents beyond ±1e15 are clamped: no real document needs them, and it keeps every sum in a long.
    private const long ExponentLimit = 1_000_000_000_000_000;

    // Above this many digits exact multipleOf arithmetic could cost real time; such numbers fall back to double.
    private const int ExactDigitLimit = 1000;

    private readonly string? _digits;

    private JsonNumber(bool negative, string digits, long exponent)
    {
        IsNegative = negative && digits.Length > 0;
        _digits = digits;
        Exponent = digits.Length > 0 ? exponent : 0;
    }

    public bool IsNegative { get; }

    /// <summary>Significant digits without leading or trailing zeros; empty for zero (also for default).</summary>
    public string Digits => _digits ?? string.Empty;

    public long Exponent { get; }

    public bool IsZero => Digits.Length == 0;

    public bool IsIntegral => IsZero || Exponent >= 0;

    private int Sign => IsZero ? 0 : IsNegative ? -1 : 1;

    public static JsonNumber From(JsonElement element) => Parse(JsonMarshal.GetRawUtf8Value(element));

    /// <summary>Parses number text that the JSON reader has already checked against the grammar.</summary>
    public static JsonNumber Parse(ReadOnlySpan<byte> text)
    {
        bool negative = text.Length > 0 && text[0] == (byte)'-';
        Span<char> digits = text.Length <= 64 ? stackalloc char[64] : new char[text.Length];
        int count = 0, fractionDigits = 0, i = negative ? 1 : 0;
        bool inFraction = false;
        for (; i < text.Length && text[i] is not ((byte)'e' or (byte)'E'); i++)
        {
            if (text[i] == (byte)'.')
            {
                inFraction = true;
                continue;
            }

            digits[count++] = (char)text[i];
            fractionDigits += inFraction ? 1 : 0;
        }

        long exponent = i < text.Length ? ParseExponent(text[(i + 1)..]) : 0;
        int first = 0, end = count;
        while (first < end && digits[first] == '0')
        {
            first++;
        }

        while (end > first && digits[end - 1] == '0')
        {
            end--;
            exponent++;
        }

        exponent = Math.Clamp(exponent - fractionDigits, -ExponentLimit, ExponentLimit);
        return new JsonNumber(negative, new string(digits[first..end]), exponent);
    }

    private static long ParseExponent(ReadOnlySpan<byte> text)
    {
        bool negative = text[0] == (byte)'-';
        long value = 0;
        foreach (byte b in text[(text[0] is (byte)'-' or (byte)'+' ? 1 : 0)..])
        {
            value = Math.Min(value * 10 + (b - '0'), ExponentLimit);
        }

        return negative ? -value : value;
    }

    public int CompareTo(JsonNumber other)
    {
        if (Sign != other.Sign || Sign == 0)
        {
            return Sign.CompareTo(other.Sign);
        }

        // Same sign: the position of the leading digit decides, then the digits themselves.
        long position = Digits.Length + Exponent, otherPosition = other.Digits.Length + other.Exponent;
        int magnitude = position != otherPosition
            ? position.CompareTo(otherPosition)
            : Math.Sign(string.CompareOrdinal(Digits, other.Digits));
        return IsNegative ? -magnitude : magnitude;
    }

    public bool Equals(JsonNumber other) =>
        IsNegative == other.IsNegative && Exponent == other.Exponent && string.Equals(Digits, other.Digits, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is JsonNumber other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(IsNegative, StringComparer.Ordinal.GetHashCode(Digits), Exponent);

    public static bool operator ==(JsonNumber left, JsonNumber right) => left.Equals(right);

    public static bool operator !=(JsonNumber left, JsonNumber right) => !left.Equals(right);

    public static bool operator <(JsonNumber left, JsonNumber right) => left.CompareTo(right) < 0;

    public static bool operator >(JsonNumber left, JsonNumber right) => left.CompareTo(right) > 0;

    public static bool operator <=(JsonNumber left, JsonNumber right) => left.CompareTo(right) <= 0;

    public static bool operator >=(JsonNumber left, JsonNumber right) => left.CompareTo(right) >= 0;

    /// <summary>Exact when the value fits decimal's 28 digits and scale; false otherwise (never rounds).</summary>
    public bool TryGetDecimal(out decimal value)
    {
        value = 0;
        bool fits = Digits.Length <= 28 && (Exponent >= 0 ? Digits.Length + Exponent <= 28 : -Exponent <= 28);
        if (!fits || IsZero)
        {
            return fits;
        }

        value = decimal.Parse(Scientific(), NumberStyles.Float, CultureInfo.InvariantCulture);
        value = IsNegative ? -value : value;
        return true;
    }

    /// <summary>The nearest double: ±Infinity or 0 beyond double's range, never an exception.</summary>
    public double ToDouble()
    {
        double value = IsZero ? 0 : double.Parse(Scientific(), NumberStyles.Float, CultureInfo.InvariantCulture);
        return IsNegative ? -value : value;
    }

    /// <summary>Whether this number divided by a positive <paramref name="divisor"/> is an integer.</summary>
    public bool IsMultipleOf(JsonNumber divisor)
    {
        if (IsZero)
        {
            return true;
        }

        if (TryGetDecimal(out decimal value) && divisor.TryGetDecimal(out decimal step))
        {
            try
            {
                return value % step == 0;
            }
            catch (OverflowException)
            {
                // Falls through to the exact integer arithmetic below.
            }
        }

        if (Digits.Length <= ExactDigitLimit && divisor.Digits.Length <= ExactDigitLimit)
        {
            return IsMultipleOfExact(divisor);
        }

        // Thousand-digit numbers: double with a tolerance, the usual validator behaviour, is good enough.
        double quotient = ToDouble() / divisor.ToDouble();
        return double.IsFinite(quotient) && Math.Abs(quotient - Math.Round(quotient)) < 1e-9;
    }

    private bool IsMultipleOfExact(JsonNumber divisor)
    {
        // this/divisor = a·10^ea / (b·10^eb). Normalised digits never end in 0, so when ea < eb the
        // quotient cannot be whole; otherwise it is whole when a·10^(ea-eb) mod b is 0.
        long gap = Exponent - divisor.Exponent;
        if (gap < 0)
        {
            return false;
        }

        var a = BigInteger.Parse(Digits, CultureInfo.InvariantCulture);
        var b = BigInteger.Parse(divisor.Digits, CultureInfo.InvariantCulture);
        return (a % b * BigInteger.ModPow(10, gap, b) % b).IsZero;
    }

    private string Scientific() => Digits + "E" + Exponent.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => (IsNegative ? "-" : string.Empty) + (IsZero ? "0" : Scientific());
}
