using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Google.Protobuf;
using Grpc.Core;

namespace Cortex.Llmd.Services;

/// <summary>The gRPC door's one mapping from the core's errors to a status and trailers.</summary>
public static class RouterErrorMapping
{
    public const string AttemptsTrailer = "x-cortex-attempts-bin";

    /// <summary>
    /// The attempts trailer's most serialised bytes (about 2.7 KiB once base64-encoded): with the status
    /// message it keeps a failure's trailers under grpcio's default 8 KiB metadata limit.
    /// </summary>
    public const int MaxAttemptsTrailerBytes = 2048;

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
            trailers.Add(AttemptsTrailer, Bounded(attempts).ToByteArray());
        }

        if (error.RetryAfter is { } retry)
        {
            long ms = (long)Math.Ceiling(retry.TotalMilliseconds);
            trailers.Add(RetryAfterTrailer, Math.Max(1, ms).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        string message = Quote.Message(error.Message);
        return new RpcException(new Status(StatusOf(error.Code), message), trailers, message);
    }

    /// <summary>An RpcException whose message fits the bound, the same one when it already does.</summary>
    public static RpcException Bounded(RpcException error)
    {
        string message = Quote.Message(error.Status.Detail);
        return ReferenceEquals(message, error.Status.Detail)
            ? error
            : new RpcException(new Status(error.StatusCode, message), error.Trailers, message);
    }

    /// <summary>
    /// The log as sent: whole when it fits; otherwise reasons are clipped shorter, and as a last resort
    /// the tail is left out (the ledger row and the RequestFinished event keep every attempt).
    /// </summary>
    public static AttemptLog Bounded(AttemptLog log)
    {
        if (log.CalculateSize() <= MaxAttemptsTrailerBytes)
        {
            return log;
        }

        AttemptLog copy = log.Clone();
        foreach (int max in (int[])[80, 20])
        {
            foreach (Attempt a in copy.Attempts)
            {
                a.Reason = Quote.Clip(a.Reason, max);
            }

            if (copy.CalculateSize() <= MaxAttemptsTrailerBytes)
            {
                return copy;
            }
        }

        while (copy.Attempts.Count > 1 && copy.CalculateSize() > MaxAttemptsTrailerBytes)
        {
            copy.Attempts.RemoveAt(copy.Attempts.Count - 1);
        }

        return copy;
    }
}
