using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Reflection.V1Alpha;

namespace Cortex.Llmd.Tests.Support;

/// <summary>The two reflection questions grpcurl asks first: which services, and the file that defines a symbol.</summary>
public static class ReflectionProbe
{
    public static async Task<IReadOnlyList<string>> ListServicesAsync(ServerReflection.ServerReflectionClient client)
    {
        ServerReflectionResponse response = await AskAsync(client, new ServerReflectionRequest { ListServices = string.Empty });
        return [.. response.ListServicesResponse.Service.Select(s => s.Name)];
    }

    /// <summary>The file descriptors the server returns for a symbol, parsed.</summary>
    public static async Task<IReadOnlyList<FileDescriptorProto>> FileContainingSymbolAsync(ServerReflection.ServerReflectionClient client, string symbol)
    {
        ServerReflectionResponse response = await AskAsync(client, new ServerReflectionRequest { FileContainingSymbol = symbol });
        Assert.That(response.MessageResponseCase, Is.EqualTo(ServerReflectionResponse.MessageResponseOneofCase.FileDescriptorResponse), response.ErrorResponse?.ErrorMessage);
        return [.. response.FileDescriptorResponse.FileDescriptorProto.Select(FileDescriptorProto.Parser.ParseFrom)];
    }

    private static async Task<ServerReflectionResponse> AskAsync(ServerReflection.ServerReflectionClient client, ServerReflectionRequest request)
    {
        using AsyncDuplexStreamingCall<ServerReflectionRequest, ServerReflectionResponse> call =
            client.ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(30));
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True, "reflection answered nothing");
        return call.ResponseStream.Current;
    }
}
