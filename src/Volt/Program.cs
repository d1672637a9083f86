return Volt.Cli.VoltApp.RunProcess(args);
