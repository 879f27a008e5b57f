using System.Buffers;
using System.Text;
using Cortex.Llm.V1;
using Cortex.Llmd.OpenAi;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>OpenAI request bodies in, the core's request (or a 400 naming the parameter) out.</summary>
public class ChatCompletionRequestReaderTests
{
    private static ChatCompletionRequest ReadOk(string json)
    {
        ChatCompletionReadResult result = ChatCompletionRequestReader.Read(Encoding.UTF8.GetBytes(json));
        Assert.That(result.Succeeded, Is.True, () => result.Error!.Message);
        return result.Value!;
    }

    private static OpenAiError ReadFails(string json)
    {
        ChatCompletionReadResult result = ChatCompletionRequestReader.Read(Encoding.UTF8.GetBytes(json));
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Status, Is.EqualTo(400));
        Assert.That(result.Error.Type, Is.EqualTo("invalid_request_error"));
        return result.Error;
    }

    private static string Body(string messages, string extra = "") =>
        $$"""{"model":"cortex/auto","messages":{{messages}}{{(extra.Length > 0 ? "," + extra : string.Empty)}}}""";

    private const string Hello = """[{"role":"user","content":"hi"}]""";

    [Test]
    public void Read_MinimalBody_MapsModelMessageAndDefaults()
    {
        ChatCompletionRequest read = ReadOk(Body(Hello));

        Assert.That(read.Model, Is.EqualTo("cortex/auto"));
        Assert.That(read.Stream, Is.False);
        Assert.That(read.IncludeUsage, Is.False);
        Assert.That(read.Request.Messages.Single().Role, Is.EqualTo(Role.User));
        Assert.That(read.Request.Messages.Single().Content, Is.EqualTo("hi"));
        Assert.That(read.Request.Temperature, Is.Null);
        Assert.That(read.Request.MaxTokens, Is.Null);
    }

    [Test]
    public void Read_SequenceBody_ReadsTheSameAsMemory()
    {
        ChatCompletionReadResult result = ChatCompletionRequestReader.Read(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Body(Hello))));

        Assert.That(result.Value!.Request.Messages.Single().Content, Is.EqualTo("hi"));
    }

    [Test]
    public void Read_AllRoles_MapDeveloperToSystemAndKeepToolFields()
    {
        ChatCompletionRequest read = ReadOk(Body("""
            [{"role":"developer","content":"be brief"},{"role":"system","content":"s","name":"ignored"},
             {"role":"user","content":[{"type":"text","text":"part one"},{"type":"text","text":"part two"}]},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"sunny"}]
            """));

        Message[] m = [.. read.Request.Messages];
        Assert.That(m.Select(x => x.Role), Is.EqualTo(new[] { Role.System, Role.System, Role.User, Role.Assistant, Role.Tool }));
        Assert.That(m[1].Name, Is.Empty, "name is not passed on");
        Assert.That(m[2].Content, Is.EqualTo("part one\npart two"));
        Assert.That(m[3].Content, Is.Empty);
        Assert.That(m[3].ToolCalls.Single().Id, Is.EqualTo("call_1"));
        Assert.That(m[3].ToolCalls.Single().Name, Is.EqualTo("get_weather"));
        Assert.That(m[3].ToolCalls.Single().ArgumentsJson, Is.EqualTo("""{"city":"Oslo"}"""));
        Assert.That(m[4].ToolCallId, Is.EqualTo("call_1"));
        Assert.That(m[4].Content, Is.EqualTo("sunny"));
    }

    [Test]
    public void Read_ImagePart_Is400NamingThePart()
    {
        OpenAiError error = ReadFails(Body("""[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}}]}]"""));

        Assert.That(error.Param, Is.EqualTo("messages[0].content[1].type"));
        Assert.That(error.Message, Does.Contain("image_url"));
    }

    [TestCase("""[{"role":"user","content":"a"},{"role":"robot","content":"b"}]""", "messages[1].role")]
    [TestCase("""[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":5}]""", "messages[2].content")]
    [TestCase("""[{"role":"user"}]""", "messages[0].content")]
    [TestCase("""[{"role":"tool","content":"x"}]""", "messages[0].tool_call_id")]
    [TestCase("""[{"role":"assistant"}]""", "messages[0].content")]
    [TestCase("""[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"arguments":"{}"}}]}]""", "messages[0].tool_calls[0].function.name")]
    [TestCase("""[{"role":"user","content":"a","name":7}]""", "messages[0].name")]
    [TestCase("""[]""", "messages")]
    [TestCase("""{}""", "messages")]
    [TestCase("""["hi"]""", "messages[0]")]
    public void Read_BadMessage_Is400NamingTheParameter(string messages, string param) =>
        Assert.That(ReadFails(Body(messages)).Param, Is.EqualTo(param));

    [TestCase("\"temperature\":2.5", "temperature")]
    [TestCase("\"temperature\":\"hot\"", "temperature")]
    [TestCase("\"max_tokens\":0", "max_tokens")]
    [TestCase("\"max_tokens\":1.5", "max_tokens")]
    [TestCase("\"max_completion_tokens\":-3", "max_completion_tokens")]
    [TestCase("\"n\":2", "n")]
    [TestCase("\"stream\":\"yes\"", "stream")]
    [TestCase("\"stream\":true,\"stream_options\":{\"include_usage\":1}", "stream_options.include_usage")]
    [TestCase("\"user\":42", "user")]
    [TestCase("\"tools\":{}", "tools")]
    [TestCase("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"bad name\"}}]", "tools[0].function.name")]
    [TestCase("\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]", "tools[0].type")]
    [TestCase("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":\"{}\"}}]", "tools[0].function.parameters")]
    [TestCase("\"tool_choice\":\"sometimes\"", "tool_choice")]
    [TestCase("\"tool_choice\":{\"type\":\"function\",\"function\":{}}", "tool_choice.function.name")]
    [TestCase("\"response_format\":{\"type\":\"xml\"}", "response_format.type")]
    [TestCase("\"response_format\":{\"type\":\"json_schema\"}", "response_format.json_schema")]
    [TestCase("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}", "response_format.json_schema.name")]
    [TestCase("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\",\"schema\":[1]}}", "response_format.json_schema.schema")]
    public void Read_BadOption_Is400NamingTheParameter(string extra, string param) =>
        Assert.That(ReadFails(Body(Hello, extra)).Param, Is.EqualTo(param));

    [Test]
    public void Read_UserTooLong_Is400()
    {
        OpenAiError error = ReadFails(Body(Hello, $"\"user\":\"{new string('u', ChatCompletionRequestReader.MaxUserLength + 1)}\""));

        Assert.That(error.Param, Is.EqualTo("user"));
    }

    [TestCase("""{"model":"cortex/auto","model":"openai/gpt-4o","messages":[{"role":"user","content":"x"}]}""")]
    [TestCase("{not json")]
    [TestCase("")]
    [TestCase("""{"model":"m","messages":[]}  trailing""")]
    public void Read_InvalidJson_Is400WithAClearMessage(string json)
    {
        OpenAiError error = ReadFails(json);

        Assert.That(error.Message, Does.StartWith("the body is not valid JSON"));
        Assert.That(error.Param, Is.Null);
    }

    [Test]
    public void Read_TooDeep_Is400NotAStackOverflow()
    {
        string deep = new string('[', 10_000) + new string(']', 10_000);

        Assert.That(ReadFails(Body(Hello, "\"metadata\":" + deep)).Message, Does.Contain("not valid JSON"));
    }

    [Test]
    public void Read_TooManyMessages_Is400()
    {
        string many = "[" + string.Join(",", Enumerable.Repeat("""{"role":"user","content":"x"}""", ChatMessagesReader.MaxMessages + 1)) + "]";

        Assert.That(ReadFails(Body(many)).Param, Is.EqualTo("messages"));
    }

    /// <summary>
    /// Text the parser accepts as a string token and only fails to decode when read: bytes that are no
    /// UTF-8 (written here as \xNN), and \u escapes of half a surrogate pair. Each is the caller's 400,
    /// naming the field, not the daemon's 500 (found by the door fuzz, OpenAiDoorFuzzTests).
    /// </summary>
    [TestCase("""{"model":"cortex/\xff","messages":[{"role":"user","content":"x"}]}""", "model")]
    [TestCase("""{"model":"m","messages":[{"role":"user","content":"a\xc0\xafb"}]}""", "messages[0].content")]
    [TestCase("""{"model":"m","messages":[{"role":"user","content":"\ud800"}]}""", "messages[0].content")]
    [TestCase("""{"model":"m","messages":[{"role":"us\xed\xa0\x80er","content":"x"}]}""", "messages[0].role")]
    [TestCase("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"\udc00x"}]}]}""", "messages[0].content[0].text")]
    [TestCase("""{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"\ud800\ud800"}""", "tool_choice")]
    [TestCase("""{"model":"m","messages":[{"role":"user","content":"x"}],"user":"\xf4\x90\x80\x80"}""", "user")]
    [TestCase("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"d":"\xe2\x82"}}}]}""", "tools[0].function.parameters")]
    [TestCase("""{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"\xff":1}}}}""", "response_format.json_schema.schema")]
    public void Read_TextThatIsNoUnicode_Is400NamingTheField(string json, string param)
    {
        ChatCompletionReadResult result = ChatCompletionRequestReader.Read(WithRawBytes(json));

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Status, Is.EqualTo(400));
        Assert.That(result.Error.Param, Is.EqualTo(param));
        Assert.That(result.Error.Message, Does.Contain("UTF-8"));
    }

    /// <summary>The text's \xNN written as the byte NN, everything else as UTF-8.</summary>
    private static byte[] WithRawBytes(string text)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && text[i + 1] == 'x')
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 2, 2), 16));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        return [.. bytes];
    }

    [TestCase("[]", "body")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}]}""", "model")]
    [TestCase("""{"model":"","messages":[{"role":"user","content":"x"}]}""", "model")]
    [TestCase("""{"model":3,"messages":[{"role":"user","content":"x"}]}""", "model")]
    public void Read_BadTopLevel_Is400NamingIt(string json, string param) =>
        Assert.That(ReadFails(json).Param, Is.EqualTo(param));

    [Test]
    public void Read_UnknownFieldsAndNulls_AreIgnored()
    {
        ChatCompletionRequest read = ReadOk(Body(Hello,
            "\"frequency_penalty\":0,\"logit_bias\":{},\"seed\":7,\"parallel_tool_calls\":true,\"temperature\":null,\"tools\":null,\"n\":1,\"stream_options\":null"));

        Assert.That(read.Request.Temperature, Is.Null);
        Assert.That(read.Request.Tools, Is.Empty);
    }

    [Test]
    public void Read_SamplingOptions_MapAndMaxCompletionTokensWins()
    {
        ChatCompletionRequest read = ReadOk(Body(Hello, "\"temperature\":0.3,\"max_tokens\":100,\"max_completion_tokens\":200,\"user\":\"alice\""));

        Assert.That(read.Request.Temperature, Is.EqualTo(0.3));
        Assert.That(read.Request.MaxTokens, Is.EqualTo(200));
        Assert.That(read.Request.Labels["user"], Is.EqualTo("alice"));
    }

    [Test]
    public void Read_MaxTokensAlone_IsUsed() =>
        Assert.That(ReadOk(Body(Hello, "\"max_tokens\":64")).Request.MaxTokens, Is.EqualTo(64));

    [TestCase("\"stream\":true", true, false)]
    [TestCase("\"stream\":true,\"stream_options\":{\"include_usage\":true}", true, true)]
    [TestCase("\"stream\":false,\"stream_options\":{\"include_usage\":true}", false, false)]
    public void Read_StreamOptions_IncludeUsageOnlyWhenStreaming(string extra, bool stream, bool includeUsage)
    {
        ChatCompletionRequest read = ReadOk(Body(Hello, extra));

        Assert.That((read.Stream, read.IncludeUsage), Is.EqualTo((stream, includeUsage)));
    }

    [Test]
    public void Read_Tools_KeepSchemaAsJsonText()
    {
        ChatCompletionRequest read = ReadOk(Body(Hello, """
            "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}},
                     {"type":"function","function":{"name":"noop"}}],
            "tool_choice":{"type":"function","function":{"name":"get_weather"}}
            """));

        Tool weather = read.Request.Tools[0];
        Assert.That(weather.Name, Is.EqualTo("get_weather"));
        Assert.That(weather.Description, Is.EqualTo("Weather now"));
        Assert.That(weather.ParametersJsonSchema, Is.EqualTo("""{"type":"object","properties":{"city":{"type":"string"}}}"""));
        Assert.That(read.Request.Tools[1].ParametersJsonSchema, Is.Empty);
        Assert.That(read.Request.ToolChoice.ToolName, Is.EqualTo("get_weather"));
    }

    [TestCase("none", ToolChoiceMode.None)]
    [TestCase("auto", ToolChoiceMode.Auto)]
    [TestCase("required", ToolChoiceMode.Required)]
    public void Read_ToolChoiceMode_Maps(string mode, ToolChoiceMode expected) =>
        Assert.That(ReadOk(Body(Hello, $"\"tool_choice\":\"{mode}\"")).Request.ToolChoice.Mode, Is.EqualTo(expected));

    [Test]
    public void Read_ResponseFormatText_SetsNoSchema() =>
        Assert.That(ReadOk(Body(Hello, "\"response_format\":{\"type\":\"text\"}")).Request.ResponseJsonSchema, Is.Empty);

    [Test]
    public void Read_ResponseFormatJsonObject_AsksForAnObject() =>
        Assert.That(ReadOk(Body(Hello, "\"response_format\":{\"type\":\"json_object\"}")).Request.ResponseJsonSchema, Is.EqualTo("""{"type":"object"}"""));

    [Test]
    public void Read_ResponseFormatJsonSchema_PassesTheSchemaText()
    {
        ChatCompletionRequest read = ReadOk(Body(Hello, """
            "response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,"schema":{"type":"object","required":["n"],"properties":{"n":{"type":"integer"}}}}}
            """));

        Assert.That(read.Request.ResponseJsonSchema, Is.EqualTo("""{"type":"object","required":["n"],"properties":{"n":{"type":"integer"}}}"""));
    }
}
