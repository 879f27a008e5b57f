using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.OpenAi;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>Model ids from the configuration, their effect on a request, and the GET /v1/models list.</summary>
public class ModelCatalogTests
{
    [OneTimeTearDown]
    public static void DisposeModel() => Model.Dispose();

    private static readonly RuntimeModel Model = TestModels.FromJson("""
        {
          "providers": {
            "local": { "kind": "mock", "defaultModel": "small" },
            "cloud": { "kind": "mock", "defaultModel": "big", "models": { "huge": {} } }
          },
          "routes": {
            "quality": { "targets": ["cloud/big", "local/small"] },
            "fast": { "targets": ["local/small"] }
          },
          "tasks": { "default": "fast", "errorDebugging": "quality" }
        }
        """);

    private static readonly ModelCatalog Catalog = new(Model.Options);

    [Test]
    public void Ids_ListAutoRoutesTasksThenDistinctTargets()
    {
        Assert.That(Catalog.Ids[0], Is.EqualTo("cortex/auto"));
        Assert.That(Catalog.Ids.Skip(1).Take(2), Is.EquivalentTo(new[] { "cortex/quality", "cortex/fast" }));
        Assert.That(Catalog.Ids, Does.Contain("cortex/task/error_debugging"));
        Assert.That(Catalog.Ids, Does.Contain("cortex/task/user_chat"));
        Assert.That(Catalog.Ids.Count(i => i.StartsWith("cortex/task/", StringComparison.Ordinal)), Is.EqualTo(8));
        Assert.That(Catalog.Ids.Where(i => !i.StartsWith("cortex/", StringComparison.Ordinal)), Is.EqualTo(new[] { "cloud/big", "cloud/huge", "local/small" }));
    }

    [Test]
    public void Apply_Auto_ForcesNothing()
    {
        var request = new CompleteRequest();

        Assert.That(Catalog.Apply("cortex/auto", request), Is.Null);
        Assert.That((request.Route, request.TaskType, request.Provider, request.Model), Is.EqualTo((string.Empty, TaskType.Unspecified, string.Empty, string.Empty)));
    }

    [TestCase("cortex/quality", "quality")]
    [TestCase("cortex/FAST", "fast")]
    public void Apply_Route_SetsTheConfiguredRouteName(string id, string route)
    {
        var request = new CompleteRequest();

        Assert.That(Catalog.Apply(id, request), Is.Null);
        Assert.That(request.Route, Is.EqualTo(route));
    }

    [TestCase("cortex/task/error_debugging")]
    [TestCase("cortex/task/errorDebugging")]
    [TestCase("cortex/task/TASK_TYPE_ERROR_DEBUGGING")]
    public void Apply_Task_SetsTheTaskType(string id)
    {
        var request = new CompleteRequest();

        Assert.That(Catalog.Apply(id, request), Is.Null);
        Assert.That(request.TaskType, Is.EqualTo(TaskType.ErrorDebugging));
        Assert.That(request.Route, Is.Empty);
    }

    [TestCase("cloud/big", "cloud", "big")]
    [TestCase("CLOUD/unlisted-model", "cloud", "unlisted-model")]
    [TestCase("local/org/model:7b", "local", "org/model:7b")]
    public void Apply_Target_ForcesProviderAndModel(string id, string provider, string model)
    {
        var request = new CompleteRequest();

        Assert.That(Catalog.Apply(id, request), Is.Null);
        Assert.That((request.Provider, request.Model), Is.EqualTo((provider, model)));
    }

    [TestCase("gpt-4o")]
    [TestCase("nowhere/model")]
    [TestCase("cortex/slowest")]
    [TestCase("cortex/task/dreaming")]
    [TestCase("cortex/")]
    [TestCase("cortex/task/")]
    [TestCase("cloud/")]
    [TestCase("/big")]
    public void Apply_Unknown_Is404ListingValidIds(string id)
    {
        OpenAiError? error = Catalog.Apply(id, new CompleteRequest());

        Assert.That(error, Is.Not.Null);
        Assert.That((error!.Status, error.Code, error.Param), Is.EqualTo((404, "model_not_found", "model")));
        Assert.That(error.Message, Does.Contain("cortex/auto").And.Contain("cortex/quality").And.Contain("cortex/task/error_debugging").And.Contain("cloud/big"));
    }

    [Test]
    public void Unknown_ManyIds_ListsFiftyAndCountsTheRest()
    {
        string routes = string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"r{i}\": {{ \"targets\": [\"local/m{i}\"] }}"));
        using RuntimeModel big = TestModels.FromJson($$"""
            { "providers": { "local": { "kind": "mock", "defaultModel": "m0" } }, "routes": { {{routes}} }, "tasks": { "default": "r0" } }
            """);
        var catalog = new ModelCatalog(big.Options);

        OpenAiError error = catalog.Unknown("x/" + new string('y', 10_000));

        int more = catalog.Ids.Count - ModelCatalog.MaxListedInError;
        Assert.That(error.Message, Does.Contain($"and {more} more"));
        string listed = error.Message[(error.Message.IndexOf("Valid model ids: ", StringComparison.Ordinal) + 17)..error.Message.IndexOf(", and ", StringComparison.Ordinal)];
        Assert.That(listed.Split(", "), Is.EqualTo(catalog.Ids.Take(ModelCatalog.MaxListedInError)));
        Assert.That(error.Message.Length, Is.LessThan(2000));
    }

    [Test]
    public void WriteList_IsOpenAisListShape()
    {
        using JsonDocument doc = Written.Json(w => ModelList.Write(w, Catalog, 1_650_000_000));
        JsonElement root = doc.RootElement;

        Assert.That(root.GetProperty("object").GetString(), Is.EqualTo("list"));
        JsonElement[] data = [.. root.GetProperty("data").EnumerateArray()];
        Assert.That(data.Select(d => d.GetProperty("id").GetString()), Is.EqualTo(Catalog.Ids));
        Assert.That(data.Select(d => d.GetProperty("object").GetString()), Is.All.EqualTo("model"));
        Assert.That(data.Select(d => d.GetProperty("created").GetInt64()), Is.All.EqualTo(1_650_000_000));
        Assert.That(data[0].GetProperty("owned_by").GetString(), Is.EqualTo("cortex-llmd"));
        Assert.That(data.Single(d => d.GetProperty("id").GetString() == "cloud/big").GetProperty("owned_by").GetString(), Is.EqualTo("cloud"));
    }

    [TestCase(TaskType.UserChat, "user_chat")]
    [TestCase(TaskType.ErrorDebugging, "error_debugging")]
    [TestCase(TaskType.Configuration, "configuration")]
    public void TaskIds_Of_IsSnakeCase(TaskType task, string id) => Assert.That(TaskIds.Of(task), Is.EqualTo(id));

    [Test]
    public void TaskIds_EveryTask_ParsesBackFromItsId()
    {
        foreach (TaskType task in TaskIds.All)
        {
            Assert.That(TaskIds.TryParse(TaskIds.Of(task), out TaskType parsed) && parsed == task, Is.True, task.ToString());
        }
    }

    [TestCase("unspecified")]
    [TestCase("")]
    [TestCase("TASK_TYPE_UNSPECIFIED")]
    public void TaskIds_Unspecified_IsNotATask(string text) => Assert.That(TaskIds.TryParse(text, out _), Is.False);
}
