using System.Globalization;
using Cortex.Llmd.Bench.Mock;

namespace Cortex.Llmd.Bench;

/// <summary>
/// The side-by-side benchmark (bench/README.md): the same load directly to an OpenAI-compatible mock,
/// through cortex-llmd's gRPC socket and through Portkey's gateway; a Markdown report on stdout and in
/// bench/results/latest.md. <c>bench mock --port N</c> is the mock itself, started by the bench.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["mock", "--port", string port])
        {
            return await MockServer.RunAsync(int.Parse(port, CultureInfo.InvariantCulture));
        }

        if (args.Contains("--help"))
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        try
        {
            return await BenchRunner.RunAsync(options);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or FileNotFoundException)
        {
            // A daemon that rejects its config, a build that is missing: the message says it all.
            Console.Error.WriteLine("bench: " + e.Message);
            return 1;
        }
    }
}
