using Cortex.Llmd.Access;
using Cortex.Llmd.Callers;

namespace Cortex.Llmd.Tests.Access;

public class AccessPolicyTests
{
    private const uint DaemonUid = 990;
    private const uint AdminGid = 2000;

    private static readonly FakeGroups Groups = new(new Dictionary<string, uint> { ["cortex-admin"] = AdminGid, ["ops"] = 2001 });

    private static CallerInfo Caller(uint uid, uint gid = 100, params uint[] groups) =>
        new(uid, gid, 4242, "client", string.Empty) { Groups = groups };

    private static AccessPolicy Policy(AccessOptions? options = null) => new(options ?? new AccessOptions(), Groups, DaemonUid);

    [Test]
    public void IsAdmin_Root_IsAlwaysAdmin()
    {
        Assert.That(Policy(new AccessOptions { AdminGroups = [] }).IsAdmin(Caller(0)), Is.True);
    }

    [Test]
    public void IsAdmin_TheDaemonsOwnUid_IsAdmin()
    {
        Assert.That(Policy().IsAdmin(Caller(DaemonUid)), Is.True);
    }

    [Test]
    public void IsAdmin_ListedUid_IsAdmin()
    {
        AccessPolicy policy = Policy(new AccessOptions { AdminUids = [1000] });

        Assert.That(policy.IsAdmin(Caller(1000)), Is.True);
        Assert.That(policy.IsAdmin(Caller(1001)), Is.False);
    }

    [Test]
    public void IsAdmin_SupplementaryMemberOfTheDefaultGroup_IsAdmin()
    {
        Assert.That(Policy().IsAdmin(Caller(1000, 100, 27, AdminGid)), Is.True);
    }

    [Test]
    public void IsAdmin_PrimaryGroupIsTheAdminGroup_IsAdmin()
    {
        Assert.That(Policy().IsAdmin(Caller(1000, AdminGid)), Is.True);
    }

    [Test]
    public void IsAdmin_MemberOfOtherGroupsOnly_IsNotAdmin()
    {
        Assert.That(Policy().IsAdmin(Caller(1000, 100, 27, 2001)), Is.False);
    }

    [Test]
    public void IsAdmin_GroupsListedInConfig_ReplaceTheDefault()
    {
        AccessPolicy policy = Policy(new AccessOptions { AdminGroups = ["ops"], AdminGroupsConfigured = true });

        Assert.That(policy.IsAdmin(Caller(1000, 100, 2001)), Is.True);
        Assert.That(policy.IsAdmin(Caller(1000, 100, AdminGid)), Is.False);
    }

    [Test]
    public void IsAdmin_UnknownIdentity_IsNeverAdmin()
    {
        Assert.That(Policy(new AccessOptions { AdminUids = [0] }).IsAdmin(CallerInfo.Unknown), Is.False);
    }

    [Test]
    public void Constructor_GroupThatDoesNotExist_IsReportedAndMakesNobodyAdmin()
    {
        AccessPolicy policy = Policy(new AccessOptions { AdminGroups = ["ghosts", "ops"] });

        Assert.That(policy.MissingGroups, Is.EqualTo(new[] { "ghosts" }));
        Assert.That(policy.IsAdmin(Caller(1000, 100, 2001)), Is.True);
    }

    [Test]
    public void RefuseAdmin_NonAdmin_NamesTheRuleAndTheCaller()
    {
        string? refusal = Policy(new AccessOptions { AdminUids = [1000, 1002] }).RefuseAdmin(Caller(1001), "ResetStats");

        Assert.That(refusal, Is.EqualTo(
            "ResetStats needs an admin: root, the daemon's own uid, a uid in access.adminUids (1000, 1002), or a member of access.adminGroups (cortex-admin); the caller is uid 1001"));
    }

    [Test]
    public void RefuseAdmin_Admin_ReturnsNull()
    {
        Assert.That(Policy().RefuseAdmin(Caller(0), "ResetStats"), Is.Null);
    }

    [Test]
    public void ScopeFor_NonAdmin_SeesOnlyItsOwnUid()
    {
        ActivityScope scope = Policy().ScopeFor(Caller(1000));

        Assert.That(scope, Is.EqualTo(ActivityScope.OnlyUid(1000)));
        Assert.That(scope.CanSee(1000), Is.True);
        Assert.That(scope.CanSee(1001), Is.False);
        Assert.That(scope.CanSee(null), Is.False);
    }

    [Test]
    public void ScopeFor_Admin_SeesEveryone()
    {
        Assert.That(Policy().ScopeFor(Caller(1000, AdminGid)), Is.EqualTo(ActivityScope.Everyone));
    }

    [Test]
    public void ScopeFor_ShareActivity_LetsNonAdminsSeeEveryone()
    {
        Assert.That(Policy(new AccessOptions { ShareActivity = true }).ScopeFor(Caller(1000)).CanSee(1001), Is.True);
    }

    [Test]
    public void ScopeFor_UnknownIdentity_SeesNoRequests()
    {
        ActivityScope scope = Policy().ScopeFor(CallerInfo.Unknown);

        Assert.That(scope.CanSee(null), Is.False);
        Assert.That(scope.CanSee(1000), Is.False);
    }

    [TestCase(0u, false)]
    [TestCase(DaemonUid, false)]
    [TestCase(1000u, true)]
    public void IsRateLimited_OnlyCallersOtherThanTheOwners_AreLimited(uint uid, bool limited)
    {
        Assert.That(Policy().IsRateLimited(Caller(uid)), Is.EqualTo(limited));
    }

    [Test]
    public void IsRateLimited_UnknownIdentity_IsLimited()
    {
        Assert.That(Policy().IsRateLimited(CallerInfo.Unknown), Is.True);
    }

    [Test]
    public void Current_OptionsReplacedByAReload_BuildsANewPolicyOnce()
    {
        var options = new AccessOptions();
        int built = 0;
        var source = new AccessPolicySource(() => options, Groups, DaemonUid, _ => built++);

        AccessPolicy first = source.Current;
        Assert.That(source.Current, Is.SameAs(first));
        options = new AccessOptions { AdminUids = [1000] };

        Assert.That(source.Current.IsAdmin(Caller(1000)), Is.True);
        Assert.That(built, Is.EqualTo(2));
    }

    [Test]
    public void GidOf_GroupFile_FindsTheGroupsGidOrNull()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "root:x:0:\ncortex:x:995:cortex-llmd\ncortex-admin:x:994:alice,bob\n");
            var file = new GroupFile(path);

            Assert.That(file.GidOf("cortex-admin"), Is.EqualTo(994u));
            Assert.That(file.GidOf("cortex"), Is.EqualTo(995u));
            Assert.That(file.GidOf("cortex-adm"), Is.Null);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class FakeGroups(Dictionary<string, uint> groups) : IGroupDatabase
    {
        public uint? GidOf(string group) => groups.TryGetValue(group, out uint gid) ? gid : null;
    }
}
