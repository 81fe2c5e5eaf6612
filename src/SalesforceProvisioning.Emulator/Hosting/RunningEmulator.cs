using Microsoft.AspNetCore.Builder;
using SalesforceProvisioning.Emulator.Api;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator;

/// <summary>An emulator listening on loopback; dispose to stop it.</summary>
public sealed class RunningEmulator : IAsyncDisposable
{
    private readonly WebApplication app;

    internal RunningEmulator(WebApplication app, EmulatorState state)
    {
        this.app = app;
        State = state;
    }

    /// <summary>Where it listens and the credentials it accepts.</summary>
    public EmulatorInfo Info => State.Info;

    /// <summary>Direct access to the data, for test arrangement and assertions.</summary>
    public EmulatorOrg Org => State.Org;

    internal EmulatorState State { get; }

    /// <summary>Completes when the server has stopped.</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(TimeSpan.FromSeconds(5));
        await app.DisposeAsync();
    }
}
