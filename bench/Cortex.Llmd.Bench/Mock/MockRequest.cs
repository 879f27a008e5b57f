using System.Buffers;
using System.Text.Json;

namespace Cortex.Llmd.Bench.Mock;

/// <summary>The three fields of a Chat Completions request the mock answers by; the messages are skipped unread.</summary>
internal readonly record struct MockRequest(string Model, bool Stream, bool IncludeUsage)
{
    public static MockRequest Parse(ReadOnlySequence<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        string model = string.Empty;
        bool stream = false;
        bool includeUsage = false;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("the body is not a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                model = reader.GetString() ?? string.Empty;
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                stream = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("stream_options"u8))
            {
                includeUsage = ReadIncludeUsage(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new MockRequest(model, stream, includeUsage);
    }

    private static bool ReadIncludeUsage(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        bool include = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isFlag = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isFlag)
            {
                include = reader.TokenType == JsonTokenType.True;
            }
            else
            {
                reader.Skip();
            }
        }

        return include;
    }
}
