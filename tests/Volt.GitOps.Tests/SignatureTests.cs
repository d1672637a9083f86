using System.Text;
using System.Text.Json;
using Shouldly;
using Volt.GitOps.Webhooks;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

public sealed class SignatureTests
{
    private static byte[] Payload(string file) => File.ReadAllBytes(Path.Combine(TestEnv.TestData, "webhooks", file));

    [Fact]
    public void GitHub_official_test_vector_matches()
    {
        using var doc = JsonDocument.Parse(Payload("webhook-signatures.json"));
        var v = doc.RootElement.GetProperty("github").GetProperty("test_vector");
        var body = Encoding.UTF8.GetBytes(v.GetProperty("payload").GetString()!);
        var secret = v.GetProperty("secret").GetString()!;
        Signatures.HubSignature(secret, body).ShouldBe(v.GetProperty("X-Hub-Signature-256").GetString());
        Signatures.VerifyHub(secret, body, v.GetProperty("X-Hub-Signature-256").GetString()).ShouldBeTrue();
        Signatures.VerifyHub("It's a secret to everybody", body, v.GetProperty("X-Hub-Signature-256").GetString()).ShouldBeFalse();
    }

    [Theory]
    [InlineData("github-push-branch-updated.json")]
    [InlineData("github-push-branch-created.json")]
    [InlineData("github-push-tag-deleted.json")]
    [InlineData("github-ping.json")]
    [InlineData("bitbucket-push.json")]
    [InlineData("gitlab-push.json")]
    public void Stored_payloads_verify_byte_for_byte_and_any_flipped_byte_fails(string file)
    {
        var body = Payload(file);
        var header = Signatures.HubSignature("my-webhook-secret", body);
        Signatures.VerifyHub("my-webhook-secret", body, header).ShouldBeTrue();
        var tampered = (byte[])body.Clone();
        tampered[tampered.Length / 2] ^= 0x01;
        Signatures.VerifyHub("my-webhook-secret", tampered, header).ShouldBeFalse();
        // Re-serialising changes the bytes, so it must not verify: signatures cover the raw body.
        var reserialised = JsonSerializer.SerializeToUtf8Bytes(JsonDocument.Parse(body).RootElement);
        Signatures.VerifyHub("my-webhook-secret", reserialised, header).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha1=757107ea0eb2509fc211221cce984b8a37570b6d")]
    [InlineData("sha256=zz")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e")]
    public void Malformed_hub_headers_fail(string? header) =>
        Signatures.VerifyHub("It's a Secret to Everybody", "Hello, World!"u8, header).ShouldBeFalse();

    [Fact]
    public void GitLab_token_is_compared_exactly()
    {
        Signatures.VerifyGitLabToken("my-gitlab-secret", "my-gitlab-secret").ShouldBeTrue();
        Signatures.VerifyGitLabToken("my-gitlab-secret", "my-gitlab-secreT").ShouldBeFalse();
        Signatures.VerifyGitLabToken("my-gitlab-secret", "my-gitlab-secret ").ShouldBeFalse();
        Signatures.VerifyGitLabToken("my-gitlab-secret", null).ShouldBeFalse();
    }

    [Fact]
    public void GitLab_signed_webhooks_verify_within_the_replay_window_only()
    {
        var body = Payload("gitlab-push.json");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
        var ts = now.ToUnixTimeSeconds().ToString();
        var sig = Signatures.StandardSignature("s3cret", "msg_1", ts, body);
        sig.ShouldStartWith("v1,");
        Signatures.VerifyStandard("s3cret", "msg_1", ts, sig, body, now).ShouldBeTrue();
        Signatures.VerifyStandard("s3cret", "msg_1", ts, "v1,bm9wZQ== " + sig, body, now.AddMinutes(4)).ShouldBeTrue();
        Signatures.VerifyStandard("s3cret", "msg_1", ts, sig, body, now.AddMinutes(6)).ShouldBeFalse();
        Signatures.VerifyStandard("s3cret", "msg_1", ts, sig, body, now.AddMinutes(-6)).ShouldBeFalse();
        Signatures.VerifyStandard("s3cret", "msg_2", ts, sig, body, now).ShouldBeFalse();
        Signatures.VerifyStandard("other", "msg_1", ts, sig, body, now).ShouldBeFalse();
        Signatures.VerifyStandard("s3cret", "msg_1", "soon", sig, body, now).ShouldBeFalse();
    }

    [Fact]
    public void Standard_webhook_signature_matches_an_independent_computation()
    {
        // HMAC-SHA256("key", "id.1.body") computed independently (python hmac) and base64-encoded.
        var expected = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData("key"u8, "id.1.body"u8));
        Signatures.StandardSignature("key", "id", "1", "body"u8).ShouldBe(expected);
    }
}
