using System.Globalization;
using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Microsoft.Extensions.Primitives;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// Our extras on the OpenAI-compatible door travel in headers, so the bodies stay exactly OpenAI's.
/// Response headers say who answered and what it cost; request headers name a tenant, a task and labels.
/// </summary>
public static class CortexHeaders
{
    public const string RequestId = "x-cortex-request-id";
    public const string Provider = "x-cortex-provider";
    public const string Model = "x-cortex-model";

    /// <summary>How many attempts the answer took, skipped targets not counted.</summary>
    public const string Attempts = "x-cortex-attempts";

    /// <summary>The answer's cost in integer nano-USD (a lower bound when some token had no price).</summary>
    public const string CostNanoUsd = "x-cortex-cost-nano-usd";

    public const string Tenant = "x-cortex-tenant";
    public const string Task = "x-cortex-task";

    /// <summary>x-cortex-label-&lt;name&gt;: value becomes the request label &lt;name&gt;.</summary>
    public const string LabelPrefix = "x-cortex-label-";

    /// <summary>Standard HTTP: whole seconds until a rate-limited or over-budget caller may try again.</summary>
    public const string RetryAfter = "retry-after";

    /// <summary>The OpenAI SDKs' own override of their automatic retry (see <see cref="OpenAiError.ShouldRetry"/>).</summary>
    public const string ShouldRetry = "x-should-retry";

    public const int MaxLabels = 16;
    public const int MaxLabelNameLength = 64;
    public const int MaxValueLength = 256;

    /// <summary>
    /// Applies x-cortex-tenant, x-cortex-task and x-cortex-label-* to the request. The task applies only
    /// when the model id did not choose one; a label header wins over the body's <c>user</c> label. Header
    /// names compare case-insensitively (HTTP/2 sends them lower-case anyway); each header must appear
    /// once. Returns null, or a 400 naming the header as its param.
    /// </summary>
    public static OpenAiError? Apply(IEnumerable<KeyValuePair<string, StringValues>> headers, CompleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(request);
        int labels = 0;
        foreach ((string rawName, StringValues values) in headers)
        {
            if (!rawName.StartsWith("x-cortex-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string name = rawName.ToLowerInvariant();
            if (values.Count != 1)
            {
                return Bad(name, $"header {name} must be sent once");
            }

            string value = values[0] ?? string.Empty;
            OpenAiError? error = name switch
            {
                Tenant => ApplyTenant(value, request),
                Task => ApplyTask(value, request),
                _ when name.StartsWith(LabelPrefix, StringComparison.Ordinal) => ApplyLabel(name, value, request, ++labels),
                // Response headers a proxy may echo back, and names we may use later: not an error.
                _ => null,
            };
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static OpenAiError? ApplyTenant(string value, CompleteRequest request)
    {
        if (value.Length is 0 or > MaxValueLength || !value.All(IsTokenChar))
        {
            return Bad(Tenant, $"{Tenant} must be 1 to {MaxValueLength} letters, digits or '-', '_', '.', ':', '@'");
        }

        request.TenantId = value;
        return null;
    }

    private static OpenAiError? ApplyTask(string value, CompleteRequest request)
    {
        if (!TaskIds.TryParse(value, out TaskType task))
        {
            return Bad(Task, $"unknown task {Quote.Of(value)} (known: {string.Join(", ", TaskIds.All.Select(TaskIds.Of))})");
        }

        if (request.TaskType == TaskType.Unspecified)
        {
            request.TaskType = task;
        }

        return null;
    }

    private static OpenAiError? ApplyLabel(string header, string value, CompleteRequest request, int count)
    {
        string label = header[LabelPrefix.Length..];
        if (count > MaxLabels)
        {
            return Bad(header, $"at most {MaxLabels} {LabelPrefix}* headers are accepted");
        }

        if (label.Length is 0 or > MaxLabelNameLength || !label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
        {
            return Bad(Quote.Clip(header, LabelPrefix.Length + MaxLabelNameLength),
                $"a label name must be 1 to {MaxLabelNameLength} of a-z, 0-9, '-', '_' and '.'");
        }

        // Printable ASCII only: header values are bytes, and the ledger and events must show them as sent.
        if (value.Length > MaxValueLength || !value.All(c => c is >= ' ' and <= '~'))
        {
            return Bad(header, $"{header} must be at most {MaxValueLength} printable ASCII characters");
        }

        request.Labels[label] = value;
        return null;
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@';

    private static OpenAiError Bad(string header, string message) => OpenAiErrors.InvalidRequest(header, message);

    /// <summary>
    /// What an answer adds to the response, as name and value pairs in a fixed order: headers for a whole
    /// answer, trailers for a stream. The request id is not among them: it goes out as a header before the
    /// request runs, so that every answer, an error or a stream included, carries it.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> ForAnswer(CompleteResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        int attempts = response.Attempts.Count(a => a.Outcome != AttemptOutcome.Skipped);
        return
        [
            new(Provider, response.Provider),
            new(Model, response.Model),
            new(Attempts, Math.Max(1, attempts).ToString(CultureInfo.InvariantCulture)),
            new(CostNanoUsd, (response.Cost?.NanoUsd ?? 0).ToString(CultureInfo.InvariantCulture)),
        ];
    }
}
