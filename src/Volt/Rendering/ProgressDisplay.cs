using Spectre.Console;

namespace Volt.Rendering;

/// <summary>
/// A Spectre progress bar on stderr for long work, fed by polling counters the engine updates (engines never
/// touch the console). Draws nothing when stderr is not a terminal or output is json/yaml.
/// </summary>
public static class ProgressDisplay
{
    public static T Run<T>(bool enabled, Palette palette, string title, Func<(long Done, long Total)> poll, Func<T> work)
    {
        if (!enabled) return work();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = AnsiSupport.Detect,
            ColorSystem = palette.Enabled ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        T result = default!;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(p =>
            {
                var task = p.AddTask(title, maxValue: 1);
                var worker = Task.Run(work);
                while (!worker.Wait(100))
                {
                    var (done, total) = poll();
                    task.MaxValue = Math.Max(1, total);
                    task.Value = Math.Min(done, task.MaxValue);
                }
                result = worker.GetAwaiter().GetResult();
                task.Value = task.MaxValue;
            });
        return result;
    }
}
