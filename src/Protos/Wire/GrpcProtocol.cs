namespace Cortex.Llm.Wire;

/// <summary>Header names and values of the gRPC-over-HTTP/2 protocol (grpc/doc/PROTOCOL-HTTP2.md).</summary>
public static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string BinaryHeaderSuffix = "-bin";

    /// <summary>Encodings this implementation can decompress; "identity" means none.</summary>
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>Default maximum size of one received message, as in other gRPC implementations.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// True for "application/grpc", "application/grpc+proto" and either with ";" parameters.
    /// Other subtypes such as "+json" are not served: this implementation speaks protobuf only.
    /// </summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        ReadOnlySpan<char> value = contentType.AsSpan();
        int semicolon = value.IndexOf(';');
        if (semicolon >= 0)
        {
            value = value[..semicolon];
        }

        value = value.Trim();
        return value.Equals(ContentType, StringComparison.OrdinalIgnoreCase)
            || value.Equals(ContentType + "+proto", StringComparison.OrdinalIgnoreCase);
    }
}
