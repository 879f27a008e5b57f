using System.Collections;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Hosting;
using Cortex.Llmd.Providers;
using Microsoft.Extensions.Hosting;

namespace Cortex.Llmd.Tests.Support;

/// <summary>A daemon running in this test process on a private temporary socket.</summary>
public sealed class TestDaemon : IAsyncDisposable
{
    private TestDaemon(string directory, string socketPath, IHost app, DaemonOptions options)
    {
        Directory = directory;
        SocketPath = socketPath;
        App = app;
        Options = options;
    }

    public string Directory { get; }

    public string SocketPath { get; }

    public IHost App { get; }

    public DaemonOptions Options { get; }

    /// <summary>The config the interop and functional tests share (Support/test-config.json).</summary>
    public static string TestConfigPath => Path.Combine(AppContext.BaseDirectory, "Support", "test-config.json");

    /// <summary>The bundled offline config, as shipped.</summary>
    public static string OfflineConfigPath => Path.Combine(AppContext.BaseDirectory, "config", "offline.json");

    public static Task<TestDaemon> StartAsync(DaemonAppSettings? settings = null) => StartFromFileAsync(TestConfigPath, settings);

    public static async Task<TestDaemon> StartFromJsonAsync(string json, DaemonAppSettings? settings = null)
    {
        string directory = TempDirectory.Create();
        string path = Path.Combine(directory, "config.json");
        await File.WriteAllTextAsync(path, json);
        return await StartInAsync(directory, path, settings);
    }

    public static Task<TestDaemon> StartFromFileAsync(string configPath, DaemonAppSettings? settings = null) =>
        StartInAsync(TempDirectory.Create(), configPath, settings);

    private static async Task<TestDaemon> StartInAsync(string directory, string configPath, DaemonAppSettings? settings)
    {
        string socketPath = Path.Combine(directory, "llmd.sock");
        DaemonOptions options = DaemonConfig.Load(configPath, new Hashtable(), socketPath, ProviderFactoryRegistry.CreateDefault());
        settings ??= new DaemonAppSettings { ConfigureLogging = logging => { } };
        settings = settings with { LedgerPath = settings.LedgerPath ?? Path.Combine(directory, "ledger.db") };
        IHost app = DaemonApp.Build(options, socketPath, settings);
        await DaemonApp.StartAsync(app);
        return new TestDaemon(directory, socketPath, app, options);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        App.Dispose();
        TempDirectory.Delete(Directory);
    }
}

public static class TempDirectory
{
    /// <summary>Short paths: a Unix socket path must fit in 108 bytes.</summary>
    public static string Create()
    {
        string path = Path.Combine("/tmp", "cllmd-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
