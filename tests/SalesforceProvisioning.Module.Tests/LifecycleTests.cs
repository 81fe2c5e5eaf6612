using System.Collections;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// The lifecycle policy's decisions through the real cmdlets against the emulator: nothing deleted,
    /// demoted or escalated that the source and the connection's preferences did not ask for (issue 11).
    /// </summary>
    // SFPROVISIONING_KEY_PATH is process-wide: the classes that set it run one after the other.
    [Collection("Process environment")]
    public class LifecycleTests : IClassFixture<EmulatorFixture>, System.IDisposable
    {
        private const string Alice = "alice.active@emulator.example.com";
        private const string Carla = "carla.community@emulator.example.com";
        private readonly EmulatorFixture _emulator;
        private readonly string _acme;
        private bool _seedChanged;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfp-lifecycle-" + System.Guid.NewGuid().ToString("N"));

        public LifecycleTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _emulator.ClearFaults();
            _acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
            Directory.CreateDirectory(_folder);
        }

        public void Dispose()
        {
            _emulator.ClearFaults();
            if (_seedChanged) _emulator.UseOrg(EmulatorFixture.BusinessOnly); // Reset reloads the last seed

            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private PowerShellHost People(string extra = "") => _emulator.NewSession($"-Target LeadsAndContacts -AccountId {_acme} -DefaultCompany 'Unknown Co' {extra}");

        private PowerShellHost Community(string extra = "") => _emulator.NewSession($"-Target Communities -AccountId {_acme} {extra}");

        private static string Person(string mail, string extra = "") => $"[pscustomobject]@{{ mail = '{mail}'; sn = 'Person'; {extra} }}";

        private int Count(string soql) => _emulator.Query(soql).Count;

        private string UserId(string username) => _emulator.Query($"SELECT Id FROM User WHERE Username = '{username}'").Single()["Id"].ToString();

        private bool Frozen(string username) => _emulator.Query($"SELECT IsFrozen FROM UserLogin WHERE UserId = '{UserId(username)}'").Single()["IsFrozen"].GetValue<bool>();

        private bool Active(string username) => _emulator.Query($"SELECT IsActive FROM User WHERE Username = '{username}'").Single()["IsActive"].GetValue<bool>();

        // ---- #2 -------------------------------------------------------------------------------------

        [Fact]
        public void A_person_only_disabled_in_the_source_is_never_deleted_even_when_deletes_are_allowed()
        {
            using var ps = People("-AllowDelete -RemoveAction Delete");
            ps.Run($"@({Person("off.contact@example.com", "RecordType = 'Contact'")}, {Person("off.lead@example.com", "RecordType = 'Lead'")}) | Sync-SfUser");

            var disabled = ps.Run($"@({Person("off.contact@example.com", "RecordType = 'Contact'; Enabled = $false")}, {Person("off.lead@example.com", "RecordType = 'Lead'; Enabled = $false")}) | Sync-SfUser");
            Assert.Empty(disabled.Errors);
            Assert.Equal(new[] { "Skipped", "Disabled" }, disabled.Output.Select(o => o.Prop("Action")).ToArray());
            Assert.Contains("only people deleted in the source are deleted", disabled.Output[0].Prop("Message"));
            Assert.Equal(1, Count("SELECT Id FROM Contact WHERE Email = 'off.contact@example.com'"));
            Assert.Equal("Closed - Not Converted", _emulator.Query("SELECT Status FROM Lead WHERE Email = 'off.lead@example.com'").Single()["Status"].ToString());

            var deleted = ps.Run(Person("off.contact@example.com", "RecordType = 'Contact'; Deleted = $true") + " | Sync-SfUser");
            Assert.Equal("Deleted", deleted.Output.Single().Prop("Action"));
            Assert.Equal(0, Count("SELECT Id FROM Contact WHERE Email = 'off.contact@example.com'"));
        }

        // ---- #3 -------------------------------------------------------------------------------------

        [Fact]
        public void A_demoted_contact_is_kept_when_salesforce_refuses_the_lead_and_deleted_only_after_the_lead_exists()
        {
            using var ps = People("-AllowDelete -RemoveAction Delete");
            ps.Run(Person("dee.refused@example.com", "RecordType = 'Contact'") + " | Sync-SfUser");
            // Only the lead's create is refused (a validation rule on Lead): the contact has no Company.
            _emulator.InjectFaults(new[] { new { kind = "RecordError", count = 10, pathContains = "/composite", recordField = "Company", recordValues = new[] { "Refusing Ltd" }, statusCode = "FIELD_CUSTOM_VALIDATION_EXCEPTION", message = "Leads need a region" } });

            var refused = ps.Run(Person("dee.refused@example.com", "RecordType = 'Lead'; Company = 'Refusing Ltd'") + " | Sync-SfUser");
            Assert.Equal("Failed", refused.Output.Single().Prop("Action"));
            Assert.Equal("FIELD_CUSTOM_VALIDATION_EXCEPTION", refused.Output.Single().Prop("ErrorCode"));
            Assert.Equal(1, Count("SELECT Id FROM Contact WHERE Email = 'dee.refused@example.com'")); // the person is never lost
            Assert.Equal(0, Count("SELECT Id FROM Lead WHERE Email = 'dee.refused@example.com'"));

            _emulator.ClearFaults();
            var demoted = ps.Run(Person("dee.refused@example.com", "RecordType = 'Lead'") + " | Sync-SfUser");
            Assert.Equal("Demoted", demoted.Output.Single().Prop("Action"));
            Assert.Equal(0, Count("SELECT Id FROM Contact WHERE Email = 'dee.refused@example.com'"));
            Assert.Equal(1, Count("SELECT Id FROM Lead WHERE Email = 'dee.refused@example.com' AND IsConverted = false"));
        }

        // ---- #4 -------------------------------------------------------------------------------------

        [Theory]
        [InlineData("")]
        [InlineData("RecordType = 'Lead'")]
        public void A_lead_converted_in_salesforce_is_matched_by_its_contact_and_never_demoted_back(string recordType)
        {
            using var ps = People("-AllowDelete -RemoveAction Delete -RecordType Lead");
            string row = Person("rita.rep@example.com", recordType + "; Title = 'Buyer'") + " | Sync-SfUser";
            Assert.Equal("Created", ps.Run(row).Output.Single().Prop("Action"));
            string leadId = _emulator.Query("SELECT Id FROM Lead WHERE Email = 'rita.rep@example.com'").Single()["Id"].ToString();
            _emulator.ConvertLead(leadId, _acme); // a sales rep converts the lead in Salesforce
            string contactId = _emulator.Query($"SELECT ConvertedContactId FROM Lead WHERE Id = '{leadId}'").Single()["ConvertedContactId"].ToString();

            var again = ps.Run(row);
            Assert.Empty(again.Errors);
            var result = again.Output.Single();
            Assert.NotEqual("Demoted", result.Prop("Action"));
            Assert.Equal("Contact", result.Prop("ObjectType"));
            Assert.Equal(contactId, result.Prop("SalesforceId"));
            Assert.Contains("converted in Salesforce", result.Prop("Message"));
            Assert.Equal(1, Count($"SELECT Id FROM Contact WHERE Id = '{contactId}'"));
            Assert.Equal(0, Count("SELECT Id FROM Lead WHERE Email = 'rita.rep@example.com' AND IsConverted = false"));
        }

        [Fact]
        public void Under_a_rule_a_person_is_demoted_only_when_the_sources_record_type_changed()
        {
            using var ps = People("-AllowDelete -RemoveAction Delete");
            string state = Path.Combine(_folder, "state.db");
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{state}'; Save-SfProvisioningConnection -Name people -Connection $c -StatePath $state -Force; "
                + "$null = New-SfProvisioningRule -Name crm -ConnectionName people -StatePath $state");
            Assert.Empty(setup.Errors);
            string sync = " | Sync-SfUser -Rule crm -StatePath $state -Full";

            Assert.Equal("Created", ps.Run(Person("ruth.rule@example.com", "RecordType = 'Lead'") + sync).Output.Single().Prop("Action"));
            string leadId = _emulator.Query("SELECT Id FROM Lead WHERE Email = 'ruth.rule@example.com'").Single()["Id"].ToString();
            _emulator.ConvertLead(leadId, _acme);
            var unchangedType = ps.Run(Person("ruth.rule@example.com", "RecordType = 'Lead'") + sync).Output.Single();
            Assert.Equal("Contact", unchangedType.Prop("ObjectType"));
            Assert.NotEqual("Demoted", unchangedType.Prop("Action"));

            // The source now says Contact, then Lead again: a change the rule's state sees, so the person moves.
            Assert.NotEqual("Failed", ps.Run(Person("ruth.rule@example.com", "RecordType = 'Contact'") + sync).Output.Single().Prop("Action"));
            Assert.Equal("Demoted", ps.Run(Person("ruth.rule@example.com", "RecordType = 'Lead'") + sync).Output.Single().Prop("Action"));
            Assert.Equal(1, Count("SELECT Id FROM Lead WHERE Email = 'ruth.rule@example.com' AND IsConverted = false"));
        }

        [Fact]
        public void A_demotion_stopped_before_the_contacts_delete_is_partly_applied_and_the_next_run_finishes_it()
        {
            using var ps = People("-AllowDelete -RemoveAction Delete");
            string state = Path.Combine(_folder, "state.db");
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{state}'; Save-SfProvisioningConnection -Name people -Connection $c -StatePath $state -Force; "
                + "$null = New-SfProvisioningRule -Name crm -ConnectionName people -StatePath $state").Errors);
            const string sync = " | Sync-SfUser -Rule crm -StatePath $state";
            const string mail = "hal.half@example.com";
            Assert.Equal("Created", ps.Run(Person(mail, "RecordType = 'Contact'") + sync).Output.Single().Prop("Action"));
            string contactId = _emulator.Query($"SELECT Id FROM Contact WHERE Email = '{mail}'").Single()["Id"].ToString();

            // The daily limit is met by the contact's delete, sent after the lead's create was confirmed
            // (REQUEST_LIMIT_EXCEEDED: https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm).
            _emulator.InjectFaults(new[] { new { kind = "RequestLimitExceeded", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"method\":\"DELETE\"" } });
            var stopped = ps.Run(Person(mail, "RecordType = 'Lead'") + sync);
            _emulator.ClearFaults();
            var half = stopped.Output.Single();
            Assert.Equal("Failed", half.Prop("Action"));
            Assert.Equal("True", half.Prop("PartiallyApplied"));
            Assert.Contains("was created", half.Prop("Message"));
            Assert.Contains($"deleting contact {contactId}", half.Prop("Message"));
            Assert.Contains("the next run writes it", half.Prop("Message"));
            Assert.Equal(1, Count($"SELECT Id FROM Contact WHERE Id = '{contactId}'"));
            Assert.Equal(1, Count($"SELECT Id FROM Lead WHERE Email = '{mail}'"));

            // The next run (a delta: no fingerprint was kept) finds the lead it created and deletes the contact, once.
            long written = _emulator.RecordsWritten;
            var finished = ps.Run(Person(mail, "RecordType = 'Lead'") + sync);
            Assert.Empty(finished.Errors);
            Assert.Equal("Demoted", finished.Output.Single().Prop("Action"));
            Assert.Equal(0, Count($"SELECT Id FROM Contact WHERE Id = '{contactId}'"));
            Assert.Equal(1, Count($"SELECT Id FROM Lead WHERE Email = '{mail}'"));
            Assert.Equal(1, _emulator.RecordsWritten - written);

            written = _emulator.RecordsWritten;
            Assert.Equal("Unchanged", ps.Run(Person(mail, "RecordType = 'Lead'") + sync).Output.Single().Prop("Action"));
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        [Fact]
        public void A_lead_converted_whose_contacts_update_a_stop_kept_back_is_partly_applied()
        {
            using var ps = People();
            const string mail = "cora.convert@example.com";
            Assert.Equal("Created", ps.Run(Person(mail, "RecordType = 'Lead'") + " | Sync-SfUser").Output.Single().Prop("Action"));
            // The conversion (SOAP convertLead) goes through; the contact's update after it meets the daily limit
            // (403 REQUEST_LIMIT_EXCEEDED, REST API Developer Guide, "Status Codes and Error Responses").
            _emulator.InjectFaults(new[] { new { kind = "RequestLimitExceeded", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"method\":\"PATCH\"" } });
            var stopped = ps.Run(Person(mail, "RecordType = 'Contact'; Title = 'Buyer'") + " | Sync-SfUser -ErrorAction SilentlyContinue");
            _emulator.ClearFaults();
            var result = stopped.Output.Single();
            Assert.True(result.Prop("Action") == "Failed" && result.Prop("PartiallyApplied") == "True", result.Prop("Action") + ": " + result.Prop("Message"));
            Assert.Contains("was converted into contact", result.Prop("Message"));
            Assert.Contains("Not written: the contact's update with the source's values (", result.Prop("Message"));
            Assert.Equal(1, Count($"SELECT Id FROM Lead WHERE Email = '{mail}' AND IsConverted = true"));

            var next = ps.Run(Person(mail, "RecordType = 'Contact'; Title = 'Buyer'") + " | Sync-SfUser");
            Assert.Empty(next.Errors);
            Assert.Equal("Updated", next.Output.Single().Prop("Action"));
            Assert.Equal("Buyer", _emulator.Query($"SELECT Title FROM Contact WHERE Email = '{mail}'").Single()["Title"].ToString());
        }

        [Fact]
        public void Writes_a_stop_kept_from_being_sent_say_not_sent_never_not_confirmed()
        {
            using var ps = People();
            Assert.Equal("Created", ps.Run(Person("pia.promote@example.com", "RecordType = 'Lead'") + " | Sync-SfUser").Output.Single().Prop("Action"));
            // The conversion goes first and meets the daily limit (a SOAP fault REQUEST_LIMIT_EXCEEDED): the new contact's create is never sent.
            _emulator.InjectFaults(new[] { new { kind = "RequestLimitExceeded", count = 1, pathContains = "/services/Soap/", method = "POST" } });
            var stopped = ps.Run("@(" + Person("pia.promote@example.com", "RecordType = 'Contact'") + ", " + Person("neo.new@example.com", "RecordType = 'Contact'") + ") | Sync-SfUser -ErrorAction SilentlyContinue");
            Assert.Equal(2, stopped.Output.Count);
            foreach (var result in stopped.Output)
            {
                Assert.Equal("Failed", result.Prop("Action"));
                Assert.True(result.Prop("Message").StartsWith("Not sent: the run stopped before it", System.StringComparison.Ordinal), stopped.AllText());
                Assert.EndsWith("the next run writes it.", result.Prop("Message"));
                Assert.Equal("False", result.Prop("PartiallyApplied"));
            }
            Assert.Equal(0, Count("SELECT Id FROM Contact WHERE Email = 'neo.new@example.com'"));
        }

        // ---- #6 -------------------------------------------------------------------------------------

        [Fact]
        public void An_existing_users_profile_changes_only_with_its_update_flag()
        {
            using var ps = _emulator.NewSession();
            string row = $"[pscustomobject]@{{ Username = '{Alice}'; LastName = 'Active'; Email = 'alice@example.com'; ProfileName = 'System Administrator' }}";
            string before = _emulator.Query($"SELECT ProfileId FROM User WHERE Username = '{Alice}'").Single()["ProfileId"].ToString();

            var kept = ps.Run("$map = New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email' }; " + row + " | Sync-SfUser -AttributeMap $map");
            Assert.Empty(kept.Errors);
            Assert.Contains("ProfileId", kept.Output.Single().Prop("Message"));
            Assert.Equal(before, _emulator.Query($"SELECT ProfileId FROM User WHERE Username = '{Alice}'").Single()["ProfileId"].ToString());

            var changed = ps.Run("$map = New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email'; ProfileId = 'ProfileId' } -Update ProfileId; " + row + " | Sync-SfUser -AttributeMap $map");
            Assert.Empty(changed.Errors);
            Assert.Equal("Updated", changed.Output.Single().Prop("Action"));
            Assert.NotEqual(before, _emulator.Query($"SELECT ProfileId FROM User WHERE Username = '{Alice}'").Single()["ProfileId"].ToString());
        }

        // ---- #9 -------------------------------------------------------------------------------------

        [Theory]
        [InlineData("Enabled = $false")]
        [InlineData("Deleted = $true")]
        public void An_unlinked_inactive_community_user_whose_person_is_gone_is_unchanged_with_the_reason(string state)
        {
            _emulator.Post("unlink-portal-user", $"{{\"username\":\"{Carla}\"}}");
            using var ps = Community();
            var result = ps.Run($"[pscustomobject]@{{ Username = '{Carla}'; LastName = 'Community'; Email = 'carla.community@example.com'; {state} }} | Sync-SfUser");
            Assert.Empty(result.Errors);
            Assert.Equal("Unchanged", result.Output.Single().Prop("Action"));
            Assert.Contains("not linked to a contact", result.Output.Single().Prop("Message"));
        }

        // ---- #10 ------------------------------------------------------------------------------------

        [Fact]
        public void Communities_sync_no_memberships_in_any_cmdlet()
        {
            using var ps = Community();
            long members = _emulator.QueryTotal("SELECT COUNT() FROM GroupMember");
            var groups = ps.Run($"[pscustomobject]@{{ Name = 'Portal Fans'; Members = @('{Carla}') }} | Sync-SfGroup");
            Assert.Empty(groups.Errors);
            Assert.Equal("Created", groups.Output.Single().Prop("Action"));
            Assert.Contains("Members not synced", groups.Output.Single().Prop("Message"));

            var users = ps.Run($"[pscustomobject]@{{ Username = '{Carla}'; LastName = 'Community'; Email = 'carla.community@example.com'; Groups = 'All Sales' }} | Sync-SfUser");
            Assert.Empty(users.Errors);
            Assert.Contains("Groups not synced", users.Output.Single().Prop("Message"));
            Assert.Equal(members, _emulator.QueryTotal("SELECT COUNT() FROM GroupMember"));
        }

        // ---- #11 ------------------------------------------------------------------------------------

        [Fact]
        public void Re_enabling_a_frozen_user_unfreezes_it_on_a_disable_mode_connection()
        {
            using var ps = _emulator.NewSession();
            Assert.Equal("Frozen", ps.Run($"Disable-SfUser '{Alice}' -Action Freeze -Confirm:$false").Output.Single().Prop("Action"));
            Assert.True(Frozen(Alice));

            var synced = ps.Run($"[pscustomobject]@{{ Username = '{Alice}'; LastName = 'Active'; Email = 'alice@example.com'; Enabled = $true }} | Sync-SfUser");
            Assert.Equal("Reactivated", synced.Output.Single().Prop("Action"));
            Assert.False(Frozen(Alice));

            ps.Run($"Disable-SfUser '{Alice}' -Action Freeze -Confirm:$false");
            var enabled = ps.Run($"Enable-SfUser '{Alice}' -Confirm:$false");
            Assert.Equal("Reactivated", enabled.Output.Single().Prop("Action"));
            Assert.False(Frozen(Alice));
            Assert.True(Active(Alice));
        }

        // ---- #12 ------------------------------------------------------------------------------------

        [Fact]
        public void A_lead_closed_by_deprovisioning_is_reopened_when_the_person_is_enabled_again()
        {
            using var ps = People();
            ps.Run(Person("rory.reopen@example.com", "RecordType = 'Lead'") + " | Sync-SfUser");
            Assert.Equal("Disabled", ps.Run(Person("rory.reopen@example.com", "RecordType = 'Lead'; Enabled = $false") + " | Sync-SfUser").Output.Single().Prop("Action"));
            Assert.Equal("Closed - Not Converted", _emulator.Query("SELECT Status FROM Lead WHERE Email = 'rory.reopen@example.com'").Single()["Status"].ToString());

            var reopened = ps.Run(Person("rory.reopen@example.com", "RecordType = 'Lead'; Enabled = $true") + " | Sync-SfUser");
            Assert.Empty(reopened.Errors);
            Assert.Equal("Reactivated", reopened.Output.Single().Prop("Action"));
            Assert.Equal("Open - Not Contacted", _emulator.Query("SELECT Status FROM Lead WHERE Email = 'rory.reopen@example.com'").Single()["Status"].ToString());
        }

        /// <summary>The org's lead statuses with one more open value, and (when asked) without the standard "Closed - Not Converted".</summary>
        private void LeadStatusesOfTheOrg(bool withoutClosed)
        {
            _seedChanged = true;
            _emulator.UseSeed(seed =>
            {
                var statuses = seed["objects"]["LeadStatus"].AsArray();
                if (withoutClosed)
                {
                    var closed = statuses.First(s => s["ApiName"].ToString() == "Closed - Not Converted");
                    statuses.Remove(closed);
                }
                statuses.Add(new System.Text.Json.Nodes.JsonObject { ["Id"] = "01JEm0000000009", ["ApiName"] = "Disqualified", ["MasterLabel"] = "Disqualified", ["SortOrder"] = 6 });
            });
        }

        [Fact]
        public void The_connection_names_the_lead_statuses_that_close_and_reopen_a_lead_and_a_saved_connection_keeps_them()
        {
            LeadStatusesOfTheOrg(withoutClosed: false);
            using var ps = People("-LeadClosedStatus Disqualified -LeadReopenStatus 'Working - Contacted'");
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name crm -Connection $c -StatePath $state -Force; $saved = Get-SfProvisioningConnection -Name crm -StatePath $state").Errors);
            ps.Run(Person("dana.status@example.com", "RecordType = 'Lead'") + " | Sync-SfUser -Connection $saved");
            string Status() => _emulator.Query("SELECT Status FROM Lead WHERE Email = 'dana.status@example.com'").Single()["Status"].ToString();

            Assert.Equal("Disabled", ps.Run(Person("dana.status@example.com", "RecordType = 'Lead'; Enabled = $false") + " | Sync-SfUser -Connection $saved").Output.Single().Prop("Action"));
            Assert.Equal("Disqualified", Status());
            var reopened = ps.Run(Person("dana.status@example.com", "RecordType = 'Lead'; Enabled = $true") + " | Sync-SfUser -Connection $saved");
            Assert.Empty(reopened.Errors);
            Assert.Equal("Reactivated", reopened.Output.Single().Prop("Action"));
            Assert.Equal("Working - Contacted", Status());
        }

        /// <summary>
        /// Sales closed the lead themselves ("Closed - Not Converted", while the connection closes with
        /// "Disqualified"): disabling the person leaves sales' status, and enabling them again does not reopen it.
        /// </summary>
        [Fact]
        public void A_lead_closed_in_salesforce_keeps_its_status_when_the_person_is_disabled_or_enabled()
        {
            LeadStatusesOfTheOrg(withoutClosed: false);
            using var ps = People("-LeadClosedStatus Disqualified");
            _emulator.Create("Lead", new { LastName = "Person", Email = "sam.sales@example.com", Company = "Unknown Co", Status = "Closed - Not Converted" });
            string Status() => _emulator.Query("SELECT Status FROM Lead WHERE Email = 'sam.sales@example.com'").Single()["Status"].ToString();

            var disabled = ps.Run(Person("sam.sales@example.com", "RecordType = 'Lead'; Enabled = $false") + " | Sync-SfUser");
            Assert.Empty(disabled.Errors);
            Assert.Equal("Unchanged", disabled.Output.Single().Prop("Action"));
            Assert.Equal("Closed - Not Converted", Status());

            var enabled = ps.Run(Person("sam.sales@example.com", "RecordType = 'Lead'; Enabled = $true") + " | Sync-SfUser");
            Assert.Empty(enabled.Errors);
            Assert.Equal("Unchanged", enabled.Output.Single().Prop("Action"));
            Assert.Contains("not reopened", enabled.Output.Single().Prop("Message"));
            Assert.Equal("Closed - Not Converted", Status());
        }

        [Fact]
        public void A_lead_status_the_org_does_not_have_stops_the_run_at_its_start_naming_the_ones_it_has()
        {
            using var ps = People("-LeadClosedStatus 'Closed - Lost'");
            long written = _emulator.RecordsWritten;
            var run = ps.Run(Person("erin.status@example.com", "RecordType = 'Lead'") + " | Sync-SfUser");
            Assert.Empty(run.Output);
            var error = Assert.Single(run.Errors);
            Assert.Contains("LeadClosedStatus", error.ToString());
            Assert.Contains("'Closed - Lost'", error.ToString());
            Assert.Contains("'Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted'", error.ToString());
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        [Fact]
        public void Without_a_closed_status_or_the_setting_closing_a_lead_is_that_persons_clear_error()
        {
            LeadStatusesOfTheOrg(withoutClosed: true);
            using var ps = People();
            ps.Run($"@({Person("fay.status@example.com", "RecordType = 'Lead'")}, {Person("gus.status@example.com", "RecordType = 'Lead'")}) | Sync-SfUser");
            var run = ps.Run($"@({Person("fay.status@example.com", "RecordType = 'Lead'; Enabled = $false")}, {Person("gus.status@example.com", "RecordType = 'Lead'; Title = 'Boss'")}) | Sync-SfUser");
            var fay = run.Output.Single(o => o.Prop("ErrorCode") == "NoLeadStatus");
            Assert.Equal("Failed", fay.Prop("Action"));
            Assert.Equal("NoLeadStatus", fay.Prop("ErrorCode"));
            Assert.Contains("'Open - Not Contacted', 'Working - Contacted', 'Disqualified'", fay.Prop("Message"));
            Assert.Contains("-LeadClosedStatus", fay.Prop("Remedy"));
            Assert.Equal(2, run.Output.Count);
            Assert.Equal("Open - Not Contacted", _emulator.Query("SELECT Status FROM Lead WHERE Email = 'fay.status@example.com'").Single()["Status"].ToString());
        }

        // ---- #13 ------------------------------------------------------------------------------------

        [Fact]
        public void Communities_honour_remove_action_disable_and_refuse_delete()
        {
            using var host = new PowerShellHost();
            var refused = host.Run("$emu | New-SfProvisioningConnection -Target Communities -RemoveAction Delete", new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal("InvalidRemoveAction,SalesforceProvisioning.Commands.NewSfProvisioningConnectionCommand", refused.Errors.Single().FullyQualifiedErrorId);

            using var ps = Community("-DisableAction Freeze -RemoveAction Disable");
            var deleted = ps.Run($"[pscustomobject]@{{ Username = '{Carla}'; LastName = 'Community'; Email = 'carla.community@example.com'; Deleted = $true }} | Sync-SfUser");
            Assert.Equal("Disabled", deleted.Output.Single().Prop("Action")); // the Remove Action, not the Disable Action's freeze
            Assert.False(Active(Carla));
            Assert.False(Frozen(Carla));
        }

        // ---- #15 ------------------------------------------------------------------------------------

        [Fact]
        public void Update_users_off_means_no_permission_set_or_group_changes_either()
        {
            using var ps = _emulator.NewSession("-UpdateUsers $false");
            long assignments = _emulator.QueryTotal("SELECT COUNT() FROM PermissionSetAssignment");
            long members = _emulator.QueryTotal("SELECT COUNT() FROM GroupMember");
            var result = ps.Run($"[pscustomobject]@{{ Username = '{Alice}'; LastName = 'Active'; Email = 'alice@example.com'; PermissionSets = 'Sales_Ops;Flow_Builder'; Groups = 'All Sales;Support Team' }} | Sync-SfUser");
            Assert.Empty(result.Errors);
            Assert.Equal("Skipped", result.Output.Single().Prop("Action"));
            Assert.Contains("-UpdateUsers $true", result.Output.Single().Prop("Remedy"));
            Assert.Equal(assignments, _emulator.QueryTotal("SELECT COUNT() FROM PermissionSetAssignment"));
            Assert.Equal(members, _emulator.QueryTotal("SELECT COUNT() FROM GroupMember"));
        }
    }
}
