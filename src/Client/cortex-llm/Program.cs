using Cortex.Llm.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error, Console.In);
