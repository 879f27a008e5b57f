using System.Collections;
using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Providers.Http;

/// <summary>
/// Where a provider's key comes from: an environment variable, a file, or a systemd credential
/// ($CREDENTIALS_DIRECTORY/NAME, from LoadCredential=). Only the location is configured, never the key.
/// </summary>
public sealed record ApiKeySource(string? Environment, string? File, string? Credential)
{
    public static readonly string[] ConfigKeys = ["apiKeyEnv", "apiKeyFile", "apiKeyCredential"];

    public bool IsConfigured => Environment is not null || File is not null || Credential is not null;

    public static ApiKeySource Parse(ConfigNode node)
    {
        var source = new ApiKeySource(node.Text("apiKeyEnv"), node.Text("apiKeyFile"), node.Text("apiKeyCredential"));
        if (source.File is { } file && !Path.IsPathFullyQualified(file))
        {
            node.Error("apiKeyFile", $"'{file}' must be an absolute path");
        }

        if (source.Credential is { } credential && (credential.Contains('/', StringComparison.Ordinal) || credential is "." or ".."))
        {
            node.Error("apiKeyCredential", $"'{credential}' must be a credential name, not a path");
        }

        return source;
    }

    /// <summary>
    /// Resolves the key; null when none is usable. Never throws: a missing key makes the provider
    /// "unavailable (no key)", which routing skips visibly instead of failing the daemon's start.
    /// </summary>
    public ApiKey? Resolve(IDictionary environment, out string? problem)
    {
        problem = null;
        if (Environment is { } name)
        {
            if (environment[name] is string { Length: > 0 } fromEnv)
            {
                return new ApiKey(fromEnv.Trim());
            }

            problem = $"environment variable {name} is not set";
        }

        if (File is { } path && ReadSecret(path, ref problem) is { } fromFile)
        {
            return fromFile;
        }

        if (Credential is { } credential)
        {
            if (environment["CREDENTIALS_DIRECTORY"] is string { Length: > 0 } directory)
            {
                return ReadSecret(Path.Combine(directory, credential), ref problem);
            }

            problem = $"credential {credential} requested but CREDENTIALS_DIRECTORY is not set";
        }

        problem ??= IsConfigured ? null : "no apiKeyEnv, apiKeyFile or apiKeyCredential configured";
        return null;
    }

    private static ApiKey? ReadSecret(string path, ref string? problem)
    {
        try
        {
            string text = System.IO.File.ReadAllText(path).Trim();
            if (text.Length > 0)
            {
                return new ApiKey(text);
            }

            problem = $"{path} is empty";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read {path}: {ex.GetType().Name}";
        }

        return null;
    }
}
