using System.IO.Pipes;
using Shouldly;
using Volt.Core.IO;
using Xunit;

namespace Volt.Core.Tests.IO;

public sealed class DescriptorStreamTests
{
    [Fact]
    public void Write_PutsEveryByteOnTheDescriptor_MoreThanAPipeHoldsWithAReaderDraining()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.In);
        using var client = new AnonymousPipeClientStream(PipeDirection.Out, server.ClientSafePipeHandle);
        var payload = new byte[300_000];
        Random.Shared.NextBytes(payload);
        var reader = Task.Run(() =>
        {
            var got = new MemoryStream();
            server.CopyTo(got);
            return got.ToArray();
        });
        using (var stream = new DescriptorStream((int)client.SafePipeHandle.DangerousGetHandle()))
            stream.Write(payload);
        client.Dispose(); // the write end's last holder: the reader sees end of file
        reader.Result.ShouldBe(payload);
    }

    [Fact]
    public void Write_AfterTheReaderWentAway_EndsQuietly_AsDotNetsConsoleDoes()
    {
        var server = new AnonymousPipeServerStream(PipeDirection.In);
        using var client = new AnonymousPipeClientStream(PipeDirection.Out, server.ClientSafePipeHandle);
        server.Dispose(); // `volt ps | head -1`: head has exited
        var stream = new DescriptorStream((int)client.SafePipeHandle.DangerousGetHandle());
        Should.NotThrow(() =>
        {
            stream.Write("first line\n"u8);
            stream.Write("second line\n"u8);
        });
    }

    [Fact]
    public void AWriterOnIt_WritesUtf8WithoutAByteOrderMark()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.In);
        using var client = new AnonymousPipeClientStream(PipeDirection.Out, server.ClientSafePipeHandle);
        var writer = new StreamWriter(new DescriptorStream((int)client.SafePipeHandle.DangerousGetHandle()), new System.Text.UTF8Encoding(false)) { AutoFlush = true };
        writer.Write("héllo → volt\n");
        var buffer = new byte[64];
        var n = server.Read(buffer);
        System.Text.Encoding.UTF8.GetString(buffer, 0, n).ShouldBe("héllo → volt\n");
        buffer[0].ShouldBe((byte)'h');
    }
}
