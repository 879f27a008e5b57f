namespace Cortex.Llmd.Model;

/// <summary>A provider and a model: the unit routing chooses and attempts.</summary>
public sealed record TargetRef(string Provider, string Model)
{
    public override string ToString() => Provider + "/" + Model;
}
