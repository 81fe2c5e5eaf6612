using System.Collections;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Sync-SfUser, Disable-SfUser and Enable-SfUser driven through the real engine against the emulator.</summary>
    public class SyncUserTests : IClassFixture<EmulatorFixture>
    {
        private const string People = @"
$people = @(
    [pscustomobject]@{ UserPrincipalName = 'ada.lovelace@example.com'; givenName = 'Ada'; sn = 'Lovelace'; mail = 'ada.lovelace@example.com'; Title = 'Analyst'; Enabled = $true }
    [pscustomobject]@{ UserPrincipalName = ""sean.o'brien@example.com""; givenName = 'Seán'; sn = ""O'Brien""; mail = ""sean.o'brien@example.com""; Title = 'Engineer'; Enabled = $true }
    [pscustomobject]@{ UserPrincipalName = 'zoe.angstrom@example.com'; givenName = 'Zoë'; sn = 'Ångström'; mail = 'zoe.angstrom@example.com'; Title = 'Designer'; Enabled = $true }
)
";

        private readonly EmulatorFixture _emulator;

        public SyncUserTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        [Fact]
        public void Creates_users_with_apostrophes_and_non_ascii_names_then_a_rerun_writes_nothing()
        {
            using var ps = _emulator.NewSession();
            var first = ps.Run(People + "$people | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(first.Errors);
            Assert.Equal(new[] { "Created", "Created", "Created" }, Actions(first));
            Assert.All(first.Output, o => Assert.StartsWith("005", o.Prop("SalesforceId")));
            Assert.Equal("sean.o'brien@example.com", first.Output[1].Prop("Username"));

            long calls = _emulator.ApiCalls, written = _emulator.RecordsWritten;
            var second = ps.Run(People + "$people | Sync-SfUser");
            Assert.Equal(new[] { "Unchanged", "Unchanged", "Unchanged" }, Actions(second));
            Assert.Equal(2, _emulator.ApiCalls - calls); // preflight and one read; no write
            Assert.Equal(0, WritesSince(written));
        }

        [Fact]
        public void The_summary_reports_the_api_calls_used_on_the_first_run_of_a_new_connection_too()
        {
            // A scheduled runbook makes a new connection every time: no response has reported the org's usage
            // before its run starts, yet its summary must say what the run spent.
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            var first = ps.Run(People + "$null = $people | Sync-SfUser -Profile 'Standard User' -InformationVariable info; $info[-1].MessageData.ApiCallsUsed");
            Assert.Empty(first.Errors);
            long spent = _emulator.ApiCalls - before;
            Assert.True(spent > 0);
            Assert.Equal(spent.ToString(System.Globalization.CultureInfo.InvariantCulture), first.Output.Single()?.ToString());

            before = _emulator.ApiCalls;
            var second = ps.Run(People + "$null = $people | Sync-SfUser -InformationVariable info; $info[-1].MessageData.ApiCallsUsed");
            Assert.Equal((_emulator.ApiCalls - before).ToString(System.Globalization.CultureInfo.InvariantCulture), second.Output.Single()?.ToString());
        }

        [Fact]
        public void Updates_only_the_fields_that_changed_and_clears_emptied_ones()
        {
            using var ps = _emulator.NewSession();
            ps.Run(People + "$people | Sync-SfUser -Profile 'Standard User'");
            var result = ps.Run(People + @"
$map = New-SfAttributeMap -Mapping @{ Username = 'UserPrincipalName'; LastName = 'sn'; Email = 'mail'; Title = 'Title'; Department = 'Department' } -Update Title, Department
$people[0].Title = 'Lead Analyst'
$people[1].psobject.Properties.Add([psnoteproperty]::new('Department', 'R&D'))
$people[2].Title = ''
$people | Sync-SfUser -AttributeMap $map");
            Assert.Empty(result.Errors);
            Assert.Equal(new[] { "Updated", "Updated", "Updated" }, Actions(result));
            Assert.Equal("Title", result.Output[0].Prop("ChangedFields"));
            var users = _emulator.Query("SELECT Username, Title, Department FROM User WHERE Username LIKE '%@example.com' ORDER BY Username");
            Assert.Equal("Lead Analyst", users.Single(u => (string)u["Username"] == "ada.lovelace@example.com")["Title"]?.ToString());
            Assert.Equal("R&D", users.Single(u => (string)u["Username"] == "sean.o'brien@example.com")["Department"]?.ToString());
            Assert.Null(users.Single(u => (string)u["Username"] == "zoe.angstrom@example.com")["Title"]);
        }

        [Fact]
        public void Disables_freezes_reactivates_and_reports_skips_with_reasons()
        {
            using var ps = _emulator.NewSession();
            ps.Run(People + "$people | Sync-SfUser -Profile 'Standard User'");
            var disabled = ps.Run(People + "$people[0].Enabled = $false; $people | Sync-SfUser");
            Assert.Equal(new[] { "Disabled", "Unchanged", "Unchanged" }, Actions(disabled));

            var frozen = ps.Run(People + "$f = $emu | New-SfProvisioningConnection -DisableAction Freeze -NoDefault; $people[1].Enabled = $false; $people | Sync-SfUser -Connection $f",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal(new[] { "Reactivated", "Frozen", "Unchanged" }, Actions(frozen));

            var unfrozen = ps.Run(People + "$f = $emu | New-SfProvisioningConnection -DisableAction Freeze -NoDefault; $people | Sync-SfUser -Connection $f",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal(new[] { "Unchanged", "Reactivated", "Unchanged" }, Actions(unfrozen));
            Assert.Contains("UserLogin.IsFrozen", unfrozen.Output[1].Prop("ChangedFields"));

            var off = ps.Run(People + "$n = $emu | New-SfProvisioningConnection -DisableUsers $false -NoDefault; $people[2].Enabled = $false; $people | Sync-SfUser -Connection $n",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal("Skipped", off.Output[2].Prop("Action"));
            Assert.Contains("-DisableUsers", off.Output[2].Prop("Remedy"));
        }

        [Fact]
        public void Bad_records_fail_on_their_own_with_stable_error_ids_and_the_rest_runs()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run(@"
@(
    @{ Username = 'good@example.com'; LastName = 'Good'; Email = 'good@example.com' }
    @{ Username = 'not-an-email'; LastName = 'Bad'; Email = 'bad@example.com' }
    @{ Username = 'alias@example.com'; LastName = 'Alias'; Email = 'alias@example.com'; Alias = 'muchtoolong' }
    @{ Username = 'nolast@example.com'; Email = 'nolast@example.com' }
    @{ Username = 'GOOD@example.com'; LastName = 'Twice'; Email = 'good@example.com' }
) | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(new[] { "Created", "Failed", "Failed", "Failed", "Failed" }, Actions(result));
            Assert.Equal(new[]
            {
                "InvalidUsername,SalesforceProvisioning.Commands.SyncSfUserCommand",
                "InvalidFieldValue,SalesforceProvisioning.Commands.SyncSfUserCommand",
                "RequiredFieldMissing,SalesforceProvisioning.Commands.SyncSfUserCommand",
                "DuplicateInput,SalesforceProvisioning.Commands.SyncSfUserCommand",
            }, result.Errors.Select(e => e.FullyQualifiedErrorId));
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.ErrorDetails.RecommendedAction)));
            Assert.Contains("LastName", result.Errors[2].Exception.Message);
        }

        [Fact]
        public void An_unknown_field_in_the_map_stops_the_run_before_any_write()
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.RecordsWritten;
            var result = ps.Run("$map = New-SfAttributeMap -Mapping @{ Username = 'mail'; Titel = 'title' }; @{ mail = 'a@example.com' } | Sync-SfUser -AttributeMap $map");
            var error = Assert.Single(result.Errors);
            Assert.Equal("InvalidAttributeMap,SalesforceProvisioning.Commands.SyncSfUserCommand", error.FullyQualifiedErrorId);
            Assert.Contains("Title", error.Exception.Message);
            Assert.Equal(0, WritesSince(before));
        }

        [Fact]
        public void WhatIf_shows_the_plan_and_writes_nothing()
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.RecordsWritten;
            var result = ps.Run(People + "$people | Sync-SfUser -Profile 'Standard User' -WhatIf");
            Assert.Equal(new[] { "Created", "Created", "Created" }, Actions(result));
            Assert.All(result.Output, o => Assert.Equal("True", o.Prop("WhatIf")));
            Assert.Equal(0, WritesSince(before));
        }

        [Fact]
        public void Disable_and_enable_by_username_or_piped_results()
        {
            using var ps = _emulator.NewSession();
            var created = ps.Run(People + "$created = $people | Sync-SfUser -Profile 'Standard User'; $created");
            var whatIf = ps.Run("Disable-SfUser 'ada.lovelace@example.com' -WhatIf");
            Assert.Equal("True", whatIf.Output.Single().Prop("WhatIf"));
            var disabled = ps.Run("$created | Disable-SfUser -Confirm:$false");
            Assert.Equal(new[] { "Disabled", "Disabled", "Disabled" }, Actions(disabled));
            var enabled = ps.Run("Enable-SfUser -Username 'ada.lovelace@example.com', 'nobody@example.com'");
            Assert.Equal(new[] { "Reactivated", "Failed" }, Actions(enabled));
            Assert.Equal("UserNotFound,SalesforceProvisioning.Commands.EnableSfUserCommand", enabled.Errors.Single().FullyQualifiedErrorId);
        }

        [Fact]
        public void Provision_disabled_users_creates_them_inactive_only_when_asked()
        {
            using var ps = _emulator.NewSession();
            var skipped = ps.Run("@{ Username = 'off@example.com'; LastName = 'Off'; Email = 'off@example.com'; Enabled = $false } | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal("Skipped", skipped.Output.Single().Prop("Action"));
            var created = ps.Run("$p = $emu | New-SfProvisioningConnection -ProvisionDisabledUsers -NoDefault; @{ Username = 'off@example.com'; LastName = 'Off'; Email = 'off@example.com'; Enabled = $false } | Sync-SfUser -Connection $p -Profile 'Standard User'",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal("Created", created.Output.Single().Prop("Action"));
        }

        [Fact]
        public void Multi_valued_sources_fill_multi_select_picklists_and_a_failing_script_block_fails_only_its_record()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run(@"
$map = New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email'; Skills__c = 'Skills'; Title = { $_.Role.ToUpper() } } -Profile 'Standard User' -Update *
@(
    @{ Username = 'multi@example.com'; LastName = 'Multi'; Email = 'multi@example.com'; Skills = 'Apex', 'Flows', 'apex'; Role = 'lead' }
    @{ Username = 'norole@example.com'; LastName = 'NoRole'; Email = 'norole@example.com'; Role = $null }
) | Sync-SfUser -AttributeMap $map");
            Assert.Equal(new[] { "Created", "Failed" }, Actions(result));
            Assert.Equal("InvalidSourceValue,SalesforceProvisioning.Commands.SyncSfUserCommand", result.Errors.Single().FullyQualifiedErrorId);
            Assert.Contains("null-valued", result.Errors.Single().Exception.Message);
            var user = _emulator.Query("SELECT Skills__c, Title FROM User WHERE Username = 'multi@example.com'").Single();
            Assert.Equal("Apex;Flows", user["Skills__c"].ToString());
            Assert.Equal("LEAD", user["Title"].ToString());
        }

        [Fact]
        public void A_null_input_still_gets_a_result()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("@([pscustomobject]@{ Username = 'before.null@example.com'; LastName = 'B'; Email = 'before.null@example.com' }, $null) | Sync-SfUser -Profile 'Standard User'");
            var byInput = result.Output.OrderBy(o => int.Parse(o.Prop("InputIndex"))).ToList();
            Assert.Equal(new[] { "Created", "Failed" }, byInput.Select(o => o.Prop("Action")).ToArray());
            Assert.Equal("NullInput", byInput[1].Prop("ErrorCode"));
            Assert.Equal("NullInput,SalesforceProvisioning.Commands.SyncSfUserCommand", result.Errors.Single().FullyQualifiedErrorId);
        }

        private long WritesSince(long recordsWrittenBefore) => _emulator.RecordsWritten - recordsWrittenBefore;
    }
}
