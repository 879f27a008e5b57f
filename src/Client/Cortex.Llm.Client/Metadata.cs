using System.Collections;
using System.Net.Http.Headers;
using Cortex.Llm.Wire;

namespace Cortex.Llm.Client;

/// <summary>
/// gRPC metadata: ordered key/value pairs. Keys ending in "-bin" carry bytes (base64 on the wire);
/// every other value is printable ASCII, because that is all an HTTP/2 header can carry unencoded.
/// </summary>
public sealed class Metadata : IReadOnlyList<MetadataEntry>
{
    private readonly List<MetadataEntry> _entries = [];

    public int Count => _entries.Count;

    public MetadataEntry this[int index] => _entries[index];

    public void Add(string key, string value)
    {
        string normalized = ValidateKey(key);
        if (BinaryMetadata.IsBinaryKey(normalized))
        {
            throw new ArgumentException($"Metadata key '{key}' ends in -bin and needs a byte[] value.", nameof(key));
        }

        ArgumentNullException.ThrowIfNull(value);
        foreach (char c in value)
        {
            if (c is < (char)0x20 or > (char)0x7E)
            {
                throw new ArgumentException($"Metadata value of '{key}' must be printable ASCII; use a -bin key for other data.", nameof(value));
            }
        }

        _entries.Add(new MetadataEntry(normalized, value, null));
    }

    public void Add(string key, byte[] value)
    {
        string normalized = ValidateKey(key);
        if (!BinaryMetadata.IsBinaryKey(normalized))
        {
            throw new ArgumentException($"Binary metadata key '{key}' must end in -bin.", nameof(key));
        }

        ArgumentNullException.ThrowIfNull(value);
        _entries.Add(new MetadataEntry(normalized, BinaryMetadata.Encode(value), value));
    }

    /// <summary>The first text value of <paramref name="key"/>, or null.</summary>
    public string? GetValue(string key) => Find(key)?.Value;

    /// <summary>The first binary value of <paramref name="key"/> (a -bin key), or null.</summary>
    public byte[]? GetBytes(string key) => Find(key)?.Bytes;

    public IEnumerator<MetadataEntry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void AddRange(Metadata other) => _entries.AddRange(other._entries);

    /// <summary>
    /// Collects response metadata, leaving out the names the gRPC protocol itself owns. Values of -bin keys
    /// that are not valid base64 are dropped: they cannot be what the server meant to send.
    /// </summary>
    internal static Metadata FromHeaders(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (KeyValuePair<string, HeaderStringValues> header in headers.NonValidated)
        {
            string key = header.Key.ToLowerInvariant();
            if (IsReserved(key))
            {
                continue;
            }

            foreach (string value in header.Value)
            {
                metadata.AddReceived(key, value);
            }
        }

        return metadata;
    }

    private void AddReceived(string key, string value)
    {
        if (!BinaryMetadata.IsBinaryKey(key))
        {
            _entries.Add(new MetadataEntry(key, value, null));
            return;
        }

        // Several binary values may arrive joined by commas in one header.
        foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (BinaryMetadata.TryDecode(part, out byte[] bytes))
            {
                _entries.Add(new MetadataEntry(key, part, bytes));
            }
        }
    }

    private MetadataEntry? Find(string key)
    {
        foreach (MetadataEntry entry in _entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        return null;
    }

    private static bool IsReserved(string key) =>
        key is "content-type" or "te" or GrpcProtocol.StatusHeader or GrpcProtocol.MessageHeader
            or GrpcProtocol.EncodingHeader or GrpcProtocol.AcceptEncodingHeader or GrpcProtocol.TimeoutHeader;

    private static string ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        string normalized = key.ToLowerInvariant();
        foreach (char c in normalized)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.'))
            {
                throw new ArgumentException($"Metadata key '{key}' may only hold a-z, 0-9, '-', '_' and '.'.", nameof(key));
            }
        }

        if (normalized.StartsWith("grpc-", StringComparison.Ordinal) || IsReserved(normalized))
        {
            throw new ArgumentException($"Metadata key '{key}' is reserved by the gRPC protocol.", nameof(key));
        }

        return normalized;
    }
}

/// <summary>One metadata pair. <see cref="Bytes"/> is set for -bin keys; <see cref="Value"/> is then the base64 text.</summary>
public sealed record MetadataEntry(string Key, string Value, byte[]? Bytes)
{
    public bool IsBinary => Bytes is not null;
}
