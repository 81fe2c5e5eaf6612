using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Get-Help, through the real engine with the built module imported, has what the help sources promise:
    /// synopsis, description, a description for every parameter and at least two examples per cmdlet, and
    /// the about_ topics.
    /// </summary>
    public class HelpTests
    {
        private static readonly HashSet<string> CommonParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
            "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
        };

        /// <summary>CmdletsToExport, read from the manifest so a cmdlet added later is covered without touching this test.</summary>
        public static IEnumerable<object[]> ExportedCmdlets()
        {
            string manifest = File.ReadAllText(Path.Combine(PowerShellHost.RepoRoot, "SalesforceProvisioning.psd1"));
            string list = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\(([^)]*)\)").Groups[1].Value;
            return Regex.Matches(list, @"'([^']+)'").Select(m => new object[] { m.Groups[1].Value });
        }

        [Fact]
        public void The_module_ships_maml_help_and_the_about_topics()
        {
            Assert.True(File.Exists(Path.Combine(PowerShellHost.ModuleFolder, "SalesforceProvisioning.dll-Help.xml")));
            Assert.True(File.Exists(Path.Combine(PowerShellHost.ModuleFolder, "en-US", "about_SalesforceProvisioning.help.txt")));
            Assert.True(File.Exists(Path.Combine(PowerShellHost.ModuleFolder, "en-US", "about_SalesforceProvisioning_Emulator.help.txt")));
        }

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void Every_cmdlet_has_synopsis_description_parameters_and_two_examples(string cmdlet)
        {
            using var host = new PowerShellHost();
            var result = host.Run($@"
                $h = Get-Help {cmdlet} -Full
                [pscustomobject]@{{
                    Synopsis    = [string]$h.Synopsis
                    Description = (@($h.description) | ForEach-Object Text) -join ' '
                    Examples    = @($h.examples.example).Count
                    ExampleCode = (@($h.examples.example) | Where-Object {{ -not $_.code }}).Count
                }}
                $documented = @{{}}
                foreach ($p in @($h.parameters.parameter)) {{ $documented[$p.name] = (@($p.description) | ForEach-Object Text) -join ' ' }}
                foreach ($name in (Get-Command {cmdlet}).Parameters.Keys) {{
                    [pscustomobject]@{{ Parameter = $name; Text = $documented[$name] }}
                }}");
            Assert.Empty(result.Errors);
            var summary = result.Output[0];
            Assert.False(string.IsNullOrWhiteSpace(summary.Prop("Synopsis")), $"{cmdlet}: no synopsis");
            // Without MAML, Get-Help makes up a synopsis from the syntax; ours is a sentence.
            Assert.DoesNotContain("[-", summary.Prop("Synopsis"));
            Assert.False(string.IsNullOrWhiteSpace(summary.Prop("Description")), $"{cmdlet}: no description");
            Assert.True(int.Parse(summary.Prop("Examples")) >= 2, $"{cmdlet}: fewer than two examples");
            Assert.Equal("0", summary.Prop("ExampleCode"));
            var undocumented = result.Output.Skip(1)
                .Where(p => !CommonParameters.Contains(p.Prop("Parameter")) && string.IsNullOrWhiteSpace(p.Prop("Text")))
                .Select(p => p.Prop("Parameter")).ToList();
            Assert.True(undocumented.Count == 0, $"{cmdlet}: parameters without help: {string.Join(", ", undocumented)}");
        }

        [Fact]
        public void Help_syntax_comes_from_the_cmdlet_metadata()
        {
            using var host = new PowerShellHost();
            var result = host.Run(@"
                $h = Get-Help Get-SfUser -Full
                @($h.syntax.syntaxItem).Count
                $u = @($h.parameters.parameter) | Where-Object name -eq 'Username'
                $u.pipelineInput
                $u.aliases");
            Assert.Empty(result.Errors);
            Assert.Equal("2", result.Output[0].ToString());
            Assert.Contains("ByPropertyName", result.Output[1].ToString());
            Assert.Contains("UserPrincipalName", result.Output[2].ToString());
        }

        [Theory]
        [InlineData("Sync-SfUser", "BatchSize", "2000")]
        [InlineData("New-SfProvisioningConnection", "TimeoutSeconds", "100")]
        [InlineData("Disable-SfUser", "Force", "False")]
        [InlineData("Get-SfUser", "Name", "None")]
        public void Help_shows_each_parameters_default_value(string cmdlet, string parameter, string expected)
        {
            using var host = new PowerShellHost();
            var result = host.Run($"(Get-Help {cmdlet} -Parameter {parameter}).defaultValue");
            Assert.Empty(result.Errors);
            Assert.Equal(expected, result.Output.Single().ToString());
        }

        /// <summary>
        /// The defaults README's users and groups sections promise, read from the cmdlets themselves (help's "Default
        /// value" comes from the help text, so this is what a run without the parameter really does).
        /// </summary>
        [Theory]
        [InlineData("SyncSfUserCommand", "BatchSize", "2000")]
        [InlineData("SyncSfUserCommand", "MaxConcurrentRequests", "10")]
        [InlineData("SyncSfUserCommand", "UseBulkApi", "Auto")]
        [InlineData("SyncSfUserCommand", "BulkApiThreshold", "20000")]
        [InlineData("SyncSfUserCommand", "GroupMembership", "Merge")]
        [InlineData("SyncSfGroupCommand", "MembershipMode", "Overwrite")]
        public void A_cmdlets_default_is_the_one_README_gives(string type, string parameter, string expected)
        {
            using var host = new PowerShellHost();
            var result = host.Run($"[string][SalesforceProvisioning.Commands.{type}]::new().{parameter}");
            Assert.Empty(result.Errors);
            Assert.Equal(expected, result.Output.Single().ToString());
        }

        [Fact]
        public void Every_cmdlet_has_an_online_link_to_its_markdown_page_and_every_parameter_a_default()
        {
            using var host = new PowerShellHost();
            var result = host.Run("Get-Command -Module SalesforceProvisioning | ForEach-Object { $h = Get-Help $_.Name; \"$($_.Name)|$(@($h.relatedLinks.navigationLink)[0].uri)|$(@($h.parameters.parameter | Where-Object { -not $_.defaultValue }).Count)\" }");
            Assert.Empty(result.Errors);
            Assert.NotEmpty(result.Output);
            foreach (string line in result.Output.Select(o => o.ToString()))
            {
                string[] parts = line.Split('|');
                Assert.EndsWith("/docs/help/" + parts[0] + ".md", parts[1]);
                Assert.True(File.Exists(Path.Combine(PowerShellHost.RepoRoot, "docs", "help", parts[0] + ".md")), parts[0]);
                Assert.Equal("0", parts[2]);
            }
        }

        [Fact]
        public void Help_examples_name_only_repository_files_that_exist()
        {
            var missing = Directory.GetFiles(Path.Combine(PowerShellHost.RepoRoot, "docs", "help"))
                .SelectMany(file => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), @"\./(?:samples|tests|docs|src|build|bench)/[\w./-]*\w")
                    .Select(m => (File: Path.GetFileName(file), Path: m.Value)))
                .Where(x => !File.Exists(Path.Combine(PowerShellHost.RepoRoot, x.Path)) && !Directory.Exists(Path.Combine(PowerShellHost.RepoRoot, x.Path)))
                .ToList();
            Assert.Empty(missing);
            // Start-SfEmulator's example copies the default seed from the module folder.
            Assert.True(File.Exists(Path.Combine(PowerShellHost.ModuleFolder, "emulator", "Data", "DefaultSeed.json")));
        }

        [Theory]
        [InlineData("about_SalesforceProvisioning", new[] { "CONNECTIONS AND SECRETS", "TARGETS", "MAPPING AND UPDATE FLAGS", "MATCHING", "DEPROVISIONING AND ITS GUARD", "STATE AND RULES", "EMULATOR" })]
        [InlineData("about_SalesforceProvisioning_Emulator", new[] { "Start-SfEmulator", "CONTROL ENDPOINTS", "SEE ALSO" })]
        public void About_topics_are_found_by_Get_Help(string topic, string[] concepts)
        {
            using var host = new PowerShellHost();
            // Out-String is not in the hosted engine's default session: about topics come back as text anyway.
            var result = host.Run($"@(Get-Help {topic}) | ForEach-Object {{ if ($_ -is [string]) {{ $_ }} else {{ $_.GetType().FullName; [string]$_.Text }} }}");
            Assert.Empty(result.Errors);
            string text = string.Concat(result.Output.Select(o => o.ToString()));
            foreach (string concept in concepts) Assert.Contains(concept, text);
        }
    }
}

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>The help generator refuses incomplete help, so the build cannot ship a cmdlet without it.</summary>
    public class HelpGeneratorTests
    {
        private static string Configuration => AppContext.BaseDirectory.Replace('\\', '/').Contains("/bin/Debug/") ? "Debug" : "Release";

        private static (int ExitCode, string Output) RunGenerator(string docsFolder, string outFile)
        {
            string generator = Path.Combine(PowerShellHost.RepoRoot, "src", "SalesforceProvisioning.HelpGen", "bin", Configuration, "net10.0", "SalesforceProvisioning.HelpGen.dll");
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string sma = Path.Combine(packages, "powershellstandard.library", "5.1.1", "lib", "netstandard2.0", "System.Management.Automation.dll");
            var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { generator, PowerShellHost.ModuleFolder, docsFolder, "--reference", sma, "--out", outFile }) start.ArgumentList.Add(arg);
            using var process = System.Diagnostics.Process.Start(start);
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout + stderr.Result);
        }

        private static string CopyOfHelpSources()
        {
            string copy = Path.Combine(Path.GetTempPath(), "sfhelp-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(copy);
            foreach (string file in Directory.GetFiles(Path.Combine(PowerShellHost.RepoRoot, "docs", "help")))
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            return copy;
        }

        [Fact]
        public void A_parameter_without_a_description_fails_the_generator_and_writes_nothing()
        {
            string docs = CopyOfHelpSources();
            string outFile = Path.Combine(docs, "out-Help.xml");
            try
            {
                string path = Path.Combine(docs, "Test-SfConnection.md");
                string text = File.ReadAllText(path).Replace("\r\n", "\n");
                int start = text.IndexOf("### -Quiet\n", StringComparison.Ordinal);
                int end = text.IndexOf("\n## ", start, StringComparison.Ordinal);
                File.WriteAllText(path, text.Remove(start, end - start + 1));

                var (exitCode, output) = RunGenerator(docs, outFile);

                Assert.NotEqual(0, exitCode);
                Assert.Contains("Test-SfConnection", output);
                Assert.Contains("-Quiet has no description", output);
                Assert.False(File.Exists(outFile));
            }
            finally
            {
                Directory.Delete(docs, recursive: true);
            }
        }

        [Fact]
        public void A_missing_help_file_or_a_single_example_fails_the_generator()
        {
            string docs = CopyOfHelpSources();
            string outFile = Path.Combine(docs, "out-Help.xml");
            try
            {
                File.Delete(Path.Combine(docs, "Stop-SfEmulator.md"));
                string path = Path.Combine(docs, "Get-SfLead.md");
                string text = File.ReadAllText(path).Replace("\r\n", "\n");
                int start = text.IndexOf("### Example 2", StringComparison.Ordinal);
                int end = text.IndexOf("\n## Parameters", start, StringComparison.Ordinal);
                File.WriteAllText(path, text.Remove(start, end - start + 1));

                var (exitCode, output) = RunGenerator(docs, outFile);

                Assert.NotEqual(0, exitCode);
                Assert.Contains("Stop-SfEmulator: no help source", output);
                Assert.Contains("Get-SfLead", output);
                Assert.Contains("at least 2 are needed", output);
                Assert.False(File.Exists(outFile));
            }
            finally
            {
                Directory.Delete(docs, recursive: true);
            }
        }

        [Fact]
        public void Complete_help_sources_generate_maml()
        {
            string docs = CopyOfHelpSources();
            string outFile = Path.Combine(docs, "out-Help.xml");
            try
            {
                var (exitCode, output) = RunGenerator(docs, outFile);
                Assert.True(exitCode == 0, output);
                string maml = File.ReadAllText(outFile);
                Assert.Contains("http://schemas.microsoft.com/maml/dev/command/2004/10", maml);
                Assert.Contains("<command:name>Sync-SfUser</command:name>", maml);
            }
            finally
            {
                Directory.Delete(docs, recursive: true);
            }
        }
    }
}
