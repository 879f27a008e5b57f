using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;

namespace Cortex.Llmd.Tests.Budgets;

public class InputTokenBoundTests
{
    [Test]
    public void Of_EightCharacterPrompt_IsItsBytesPlusMessageAndRequestOverhead()
    {
        var request = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "12345678" } } };

        Assert.That(InputTokenBound.Of(request), Is.EqualTo(8 + InputTokenBound.PerMessage + InputTokenBound.PerRequest));
    }

    [Test]
    public void Of_MultiByteText_CountsUtf8BytesNotCharacters()
    {
        // 3 characters, 9 UTF-8 bytes: a byte-level tokenizer may need a token for each byte.
        var request = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "日本語" } } };

        Assert.That(InputTokenBound.Of(request), Is.EqualTo(9 + InputTokenBound.PerMessage + InputTokenBound.PerRequest));
    }

    [Test]
    public void Of_EverythingSent_CountsMessagesToolCallsToolsAndResponseSchema()
    {
        var request = new CompleteRequest
        {
            Messages =
            {
                new Message { Role = Role.System, Content = "sys" },
                new Message { Role = Role.Assistant, ToolCalls = { new ToolCall { Id = "c1", Name = "f", ArgumentsJson = "{}" } } },
                new Message { Role = Role.Tool, Content = "42", ToolCallId = "c1", Name = "f" },
            },
            Tools = { new Tool { Name = "f", Description = "does f", ParametersJsonSchema = "{\"type\":\"object\"}" } },
            ResponseJsonSchema = "{\"type\":\"string\"}",
        };

        long bytes = 3 + (2 + 1 + 2) + (2 + 2 + 1) + (1 + 6 + 17) + 17;
        long overhead = (3 * InputTokenBound.PerMessage) + InputTokenBound.PerRequest + InputTokenBound.ToolUse + InputTokenBound.PerTool
            + InputTokenBound.SchemaInstruction;
        Assert.That(InputTokenBound.Of(request), Is.EqualTo(bytes + overhead));
    }

    [Test]
    public void Of_ToolsOfferedButToolChoiceNone_StillCountsThem()
    {
        // The adapters still send the definitions; only the choice changes.
        var without = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "x" } } };
        var with = new CompleteRequest(without) { Tools = { new Tool { Name = "f" } }, ToolChoice = new ToolChoice { Mode = ToolChoiceMode.None } };

        Assert.That(InputTokenBound.Of(with) - InputTokenBound.Of(without), Is.EqualTo(InputTokenBound.ToolUse + InputTokenBound.PerTool + 1));
    }
}
