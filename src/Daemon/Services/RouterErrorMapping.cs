using Cortex.Llmd.Errors;
using Google.Protobuf;
using Grpc.Core;

namespace Cortex.Llmd.Services;

/// <summary>The gRPC door's one mapping from the core's errors to a status and trailers.</summary>
public static class RouterErrorMapping
{
    public const string AttemptsTrailer = "x-cortex-attempts-bin";

    /// <summary>Whole milliseconds until a rate-limited caller may call again (ASCII decimal).</summary>
    public const string RetryAfterTrailer = "retry-after-ms";

    public static StatusCode StatusOf(RouterErrorCode code) => code switch
    {
        RouterErrorCode.InvalidRequest or RouterErrorCode.UnknownName => StatusCode.InvalidArgument,
        RouterErrorCode.NotConfigured or RouterErrorCode.NoEligibleTarget => StatusCode.FailedPrecondition,
        RouterErrorCode.AllAttemptsFailed or RouterErrorCode.StreamInterrupted or RouterErrorCode.LedgerUnavailable => StatusCode.Unavailable,
        RouterErrorCode.BudgetExhausted or RouterErrorCode.RateLimited => StatusCode.ResourceExhausted,
        RouterErrorCode.PermissionDenied => StatusCode.PermissionDenied,
        RouterErrorCode.DeadlineExceeded => StatusCode.DeadlineExceeded,
        RouterErrorCode.Cancelled => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };

    public static RpcException ToRpc(RouterException error)
    {
        var trailers = new Metadata();
        if (error.Attempts is { } attempts)
        {
            trailers.Add(AttemptsTrailer, attempts.ToByteArray());
        }

        if (error.RetryAfter is { } retry)
        {
            long ms = (long)Math.Ceiling(retry.TotalMilliseconds);
            trailers.Add(RetryAfterTrailer, Math.Max(1, ms).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return new RpcException(new Status(StatusOf(error.Code), error.Message), trailers, error.Message);
    }
}
