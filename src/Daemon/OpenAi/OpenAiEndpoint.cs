using Cortex.Llmd.Access;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Completions;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// Every request on the OpenAI-compatible door: the caller's identity and access checked first, then
/// the two paths the door serves. Anything else is answered with OpenAI's error object, never with the
/// gRPC pipeline behind the other door.
/// </summary>
internal sealed class OpenAiEndpoint(
    ChatCompletionsHandler completions, ModelCatalogCache catalogs, CallerAdmission admission, OpenAiOptions options, TimeProvider time,
    ILogger<OpenAiEndpoint> logger)
{
    public const string ChatCompletionsPath = "/v1/chat/completions";
    public const string ModelsPath = "/v1/models";

    /// <summary>The list's "created" for every model: when the daemon started, as no model here has another date.</summary>
    private readonly long _started = time.GetUtcNow().ToUnixTimeSeconds();

    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await DispatchAsync(http).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller left; nothing to answer.
        }

        // A BadHttpRequestException (a bad chunk, a body cut short or arriving too slowly; the 413 is
        // RequestBody's) is Kestrel's verdict on bytes that are not HTTP, and Kestrel's to answer: its
        // bare 4xx when the caller is still there, and a closed connection. Caught here, the connection
        // would stay open on input Kestrel can no longer read, and the caller's fault would be logged as
        // our own. Kestrel's log line for it is the caller's noise (Logging/CallerNoise).
        catch (Exception ex) when (ex is not OutOfMemoryException and not BadHttpRequestException)
        {
            // Never a crash, never a stack trace to the caller: one log line, and a 500 if nothing was sent yet.
            string requestId = http.Response.Headers[CortexHeaders.RequestId].ToString();
            Log.OpenAiUnexpected(logger, requestId.Length > 0 ? requestId : "-", ex);
            if (!http.Response.HasStarted)
            {
                http.Response.Clear();
                await OpenAiResponses.WriteErrorAsync(
                    http.Response, new OpenAiError(500, OpenAiErrors.ServerErrorType, "internal_error", "the daemon failed to answer; its log has the details"), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task DispatchAsync(HttpContext http)
    {
        string path = (http.Request.Path.Value ?? string.Empty).TrimEnd('/');
        string method = http.Request.Method;
        (string Allowed, Func<HttpContext, CallerInfo, Task> Handle)? route = path switch
        {
            ChatCompletionsPath => (HttpMethods.Post, completions.HandleAsync),
            ModelsPath => (HttpMethods.Get, ListModelsAsync),
            _ => null,
        };
        if (route is not { } found)
        {
            await OpenAiResponses.WriteErrorAsync(http.Response, OpenAiErrors.UnknownPath(method, Quote.Clip(path)), http.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.Equals(method, found.Allowed))
        {
            http.Response.Headers.Allow = found.Allowed;
            await OpenAiResponses.WriteErrorAsync(http.Response, OpenAiErrors.MethodNotAllowed(Quote.Clip(method), path, found.Allowed), http.RequestAborted).ConfigureAwait(false);
            return;
        }

        CallerInfo caller = CallerIdentity.Of(http);
        if (Refusal(caller) is { } refused)
        {
            await OpenAiResponses.WriteErrorAsync(http.Response, refused, http.RequestAborted).ConfigureAwait(false);
            return;
        }

        await found.Handle(http, caller).ConfigureAwait(false);
    }

    /// <summary>401 for a caller whose uid the kernel could not tell, 429 past its rate limit; null to go on.</summary>
    private OpenAiError? Refusal(CallerInfo caller)
    {
        if (caller.Uid is null && !options.AllowUnidentified)
        {
            admission.Denied(caller, "openai", "caller identity unknown");
            return OpenAiErrors.Unauthorized(
                "the daemon could not tell which local user is calling (only Unix-socket and loopback TCP callers are identified); set openai.allowUnidentified to serve such callers");
        }

        try
        {
            admission.Admit(caller, adminAction: null);
            return null;
        }
        catch (RouterException error)
        {
            return OpenAiErrors.From(error);
        }
    }

    private Task ListModelsAsync(HttpContext http, CallerInfo caller) =>
        OpenAiResponses.WriteJsonAsync(http.Response, output => ModelList.Write(output, catalogs.Current, _started), http.RequestAborted);
}
