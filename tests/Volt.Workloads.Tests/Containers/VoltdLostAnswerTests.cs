using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.Core.Processes;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Containers;
using Volt.Workloads.Rootfs;
using Volt.Workloads.Runtime;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary>
/// voltd dies after doing the work of <c>run -d</c> but before answering: the CLI reports what is true (the container
/// runs: exit 0), not "voltd is not answering" (exit 6). The "voltd" here is an in-process runtime behind the socket
/// that closes the connection instead of answering, as a killed voltd would.
/// </summary>
public sealed class VoltdLostAnswerTests
{
    [Fact]
    public async Task Run_detached_whose_answer_is_lost_reports_the_running_container()
    {
        using var f = new CliFixture();
        var host = new ContainerHost { Paths = f.Paths, Cgroups = CgroupDetector.Detect(f.Paths), Rootfs = new DirectoryRootfsProvider(new ProcessRunner()) };
        await using var runtime = new ContainerRuntime(host);
        Directory.CreateDirectory(Path.GetDirectoryName(f.Paths.Socket)!);
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(f.Paths.Socket));
        server.Listen(8);
        using var stop = new CancellationTokenSource();
        var serve = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await server.AcceptAsync(stop.Token);
                var request = new StringBuilder();
                var buffer = new byte[65536];
                // One request: headers, then Content-Length bytes of JSON (a bare connect, as a liveness probe, sends nothing).
                while (true)
                {
                    var n = await client.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                    if (n == 0) break;
                    request.Append(Encoding.UTF8.GetString(buffer, 0, n));
                    var text = request.ToString();
                    var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (end < 0) continue;
                    var length = int.Parse(text.Split("Content-Length: ")[1].Split("\r\n")[0]);
                    if (text.Length - end - 4 < length) continue;
                    var body = JsonNode.Parse(text[(end + 4)..])!;
                    if (body["name"] is not null)
                        await runtime.CreateAndStartAsync(new CreateRequest
                        {
                            Name = (string)body["name"]!, Image = (string)body["image"]!,
                            Command = [.. body["command"]!.AsArray().Select(c => (string)c!)],
                        });
                    break; // and close without an answer
                }
            }
        });
        var r = f.Volt("run", "-d", "--name", "lost", f.Image, "sleep", "100");
        r.Code.ShouldBe(0, r.Err);
        r.Out.Trim().ShouldBe("lost");
        new ContainerEngine(host).View("lost").Status.ShouldBe(ContainerStatus.Running);
        await runtime.StopAsync("lost", TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        try { await serve; } catch (OperationCanceledException) { }
    }
}
