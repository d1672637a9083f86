using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Shouldly;
using Volt.Core.Processes;
using Volt.GitOps.Hosting;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;
using Volt.GitOps.Webhooks;
using Volt.Ingress.Proxy;
using Volt.Ingress.Routes;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

/// <summary>
/// The seed's production set-up: the webhook server behind the ingress (route webhooks.example.com/hooks → the
/// server), a signed GitHub push over TLS through the proxy deploys; a bad signature is still refused.
/// </summary>
public sealed class BehindIngressTests
{
    [Fact]
    public async Task A_signed_webhook_over_tls_through_the_ingress_deploys_the_pushed_commit()
    {
        const string secret = "behind-ingress-secret";
        using var dir = new TempDir("volt-gitops");
        using var git = new GitServer();
        var store = new PipelineStore(dir.Combine("gitops"));
        store.Create(new Pipeline { Name = "web-app", Repo = git.Url, Provider = "github", Branch = "main", Workload = "web", Secret = secret });
        var deployer = new RecordingDeployer();
        await using var gitops = await GitOpsServer.StartAsync(new GitOpsServerOptions
        {
            Store = store, Sources = new SourceControl(new ProcessRunner()), Workloads = deployer, Listen = "127.0.0.1", Port = 0,
        });
        // a manual certificate for the webhook host
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=webhooks.example.com", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder(); san.AddDnsName("webhooks.example.com");
        req.CertificateExtensions.Add(san.Build());
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certFile = dir.Write("hooks.crt", cert.ExportCertificatePem());
        var keyFile = dir.Write("hooks.key", key.ExportPkcs8PrivateKeyPem());
        var routes = new RouteStore(dir.Combine("ingress"));
        routes.Create(new IngressRoute
        {
            Name = "gitops-webhook", Hostname = "webhooks.example.com", Path = "/hooks", Backends = [$"127.0.0.1:{gitops.Address.Port}"],
            Tls = TlsModes.Manual, Cert = certFile, Key = keyFile, RedirectHttps = true, Created = DateTimeOffset.UtcNow,
        });
        await using var ingress = await IngressServer.StartAsync(new IngressOptions { Store = routes, Listen = IPAddress.Loopback, HttpPort = 0, HttpsPort = 0, Watch = false });
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => c?.GetCertHashString() == cert.GetCertHashString() },
            ConnectCallback = async (ctx, ct) =>
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(IPAddress.Loopback, ctx.DnsEndPoint.Port == 443 ? ingress.HttpsAddress!.Port : ingress.HttpAddress!.Port, ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler);

        var commit = git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: web:1\n" });
        var body = Encoding.UTF8.GetBytes($$$"""{"ref":"refs/heads/main","before":"1111111111111111111111111111111111111111","after":"{{{commit}}}","repository":{"clone_url":"{{{git.Url}}}","html_url":"{{{git.Url}}}"},"head_commit":{"id":"{{{commit}}}"}}""");
        async Task<HttpResponseMessage> Send(string url, string sig)
        {
            var m = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            m.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            m.Headers.Add("X-GitHub-Event", "push");
            m.Headers.Add("X-Hub-Signature-256", sig);
            return await http.SendAsync(m);
        }
        // plain HTTP is sent to HTTPS, a wrong signature is refused through the proxy as it is directly
        (await Send("http://webhooks.example.com/hooks/github", Signatures.HubSignature(secret, body))).StatusCode.ShouldBe(HttpStatusCode.PermanentRedirect);
        (await Send("https://webhooks.example.com/hooks/github", Signatures.HubSignature("wrong", body))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Send("https://webhooks.example.com/hooks/github", Signatures.HubSignature(secret, body))).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var history = await Wait.ForHistory(store, "web-app", 1);
        history[0].Commit.ShouldBe(commit);
        deployer.Deployed.Single().Manifest.Image.ShouldBe("web:1");
    }
}
