using System.Net;
using System.Net.Http;
using Cortex.Llm.Wire;

namespace Cortex.Llm.Client;

/// <summary>How HTTP-level outcomes become gRPC statuses (grpc/doc/http-grpc-status-mapping.md, PROTOCOL-HTTP2.md).</summary>
internal static class StatusMapping
{
    public static GrpcStatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => GrpcStatusCode.Internal,
        401 => GrpcStatusCode.Unauthenticated,
        403 => GrpcStatusCode.PermissionDenied,
        404 => GrpcStatusCode.Unimplemented,
        429 or 502 or 503 or 504 => GrpcStatusCode.Unavailable,
        _ => GrpcStatusCode.Unknown,
    };

    /// <summary>RST_STREAM error codes as the gRPC HTTP/2 spec maps them.</summary>
    public static GrpcStatusCode FromHttp2Error(long errorCode) => errorCode switch
    {
        0x7 => GrpcStatusCode.Unavailable, // REFUSED_STREAM
        0x8 => GrpcStatusCode.Cancelled, // CANCEL
        0xB => GrpcStatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xC => GrpcStatusCode.PermissionDenied, // INADEQUATE_SECURITY
        _ => GrpcStatusCode.Internal,
    };

    public static bool TryParseStatus(string? value, out GrpcStatusCode code)
    {
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number))
        {
            code = (GrpcStatusCode)number;
            return true;
        }

        code = GrpcStatusCode.Unknown;
        return false;
    }
}
