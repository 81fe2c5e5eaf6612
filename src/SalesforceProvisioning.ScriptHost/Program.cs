using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace SalesforceProvisioning.ScriptHost
{
    /// <summary>
    /// <c>dotnet run --project src/SalesforceProvisioning.ScriptHost -c Release -- script.ps1 [args]</c>:
    /// runs the script with the module from out/SalesforceProvisioning imported, prints its output through
    /// the module's format views, and exits with the script's exit code (1 if it wrote errors).
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length == 0 || !File.Exists(args[0]))
            {
                Console.Error.WriteLine("usage: SalesforceProvisioning.ScriptHost <script.ps1> [arguments]");
                return 2;
            }
            string script = Path.GetFullPath(args[0]);
            string module = FindModuleManifest();

            var host = new ConsoleHost();
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(new[] { module });
            using Runspace runspace = RunspaceFactory.CreateRunspace(host, state);
            runspace.Open();
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddCommand(script);
            foreach (string argument in args.Skip(1)) ps.AddArgument(argument);
            ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
            // Errors flow to Out-Default in order with the output; count them on the way for the exit code.
            ps.AddScript("process { if ($_ -is [System.Management.Automation.ErrorRecord]) { $global:SfScriptHostErrorCount++ }; $_ }");
            ps.AddCommand("Out-Default");
            Console.CancelKeyPress += (s, e) => { e.Cancel = true; ps.BeginStop(null, null); };
            try
            {
                ps.Invoke();
            }
            catch (RuntimeException ex)
            {
                Console.Error.WriteLine(ex.ErrorRecord?.ToString() ?? ex.Message);
                return 1;
            }
            if (host.ExitCode.HasValue) return host.ExitCode.Value;
            object lastExitCode = runspace.SessionStateProxy.GetVariable("LASTEXITCODE");
            if (lastExitCode is int code && code != 0) return code;
            bool wroteErrors = runspace.SessionStateProxy.GetVariable("SfScriptHostErrorCount") is int count && count > 0;
            return wroteErrors || ps.HadErrors ? 1 : 0;
        }

        private static string FindModuleManifest()
        {
            string fromEnvironment = Environment.GetEnvironmentVariable("SFPROVISIONING_MODULE");
            if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "out", "SalesforceProvisioning", "SalesforceProvisioning.psd1");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("Cannot find out/SalesforceProvisioning/SalesforceProvisioning.psd1: build the solution first (dotnet build ProvisionModule.sln -c Release).");
        }
    }
}
