using System.Globalization;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Systemd;

/// <summary>
/// The built daemon as PID 1 of a new pid namespace. Microsoft.Extensions.Hosting.Systemd switches on
/// only under systemd: for a process that is PID 1 with NOTIFY_SOCKET set, or whose parent is named
/// systemd. A test cannot be systemd's child, so it makes the daemon PID 1 (needs root).
/// </summary>
public static class Pid1Daemon
{
    private static readonly string[] Launcher = ["unshare", "--pid", "--fork", "--mount-proc"];

    public static DaemonProcess Start(IDictionary<string, string> environment, params string[] args)
    {
        Assert.That(Environment.UserName, Is.EqualTo("root"), "a new pid namespace needs root");
        return DaemonProcess.StartWith(Launcher, environment, args);
    }

    /// <summary>
    /// Signals the daemon itself, unshare's child, which must have installed a handler for the signal:
    /// the kernel drops other signals sent to a namespace's init from outside.
    /// </summary>
    public static void Signal(DaemonProcess daemon, int signal)
    {
        int child = ChildOf(daemon.Pid);
        System.Diagnostics.Process.Start("kill", ["-" + signal.ToString(CultureInfo.InvariantCulture), child.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
    }

    private static int ChildOf(int pid)
    {
        DateTime end = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < end)
        {
            string path = $"/proc/{pid}/task/{pid}/children";
            string children = File.Exists(path) ? File.ReadAllText(path).Trim() : "";
            if (children.Length > 0)
            {
                return int.Parse(children.Split(' ')[0], CultureInfo.InvariantCulture);
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"unshare ({pid}) started no child");
    }
}
