namespace Cortex.Llm.Wire;

/// <summary>Values of "-bin" metadata: base64, sent without padding, accepted with or without it.</summary>
public static class BinaryMetadata
{
    public static bool IsBinaryKey(string key) =>
        key.EndsWith(GrpcProtocol.BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase);

    public static string Encode(ReadOnlySpan<byte> value) => Convert.ToBase64String(value).TrimEnd('=');

    public static bool TryDecode(string value, out byte[] bytes)
    {
        string trimmed = value.Trim().TrimEnd('=');
        int remainder = trimmed.Length % 4;
        if (remainder == 1)
        {
            bytes = [];
            return false;
        }

        string padded = remainder == 0 ? trimmed : trimmed + new string('=', 4 - remainder);
        try
        {
            bytes = Convert.FromBase64String(padded);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
