using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

/// <summary>Every test gets its own emulator on an ephemeral loopback port, and a client speaking to it over HTTP.</summary>
public abstract class EmulatorTest : IAsyncLifetime
{
    protected const string V = "/services/data/v62.0";
    protected const string StandardProfileId = "00eEm0000000002";
    protected const string CommunityProfileId = "00eEm0000000003";
    protected const string GuestProfileId = "00eEm0000000006";
    protected const string AliceId = "005Em0000000002";

    protected RunningEmulator Emulator { get; private set; }
    protected HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan }; // no wall-clock limit a busy machine could break
    protected string BaseUrl => Emulator.Info.InstanceUrl;

    protected virtual EmulatorOptions Options => new();

    public async Task InitializeAsync() => Emulator = await EmulatorServer.StartAsync(Options);

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Emulator.DisposeAsync();
    }

    /// <summary>Sends a request with the emulator's access token (or <paramref name="token"/>) and returns status and JSON.</summary>
    protected async Task<(HttpStatusCode Status, JsonNode Body, HttpResponseMessage Response)> Send(
        HttpMethod method, string path, object body = null, string token = null, bool authenticate = true)
    {
        using var request = new HttpRequestMessage(method, BaseUrl + path);
        if (authenticate) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Emulator.Info.AccessToken);
        if (body != null)
            request.Content = new StringContent(body is string text ? text : System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        var response = await Http.SendAsync(request);
        string content = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, string.IsNullOrWhiteSpace(content) ? null : JsonNode.Parse(content), response);
    }

    protected Task<(HttpStatusCode Status, JsonNode Body, HttpResponseMessage Response)> Get(string path, string token = null) => Send(HttpMethod.Get, path, token: token);

    protected Task<(HttpStatusCode Status, JsonNode Body, HttpResponseMessage Response)> Post(string path, object body) => Send(HttpMethod.Post, path, body);

    protected Task<(HttpStatusCode Status, JsonNode Body, HttpResponseMessage Response)> Patch(string path, object body) => Send(HttpMethod.Patch, path, body);

    protected Task<(HttpStatusCode Status, JsonNode Body, HttpResponseMessage Response)> Delete(string path) => Send(HttpMethod.Delete, path);

    protected async Task<JsonNode> Query(string soql)
    {
        var (status, body, _) = await Get($"{V}/query?q={Uri.EscapeDataString(soql)}");
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body}");
        return body;
    }

    protected async Task<(HttpStatusCode Status, JsonNode Body)> QueryRaw(string soql)
    {
        var (status, body, _) = await Get($"{V}/query?q={Uri.EscapeDataString(soql)}");
        return (status, body);
    }

    /// <summary>POSTs to a control endpoint (/__emulator/...), no token needed.</summary>
    protected async Task<JsonNode> Control(string action, object body = null, HttpMethod method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, $"{BaseUrl}/__emulator/{action}");
        if (body != null) request.Content = new StringContent(body is string text ? text : System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        var response = await Http.SendAsync(request);
        string content = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{action}: {(int)response.StatusCode} {content}");
        return JsonNode.Parse(content);
    }

    protected Task<JsonNode> Counts() => Control("counts", method: HttpMethod.Get);

    protected async Task<(HttpStatusCode Status, JsonNode Body)> Token(Dictionary<string, string> form)
    {
        var response = await Http.PostAsync($"{BaseUrl}/services/oauth2/token", new FormUrlEncodedContent(form));
        string content = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, string.IsNullOrWhiteSpace(content) ? null : JsonNode.Parse(content));
    }

    protected Task<(HttpStatusCode Status, JsonNode Body)> RefreshGrant(string refreshToken = null) => Token(new()
    {
        ["grant_type"] = "refresh_token",
        ["client_id"] = Emulator.Info.ClientId,
        ["client_secret"] = Emulator.Info.ClientSecret,
        ["refresh_token"] = refreshToken ?? Emulator.Info.RefreshToken,
    });

    /// <summary>A valid new Standard User; override fields by passing them.</summary>
    protected static JsonObject NewUser(string username, Action<JsonObject> change = null)
    {
        var user = new JsonObject
        {
            ["Username"] = username,
            ["LastName"] = "Tester",
            ["FirstName"] = "Terry",
            ["Email"] = "terry@example.com",
            ["Alias"] = "tterry",
            ["TimeZoneSidKey"] = "Europe/Paris",
            ["LocaleSidKey"] = "fr_FR",
            ["EmailEncodingKey"] = "UTF-8",
            ["LanguageLocaleKey"] = "fr",
            ["ProfileId"] = StandardProfileId,
        };
        change?.Invoke(user);
        return user;
    }

    protected static JsonObject WithType(JsonObject record, string type)
    {
        var copy = (JsonObject)record.DeepClone();
        copy.Insert(0, "attributes", new JsonObject { ["type"] = type });
        return copy;
    }

    /// <summary>The default seed as JSON to change, for tests of other org shapes.</summary>
    protected static JsonObject DefaultSeed() => JsonNode.Parse(Data.SeedLoader.DefaultSeedJson())!.AsObject();

    /// <summary>Reloads the emulator with a seed (what Reset restores from then on).</summary>
    protected void LoadSeed(JsonObject seed) => Emulator.Org.LoadSeed(seed.ToJsonString());

    /// <summary>The default org with Person Accounts turned on and one person account, Jane Doe (001Em0000000002).</summary>
    protected static string PersonAccountsSeed()
    {
        var seed = JsonNode.Parse(Data.SeedLoader.DefaultSeedJson())!.AsObject();
        seed["org"]!["personAccounts"] = true;
        seed["objects"]!["Account"]!.AsArray().Add(new JsonObject
        {
            ["Id"] = "001Em0000000002", ["FirstName"] = "Jane", ["LastName"] = "Doe", ["PersonEmail"] = "jane.doe@example.com",
        });
        return seed.ToJsonString();
    }

    /// <summary>Reloads the emulator as the default org with Person Accounts on.</summary>
    protected void UsePersonAccounts() => Emulator.Org.LoadSeed(PersonAccountsSeed());

    protected static string ErrorCode(JsonNode body) => body?[0]?["errorCode"]?.ToString();
}
