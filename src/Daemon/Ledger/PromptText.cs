using System.Text;
using System.Text.Json;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Ledger;

/// <summary>The prompt as stored when <c>ledger.storePrompts</c> is on: a JSON array of the messages.</summary>
public static class PromptText
{
    public static string Of(CompleteRequest request)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (Message message in request.Messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", message.Role.ToString());
                writer.WriteString("content", message.Content);
                if (message.Name.Length > 0)
                {
                    writer.WriteString("name", message.Name);
                }

                if (message.ToolCallId.Length > 0)
                {
                    writer.WriteString("toolCallId", message.ToolCallId);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
