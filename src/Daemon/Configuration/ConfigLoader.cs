using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Cortex.Llmd.Configuration;

/// <summary>
/// Reads the JSON config file and applies environment overrides: CORTEX_LLMD_SECTION__KEY=value sets
/// "section:key". CORTEX_LLMD_CONFIG and CORTEX_LLMD_SOCKET are the two named variables, not overrides.
/// </summary>
public static class ConfigLoader
{
    public const string EnvironmentPrefix = "CORTEX_LLMD_";
    public const string ConfigVariable = "CORTEX_LLMD_CONFIG";
    public const string SocketVariable = "CORTEX_LLMD_SOCKET";
    public const string DefaultConfigPath = "/etc/cortex/llmd.json";

    public static IConfigurationRoot Build(string configPath, IDictionary environment, string? socketOverride)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((string variable, string key) in OverrideKeys(environment))
        {
            overrides[key] = environment[variable] as string;
        }

        if (!string.IsNullOrEmpty(socketOverride))
        {
            overrides["server:socketPath"] = socketOverride;
        }

        // A stream rather than AddJsonFile: the file provider would load the physical file provider and
        // its watcher machinery into the daemon for one read.
        using FileStream file = File.OpenRead(Path.GetFullPath(configPath));
        return new ConfigurationBuilder()
            .AddJsonStream(file)
            .AddInMemoryCollection(overrides)
            .Build();
    }

    /// <summary>Environment overrides as (variable, configuration key "section:key").</summary>
    public static IEnumerable<(string Variable, string Key)> OverrideKeys(IDictionary environment)
    {
        foreach (DictionaryEntry entry in environment)
        {
            string name = (string)entry.Key;
            if (name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal)
                && name is not ConfigVariable and not SocketVariable
                && name.Length > EnvironmentPrefix.Length)
            {
                yield return (name, name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal));
            }
        }
    }

    /// <summary>
    /// Reads the file with its overrides and hands it to <paramref name="parse"/>, which records problems
    /// and returns null when there were any; throws <see cref="ConfigException"/> listing every problem.
    /// </summary>
    public static T Load<T>(string configPath, IDictionary environment, string? socketOverride, Func<IConfiguration, ConfigErrors, T?> parse)
        where T : class
    {
        if (!File.Exists(configPath))
        {
            throw new ConfigException($"config file {configPath} does not exist (pass --config PATH or set {ConfigVariable})");
        }

        IConfigurationRoot configuration;
        try
        {
            configuration = Build(configPath, environment, socketOverride);
        }
        catch (JsonException ex)
        {
            throw new ConfigException($"cannot read config file {configPath}: {DescribeJson(ex)}");
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read config file {configPath}: {Describe(ex)}");
        }

        var errors = new ConfigErrors(OverridePaths(environment));
        T? options = parse(configuration, errors);
        if (options is null)
        {
            throw new ConfigException(errors.Describe(configPath));
        }

        return options;
    }

    /// <summary>Override keys in the form error paths use ("server.socketMode"), each with its variable.</summary>
    private static Dictionary<string, string> OverridePaths(IDictionary environment)
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach ((string variable, string key) in OverrideKeys(environment))
        {
            paths[ConfigNode.Join(string.Empty, key)] = variable;
        }

        return paths;
    }

    private static string Describe(Exception ex) =>
        ex.InnerException is { } inner ? ex.Message + " " + inner.Message : ex.Message;

    /// <summary>"invalid JSON at line 3, byte 7: ..." with one-based positions, as an editor shows them.</summary>
    private static string DescribeJson(JsonException ex)
    {
        // The reader appends " LineNumber: 0 | BytePositionInLine: 18." (zero-based); say it one-based instead.
        string message = ex.Message;
        int location = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        string what = location >= 0 ? message[..location] : message;
        return ex.LineNumber is { } line
            ? $"invalid JSON at line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {what}"
            : "invalid JSON: " + what;
    }
}
