using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    public class ModuleShapeTests
    {
        [Fact]
        public void The_module_folder_never_ships_System_Management_Automation()
        {
            Assert.True(File.Exists(PowerShellHost.ModuleManifest));
            Assert.Empty(Directory.GetFiles(PowerShellHost.ModuleFolder, "System.Management.Automation.dll", SearchOption.AllDirectories));
        }

        [Fact]
        public void The_manifest_is_valid_and_exports_cmdlets_explicitly()
        {
            using var host = new PowerShellHost();
            var result = host.Run($"Test-ModuleManifest -Path '{PowerShellHost.ModuleManifest}'");
            Assert.Empty(result.Errors);
            var manifest = (PSModuleInfo)result.Output.Single().BaseObject;
            Assert.Contains("Desktop", manifest.CompatiblePSEditions);
            Assert.Contains("Core", manifest.CompatiblePSEditions);
            var text = File.ReadAllText(Path.Combine(PowerShellHost.RepoRoot, "SalesforceProvisioning.psd1"));
            Assert.DoesNotContain("'*'", text);
        }

        [Fact]
        public void Every_exported_cmdlet_is_listed_in_the_manifest_and_exists()
        {
            using var host = new PowerShellHost();
            var commands = host.Run("Get-Command -Module SalesforceProvisioning | ForEach-Object Name").Output.Select(o => o.ToString()).ToList();
            foreach (var expected in new[] { "New-SfProvisioningConnection", "Test-SfConnection", "Start-SfEmulator", "Stop-SfEmulator" })
                Assert.Contains(expected, commands);
        }
    }
}
