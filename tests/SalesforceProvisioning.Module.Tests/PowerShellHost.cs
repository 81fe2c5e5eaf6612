using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Collections.ObjectModel;

namespace SalesforceProvisioning.ModuleTests
{
    public static class PSObjectExtensions
    {
        /// <summary>A property's value as text (null when absent or null): tests never load the module's types themselves.</summary>
        public static string Prop(this PSObject obj, string name)
        {
            object value = obj.Properties[name]?.Value;
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            return value is System.Collections.IEnumerable list && !(value is string)
                ? string.Join(",", list.Cast<object>())
                : value?.ToString();
        }
    }

    /// <summary>What one script run produced, stream by stream.</summary>
    public sealed class ScriptResult
    {
        public IReadOnlyList<PSObject> Output { get; init; }
        public IReadOnlyList<ErrorRecord> Errors { get; init; }
        public IReadOnlyList<string> Warnings { get; init; }
        public IReadOnlyList<string> Verbose { get; init; }
        public IReadOnlyList<string> Information { get; init; }
        public IReadOnlyList<ProgressRecord> Progress { get; init; } = Array.Empty<ProgressRecord>();

        /// <summary>Everything a user could see on any stream, for secret-leak checks.</summary>
        public string AllText() => string.Join("\n", Output.Select(o => o?.ToString())
            .Concat(Errors.Select(e => e.ToString() + " " + e.ErrorDetails?.Message + " " + e.ErrorDetails?.RecommendedAction + " " + e.Exception))
            .Concat(Warnings).Concat(Verbose).Concat(Information));
    }

    /// <summary>
    /// A runspace of the real PowerShell engine with the built module imported from out/, as a user
    /// would import it. Each instance is its own runspace, so tests never share a default connection.
    /// </summary>
    public sealed class PowerShellHost : IDisposable
    {
        private readonly Runspace _runspace;

        /// <summary>
        /// Tests never touch the user's own state store, connection key or runbook logs: unless the run says otherwise,
        /// they live in a folder of this test run (cmdlets and runbooks read these variables when given no path).
        /// </summary>
        static PowerShellHost()
        {
            string folder = Path.Combine(Path.GetTempPath(), "sfprov-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            if (Environment.GetEnvironmentVariable("SFPROVISIONING_STATE_PATH") == null)
                Environment.SetEnvironmentVariable("SFPROVISIONING_STATE_PATH", Path.Combine(folder, "state.db"));
            if (Environment.GetEnvironmentVariable("SFPROVISIONING_KEY_PATH") == null)
                Environment.SetEnvironmentVariable("SFPROVISIONING_KEY_PATH", Path.Combine(folder, "connection-key"));
            if (Environment.GetEnvironmentVariable("SFPROVISIONING_LOG_PATH") == null)
                Environment.SetEnvironmentVariable("SFPROVISIONING_LOG_PATH", Path.Combine(folder, "logs"));
        }

        public PowerShellHost() : this(null) { }

        /// <summary>A session whose host is <paramref name="host"/> (a <see cref="RecordingHost"/> keeps the What if lines).</summary>
        public PowerShellHost(PSHost host)
        {
            var state = InitialSessionState.CreateDefault2();
            _runspace = host == null ? RunspaceFactory.CreateRunspace(state) : RunspaceFactory.CreateRunspace(host, state);
            _runspace.Open();
            var imported = Run($"Import-Module '{ModuleManifest}' -ErrorAction Stop");
            if (imported.Errors.Count > 0) throw new InvalidOperationException("Import-Module failed: " + imported.Errors[0]);
        }

        public static string RepoRoot { get; } = FindRepoRoot();

        public static string ModuleFolder => Path.Combine(RepoRoot, "out", "SalesforceProvisioning");

        public static string ModuleManifest => Path.Combine(ModuleFolder, "SalesforceProvisioning.psd1");

        /// <summary>Runs a script; <paramref name="variables"/> become PowerShell variables first.</summary>
        public ScriptResult Run(string script, IDictionary variables = null)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            if (variables != null)
            {
                foreach (DictionaryEntry v in variables)
                    _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
            }
            ps.AddScript(script);
            Collection<PSObject> output;
            try
            {
                output = ps.Invoke();
            }
            catch (RuntimeException ex)
            {
                // A terminating error ends the script: report it like the error stream would.
                return new ScriptResult
                {
                    Output = Array.Empty<PSObject>(),
                    Errors = ps.Streams.Error.Concat(new[] { ex.ErrorRecord }).ToList(),
                    Warnings = ps.Streams.Warning.Select(w => w.Message).ToList(),
                    Verbose = ps.Streams.Verbose.Select(w => w.Message).ToList(),
                    Information = ps.Streams.Information.Select(i => i.MessageData?.ToString()).ToList(),
                    Progress = ps.Streams.Progress.ToList(),
                };
            }
            return new ScriptResult
            {
                Output = output.ToList(),
                Errors = ps.Streams.Error.ToList(),
                Warnings = ps.Streams.Warning.Select(w => w.Message).ToList(),
                Verbose = ps.Streams.Verbose.Select(w => w.Message).ToList(),
                Information = ps.Streams.Information.Select(i => i.MessageData?.ToString()).ToList(),
                Progress = ps.Streams.Progress.ToList(),
            };
        }

        /// <summary>
        /// Runs a script and stops it (as Ctrl+C does) once <paramref name="stopWhen"/> holds, polled while it runs;
        /// returns whether the stop was sent before the script ended by itself.
        /// </summary>
        public bool RunAndStop(string script, Func<bool> stopWhen, TimeSpan timeout, IDictionary variables = null)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            if (variables != null)
            {
                foreach (DictionaryEntry v in variables)
                    _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
            }
            ps.AddScript(script);
            IAsyncResult running = ps.BeginInvoke();
            var deadline = DateTime.UtcNow + timeout;
            bool stopped = false;
            while (!running.IsCompleted && DateTime.UtcNow < deadline)
            {
                if (stopWhen())
                {
                    ps.Stop();
                    stopped = true;
                    break;
                }
                System.Threading.Thread.Sleep(10);
            }
            if (!running.IsCompleted && !stopped) ps.Stop();
            try { ps.EndInvoke(running); }
            catch (PipelineStoppedException) { }
            catch (RuntimeException) { }
            return stopped;
        }

        public void Dispose() => _runspace.Dispose();

        private static string FindRepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ProvisionModule.sln"))) return dir.FullName;
            }
            throw new InvalidOperationException("Cannot find the repository root (ProvisionModule.sln) above " + AppContext.BaseDirectory);
        }
    }
}
