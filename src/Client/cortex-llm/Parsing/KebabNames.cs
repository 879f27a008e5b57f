using System.Text;

namespace Cortex.Llm.Cli.Parsing;

/// <summary>
/// Enum values as the CLI spells them: the generated C# name in kebab case, so TaskType.CodeGeneration is
/// "code-generation" and ProviderState.Healthy is "healthy". The zero "unspecified" value has no name.
/// </summary>
internal static class KebabNames
{
    public static string Of<T>(T value)
        where T : struct, Enum
    {
        string name = value.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }

    /// <summary>Every named value except the zero one, which in these protos always means "unset".</summary>
    public static string[] All<T>()
        where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) != 0).Select(Of).ToArray();

    public static T Parse<T>(string name)
        where T : struct, Enum
    {
        foreach (T value in Enum.GetValues<T>())
        {
            if (Of(value) == name)
            {
                return value;
            }
        }

        throw new ArgumentException($"'{name}' is not a {typeof(T).Name} value.", nameof(name));
    }
}
