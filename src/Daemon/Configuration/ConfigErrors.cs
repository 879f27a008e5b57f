namespace Cortex.Llmd.Configuration;

/// <summary>Collects every configuration error so they are reported together, each with its key path.</summary>
public sealed class ConfigErrors
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Items => _errors;

    public bool Any => _errors.Count > 0;

    public void Add(string path, string message) => _errors.Add(string.IsNullOrEmpty(path) ? message : $"{path}: {message}");

    /// <summary>One message listing every error, for stderr or the log.</summary>
    public string Describe(string source) =>
        $"invalid configuration in {source} ({_errors.Count} error{(_errors.Count == 1 ? string.Empty : "s")}):"
        + string.Concat(_errors.Select(e => Environment.NewLine + "  - " + e));
}

/// <summary>Raised when a configuration cannot be used; the message lists every error.</summary>
public sealed class ConfigException(string message) : Exception(message);
