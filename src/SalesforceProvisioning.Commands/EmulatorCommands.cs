using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Security;
using System.Threading.Tasks;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// A running emulator: the values New-SfProvisioningConnection takes by pipeline (secrets as
    /// SecureString), and the process to stop.
    /// </summary>
    public sealed class SfEmulatorInstance
    {
        internal Process Process { get; set; }
        public string Domain { get; internal set; }
        public string InstanceUrl { get; internal set; }
        public string ClientId { get; internal set; }
        public SecureString ClientSecret { get; internal set; }
        public SecureString RefreshToken { get; internal set; }
        public SecureString AccessToken { get; internal set; }
        public string Username { get; internal set; }
        public int ProcessId { get; internal set; }
        /// <summary>Base URL of the emulator's control endpoints (reset, faults, request log).</summary>
        public string ControlUrl => Domain + "/__emulator";
        public bool HasExited => Process == null || Process.HasExited;
        public override string ToString() => $"Salesforce emulator at {Domain} (pid {ProcessId})";
    }

    /// <summary>Starts the built-in Salesforce emulator as a child process for offline runbook tests.</summary>
    [Cmdlet(VerbsLifecycle.Start, "SfEmulator")]
    [OutputType(typeof(SfEmulatorInstance))]
    public sealed class StartSfEmulatorCommand : SfCmdlet
    {
        [Parameter] [ValidateRange(0, 65535)] public int Port { get; set; }
        [Parameter] [ValidateRange(0, 60000)] public int LatencyMilliseconds { get; set; }
        [Parameter] [ValidateRange(0, 60000)] public int LatencyPerRecordMilliseconds { get; set; }
        [Parameter] [ValidateNotNullOrEmpty] public string SeedPath { get; set; }
        [Parameter] [ValidateRange(1, int.MaxValue)] public int AccessTokenLifetimeSeconds { get; set; } = 7200;
        [Parameter] [ValidateRange(1, long.MaxValue)] public long DailyApiLimit { get; set; } = 15000;
        [Parameter] public SwitchParameter RotateRefreshTokens { get; set; }
        /// <summary>The PEM certificate (public part) the emulator's connected app verifies JWT bearer assertions with.</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string JwtCertificatePath { get; set; }
        [Parameter] [ValidateRange(1, 600)] public int StartTimeoutSeconds { get; set; } = 60;

        protected override void ProcessRecord()
        {
            string moduleDir = Path.GetDirectoryName(typeof(StartSfEmulatorCommand).Assembly.Location);
            string emulatorDll = Path.Combine(moduleDir, "emulator", "SalesforceProvisioning.Emulator.dll");
            if (!File.Exists(emulatorDll))
            {
                ThrowTerminatingError(new ErrorRecord(new FileNotFoundException("The emulator is not in the module folder.", emulatorDll),
                    "EmulatorNotFound", ErrorCategory.ObjectNotFound, emulatorDll)
                { ErrorDetails = new ErrorDetails($"The emulator is not in the module folder ({emulatorDll}).") { RecommendedAction = "Reinstall the module, or build it with 'dotnet build ProvisionModule.sln -c Release'." } });
            }

            var arguments = new List<string> { Quote(emulatorDll), "--port", Port.ToString(), "--latency-ms", LatencyMilliseconds.ToString(),
                "--latency-per-record-ms", LatencyPerRecordMilliseconds.ToString(),
                "--token-lifetime", AccessTokenLifetimeSeconds.ToString(), "--daily-api-limit", DailyApiLimit.ToString(),
                "--parent-pid", Process.GetCurrentProcess().Id.ToString() };
            if (SeedPath != null) { arguments.Add("--seed"); arguments.Add(Quote(GetUnresolvedProviderPathFromPSPath(SeedPath))); }
            if (RotateRefreshTokens) arguments.Add("--rotate-refresh-tokens");
            if (JwtCertificatePath != null) { arguments.Add("--jwt-certificate"); arguments.Add(Quote(GetUnresolvedProviderPathFromPSPath(JwtCertificatePath))); }

            var start = new ProcessStartInfo(DotnetHost(), string.Join(" ", arguments))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
            };
            Process process;
            try
            {
                process = Process.Start(start);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || ex is InvalidOperationException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "DotnetNotFound", ErrorCategory.ResourceUnavailable, start.FileName)
                { ErrorDetails = new ErrorDetails($"Cannot start the emulator with '{start.FileName}': {ex.Message}") { RecommendedAction = "Install the .NET 10 runtime (ASP.NET Core) and make sure 'dotnet' is on PATH, or set DOTNET_ROOT." } });
                return;
            }

            var stderr = new System.Text.StringBuilder();
            process.ErrorDataReceived += (s, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
            process.BeginErrorReadLine();
            Task<string> firstLine = Task.Run(() => process.StandardOutput.ReadLine());
            if (!firstLine.Wait(TimeSpan.FromSeconds(StartTimeoutSeconds)) || firstLine.Result == null)
            {
                try { if (!process.HasExited) process.Kill(); } catch (InvalidOperationException) { }
                string detail;
                lock (stderr) detail = stderr.ToString().Trim();
                ThrowTerminatingError(new ErrorRecord(new TimeoutException("The emulator did not start."), "EmulatorDidNotStart", ErrorCategory.OperationTimeout, null)
                { ErrorDetails = new ErrorDetails($"The emulator did not start within {StartTimeoutSeconds} s. {detail}") { RecommendedAction = "Check the output above; try another -Port, or raise -StartTimeoutSeconds." } });
            }
            // Keep draining stdout so the child never blocks on a full pipe.
            Task.Run(() => process.StandardOutput.ReadToEnd());

            var info = EmulatorAnnouncement.Parse(firstLine.Result);
            WriteObject(new SfEmulatorInstance
            {
                Process = process,
                ProcessId = process.Id,
                Domain = info.Domain,
                InstanceUrl = info.InstanceUrl,
                ClientId = info.ClientId,
                ClientSecret = SecretText.ToSecureString(info.ClientSecret),
                RefreshToken = SecretText.ToSecureString(info.RefreshToken),
                AccessToken = SecretText.ToSecureString(info.AccessToken),
                Username = info.Username,
            });
        }

        private static string Quote(string value) => "\"" + value.Replace("\"", "\\\"") + "\"";

        /// <summary>The dotnet host that runs this PowerShell, else DOTNET_ROOT's, else 'dotnet' on PATH.</summary>
        private static string DotnetHost()
        {
            string exe = Environment.OSVersion.Platform == PlatformID.Win32NT ? "dotnet.exe" : "dotnet";
            string fromEnv = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
            string root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
            if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, exe))) return Path.Combine(root, exe);
            return exe;
        }
    }

    /// <summary>Stops an emulator started with Start-SfEmulator.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "SfEmulator")]
    public sealed class StopSfEmulatorCommand : SfCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SfEmulatorInstance Emulator { get; set; }

        protected override void ProcessRecord()
        {
            Process process = Emulator.Process;
            if (process == null || process.HasExited)
            {
                WriteVerbose($"The emulator (pid {Emulator.ProcessId}) has already stopped.");
                return;
            }
            process.Kill();
            process.WaitForExit(10_000);
            WriteVerbose($"Stopped the emulator (pid {Emulator.ProcessId}).");
        }
    }
}
