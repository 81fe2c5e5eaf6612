using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace SalesforceProvisioning.Emulator.Tests;

public sealed class OAuthTests : EmulatorTest
{
    private static readonly RSA SigningKey = RSA.Create(2048);

    protected override EmulatorOptions Options => new()
    {
        JwtCertificatePem = new CertificateRequest("CN=emulator-tests", SigningKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)).ExportCertificatePem(),
    };

    [Fact]
    public async Task Refresh_grant_returns_a_working_token_without_a_new_refresh_token()
    {
        var (status, body) = await RefreshGrant();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(BaseUrl, body["instance_url"].ToString());
        Assert.Equal("Bearer", body["token_type"].ToString());
        Assert.StartsWith($"{BaseUrl}/id/00D", body["id"].ToString());
        Assert.True(long.TryParse(body["issued_at"].ToString(), out _));
        Assert.NotNull(body["signature"]);
        Assert.Null(body["refresh_token"]);
        var (queryStatus, _, _) = await Get($"{V}/limits", body["access_token"].ToString());
        Assert.Equal(HttpStatusCode.OK, queryStatus);
    }

    [Fact]
    public async Task Bad_client_credentials_and_grants_fail_like_salesforce()
    {
        var wrongId = await Token(new() { ["grant_type"] = "refresh_token", ["client_id"] = "3MVG9nope", ["client_secret"] = Emulator.Info.ClientSecret, ["refresh_token"] = Emulator.Info.RefreshToken });
        Assert.Equal(HttpStatusCode.BadRequest, wrongId.Status);
        Assert.Equal("invalid_client_id", wrongId.Body["error"].ToString());
        Assert.Equal("client identifier invalid", wrongId.Body["error_description"].ToString());

        var wrongSecret = await Token(new() { ["grant_type"] = "client_credentials", ["client_id"] = Emulator.Info.ClientId, ["client_secret"] = "nope" });
        Assert.Equal("invalid_client", wrongSecret.Body["error"].ToString());
        Assert.Equal("invalid client credentials", wrongSecret.Body["error_description"].ToString());

        var unknownRefresh = await RefreshGrant("not-a-token");
        Assert.Equal("invalid_grant", unknownRefresh.Body["error"].ToString());
        Assert.Equal("expired access/refresh token", unknownRefresh.Body["error_description"].ToString());

        var unsupported = await Token(new() { ["grant_type"] = "password" });
        Assert.Equal("unsupported_grant_type", unsupported.Body["error"].ToString());
    }

    [Fact]
    public async Task Client_credentials_runs_as_the_integration_user_without_refresh_token()
    {
        var (status, body) = await Token(new() { ["grant_type"] = "client_credentials", ["client_id"] = Emulator.Info.ClientId, ["client_secret"] = Emulator.Info.ClientSecret });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(body["refresh_token"]);
        var identity = await Get(new Uri(body["id"].ToString()).AbsolutePath, body["access_token"].ToString());
        Assert.Equal(HttpStatusCode.OK, identity.Status);
        Assert.Equal(Emulator.Info.Username, identity.Body["username"].ToString());
        Assert.Equal("STANDARD", identity.Body["user_type"].ToString());
    }

    [Fact]
    public async Task Rotation_returns_a_new_refresh_token_and_spends_the_old_one()
    {
        await Control("rotate-refresh-tokens", new { enabled = true });
        var first = await RefreshGrant();
        string rotated = first.Body["refresh_token"].ToString();
        Assert.NotEqual(Emulator.Info.RefreshToken, rotated);

        var replay = await RefreshGrant();
        Assert.Equal("invalid_grant", replay.Body["error"].ToString());
        var next = await RefreshGrant(rotated);
        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task Revoking_a_refresh_token_ends_the_sessions_issued_from_it()
    {
        var response = await Http.PostAsync($"{BaseUrl}/services/oauth2/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = Emulator.Info.RefreshToken }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (status, body, _) = await Get($"{V}/limits");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("INVALID_SESSION_ID", ErrorCode(body));
        Assert.Equal("Session expired or invalid", body[0]["message"].ToString());
        Assert.Equal("invalid_grant", (await RefreshGrant()).Body["error"].ToString());

        var unknown = await Http.PostAsync($"{BaseUrl}/services/oauth2/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "nope" }));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("unsupported_token_type", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Expired_access_tokens_answer_401_until_refreshed()
    {
        await Control("expire-access-tokens");
        var (status, body, _) = await Get($"{V}/limits");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("INVALID_SESSION_ID", ErrorCode(body));
        var refreshed = await RefreshGrant();
        Assert.Equal(HttpStatusCode.OK, (await Get($"{V}/limits", refreshed.Body["access_token"].ToString())).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, $"{V}/limits", authenticate: false)).Status);
    }

    [Fact]
    public async Task Jwt_bearer_accepts_a_signed_assertion_and_refuses_bad_ones()
    {
        var ok = await Jwt(Emulator.Info.ClientId, "alice.active@emulator.example.com", "https://login.salesforce.com", TimeSpan.FromMinutes(3));
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Null(ok.Body["refresh_token"]);

        Assert.Equal("audience is invalid", (await Jwt(Emulator.Info.ClientId, "alice.active@emulator.example.com", "https://evil.example.com", TimeSpan.FromMinutes(3))).Body["error_description"].ToString());
        Assert.Equal("invalid_grant", (await Jwt(Emulator.Info.ClientId, "alice.active@emulator.example.com", BaseUrl, TimeSpan.FromMinutes(-1))).Body["error"].ToString());
        Assert.Equal("invalid_client_id", (await Jwt("3MVG9other", "alice.active@emulator.example.com", BaseUrl, TimeSpan.FromMinutes(3))).Body["error"].ToString());
        Assert.Equal("inactive_user", (await Jwt(Emulator.Info.ClientId, "bob.inactive@emulator.example.com", BaseUrl, TimeSpan.FromMinutes(3))).Body["error"].ToString());

        using var otherKey = RSA.Create(2048);
        var forged = await Jwt(Emulator.Info.ClientId, "alice.active@emulator.example.com", BaseUrl, TimeSpan.FromMinutes(3), otherKey);
        Assert.Equal("invalid assertion", forged.Body["error_description"].ToString());
    }

    /// <summary>
    /// As "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration" says: a sandbox's aud is https://test.salesforce.com
    /// (production's https://login.salesforce.com), and a user who has not approved the app is refused.
    /// </summary>
    [Fact]
    public async Task Jwt_bearer_wants_the_sandbox_audience_in_a_sandbox_and_an_approved_user()
    {
        const string alice = "alice.active@emulator.example.com";
        Assert.Equal("audience is invalid", (await Jwt(Emulator.Info.ClientId, alice, "https://test.salesforce.com", TimeSpan.FromMinutes(3))).Body["error_description"].ToString());
        await Control("sandbox", new { enabled = true });
        Assert.Equal("audience is invalid", (await Jwt(Emulator.Info.ClientId, alice, "https://login.salesforce.com", TimeSpan.FromMinutes(3))).Body["error_description"].ToString());
        Assert.Equal(HttpStatusCode.OK, (await Jwt(Emulator.Info.ClientId, alice, "https://test.salesforce.com", TimeSpan.FromMinutes(3))).Status);

        await Control("jwt-approval", new { username = alice, approved = false });
        var refused = await Jwt(Emulator.Info.ClientId, alice, "https://test.salesforce.com", TimeSpan.FromMinutes(3));
        Assert.Equal("invalid_grant", refused.Body["error"].ToString());
        Assert.Equal("user hasn't approved this consumer", refused.Body["error_description"].ToString());

        await Control("reset");
        Assert.Equal(HttpStatusCode.OK, (await Jwt(Emulator.Info.ClientId, alice, "https://login.salesforce.com", TimeSpan.FromMinutes(3))).Status);
    }

    [Fact]
    public async Task Jwt_bearer_accepts_a_later_expiry_as_real_orgs_do_and_never_fails_with_a_500()
    {
        // The Salesforce CLI writes exp as Date.now() + 300, in milliseconds, and real orgs accept it: only an expired
        // assertion is refused ("OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration", Salesforce Help).
        var inMilliseconds = await Jwt(Emulator.Info.ClientId, "alice.active@emulator.example.com", "https://login.salesforce.com", TimeSpan.Zero,
            exp: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 300);
        Assert.Equal(HttpStatusCode.OK, inMilliseconds.Status);
        Assert.Equal(HttpStatusCode.OK, (await Jwt(Emulator.Info.ClientId, "alice.active@emulator.example.com", BaseUrl, TimeSpan.FromHours(1))).Status);

        foreach (object bad in new object[] { "soon", 1e300 * -1, true })
        {
            var refused = await Jwt(Emulator.Info.ClientId, "alice.active@emulator.example.com", BaseUrl, TimeSpan.Zero, exp: bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Equal("invalid_grant", refused.Body["error"].ToString());
        }
        Assert.Equal(HttpStatusCode.OK, (await Jwt(Emulator.Info.ClientId, "alice.active@emulator.example.com", BaseUrl, TimeSpan.Zero, exp: 1e300)).Status);
    }

    private Task<(HttpStatusCode Status, System.Text.Json.Nodes.JsonNode Body)> Jwt(string issuer, string subject, string audience, TimeSpan expiresIn, RSA key = null, object exp = null)
    {
        static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string header = Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256" }));
        string payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new { iss = issuer, sub = subject, aud = audience, exp = exp ?? DateTimeOffset.UtcNow.Add(expiresIn).ToUnixTimeSeconds() }));
        string signature = Encode((key ?? SigningKey).SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return Token(new() { ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer", ["assertion"] = $"{header}.{payload}.{signature}" });
    }
}

public sealed class JwtWithoutCertificateTests : EmulatorTest
{
    [Fact]
    public async Task Without_a_configured_certificate_every_assertion_is_invalid()
    {
        var (status, body) = await Token(new() { ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer", ["assertion"] = "a.b.c" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body["error"].ToString());
        Assert.Equal("invalid assertion", body["error_description"].ToString());
    }
}
