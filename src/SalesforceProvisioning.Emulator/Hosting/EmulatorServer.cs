using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SalesforceProvisioning.Emulator.Api;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator;

/// <summary>Starts emulators: the standalone program and in-process tests use the same code.</summary>
public static class EmulatorServer
{
    /// <summary>Starts an emulator on 127.0.0.1; several can run in one process.</summary>
    public static async Task<RunningEmulator> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string seedJson = options.SeedJson
            ?? (options.SeedFile != null ? await File.ReadAllTextAsync(options.SeedFile, ct) : SeedLoader.DefaultSeedJson());
        string jwtPem = options.JwtCertificatePem
            ?? (options.JwtCertificateFile != null ? await File.ReadAllTextAsync(options.JwtCertificateFile, ct) : null);
        RSA jwtKey = jwtPem == null ? null : JwtAssertion.LoadPublicKey(jwtPem);
        var state = new EmulatorState(options, seedJson, jwtKey);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = Array.Empty<string>(),
            ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // stdout belongs to the announcement line: logs go to stderr, warnings and worse only.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Stopping is the owner's business (signals in Program, DisposeAsync in process), not Ctrl+C handlers per instance.
        builder.Services.AddSingleton<IHostLifetime, OwnerControlledLifetime>();
        var certificate = LoopbackCertificate.Create(); // lives as long as the listener that serves it
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            // A second listener on a free port speaks https, for clients that refuse plain http (sf org login sfdx-url).
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
            kestrel.AddServerHeader = false;
            // Room for URLs past Salesforce's 16,384-character limit, so the emulator can answer 414 itself.
            kestrel.Limits.MaxRequestLineSize = 4 * ApiHandler.MaxUrlLength;
            kestrel.Limits.MaxRequestHeadersTotalSize = 8 * ApiHandler.MaxUrlLength;
        });

        var app = builder.Build();
        var handler = new ApiHandler(state);
        app.Run(handler.HandleAsync);
        await app.StartAsync(ct);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        state.BaseUrl = $"http://127.0.0.1:{addresses.First(a => a.Scheme == "http").Port}";
        state.HttpsBaseUrl = $"https://127.0.0.1:{addresses.First(a => a.Scheme == "https").Port}";
        state.CertificatePem = certificate.ExportCertificatePem();
        return new RunningEmulator(app, state);
    }

    private sealed class OwnerControlledLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
