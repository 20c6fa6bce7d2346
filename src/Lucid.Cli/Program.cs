using Lucid.Cli;

return await ToolTable.RunAsync(args);
