using System.Net;

namespace SalesforceProvisioning.Emulator.Tests;

public sealed class ShortTokenLifetimeTests : EmulatorTest
{
    protected override EmulatorOptions Options => new() { TokenLifetimeSeconds = 1 };

    [Fact]
    public async Task Access_tokens_expire_after_their_lifetime()
    {
        // No wall-clock bound a busy machine can break: "valid" is asserted only when the call finished within the
        // token's lifetime, and "expired" only after the lifetime has surely passed.
        var lifetime = TimeSpan.FromSeconds(1);
        var beforeIssue = System.Diagnostics.Stopwatch.StartNew();
        var fresh = await RefreshGrant();
        var afterIssue = System.Diagnostics.Stopwatch.StartNew();
        string token = fresh.Body["access_token"].ToString();

        var first = await Get($"{V}/limits", token);
        if (beforeIssue.Elapsed < lifetime) Assert.Equal(HttpStatusCode.OK, first.Status);

        var left = lifetime + TimeSpan.FromMilliseconds(100) - afterIssue.Elapsed;
        if (left > TimeSpan.Zero) await Task.Delay(left);
        var (status, body, _) = await Get($"{V}/limits", token);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("INVALID_SESSION_ID", ErrorCode(body));
    }
}

public sealed class SeedFileTests : EmulatorTest
{
    private static readonly string SeedPath = Path.Combine(Path.GetTempPath(), $"emulator-seed-{Guid.NewGuid():N}.json");

    protected override EmulatorOptions Options
    {
        get
        {
            File.WriteAllText(SeedPath, """{"objects":{"Account":[{"Name":"Seeded From File"}]}}""");
            return new EmulatorOptions { SeedFile = SeedPath };
        }
    }

    [Fact]
    public async Task A_seed_file_replaces_the_default_data_and_a_bad_seed_changes_nothing()
    {
        var accounts = await Query("SELECT Name FROM Account");
        Assert.Equal("Seeded From File", Assert.Single(accounts["records"].AsArray())["Name"].ToString());

        var response = await Http.PostAsync($"{BaseUrl}/__emulator/seed", new StringContent("""{"objects":{"Contact":[{"FirstName":"No last name"}]}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("REQUIRED_FIELD_MISSING", await response.Content.ReadAsStringAsync());
        Assert.Single((await Query("SELECT Name FROM Account"))["records"].AsArray());
        File.Delete(SeedPath);
    }
}
