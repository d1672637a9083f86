using System.CommandLine;
using Volt.Cli;
using Volt.Vms.Machines;

namespace Volt.Commands.Vm;

internal sealed class VmListCommand : VoltCommand
{
    public VmListCommand() : base("list", "List VMs: status, accelerator, vCPUs, memory, IP (reads state files; voltd may be down)")
    {
        Aliases.Add("ls");
        Examples = ["volt vm list", "volt vm list -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var now = ctx.Time.GetUtcNow();
        ctx.Out.List([.. ctx.Engines.VmDriver.List().Select(w => VmCommands.Row(w, ctx.Engines.VmStore, now))], VmCommands.ListColumns);
        return Task.FromResult(0);
    }
}

internal sealed class VmInspectCommand : VoltCommand
{
    public VmInspectCommand() : base("inspect", "Show a VM: config, state, accelerator and why, disk, unit, sockets, logs")
    {
        Add(VmCommands.Name);
        Examples = ["volt vm inspect web", "volt vm inspect web -o json | jq .accel"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var n = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        ctx.Out.Object(VmCommands.Inspect(ctx.Engines.VmDriver.Info(n), ctx.Engines.VmStore, ctx.Time.GetUtcNow()));
        return Task.FromResult(0);
    }
}

internal sealed class VmLogsCommand : VoltCommand
{
    private static readonly Option<bool> Qemu = new("--qemu") { Description = "QEMU's own output (stamped) instead of the guest's serial console" };
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing what arrives (Ctrl-C ends)" };

    public VmLogsCommand() : base("logs", "Print the guest's serial console log (serial.log), or QEMU's own output with --qemu")
    {
        Add(VmCommands.Name); Add(Qemu); Add(Follow);
        Examples = ["volt vm logs web", "volt vm logs -f web", "volt vm logs --qemu web"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var n = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        var file = parse.GetValue(Qemu) ? ctx.Engines.VmStore.LogFile(n) : ctx.Engines.VmStore.SerialLog(n);
        if (!File.Exists(file)) return 0;
        await using var f = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(f);
        while (!ct.IsCancellationRequested)
        {
            var text = await r.ReadToEndAsync(ct).ConfigureAwait(false);
            if (text.Length > 0) { ctx.Console.Out.Write(text); ctx.Console.Out.Flush(); }
            if (!parse.GetValue(Follow)) break;
            try { await Task.Delay(200, ct).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
        }
        return 0;
    }
}

internal sealed class VmConsoleCommand : VoltCommand
{
    public VmConsoleCommand() : base("console", "Attach to the VM's serial console (Ctrl-] detaches; the VM keeps running)")
    {
        Add(VmCommands.Name);
        Examples = ["volt vm console web"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var n = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        ctx.Console.Error.WriteLine($"Connected to {n}'s serial console; Ctrl-] detaches.");
        await VmConsole.AttachAsync(ctx.Engines.VmStore.ConsoleSocket(n), ct).ConfigureAwait(false);
        ctx.Console.Error.WriteLine();
        return 0;
    }
}

internal sealed class VmExecCommand : VoltCommand, ITrailingCommand
{
    private static readonly Argument<string[]> Command = new("COMMAND") { Description = "Command run by the guest's /bin/sh -c (one line)", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<double> Timeout = new Option<double>("--timeout") { Description = "Seconds (or a duration like 2m) to wait for the guest agent and the command", DefaultValueFactory = _ => 120 }.AcceptSeconds(0.1);

    public VmExecCommand() : base("exec", "Run a command in the guest through Volt's agent (serial marker protocol on ttyS1); exits with its code")
    {
        Add(VmCommands.Name); Add(Command); Add(Timeout);
        Examples = ["volt vm exec web -- uname -a", "volt vm exec web -- sh -c 'ip addr; df -h /'"];
    }

    public int PositionalsBeforeCommand => 1;

    /// <summary>One argument for the guest's <c>sh -c</c>: plain when safe, else in single quotes.</summary>
    internal static string ShellQuote(string a) =>
        a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var n = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        var argv = parse.GetValue(Command) ?? [];
        var line = argv.Length == 1 ? argv[0] : string.Join(' ', argv.Select(ShellQuote));
        var r = await new VmExec(ctx.Engines.VmStore).RunAsync(n, line, TimeSpan.FromSeconds(parse.GetValue(Timeout)), ct).ConfigureAwait(false);
        ctx.Console.Out.Write(r.Output); // exactly what the command printed: the agent's own newline is already gone
        return r.ExitCode;
    }
}
