using System.CommandLine;
using System.Diagnostics;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Workloads.Model;
using Volt.Workloads.Services;

namespace Volt.Commands.Service;

internal sealed class ServiceEditCommand : VoltCommand
{
    public ServiceEditCommand() : base("edit", "Edit a service's unit in $EDITOR (default vi); on save it is validated, reloaded, and restarted if it was running")
    {
        Add(ServiceCommands.Name);
        Examples =
        [
            "volt service edit web",
            "EDITOR=nano volt service edit volt-gitops   # change --port in ExecStart=",
        ];
    }

    public override string AuditAction => "service.edit";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = ServiceCommands.Existing(ctx, parse);
        var store = ctx.Engines.ServiceStore;
        var original = await File.ReadAllTextAsync(store.UnitFile(name), ct).ConfigureAwait(false);
        var dir = Directory.CreateTempSubdirectory("volt-edit-");
        try
        {
            // The copy keeps the unit's name: the editor's syntax highlighting and the parser's section rules use the suffix.
            var copy = Path.Combine(dir.FullName, ServiceName.UnitName(name));
            await File.WriteAllTextAsync(copy, original, ct).ConfigureAwait(false);
            await RunEditorAsync(ctx, copy, ct).ConfigureAwait(false);
            var edited = await File.ReadAllTextAsync(copy, ct).ConfigureAwait(false);
            if (edited == original)
            {
                ctx.Out.Line($"{name}: unchanged");
                return 0;
            }
            try { ServiceEngine.Validate(edited, store.UnitFile(name)); }
            catch (VoltException e)
            {
                throw new VoltException(e.Code, $"edit refused, {store.UnitFile(name)} kept as it was (and the service as it runs): {e.Message}", e);
            }
            var wasActive = ctx.Engines.ServiceDriver.Info(name).Status.IsActive();
            ctx.Engines.Services.Replace(name, edited);
            var supervisor = await ctx.Engines.ServiceSupervisorAsync(ct, oneAtATime: true).ConfigureAwait(false);
            await supervisor.ReloadAsync(ct).ConfigureAwait(false);
            if (wasActive) await supervisor.RestartAsync(WorkloadKind.Service, name, ct).ConfigureAwait(false);
            ctx.Out.Line(wasActive ? $"{name}: unit replaced, service restarted" : $"{name}: unit replaced");
            return 0;
        }
        finally { dir.Delete(recursive: true); }
    }

    /// <summary>$VISUAL, else $EDITOR, else vi, on the terminal; the editor's command line may carry arguments (<c>code -w</c>).</summary>
    private static async Task RunEditorAsync(VoltContext ctx, string file, CancellationToken ct)
    {
        var editor = ctx.Env["VISUAL"] is { Length: > 0 } v ? v : ctx.Env["EDITOR"] is { Length: > 0 } e ? e : "vi";
        // On the terminal: every stream is ours.
        using var p = Core.Processes.ProcessLauncher.Start(new Core.Processes.ProcessSpec("/bin/sh", ["-c", editor + " \"$1\"", "volt-edit", file]));
        var code = await p.WaitForExitAsync(ct).ConfigureAwait(false);
        if (code != 0)
            throw new VoltException(ExitCode.General, $"editor \"{editor}\" exited with code {code}; the unit was not changed");
    }
}
