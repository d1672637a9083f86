using System.Net.Sockets;
using Shouldly;
using Volt.Daemon;
using Volt.Testing;
using Xunit;

namespace Volt.Workloads.Tests.Daemon;

/// <summary>The blocking client (<c>DaemonClient(…, blocking: true)</c>) against a socket that accepts and never answers.</summary>
public sealed class DaemonClientBlockingTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Socket _silent = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public DaemonClientBlockingTests()
    {
        _silent.Bind(new UnixDomainSocketEndPoint(_dir.Combine("silent.sock")));
        _silent.Listen(8);
    }

    public void Dispose()
    {
        _silent.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_cancelled_call_ends_its_blocked_receive_and_throws_OperationCanceled()
    {
        using var client = new DaemonClient(_dir.Combine("silent.sock"), blocking: true);
        using var cts = new CancellationTokenSource();
        var call = Task.Run(() => client.StartWorkloadAsync("service", "web", cts.Token));
        using var accepted = await _silent.AcceptAsync(); // the request is on its way: the call is in its receive now
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task A_call_cancelled_before_its_request_went_out_throws_OperationCanceled_not_a_daemon_error()
    {
        using var client = new DaemonClient(_dir.Combine("silent.sock"), blocking: true);
        (await client.IsListeningAsync()).ShouldBeTrue(); // connected: the call reuses it and goes straight to its send
        using var accepted = await _silent.AcceptAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync(); // the shutdown comes first, so the send itself fails
        await Should.ThrowAsync<OperationCanceledException>(() => client.StartWorkloadAsync("service", "web", cts.Token));
    }

    [Fact]
    public async Task A_ping_that_gets_no_answer_gives_up_as_the_asynchronous_client_does()
    {
        using var client = new DaemonClient(_dir.Combine("silent.sock"), blocking: true);
        var ping = Task.Run(() => client.TryPingAsync());
        using var accepted = await _silent.AcceptAsync();
        (await ping).ShouldBeNull(); // its own two-second deadline, not a hang
    }

    [Fact]
    public async Task A_socket_nobody_listens_on_is_not_listening()
    {
        _silent.Dispose();
        using var client = new DaemonClient(_dir.Combine("silent.sock"), blocking: true);
        (await client.IsListeningAsync()).ShouldBeFalse();
    }
}
