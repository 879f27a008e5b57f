using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Tests.Support.Fakes;

/// <summary>
/// Base of the fake provider servers: Kestrel on 127.0.0.1 with an ephemeral port, a record of every
/// request, a queue of faults to inject, and helpers to write SSE or NDJSON streams with those faults.
/// Subclasses speak one provider's real wire format.
/// </summary>
public abstract class FakeProviderServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ProviderFault> _faults = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Faults are used one per request, in order; with none queued the request succeeds.</summary>
    public void Enqueue(params ProviderFault[] faults)
    {
        foreach (ProviderFault fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    /// <summary>Drops faults a test queued but did not use, so the next test starts clean.</summary>
    public void ClearFaults() => _faults.Clear();

    protected async Task StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(HandleRawAsync);
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    private async Task HandleRawAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body);
        Requests.Enqueue(request);
        ProviderFault fault = _faults.TryDequeue(out ProviderFault? f) ? f : ProviderFault.None;
        foreach ((string name, string value) in fault.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (fault.DelayBeforeHeaders > TimeSpan.Zero)
        {
            await Task.Delay(fault.DelayBeforeHeaders, context.RequestAborted);
        }

        if (fault.Status is { } status)
        {
            context.Response.StatusCode = status;
            if (fault.RetryAfter is { } wait)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(ErrorBody(status));
            return;
        }

        await HandleAsync(context, request, fault);
    }

    /// <summary>Answers one successful (or format-faulted) request in the provider's wire format.</summary>
    protected abstract Task HandleAsync(HttpContext context, RecordedRequest request, ProviderFault fault);

    /// <summary>The provider's error body for an HTTP status.</summary>
    protected abstract string ErrorBody(int status);

    /// <summary>Writes server-sent events, applying the fault's delays, reset and truncation.</summary>
    protected static async Task WriteSseAsync(HttpContext context, IEnumerable<(string? Event, string Data)> events, ProviderFault fault)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await WriteEventsAsync(context, events.Select(e => (e.Event is null ? string.Empty : $"event: {e.Event}\n") + $"data: {e.Data}\n\n"), fault);
    }

    /// <summary>Writes one application/json answer in parts, with the same fault handling as a stream's events.</summary>
    protected static Task WriteJsonAsync(HttpContext context, IEnumerable<string> parts, ProviderFault fault)
    {
        context.Response.ContentType = "application/json";
        return WriteEventsAsync(context, parts, fault);
    }

    /// <summary>Writes newline-delimited JSON (Ollama's native stream format) with the same fault handling.</summary>
    protected static Task WriteNdjsonAsync(HttpContext context, IEnumerable<string> lines, ProviderFault fault)
    {
        context.Response.ContentType = "application/x-ndjson";
        return WriteEventsAsync(context, lines.Select(l => l + "\n"), fault);
    }

    private static async Task WriteEventsAsync(HttpContext context, IEnumerable<string> frames, ProviderFault fault)
    {
        int written = 0;
        foreach (string frame in frames)
        {
            if (fault.StallAfterEvents == written)
            {
                await StallAsync(context);
                return;
            }

            if (fault.ResetAfterEvents == written)
            {
                context.Abort();
                return;
            }

            if (fault.TruncateAfterEvents == written)
            {
                return;
            }

            if (written > 0 && fault.DelayBetweenChunks > TimeSpan.Zero)
            {
                await Task.Delay(fault.DelayBetweenChunks, context.RequestAborted);
            }

            await context.Response.WriteAsync(frame, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            written++;
        }
    }

    /// <summary>Headers (and whatever was written) go out; then nothing more until the client hangs up.</summary>
    private static async Task StallAsync(HttpContext context)
    {
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
