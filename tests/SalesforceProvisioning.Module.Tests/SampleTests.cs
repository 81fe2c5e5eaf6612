using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>The samples run on the bare PowerShell engine (the way the README's first command runs them).</summary>
    [Collection("Process environment")]
    public class SampleTests
    {
        private static ScriptResult RunSample(string name)
        {
            using var host = new PowerShellHost();
            return host.Run($"& '{Path.Combine(PowerShellHost.RepoRoot, "samples", name)}'");
        }

        [Fact]
        public void The_quickstart_creates_then_changes_nothing_then_disables()
        {
            var result = RunSample("Quickstart.ps1");
            Assert.Empty(result.Errors);
            var text = result.Output.Select(o => o.ToString()).ToList();
            Assert.Contains(text, t => t.StartsWith("Connected to 'Emulator Org'"));
            var actions = result.Output.Where(o => o.Prop("Action") != null).Select(o => o.Prop("Action")).ToArray();
            Assert.Equal(new[] { "Created", "Created", "Created", "Unchanged", "Unchanged", "Unchanged", "Disabled", "Unchanged", "Unchanged" }, actions);
        }

        [Fact]
        public void The_nightly_runbook_provisions_then_deprovisions_who_left_and_exits_zero()
        {
            var result = RunSample("Try-NightlyHrSync.ps1");
            Assert.Empty(result.Errors);
            var text = result.Output.Select(o => o.ToString()).ToList();
            Assert.Contains("Rule 'hr': 3 result(s): Created 3", text);
            Assert.Contains("Rule 'hr': 3 result(s): Unchanged 2, Frozen 1", text);
            Assert.Equal(2, text.Count(t => t == "exit code: 0"));
        }
    }
}
