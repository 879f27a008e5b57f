using Cortex.Llm.Wire;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Grpc;
using Google.Protobuf;

namespace Cortex.Llmd.Services;

/// <summary>The gRPC door's one mapping from the core's errors to a status and trailers.</summary>
public static class RouterErrorMapping
{
    public const string AttemptsTrailer = "x-cortex-attempts-bin";

    public static GrpcStatusCode StatusOf(RouterErrorCode code) => code switch
    {
        RouterErrorCode.InvalidRequest or RouterErrorCode.UnknownName => GrpcStatusCode.InvalidArgument,
        RouterErrorCode.NotConfigured or RouterErrorCode.NoEligibleTarget => GrpcStatusCode.FailedPrecondition,
        RouterErrorCode.AllAttemptsFailed or RouterErrorCode.StreamInterrupted or RouterErrorCode.LedgerUnavailable => GrpcStatusCode.Unavailable,
        RouterErrorCode.BudgetExhausted => GrpcStatusCode.ResourceExhausted,
        RouterErrorCode.DeadlineExceeded => GrpcStatusCode.DeadlineExceeded,
        RouterErrorCode.Cancelled => GrpcStatusCode.Cancelled,
        _ => GrpcStatusCode.Unknown,
    };

    public static RpcException ToRpc(RouterException error) => error.Attempts is { } attempts
        ? new RpcException(StatusOf(error.Code), error.Message, [new(AttemptsTrailer, attempts.ToByteArray())])
        : new RpcException(StatusOf(error.Code), error.Message);
}
