using Cortex.Llm.V1;
using Cortex.Llmd.Access;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Services;
using Cortex.Llmd.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Tests.Access;

/// <summary>The gRPC door's access check and visibility narrowing, with callers of chosen identity.</summary>
public class AccessDoorTests
{
    private const string Router = "/cortex.llm.v1.Router/";
    private const uint AdminGid = 2000;

    private static readonly CallerInfo Member = new(1000, 100, 1, "client", string.Empty);
    private static readonly CallerInfo Admin = new(1001, 100, 2, "client", string.Empty) { Groups = [AdminGid] };

    private ManualTimeProvider _time = null!;
    private RecordingLogger _log = null!;
    private CallerRateLimiter _limiter = null!;
    private AccessOptions _options = new();

    [SetUp]
    public void Create()
    {
        _time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        _log = new RecordingLogger();
        _limiter = new CallerRateLimiter(_time);
        _options = new AccessOptions { RateLimit = new RateLimitOptions { RequestsPerSecond = 2, Burst = 2 } };
    }

    [TearDown]
    public void Dispose() => _limiter.Dispose();

    private AccessPolicySource Policies() => new(() => _options, new Groups(), 990);

    private AccessInterceptor Door()
    {
        var throttle = new CallerLogThrottle(_time, TimeSpan.FromMinutes(1));
        // One source, as the daemon's container has: the interceptor and the admission judge by the same policy.
        AccessPolicySource policies = Policies();
        return new(policies, new CallerAdmission(policies, _limiter, throttle, _log), throttle, _log);
    }

    [Test]
    public void Admit_NonAdminResetStats_PermissionDeniedNamingTheRule()
    {
        var ex = Assert.Throws<RpcException>(() => Door().Admit(Router + "ResetStats", Member));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
        Assert.That(ex.Status.Detail, Does.StartWith("ResetStats needs an admin: root, the daemon's own uid, a uid in access.adminUids (none), or a member of access.adminGroups (cortex-admin)"));
    }

    [Test]
    public void Admit_AdminResetStats_Passes()
    {
        Assert.DoesNotThrow(() => Door().Admit(Router + "ResetStats", Admin));
    }

    [Test]
    public void Admit_NonAdminReadCalls_Pass()
    {
        AccessInterceptor door = Door();
        _options = _options with { RateLimit = new RateLimitOptions { RequestsPerSecond = 0 } };

        foreach (string method in new[] { "Complete", "StreamComplete", "Route", "GetStats", "ListProviders", "WatchEvents" })
        {
            Assert.DoesNotThrow(() => door.Admit(Router + method, Member), method);
        }
    }

    [Test]
    public void Admit_OverTheRate_ResourceExhaustedWithRetryTrailerAndOneLogLine()
    {
        AccessInterceptor door = Door();
        door.Admit(Router + "Complete", Member);
        door.Admit(Router + "Route", Member);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        var ex = Assert.Throws<RpcException>(() => door.Admit(Router + "Complete", Member));
        for (int i = 0; i < 50; i++)
        {
            Assert.Throws<RpcException>(() => door.Admit(Router + "GetStats", Member));
        }

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(ex.Status.Detail, Is.EqualTo("rate limit: uid 1000 may make 2 calls per second (burst 2, access.rateLimit); retry in 400 ms"));
        Assert.That(ex.Trailers.GetValue(RouterErrorMapping.RetryAfterTrailer), Is.EqualTo("400"));
        Assert.That(_log.Lines, Has.Count.EqualTo(1));
        Assert.That(_log.Lines[0], Does.Contain("uid=1000").And.Contain("exceeded 2 requests/s"));
    }

    [Test]
    public void Admit_HealthAndReflection_AreNeverLimited()
    {
        AccessInterceptor door = Door();
        for (int i = 0; i < 100; i++)
        {
            door.Admit("/grpc.health.v1.Health/Check", Member);
            door.Admit("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Member);
        }

        Assert.DoesNotThrow(() => door.Admit(Router + "Complete", Member));
    }

    [Test]
    public void Admit_RootFlood_IsNotLimited()
    {
        AccessInterceptor door = Door();
        CallerInfo root = Member with { Uid = 0 };

        Assert.DoesNotThrow(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                door.Admit(Router + "Complete", root);
            }
        });
    }

    [Test]
    public void Admit_RepeatedRefusedAdminCalls_LogOnce()
    {
        _options = _options with { RateLimit = new RateLimitOptions { RequestsPerSecond = 0 } };
        AccessInterceptor door = Door();
        for (int i = 0; i < 20; i++)
        {
            Assert.Throws<RpcException>(() => door.Admit(Router + "ResetStats", Member));
        }

        Assert.That(_log.Lines, Has.Count.EqualTo(1));
        Assert.That(_log.Lines[0], Does.Contain("Refused ResetStats to uid=1000"));
    }

    [Test]
    public void NarrowStats_NonAdminAskingForOthersRepeatedly_PermissionDeniedAndOneLogLine()
    {
        AccessInterceptor door = Door();
        var request = new GetStatsRequest { Filter = new StatsFilter { CallerUid = 0 } };
        for (int i = 0; i < 10; i++)
        {
            var ex = Assert.Throws<RpcException>(() => door.NarrowStats(request, Member));
            Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
        }

        Assert.That(_log.Lines, Has.Count.EqualTo(1));
        Assert.That(_log.Lines[0], Does.Contain("Refused GetStats to uid=1000").And.Contain("another caller's statistics"));
    }

    [Test]
    public void NarrowStats_NonAdmin_AddsItsOwnUid()
    {
        Assert.That(Door().NarrowStats(new GetStatsRequest(), Member).Filter.CallerUid, Is.EqualTo(1000u));
    }

    [Test]
    public void Narrow_NonAdmin_FiltersToItsOwnUidKeepingTheRest()
    {
        var request = new GetStatsRequest { GroupBy = GroupBy.Provider, Filter = new StatsFilter { Provider = "p" } };

        GetStatsRequest narrowed = ActivityVisibility.Narrow(request, Policies().Current, Member);

        Assert.That(narrowed.Filter.CallerUid, Is.EqualTo(1000u));
        Assert.That(narrowed.Filter.Provider, Is.EqualTo("p"));
        Assert.That(narrowed.GroupBy, Is.EqualTo(GroupBy.Provider));
        Assert.That(request.Filter.CallerUid, Is.Null, "the caller's request object is left alone");
    }

    [Test]
    public void Narrow_NonAdminAskingForItsOwnUid_IsAllowed()
    {
        var request = new GetStatsRequest { Filter = new StatsFilter { CallerUid = 1000 } };

        Assert.That(ActivityVisibility.Narrow(request, Policies().Current, Member).Filter.CallerUid, Is.EqualTo(1000u));
    }

    [Test]
    public void Narrow_NonAdminAskingForAnotherUid_IsPermissionDenied()
    {
        var request = new GetStatsRequest { Filter = new StatsFilter { CallerUid = 1001 } };

        var ex = Assert.Throws<RouterException>(() => ActivityVisibility.Narrow(request, Policies().Current, Member));

        Assert.That(ex!.Code, Is.EqualTo(RouterErrorCode.PermissionDenied));
        Assert.That(ex.Message, Does.StartWith("uid 1000 asked for uid 1001's statistics: callers that are not admins"));
        Assert.That(RouterErrorMapping.StatusOf(ex.Code), Is.EqualTo(StatusCode.PermissionDenied));
    }

    [Test]
    public void Narrow_Admin_LeavesTheRequestAsIs()
    {
        var request = new GetStatsRequest { Filter = new StatsFilter { CallerUid = 1000 } };

        Assert.That(ActivityVisibility.Narrow(request, Policies().Current, Admin), Is.SameAs(request));
    }

    [Test]
    public void CanSee_NonAdminScope_HidesOtherCallersRequestsOnly()
    {
        ActivityScope scope = ActivityScope.OnlyUid(1000);

        Assert.That(ActivityVisibility.CanSee(scope, Finished(1000)), Is.True);
        Assert.That(ActivityVisibility.CanSee(scope, Finished(1001)), Is.False);
        Assert.That(ActivityVisibility.CanSee(scope, new Event { RequestFinished = new RequestFinished() }), Is.False, "a request of unknown caller");
        Assert.That(ActivityVisibility.CanSee(scope, new Event { StatsReset = new StatsReset() }), Is.True);
        Assert.That(ActivityVisibility.CanSee(scope, new Event { ProviderStateChanged = new ProviderStateChanged() }), Is.True);
    }

    [Test]
    public async Task Subscribe_WithVisibility_OtherCallersEventsNeverFillTheBuffer()
    {
        var hub = new Cortex.Llmd.Events.EventHub(_time);
        using Cortex.Llmd.Events.EventSubscription subscription = hub.Subscribe([], capacity: 2, visible: e => ActivityVisibility.CanSee(ActivityScope.OnlyUid(1000), e));
        for (int i = 0; i < 10; i++)
        {
            hub.Publish(Finished(1001));
        }

        hub.Publish(Finished(1000));
        Event first = await subscription.ReadAsync(CancellationToken.None);

        Assert.That(first.RequestFinished.Caller.Uid, Is.EqualTo(1000u));
        Assert.That(first.DroppedBefore, Is.Zero);
    }

    private static Event Finished(uint uid) => new() { RequestFinished = new RequestFinished { Caller = new Caller { Uid = uid } } };

    private sealed class Groups : IGroupDatabase
    {
        public uint? GidOf(string group) => group == "cortex-admin" ? AdminGid : null;
    }

    private sealed class RecordingLogger : ILogger<AccessInterceptor>, ILogger<CallerAdmission>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
