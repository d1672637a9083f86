using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Shouldly;
using Volt.Registry.Hosting;
using Xunit;

namespace Volt.Registry.Tests.Storage;

public sealed class UploadSessionTests : RegistryTestBase
{
    [Fact]
    public async Task ClientDisconnectingMidPatch_LeavesTheSessionUsable_AndNoPartialObject()
    {
        var data = OciClient.RandomBytes(3_000_000);
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        var location = start.Headers.Location!;
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, Server.Address.Port, Ct);
            var stream = tcp.GetStream();
            var head = $"PATCH {location} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {PushToken()}\r\nContent-Type: application/octet-stream\r\nContent-Length: {data.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
            await stream.WriteAsync(data.AsMemory(0, 1_500_000), Ct);
            await stream.FlushAsync(Ct);
            tcp.Client.LingerState = new LingerOption(true, 0); // RST: a client that vanishes
        }
        await Task.Delay(300, Ct);

        Objects().ShouldBeEmpty("nothing reaches objects/ before the digest is verified");
        var status = await Http.GetAsync(location, Ct);
        status.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var received = long.Parse(status.Headers.GetValues("Range").Single().Split('-')[1]) + 1;
        var offset = Server.Store.Uploads.Open("app", location.ToString().Split('/')[^1]).Size;
        offset.ShouldBeLessThanOrEqualTo(1_500_000);
        if (offset > 0) received.ShouldBe(offset);

        var content = new ByteArrayContent(data[(int)offset..]);
        content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{data.Length - 1}");
        (await Http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, location) { Content = content }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var put = await Http.PutAsync(OciClient.WithDigest(location, OciClient.Sha256(data)), null, Ct);
        put.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await Anonymous.GetByteArrayAsync($"/v2/app/blobs/{OciClient.Sha256(data)}", Ct)).ShouldBe(data);
    }

    [Fact]
    public async Task SameBlobPushedByEightClientsAtOnce_IsStoredAsOneObject()
    {
        var data = OciClient.RandomBytes(2_000_000);
        var clients = Enumerable.Range(0, 8).Select(_ => new OciClient(Client(PushToken()))).ToList();
        var digests = await Task.WhenAll(clients.Select((c, i) => c.PushBlobAsync($"repo{i % 3}", data)));
        digests.Distinct().ShouldHaveSingleItem();
        Objects().ShouldHaveSingleItem();
        Directory.EnumerateFileSystemEntries(Server.Store.Uploads.Root).ShouldBeEmpty();
        Directory.EnumerateFiles(Cas.TmpDir).ShouldBeEmpty();
        for (var i = 0; i < 3; i++) (await Anonymous.GetByteArrayAsync($"/v2/repo{i}/blobs/{digests[0]}", Ct)).ShouldBe(data);
    }

    [Fact]
    public async Task RegistryRestartMidUpload_ResumesFromTheBytesOnDisk()
    {
        var data = OciClient.RandomBytes(1_000_000);
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        var first = new ByteArrayContent(data[..400_000]);
        var patch = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, start.Headers.Location) { Content = first }, Ct);
        patch.StatusCode.ShouldBe(HttpStatusCode.Accepted);

        await RestartAsync();

        var status = await Http.GetAsync(start.Headers.Location, Ct);
        status.Headers.GetValues("Range").Single().ShouldBe("0-399999");
        var rest = new ByteArrayContent(data[400_000..]);
        rest.Headers.TryAddWithoutValidation("Content-Range", $"400000-{data.Length - 1}");
        (await Http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, start.Headers.Location) { Content = rest }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var put = await Http.PutAsync(OciClient.WithDigest(start.Headers.Location!, OciClient.Sha256(data)), null, Ct);
        put.StatusCode.ShouldBe(HttpStatusCode.Created, "the digest is recomputed from the data file after a restart");
        (await Anonymous.GetByteArrayAsync($"/v2/app/blobs/{OciClient.Sha256(data)}", Ct)).ShouldBe(data);
    }

    [Fact]
    public async Task UploadWhoseStateWasLost_FailsCleanlyWithBlobUploadUnknown()
    {
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        await RestartAsync();
        Directory.Delete(Path.Combine(Server.Store.Uploads.Root, start.Headers.Location!.ToString().Split('/')[^1]), recursive: true);
        var r = await Http.PutAsync(OciClient.WithDigest(start.Headers.Location!, OciClient.Sha256([1])), new ByteArrayContent([1]), Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCode(r)).ShouldBe("BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task UploadSession_OfAnotherRepository_IsUnknown()
    {
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        var id = start.Headers.Location!.ToString().Split('/')[^1];
        var r = await Http.GetAsync($"/v2/other/blobs/uploads/{id}", Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCode(r)).ShouldBe("BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task AbandonedSession_ExpiresAndItsBytesAreReclaimed()
    {
        await RestartAsync(new RegistryOptions { Paths = Paths, Port = 0, UploadExpiry = TimeSpan.FromMilliseconds(200) });
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        var content = new ByteArrayContent(new byte[100_000]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await Http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, start.Headers.Location) { Content = content }, Ct);
        await Task.Delay(400, Ct);
        Server.ExpireUploads();
        Directory.EnumerateFileSystemEntries(Server.Store.Uploads.Root).ShouldBeEmpty();
        var r = await Http.GetAsync(start.Headers.Location, Ct);
        (await OciClient.ErrorCode(r)).ShouldBe("BLOB_UPLOAD_UNKNOWN");
    }
}
