using Keyward.Cli;

return await KeywardCommandLine.RunAsync(args);
