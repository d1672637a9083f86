using System.Net.Sockets;
using Shouldly;
using Volt.Core.IO;
using Volt.Testing;
using Xunit;

namespace Volt.Core.Tests.IO;

public sealed class LocalSocketTests
{
    private static Socket Listen(string path)
    {
        var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.Listen(4);
        return server;
    }

    [Fact]
    public void Connect_ToAMissingPath_IsAddressNotAvailable_AsDotNetSocketsSayIt()
    {
        using var dir = new TempDir();
        var e = Should.Throw<SocketException>(() => LocalSocket.Connect(dir.Combine("absent.sock")));
        e.SocketErrorCode.ShouldBe(SocketError.AddressNotAvailable);
        var dotnet = Should.Throw<SocketException>(() =>
        {
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Connect(new UnixDomainSocketEndPoint(dir.Combine("absent.sock")));
        });
        dotnet.SocketErrorCode.ShouldBe(e.SocketErrorCode);
    }

    [Fact]
    public void Connect_ToASocketFileNobodyListensOn_IsConnectionRefused()
    {
        using var dir = new TempDir();
        var path = dir.Combine("stale.sock");
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path)); // the socket file is there, nothing listens (a voltd that died)
        Should.Throw<SocketException>(() => LocalSocket.Connect(path)).SocketErrorCode.ShouldBe(SocketError.ConnectionRefused);
    }

    [Fact]
    public void SendAllAndReceive_ExchangeBytesWithAListener_ReceiveIsZeroAtItsClose()
    {
        using var dir = new TempDir();
        var path = dir.Combine("echo.sock");
        using var server = Listen(path);
        using var client = LocalSocket.Connect(path);
        using var accepted = server.Accept();
        var payload = new byte[200_000]; // more than one socket buffer: SendAll loops on partial sends
        Random.Shared.NextBytes(payload);
        var reader = Task.Run(() =>
        {
            var got = new MemoryStream();
            var buffer = new byte[65536];
            int n;
            while (got.Length < payload.Length && (n = accepted.Receive(buffer)) > 0) got.Write(buffer, 0, n);
            accepted.Send("ok"u8);
            accepted.Shutdown(SocketShutdown.Both);
            return got.ToArray();
        });
        client.SendAll(payload);
        var answer = new byte[16];
        var total = 0;
        int r;
        while ((r = client.Receive(answer.AsSpan(total))) > 0) total += r;
        reader.Result.ShouldBe(payload);
        answer[..total].ShouldBe("ok"u8.ToArray());
    }

    [Fact]
    public void Shutdown_FromAnotherThread_EndsABlockedReceiveWithZero()
    {
        using var dir = new TempDir();
        var path = dir.Combine("quiet.sock");
        using var server = Listen(path);
        using var client = LocalSocket.Connect(path);
        using var accepted = server.Accept(); // accepted, never answers
        var receiving = new ManualResetEventSlim();
        var receive = Task.Run(() => { receiving.Set(); return client.Receive(new byte[64]); });
        receiving.Wait();
        client.Shutdown();
        receive.Wait(TimeSpan.FromMinutes(1)).ShouldBeTrue("the receive did not end at the shutdown");
        receive.Result.ShouldBe(0);
    }

    [Fact]
    public void SendAll_AfterThePeerClosed_IsASocketException_NotSigpipe()
    {
        using var dir = new TempDir();
        var path = dir.Combine("gone.sock");
        using var server = Listen(path);
        using var client = LocalSocket.Connect(path);
        server.Accept().Dispose();
        // The first send may be buffered before the reset arrives; the next ones see EPIPE/ECONNRESET.
        Should.Throw<SocketException>(() => { for (var i = 0; i < 100; i++) client.SendAll(new byte[65536]); });
    }

    [Fact]
    public void Dispose_Twice_ClosesOnce_AndUseAfterwardsIsObjectDisposed()
    {
        using var dir = new TempDir();
        var path = dir.Combine("d.sock");
        using var server = Listen(path);
        var client = LocalSocket.Connect(path);
        client.Dispose();
        client.Dispose();
        client.Shutdown(); // no-op once closed
        Should.Throw<ObjectDisposedException>(() => client.Receive(new byte[1]));
    }
}
