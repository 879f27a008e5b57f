namespace Cortex.Llmd.Configuration;

/// <summary>Collects every configuration error so they are reported together, each with its key path.</summary>
/// <param name="overrides">
/// Key paths set by environment overrides ("server.socketMode"), case-insensitive, to the variable
/// that set them: an error under such a path names the variable, not the config file.
/// </param>
public sealed class ConfigErrors(IReadOnlyDictionary<string, string>? overrides = null)
{
    private readonly List<string> _errors = [];

    public ConfigErrors()
        : this(null)
    {
    }

    public IReadOnlyList<string> Items => _errors;

    public bool Any => _errors.Count > 0;

    /// <summary>True when an error was traced to an environment variable.</summary>
    public bool FromEnvironment { get; private set; }

    public void Add(string path, string message)
    {
        if (VariableOf(path) is { } variable)
        {
            FromEnvironment = true;
            _errors.Add($"{variable} (environment override of {path}): {message}");
            return;
        }

        _errors.Add(string.IsNullOrEmpty(path) ? message : $"{path}: {message}");
    }

    /// <summary>One message listing every error, for stderr or the log.</summary>
    public string Describe(string source) =>
        $"invalid configuration in {source}{(FromEnvironment ? " and the environment" : string.Empty)} ({_errors.Count} error{(_errors.Count == 1 ? string.Empty : "s")}):"
        + string.Concat(_errors.Select(e => Environment.NewLine + "  - " + e));

    private string? VariableOf(string path)
    {
        if (overrides is null || path.Length == 0)
        {
            return null;
        }

        // The path itself, or a key under it (an override can set a whole section's value).
        foreach ((string key, string variable) in overrides)
        {
            if (path.Equals(key, StringComparison.OrdinalIgnoreCase)
                || (path.StartsWith(key, StringComparison.OrdinalIgnoreCase) && path.Length > key.Length && path[key.Length] is '.' or '['))
            {
                return variable;
            }
        }

        return null;
    }
}

/// <summary>Raised when a configuration cannot be used; the message lists every error.</summary>
public sealed class ConfigException(string message) : Exception(message);
