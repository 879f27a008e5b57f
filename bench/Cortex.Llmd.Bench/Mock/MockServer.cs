using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;

namespace Cortex.Llmd.Bench.Mock;

/// <summary>
/// The upstream every path calls: an OpenAI Chat Completions server on 127.0.0.1 over HTTP/1.1 (Kestrel
/// with no middleware but this one handler). Runs as its own process (<c>bench mock --port N</c>) so the
/// generator's CPU and the mock's are measured apart.
/// </summary>
internal static class MockServer
{
    private static readonly MockReplies Replies = new();

    public static async Task<int> RunAsync(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MinResponseDataRate = null;
            k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1);
        });
        await using WebApplication app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        // bench waits for this line before it starts anything that calls the mock.
        Console.WriteLine("mock listening on 127.0.0.1:" + port);
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        if (HttpMethods.IsGet(request.Method) && request.Path == "/v1/models")
        {
            await WriteJsonAsync(response, 200, MockReplies.Models);
            return;
        }

        if (!HttpMethods.IsPost(request.Method) || request.Path != "/v1/chat/completions")
        {
            await WriteJsonAsync(response, 404, """{"error":{"message":"not found","type":"invalid_request_error"}}"""u8.ToArray());
            return;
        }

        MockRequest call;
        try
        {
            call = await ReadAsync(request.BodyReader, context.RequestAborted);
        }
        catch (JsonException)
        {
            await WriteJsonAsync(response, 400, """{"error":{"message":"bad JSON","type":"invalid_request_error"}}"""u8.ToArray());
            return;
        }

        if (call.Model == MockReplies.FailModel)
        {
            await WriteJsonAsync(response, 500, MockReplies.ServerError);
            return;
        }

        ModelReplies replies = Replies.For(call.Model);
        if (!call.Stream)
        {
            await WriteJsonAsync(response, 200, replies.Completion);
            return;
        }

        await StreamAsync(response, replies, call.IncludeUsage, context.RequestAborted);
    }

    private static async Task<MockRequest> ReadAsync(PipeReader body, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read = await body.ReadAsync(cancellationToken);
            if (read.IsCompleted)
            {
                MockRequest parsed = MockRequest.Parse(read.Buffer);
                body.AdvanceTo(read.Buffer.End);
                return parsed;
            }

            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.BodyWriter.WriteAsync(body);
    }

    /// <summary>Each chunk is flushed on its own, as a model server sends each token when it has it.</summary>
    private static async Task StreamAsync(HttpResponse response, ModelReplies replies, bool includeUsage, CancellationToken cancellationToken)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        PipeWriter writer = response.BodyWriter;
        foreach (byte[] chunk in replies.Chunks)
        {
            FlushResult flushed = await writer.WriteAsync(chunk, cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                return;
            }
        }

        writer.Write(replies.Finish);
        if (includeUsage)
        {
            writer.Write(replies.Usage);
        }

        writer.Write(MockReplies.Done);
        await writer.FlushAsync(cancellationToken);
    }
}
