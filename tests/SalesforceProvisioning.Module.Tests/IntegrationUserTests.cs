using System.Collections;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// The connection's own user is never deactivated or frozen by accident: every later call would fail
    /// with InactiveUser (issue 15). Which user that is comes from the token answer's identity URL,
    /// /id/{orgId}/{userId} (Salesforce Help, "Identity URLs").
    /// </summary>
    public class IntegrationUserTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public IntegrationUserTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private string IntegrationUsername => _emulator.Emulator.Prop("Username");

        private bool IsActive(string username) => _emulator.Query($"SELECT IsActive FROM User WHERE Username = '{username}'").Single()["IsActive"].GetValue<bool>();

        [Fact]
        public void Disable_SfUser_refuses_the_connections_own_user_and_disables_the_others()
        {
            using var ps = _emulator.NewSession("-DisableAction Disable");
            ps.Run("$null = [pscustomobject]@{ Username = 'other@integration.example.com'; LastName = 'Other'; Email = 'other@integration.example.com' } | Sync-SfUser -Profile 'Standard User'");
            var result = ps.Run("Disable-SfUser -Username $me, 'other@integration.example.com' -Confirm:$false", new Hashtable { ["me"] = IntegrationUsername });

            Assert.Equal(new[] { "Failed", "Disabled" }, result.Output.Select(o => o.Prop("Action")));
            Assert.Equal("IntegrationUserProtected", result.Output[0].Prop("ErrorCode"));
            Assert.Contains("-Force", result.Output[0].Prop("Remedy"));
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("IntegrationUserProtected,", error.FullyQualifiedErrorId);
            Assert.True(IsActive(IntegrationUsername));
            Assert.False(IsActive("other@integration.example.com"));
            // The connection still works.
            Assert.Equal("True", ps.Run("(Test-SfConnection).Success").Output.Single().ToString());
        }

        [Fact]
        public void Freezing_the_own_user_through_Sync_SfUser_is_refused_and_Force_plans_it()
        {
            using var ps = _emulator.NewSession("-DisableAction Freeze");
            var vars = new Hashtable { ["me"] = IntegrationUsername };
            var refused = ps.Run("[pscustomobject]@{ Username = $me; LastName = 'Integration'; Email = $me; Enabled = $false } | Sync-SfUser -ErrorAction SilentlyContinue", vars);
            Assert.Equal("Failed", refused.Output.Single().Prop("Action"));
            Assert.Equal("IntegrationUserProtected", refused.Output.Single().Prop("ErrorCode"));
            Assert.Contains("freezing", refused.Output.Single().Prop("Message"));

            var forced = ps.Run("[pscustomobject]@{ Username = $me; LastName = 'Integration'; Email = $me; Enabled = $false } | Sync-SfUser -Force -WhatIf", vars);
            Assert.Equal("Frozen", forced.Output.Single().Prop("Action"));
            Assert.Equal("True", forced.Output.Single().Prop("WhatIf"));
        }
    }
}
