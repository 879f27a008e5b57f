using Cortex.Llmd.Systemd;

namespace Cortex.Llmd.Tests.Systemd;

public class SystemdDetectionTests
{
    private static SystemdProcessInfo Process(Dictionary<string, string> environment, int pid, string? parentComm, int ppid = 77) =>
        new(name => environment.GetValueOrDefault(name), pid, ppid, path => path == $"/proc/{ppid}/comm" ? parentComm : null);

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(new Dictionary<string, string> { ["SYSTEMD_EXEC_PID"] = "42" }, 42, "bash\n", true).SetName("ExecPidIsOurs_True");
        yield return new TestCaseData(new Dictionary<string, string> { ["SYSTEMD_EXEC_PID"] = "41" }, 42, "bash\n", false).SetName("ExecPidIsAnother_FalseWhenParentIsNotSystemd");
        yield return new TestCaseData(new Dictionary<string, string> { ["SYSTEMD_EXEC_PID"] = "41" }, 42, "systemd\n", true).SetName("ExecPidIsAnother_ParentSystemd_True");
        yield return new TestCaseData(new Dictionary<string, string> { ["SYSTEMD_EXEC_PID"] = "x" }, 42, "bash\n", false).SetName("ExecPidGarbage_False");
        yield return new TestCaseData(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "/run/systemd/notify" }, 1, null, true).SetName("Pid1WithNotifySocket_True");
        yield return new TestCaseData(new Dictionary<string, string> { ["LISTEN_PID"] = "1" }, 1, null, true).SetName("Pid1WithListenPid_True");
        yield return new TestCaseData(new Dictionary<string, string>(), 1, "systemd\n", false).SetName("Pid1WithoutVariables_FalseEvenIfParentLooksLikeSystemd");
        yield return new TestCaseData(new Dictionary<string, string>(), 42, "systemd\n", true).SetName("ParentCommSystemd_True");
        yield return new TestCaseData(new Dictionary<string, string>(), 42, "systemd-run\n", false).SetName("ParentCommOtherName_False");
        yield return new TestCaseData(new Dictionary<string, string>(), 42, null, false).SetName("ParentCommUnreadable_False");
        yield return new TestCaseData(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "/run/systemd/notify" }, 42, "bash\n", false).SetName("NotifySocketAloneNotPid1_False");
    }

    [TestCaseSource(nameof(Cases))]
    public void IsSystemdService_Table(Dictionary<string, string> environment, int pid, string? parentComm, bool expected) =>
        Assert.That(SystemdDetection.IsSystemdService(Process(environment, pid, parentComm)), Is.EqualTo(expected));

    [Test]
    public void UseJournaldFormat_JournalStreamSetOutsideSystemd_True() =>
        Assert.That(SystemdDetection.UseJournaldFormat(Process(new() { ["JOURNAL_STREAM"] = "8:1234" }, 42, "bash\n")), Is.True);

    [Test]
    public void UseJournaldFormat_PlainTerminal_False() =>
        Assert.That(SystemdDetection.UseJournaldFormat(Process(new(), 42, "bash\n")), Is.False);
}
