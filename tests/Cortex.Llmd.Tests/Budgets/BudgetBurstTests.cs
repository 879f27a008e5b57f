using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Cortex.Llmd.Budgets;
using Cortex.Llmd.Tests.Ledger;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Cortex.Llmd.Tests.Budgets;

/// <summary>
/// Bursts against a budget when the provider bills far more input than the prompt's length suggests
/// (issue #10: 40 calls overshot a $0.01 budget by $0.0105 when input was estimated at 4 characters a token).
/// "cloud/m" costs $0.001 a token; the prompt is 8 bytes with max_tokens 1, so its input bound is
/// 8 + 8 (message) + 8 (request) = 24 tokens and each call reserves 25 tokens, $0.025.
/// </summary>
public class BudgetBurstTests
{
    private const long Reservation = 25_000_000;

    private static string Config(string daily, long inputTokens, string latency) => $$"""
        {
          "logging": { "level": "warning" },
          "providers": {
            "cloud": { "kind": "mock", "latency": "{{latency}}", "usage": { "inputTokens": {{inputTokens}}, "outputTokens": 1 },
                       "models": { "m": { "price": { "input": "1000", "output": "1000" } } } }
          },
          "routes": { "main": { "targets": ["cloud/m"] } },
          "tasks": { "default": "main" },
          "health": { "probes": { "enabled": false } },
          "budgets": [ { "name": "burst", "scope": "global", "daily": "{{daily}}" } ]
        }
        """;

    private static CompleteRequest Ask() => new() { Messages = { new Message { Role = Role.User, Content = "12345678" } }, MaxTokens = 1 };

    [Test]
    public async Task Complete_BurstOf40ProviderBillsTheWholeInputBound_SpendStaysWithinLimitPlusOneReservation()
    {
        // 24 input tokens billed for 8 characters: 12 times the 4-characters-a-token estimate, and the most
        // a byte-level tokenizer can bill. The limit is 9.5 reservations, so the 10th call is the one in flight
        // that may overshoot it; an 11th must never start.
        const long limit = 237_500_000;
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(Config("0.2375", 24, "300ms"));
        using var client = new CortexLlmClient(daemon.SocketPath);

        Task<CompleteResponse>[] burst = [.. Enumerable.Range(0, 40).Select(_ => client.CompleteAsync(Ask()))];
        await Task.WhenAll(burst).ContinueWith(_ => { }, TaskScheduler.Default);

        CompleteResponse[] answered = [.. burst.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)];
        Assert.That(burst.Where(t => t.IsFaulted).Select(t => ((RpcException)t.Exception!.InnerException!).StatusCode),
            Is.All.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(answered.Select(a => a.Cost.NanoUsd), Is.All.EqualTo(Reservation), "the premise: each call is billed its whole reservation");
        long spent = answered.Sum(a => a.Cost.NanoUsd);
        Assert.That(spent, Is.LessThanOrEqualTo(limit + Reservation), "the guarantee: the limit plus at most one reservation");
        Assert.That(answered, Has.Length.EqualTo(10));
        Assert.That(daemon.App.Services.GetRequiredService<BudgetGuard>().Book.Spent(SpendKeys.Global, BudgetPeriod.Daily), Is.EqualTo(spent));
    }

    [Test]
    public async Task Complete_StreamReportsInputFarBeyondItsBound_RequestsAdmittedAfterTheReportSeeIt()
    {
        // A provider that bills 100,000 input tokens for 8 bytes breaks any bound. What still holds: once it
        // reports its input (Anthropic's message_start), the reservation is raised before the answer ends.
        await using TestDaemon daemon = await TestDaemon.StartFromJsonAsync(Config("1", 100_000, "2s"));
        using var client = new CortexLlmClient(daemon.SocketPath);
        SpendBook book = daemon.App.Services.GetRequiredService<BudgetGuard>().Book;

        Task<CompleteResponse> first = client.CompleteAsync(Ask());
        await LedgerTestData.WaitUntilAsync(() => book.Reserved(SpendKeys.Global) > Reservation, "the reported input raising the reservation", 10_000);
        Task<CompleteResponse>[] burst = [.. Enumerable.Range(0, 39).Select(_ => client.CompleteAsync(Ask()))];
        await Task.WhenAll(burst).ContinueWith(_ => { }, TaskScheduler.Default);
        CompleteResponse answer = await first;

        Assert.That(book.Reserved(SpendKeys.Global), Is.Zero);
        Assert.That(burst.Select(t => t.IsFaulted ? ((RpcException)t.Exception!.InnerException!).StatusCode : StatusCode.OK),
            Is.All.EqualTo(StatusCode.ResourceExhausted), "with 25 tokens reserved each, all 39 would have fitted in $1");
        Assert.That(answer.Cost.NanoUsd, Is.EqualTo(100_001_000_000));
        Assert.That(book.Spent(SpendKeys.Global, BudgetPeriod.Daily), Is.EqualTo(answer.Cost.NanoUsd));
    }
}
