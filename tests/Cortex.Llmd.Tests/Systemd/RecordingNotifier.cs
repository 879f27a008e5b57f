using Microsoft.Extensions.Hosting.Systemd;

namespace Cortex.Llmd.Tests.Systemd;

/// <summary>Stands in for systemd's notify socket in-process: records every state as the datagram text.</summary>
public sealed class RecordingNotifier : ISystemdNotifier
{
    private readonly List<string> _sent = [];

    public bool IsEnabled => true;

    public IReadOnlyList<string> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public int Pings => Sent.Count(m => m == "WATCHDOG=1");

    /// <summary>Runs on every message, after it was recorded.</summary>
    public Action<string>? OnNotify { get; set; }

    public void Notify(ServiceState state)
    {
        string text = state.ToString();
        lock (_sent)
        {
            _sent.Add(text);
        }

        OnNotify?.Invoke(text);
    }
}
