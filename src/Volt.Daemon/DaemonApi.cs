using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Volt.Core.Errors;
using Volt.Workloads.Runtime;

namespace Volt.Daemon;

/// <summary>
/// voltd's HTTP API on the unix socket (one handler, routes by hand as the registry does):
/// <code>
/// GET  /v1/ping                              → PingResponse
/// POST /v1/containers?start=1   CreateRequest → 201 (created and started: <c>volt run -d</c> in one call)
/// POST /v1/containers/{name}/start           → 204
/// POST /v1/containers/{name}/stop?timeout=S  → 204
/// errors: ErrorResponse {code, message}; HTTP status from the exit code (404, 409, 400, 500)
/// </code>
/// </summary>
internal sealed class DaemonApi(ContainerRuntime runtime, TimeSpan defaultStopTimeout)
{
    public async Task HandleAsync(HttpContext http)
    {
        try
        {
            var parts = (http.Request.Path.Value ?? "").Trim('/').Split('/');
            var method = http.Request.Method;
            switch (parts)
            {
                case ["v1", "ping"] when method == "GET":
                    await WriteAsync(http, 200, JsonSerializer.SerializeToUtf8Bytes(
                        new PingResponse(Environment.ProcessId, typeof(DaemonApi).Assembly.GetName().Version?.ToString() ?? "", runtime.Running),
                        DaemonJson.Default.PingResponse)).ConfigureAwait(false);
                    return;
                case ["v1", "containers"] when method == "POST" && http.Request.Query["start"] == "1":
                    var request = await JsonSerializer.DeserializeAsync(http.Request.Body, DaemonJson.Default.CreateRequest, http.RequestAborted).ConfigureAwait(false)
                        ?? throw VoltException.Usage("empty create request");
                    await runtime.CreateAndStartAsync(request, http.RequestAborted).ConfigureAwait(false);
                    http.Response.StatusCode = 201;
                    return;
                case ["v1", "containers", var name, "start"] when method == "POST":
                    await runtime.StartAsync(name, http.RequestAborted).ConfigureAwait(false);
                    http.Response.StatusCode = 204;
                    return;
                case ["v1", "containers", var name, "stop"] when method == "POST":
                    var timeout = double.TryParse(http.Request.Query["timeout"], NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
                        ? TimeSpan.FromSeconds(s) : defaultStopTimeout;
                    await runtime.StopAsync(name, timeout, CancellationToken.None).ConfigureAwait(false);
                    http.Response.StatusCode = 204;
                    return;
                default:
                    throw VoltException.NotFound($"no such daemon endpoint: {method} {http.Request.Path}");
            }
        }
        catch (Exception e)
        {
            var code = e switch { VoltException v => v.Code, JsonException => ExitCode.Usage, _ => ExitCode.General };
            var status = code switch
            {
                ExitCode.NotFound => 404,
                ExitCode.AlreadyExists or ExitCode.Conflict => 409,
                ExitCode.Usage => 400,
                _ => 500,
            };
            await WriteAsync(http, status, JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse((int)code, Core.IO.RevertReport.MessageOf(e)), DaemonJson.Default.ErrorResponse))
                .ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(HttpContext http, int status, byte[] body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body).ConfigureAwait(false);
    }
}
