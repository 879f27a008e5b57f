using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Client;

[TestFixture]
public sealed class CortexSocketTests
{
    [Test]
    public void Resolve_EnvironmentVariableSet_WinsForRoot()
    {
        string path = CortexSocket.Resolve(Env(("CORTEX_LLMD_SOCKET", "/tmp/x.sock")), 0, _ => true);

        Assert.That(path, Is.EqualTo("/tmp/x.sock"));
    }

    [Test]
    public void Resolve_RootWithRuntimeDir_UsesSystemSocket()
    {
        string path = CortexSocket.Resolve(Env(("XDG_RUNTIME_DIR", "/run/user/0")), 0, _ => true);

        Assert.That(path, Is.EqualTo("/run/cortex/llmd.sock"));
    }

    [Test]
    public void Resolve_UserWithRuntimeDir_UsesRuntimeDir()
    {
        string path = CortexSocket.Resolve(Env(("XDG_RUNTIME_DIR", "/run/user/1000")), 1000, _ => false);

        Assert.That(path, Is.EqualTo("/run/user/1000/cortex/llmd.sock"));
    }

    [Test]
    public void Resolve_UserWithoutRuntimeDirButUserDirExists_UsesRunUser()
    {
        string path = CortexSocket.Resolve(Env(), 1001, dir => dir == "/run/user/1001");

        Assert.That(path, Is.EqualTo("/run/user/1001/cortex/llmd.sock"));
    }

    [Test]
    public void Resolve_UserWithNoRuntimeDirAtAll_FallsBackToSystemSocket()
    {
        string path = CortexSocket.Resolve(Env(("XDG_RUNTIME_DIR", "relative/dir")), 1001, _ => false);

        Assert.That(path, Is.EqualTo("/run/cortex/llmd.sock"));
    }

    [Test]
    public void ParseEffectiveUid_StatusText_ReturnsSecondUidField()
    {
        const string status = "Name:\tcat\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n";

        Assert.That(CortexSocket.ParseEffectiveUid(status), Is.EqualTo(0u));
    }

    [Test]
    public void ParseEffectiveUid_NoUidLine_ReturnsNull()
    {
        Assert.That(CortexSocket.ParseEffectiveUid("Name:\tcat\n"), Is.Null);
    }

    [Test]
    public void EffectiveUserId_ThisProcess_MatchesProcStatus()
    {
        string status = File.ReadAllText("/proc/self/status");
        string expected = status.Split('\n').Single(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2];

        Assert.That(CortexSocket.EffectiveUserId()?.ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(expected));
    }

    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;
}
