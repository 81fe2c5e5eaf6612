using System.Diagnostics;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

public sealed class StandaloneProgramTests
{
    [Fact]
    public async Task Prints_its_address_and_credentials_as_the_first_stdout_line()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "SalesforceProvisioning.Emulator.dll"), "--port", "0", "--daily-api-limit", "500" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        try
        {
            // No time limit: a process that exits without the line gives null and fails here.
            string firstLine = await process.StandardOutput.ReadLineAsync();
            Assert.NotNull(firstLine);
            var info = JsonNode.Parse(firstLine)!.AsObject();
            Assert.Equal(new[] { "instanceUrl", "domain", "clientId", "clientSecret", "refreshToken", "accessToken", "username", "processId", "httpsInstanceUrl", "certificatePem" },
                info.Select(p => p.Key));
            Assert.Matches(@"^http://127\.0\.0\.1:\d+$", info["instanceUrl"]!.ToString());
            Assert.StartsWith("3MVG9", info["clientId"]!.ToString());
            Assert.Equal(process.Id, info["processId"]!.GetValue<int>());

            process.StandardInput.Close(); // closing stdin must not stop it
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, info["instanceUrl"] + "/services/data/v62.0/limits");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", info["accessToken"]!.ToString());
            var response = await http.SendAsync(request);
            Assert.Contains("\"Max\":500", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_every_option_and_exits_0(string flag)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "SalesforceProvisioning.Emulator.dll"), flag },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        foreach (string option in new[] { "--port", "--latency-ms", "--seed", "--token-lifetime", "--rotate-refresh-tokens", "--daily-api-limit", "--jwt-certificate", "--parent-pid", "--help" })
            Assert.Contains(option, output);
        Assert.DoesNotContain("\"clientSecret\"", output); // help only: no server started, no credentials printed
    }

    [Fact]
    public void Options_parse_every_switch()
    {
        var options = EmulatorOptions.Parse(new[] { "--port", "0", "--latency-ms", "25", "--seed", "seed.json", "--token-lifetime", "60",
            "--rotate-refresh-tokens", "--daily-api-limit", "100", "--jwt-certificate", "cert.pem", "--parent-pid", "1" });
        Assert.Equal(25, options.LatencyMilliseconds);
        Assert.Equal("seed.json", options.SeedFile);
        Assert.Equal(60, options.TokenLifetimeSeconds);
        Assert.True(options.RotateRefreshTokens);
        Assert.Equal(100, options.DailyApiLimit);
        Assert.Equal("cert.pem", options.JwtCertificateFile);
        Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(new[] { "--bogus" }));
        Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(new[] { "--port", "70000" }));
    }
}
