using Cortex.Llm.Wire;
using Cortex.Llmd.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Grpc;

/// <summary>
/// The handler template every call goes through: protocol checks, method lookup, deadline,
/// running the method, and turning every outcome into exactly one gRPC status.
/// </summary>
public sealed class GrpcEndpoint(GrpcServiceRegistry registry, GrpcServerOptions options, TimeProvider timeProvider, ILogger<GrpcEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            Log.ProtocolRejected(logger, request.Protocol, request.Path);
            GrpcResponse.WriteHttpError(context.Response, StatusCodes.Status426UpgradeRequired, GrpcStatusCode.Internal,
                $"Request protocol '{request.Protocol}' is not supported: gRPC needs HTTP/2.");
            context.Response.Headers.Upgrade = "h2c";
            return;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            Log.ContentTypeRejected(logger, request.ContentType, request.Path);
            GrpcResponse.WriteHttpError(context.Response, StatusCodes.Status415UnsupportedMediaType, GrpcStatusCode.Internal,
                $"Content-Type '{request.ContentType}' is not supported.");
            return;
        }

        string path = request.Path.Value ?? string.Empty;
        TimeSpan? timeout = GrpcTimeout.TryParse(request.Headers[GrpcProtocol.TimeoutHeader], out TimeSpan t) ? t : null;
        using var call = new ServerCallContext(context, path, timeProvider, timeout);

        if (!HttpMethods.IsPost(request.Method) || !registry.TryGetMethod(path, out GrpcMethod method))
        {
            Log.Unimplemented(logger, request.Method, path);
            GrpcResponse.WriteStatus(call, GrpcStatusCode.Unimplemented, UnimplementedDetail(path));
            return;
        }

        await RunAsync(call, method).ConfigureAwait(false);
    }

    private async Task RunAsync(ServerCallContext call, GrpcMethod method)
    {
        GrpcStatusCode code;
        string? detail = null;
        try
        {
            try
            {
                await method.InvokeAsync(call, options).ConfigureAwait(false);
            }
            catch (Errors.RouterException core)
            {
                throw Services.RouterErrorMapping.ToRpc(core);
            }

            code = GrpcStatusCode.OK;
        }
        catch (RpcException ex)
        {
            code = ex.StatusCode;
            detail = ex.Detail;
            foreach (KeyValuePair<string, byte[]> trailer in ex.BinaryTrailers)
            {
                call.AddTrailer(trailer.Key, BinaryMetadata.Encode(trailer.Value));
            }

            Log.CallFailed(logger, call.Method, code.ToWireName(), detail);
        }
        catch (Exception ex) when (call.DeadlineExceeded && ex is OperationCanceledException or IOException)
        {
            code = GrpcStatusCode.DeadlineExceeded;
            detail = "Deadline exceeded.";
            Log.DeadlineExceeded(logger, call.Method);
        }
        catch (Exception ex) when (call.CallerCancelled && ex is OperationCanceledException or IOException)
        {
            // The stream is gone: nothing can be written back.
            Log.CallerCancelled(logger, call.Method);
            return;
        }
        catch (Exception ex)
        {
            // The client gets a generic message; the details stay in our log.
            code = GrpcStatusCode.Unknown;
            detail = "Exception was thrown by handler.";
            Log.HandlerCrashed(logger, call.Method, ex);
        }

        if (call.CallerCancelled)
        {
            return;
        }

        GrpcResponse.WriteStatus(call, code, detail);
    }

    private string UnimplementedDetail(string path)
    {
        int slash = path.LastIndexOf('/');
        string service = slash > 1 ? path[1..slash] : string.Empty;
        return registry.HasService(service)
            ? $"Method is unimplemented: {path}"
            : $"Service is unimplemented: {service}";
    }
}
