using Cortex.Llm.Client;
using Grpc.Core;

namespace Cortex.Llm.Cli;

/// <summary>The process exit codes; scripts depend on them, so they only ever gain new values.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int DaemonError = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
    public const int DeadlineExceeded = 4;
    public const int BadRequest = 5;
    public const int Unavailable = 6;
    public const int ResourceExhausted = 7;
    public const int PermissionDenied = 8;
    public const int RateLimited = 9;
    public const int Interrupted = 130;

    public const string HelpText = """
        Exit codes:
          0    success
          1    the daemon answered an error not listed below
          2    usage error (bad option values, unreadable --schema file)
          3    cortex-llmd unreachable (socket missing, refused or not permitted)
          4    DEADLINE_EXCEEDED (--timeout passed)
          5    INVALID_ARGUMENT, FAILED_PRECONDITION or NOT_FOUND
          6    UNAVAILABLE (every provider failed)
          7    RESOURCE_EXHAUSTED (budget or size limit)
          8    PERMISSION_DENIED (an admin call, or another caller's statistics)
          9    rate limited: RESOURCE_EXHAUSTED with a retry delay (try again later)
          130  interrupted by Ctrl-C
        """;

    /// <summary>A status from the daemon; a rate limit (RESOURCE_EXHAUSTED with a retry delay) gets its own code.</summary>
    public static int FromError(RpcException error) =>
        error.StatusCode == StatusCode.ResourceExhausted && error.GetRetryAfter() is not null ? RateLimited : FromStatus(error.StatusCode);

    public static int FromStatus(StatusCode status) => status switch
    {
        StatusCode.OK => Ok,
        StatusCode.DeadlineExceeded => DeadlineExceeded,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.NotFound => BadRequest,
        StatusCode.Unavailable => Unavailable,
        StatusCode.ResourceExhausted => ResourceExhausted,
        StatusCode.PermissionDenied => PermissionDenied,
        _ => DaemonError,
    };
}
