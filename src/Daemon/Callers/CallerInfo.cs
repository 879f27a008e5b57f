using Cortex.Llm.V1;

namespace Cortex.Llmd.Callers;

/// <summary>Who called: the peer credentials of the Unix socket, plus what /proc says about the process.</summary>
public sealed record CallerInfo(uint? Uid, uint? Gid, uint? Pid, string ProcessName, string Unit)
{
    public static readonly CallerInfo Unknown = new(null, null, null, string.Empty, string.Empty);

    /// <summary>The caller's supplementary groups as the kernel recorded them at connect (SO_PEERGROUPS).</summary>
    public IReadOnlyList<uint> Groups { get; init; } = [];

    /// <summary>True when the caller's primary or a supplementary group is <paramref name="gid"/>.</summary>
    public bool IsInGroup(uint gid) => Gid == gid || Groups.Contains(gid);

    public Caller ToProto() => new() { Uid = Uid, Gid = Gid, Pid = Pid, ProcessName = ProcessName, Unit = Unit };

    public override string ToString() =>
        Uid is null ? "unknown" : $"uid={Uid} pid={Pid} {(ProcessName.Length > 0 ? ProcessName : "?")}{(Unit.Length > 0 ? " (" + Unit + ")" : string.Empty)}";
}
