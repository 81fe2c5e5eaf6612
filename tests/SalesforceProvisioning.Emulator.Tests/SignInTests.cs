using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

/// <summary>
/// Sign-in as Salesforce documents it (Salesforce Help: "Identity URLs", "UserInfo Endpoint", "Freeze or Unfreeze User
/// Accounts"; REST API Developer Guide: "Resources by Version"). The conformance suite drives the same through jsforce
/// and the Salesforce CLI; these run with dotnet test alone.
/// </summary>
public sealed class SignInTests : EmulatorTest
{
    private static readonly RSA SigningKey = RSA.Create(2048);

    protected override EmulatorOptions Options => new()
    {
        JwtCertificatePem = new CertificateRequest("CN=sign-in-tests", SigningKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)).ExportCertificatePem(),
    };

    [Fact]
    public async Task Access_tokens_are_shaped_like_salesforce_session_ids()
    {
        string orgId = Emulator.Org.OrganizationId;
        Assert.Matches($"^{orgId[..15]}![A-Za-z0-9._]+$", Emulator.Info.AccessToken);
        var (_, refreshed) = await RefreshGrant();
        Assert.StartsWith(orgId[..15] + "!", refreshed["access_token"].ToString());
    }

    [Fact]
    public async Task Freezing_a_user_ends_their_sessions_and_refuses_new_tokens()
    {
        string integrationId = Emulator.Org.FindUserId(Emulator.Info.Username);
        var login = Emulator.Org.Query($"SELECT Id FROM UserLogin WHERE UserId = '{integrationId}'").Single();
        Assert.Equal(HttpStatusCode.OK, (await Get($"{V}/limits")).Status);

        Emulator.Org.Update(login["Id"].ToString(), new JsonObject { ["IsFrozen"] = true });
        var session = await Get($"{V}/limits");
        Assert.Equal(HttpStatusCode.Unauthorized, session.Status);
        Assert.Equal("INVALID_SESSION_ID", ErrorCode(session.Body));
        var (status, body) = await RefreshGrant();
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("inactive_user", body["error"].ToString());
        Assert.Equal("user is frozen", body["error_description"].ToString());

        Emulator.Org.Update(login["Id"].ToString(), new JsonObject { ["IsFrozen"] = false });
        Assert.Equal(HttpStatusCode.OK, (await RefreshGrant()).Status);
    }

    [Fact]
    public async Task Identity_and_userinfo_take_the_token_as_oauth_token_parameter()
    {
        string orgId = Emulator.Org.OrganizationId, userId = Emulator.Org.FindUserId(Emulator.Info.Username);
        string token = Uri.EscapeDataString(Emulator.Info.AccessToken);
        var identity = await Send(HttpMethod.Get, $"/id/{orgId}/{userId}?format=json&oauth_token={token}&version=latest", authenticate: false);
        Assert.Equal(HttpStatusCode.OK, identity.Status);
        Assert.Equal($"{BaseUrl}/services/data/v67.0/", identity.Body["urls"]["rest"].ToString());
        foreach (var field in new[] { "email_verified", "photos", "addr_city", "mobile_phone", "is_lightning_login_user", "utcOffset", "status" })
            Assert.True(identity.Body.AsObject().ContainsKey(field), field);

        var userInfo = await Send(HttpMethod.Get, $"/services/oauth2/userinfo?oauth_token={token}", authenticate: false);
        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal(Emulator.Info.Username, userInfo.Body["preferred_username"].ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, "/services/oauth2/userinfo?oauth_token=00D000000000000!x", authenticate: false)).Status);
    }

    [Fact]
    public async Task The_resource_list_names_identity_and_only_resources_that_answer()
    {
        var (status, resources, _) = await Get($"{V}/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{BaseUrl}/id/{Emulator.Org.OrganizationId}/{Emulator.Org.FindUserId(Emulator.Info.Username)}", resources["identity"].ToString());
        foreach (var (name, url) in resources.AsObject().Where(p => p.Key is not ("identity" or "composite")))
        {
            string path = url.ToString() + (name.StartsWith("query", StringComparison.Ordinal) ? "?q=SELECT+Id+FROM+Organization" : "");
            Assert.Equal(HttpStatusCode.OK, (await Get(path)).Status);
        }
    }

    [Fact]
    public async Task The_https_listener_serves_the_same_org_and_answers_with_its_own_address()
    {
        Assert.Matches(@"^https://127\.0\.0\.1:\d+$", Emulator.Info.HttpsInstanceUrl);
        using var trusted = X509Certificate2.CreateFromPem(Emulator.Info.CertificatePem);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate != null && certificate.Thumbprint == trusted.Thumbprint,
        };
        using var https = new HttpClient(handler);
        var token = await https.PostAsync($"{Emulator.Info.HttpsInstanceUrl}/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = Emulator.Info.ClientId, ["client_secret"] = Emulator.Info.ClientSecret,
            ["refresh_token"] = Emulator.Info.RefreshToken,
        }));
        var body = JsonNode.Parse(await token.Content.ReadAsStringAsync());
        Assert.Equal(Emulator.Info.HttpsInstanceUrl, body["instance_url"].ToString());
        Assert.StartsWith(Emulator.Info.HttpsInstanceUrl + "/id/", body["id"].ToString());
    }

    [Fact]
    public async Task Repeated_slashes_in_a_path_are_read_as_one()
    {
        Assert.Equal(HttpStatusCode.OK, (await Get($"/{V}//limits")).Status);
    }
}
