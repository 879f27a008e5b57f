namespace Cortex.Llmd.Tests.Interop;

/// <summary>The checkout the tests run from: the folder holding cortex-llmd.slnx, found from the test binaries up.</summary>
internal static class RepositoryRoot
{
    public const string MarkerFile = "cortex-llmd.slnx";

    public static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, MarkerFile)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} contains {MarkerFile}.");
    }
}
