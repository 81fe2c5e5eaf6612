using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SalesforceProvisioning.Emulator;

/// <summary>
/// Standalone emulator: prints one JSON line with its address and credentials as the first stdout line, then
/// serves until a signal (SIGINT, SIGTERM, SIGQUIT) arrives or the --parent-pid process exits.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (EmulatorOptions.WantsHelp(args))
        {
            await Console.Out.WriteAsync(EmulatorOptions.Usage);
            return 0;
        }

        EmulatorOptions options;
        try
        {
            options = EmulatorOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var signals = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }
            .Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // shut down cleanly below instead of being killed outright
                stop.TrySetResult();
            }))
            .ToList();

        RunningEmulator emulator;
        try
        {
            emulator = await EmulatorServer.StartAsync(options);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"The emulator could not start: {ex.Message}");
            return 1;
        }

        await using (emulator)
        {
            Console.Out.WriteLine(emulator.Info.ToJsonLine());
            Console.Out.Flush();
            if (options.ParentProcessId is int parentId) WatchParent(parentId, stop);
            await stop.Task;
        }
        signals.ForEach(s => s.Dispose());
        return 0;
    }

    /// <summary>Stops when the process that started us is gone, so a crashed test run leaves no emulator behind.</summary>
    private static void WatchParent(int parentId, TaskCompletionSource stop)
    {
        Process parent;
        try
        {
            parent = Process.GetProcessById(parentId);
        }
        catch (ArgumentException)
        {
            stop.TrySetResult();
            return;
        }
        _ = parent.WaitForExitAsync().ContinueWith(_ => stop.TrySetResult(), TaskScheduler.Default);
    }
}
