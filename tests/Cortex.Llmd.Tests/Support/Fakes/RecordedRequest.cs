using System.Text.Json;

namespace Cortex.Llmd.Tests.Support.Fakes;

/// <summary>A request a fake provider received, kept so tests can assert on the exact wire shape sent.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
}
