using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Cortex.Llmd.Configuration;

/// <summary>
/// A typed, error-collecting view of one configuration section. Reading never throws: a bad value is
/// recorded with its key path and a default is returned, so one pass finds every error.
/// </summary>
public readonly struct ConfigNode(IConfiguration section, string path, ConfigErrors errors)
{
    public string Path { get; } = path;

    public ConfigErrors Errors { get; } = errors;

    public bool Exists(string key) => section.GetSection(key).Exists();

    public ConfigNode Child(string key) => new(section.GetSection(key), Join(Path, key), Errors);

    public IEnumerable<(string Key, ConfigNode Node)> Children()
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            yield return (child.Key, new ConfigNode(child, Join(Path, child.Key), Errors));
        }
    }

    public string? Value => section is IConfigurationSection s ? s.Value : null;

    public void Error(string message) => Errors.Add(Path, message);

    public void Error(string key, string message) => Errors.Add(Join(Path, key), message);

    /// <summary>Reports keys outside <paramref name="known"/>: a typo must not silently fall back to a default.</summary>
    public void AllowOnly(params ReadOnlySpan<string> known)
    {
        var allowed = new HashSet<string>(known.ToArray(), StringComparer.OrdinalIgnoreCase);
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (!allowed.Contains(child.Key))
            {
                Errors.Add(Join(Path, child.Key), $"unknown key (expected one of: {string.Join(", ", known.ToArray())})");
            }
        }
    }

    public string? Text(string key, string? fallback = null)
    {
        IConfigurationSection child = section.GetSection(key);
        if (!child.Exists())
        {
            return fallback;
        }

        if (child.Value is null)
        {
            Errors.Add(Join(Path, key), "expected a string, found an object or array");
            return fallback;
        }

        return child.Value;
    }

    public string RequiredText(string key)
    {
        string? value = Text(key);
        if (string.IsNullOrWhiteSpace(value))
        {
            if (!Exists(key))
            {
                Errors.Add(Join(Path, key), "is required");
            }
            else if (value is not null)
            {
                Errors.Add(Join(Path, key), "must not be empty");
            }

            return string.Empty;
        }

        return value;
    }

    public long Number(string key, long fallback, long min, long max)
    {
        string? text = Text(key);
        if (text is null)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            Errors.Add(Join(Path, key), $"'{text}' is not a whole number");
            return fallback;
        }

        if (value < min || value > max)
        {
            Errors.Add(Join(Path, key), $"{value} is out of range [{min}, {max}]");
            return fallback;
        }

        return value;
    }

    public bool Flag(string key, bool fallback)
    {
        string? text = Text(key);
        if (text is null)
        {
            return fallback;
        }

        if (!bool.TryParse(text, out bool value))
        {
            Errors.Add(Join(Path, key), $"'{text}' is not true or false");
            return fallback;
        }

        return value;
    }

    public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        string? text = Text(key);
        if (text is null)
        {
            return fallback;
        }

        if (!DurationText.TryParse(text, out TimeSpan value))
        {
            Errors.Add(Join(Path, key), $"'{text}' is not a duration (examples: 250ms, 8s, 2m, 1h)");
            return fallback;
        }

        if (value < min || value > max)
        {
            Errors.Add(Join(Path, key), $"{text} is out of range [{DurationText.Format(min)}, {DurationText.Format(max)}]");
            return fallback;
        }

        return value;
    }

    public T Choice<T>(string key, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        string? text = Text(key);
        if (text is null)
        {
            return fallback;
        }

        if (!choices.TryGetValue(text, out T? value))
        {
            Errors.Add(Join(Path, key), $"'{text}' is not one of: {string.Join(", ", choices.Keys)}");
            return fallback;
        }

        return value;
    }

    /// <summary>A list of strings, written either as a JSON array or as one string.</summary>
    public IReadOnlyList<string> StringList(string key)
    {
        IConfigurationSection child = section.GetSection(key);
        if (!child.Exists())
        {
            return [];
        }

        if (child.Value is not null)
        {
            return [child.Value];
        }

        var list = new List<string>();
        foreach (IConfigurationSection item in child.GetChildren().OrderBy(c => c.Key, IndexOrder.Instance))
        {
            if (item.Value is null)
            {
                Errors.Add(Join(Path, key + ":" + item.Key), "expected a string");
                continue;
            }

            list.Add(item.Value);
        }

        return list;
    }

    /// <summary>Displays "a:b:0:c" as "a.b[0].c", the way people write JSON paths.</summary>
    public static string Join(string parent, string key)
    {
        string tail = string.Join(string.Empty, key.Split(':').Select(
            part => part.Length > 0 && part.All(char.IsAsciiDigit) ? $"[{part}]" : "." + part));
        return string.IsNullOrEmpty(parent) ? tail.TrimStart('.') : parent + tail;
    }

    /// <summary>Configuration array indexes are strings: "10" must sort after "9".</summary>
    public sealed class IndexOrder : IComparer<string>
    {
        public static readonly IndexOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            bool xn = int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out int xi);
            bool yn = int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out int yi);
            return xn && yn ? xi.CompareTo(yi) : string.CompareOrdinal(x, y);
        }
    }
}
