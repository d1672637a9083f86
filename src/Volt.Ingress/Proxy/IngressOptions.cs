using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Volt.Ingress.Acme;
using Volt.Ingress.Routes;

namespace Volt.Ingress.Proxy;

/// <summary>How to run the proxy: where it listens, where routes come from, where it logs.</summary>
public sealed record IngressOptions
{
    public required RouteStore Store { get; init; }
    public BackendResolver Resolver { get; init; } = BackendResolver.Literal;
    public IPAddress Listen { get; init; } = IPAddress.Any;
    /// <summary>0 = any free port (tests).</summary>
    public int HttpPort { get; init; } = 80;
    /// <summary>0 = any free port (tests); null = no HTTPS listener.</summary>
    public int? HttpsPort { get; init; } = 443;
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public ILoggerFactory Logging { get; init; } = NullLoggerFactory.Instance;
    /// <summary>Where the JSON access lines go (null: nowhere).</summary>
    public Stream? AccessLog { get; init; }
    public HealthSettings Health { get; init; } = new();
    /// <summary>Watch the routes directory and Volt's attachment records and reload on change.</summary>
    public bool Watch { get; init; } = true;
    /// <summary>Directory of the workload attachment records to watch (null: none).</summary>
    public string? AttachmentsDir { get; init; }
    /// <summary>Published on start and every reload (serve: /var/run/volt/ingress-serve.json).</summary>
    public string? StateFile { get; init; }
    /// <summary>How long a client may take to send its request headers or its ClientHello (slowloris bound).</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>ACME settings; null = <c>--tls auto</c> routes keep the placeholder certificate.</summary>
    public AcmeSettings? Acme { get; init; }
    public ChallengeStore Challenges { get; init; } = new();
    /// <summary>Which ACME challenge to answer: <c>http-01</c> (HTTP port) or <c>tls-alpn-01</c> (HTTPS port).</summary>
    public string AcmeChallenge { get; init; } = "http-01";
}
