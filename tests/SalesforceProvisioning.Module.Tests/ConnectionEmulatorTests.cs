using System.Collections;
using System.Linq;
using System.Net;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Connections against the emulator: success, every failure kind, token expiry and rotation, no leaks.</summary>
    public class ConnectionEmulatorTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public ConnectionEmulatorTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private string[] Secrets()
        {
            using var host = new PowerShellHost();
            var r = host.Run("$emu.ClientSecret, $emu.RefreshToken, $emu.AccessToken | ForEach-Object { [System.Net.NetworkCredential]::new('', $_).Password }", new Hashtable { ["emu"] = _emulator.Emulator });
            return r.Output.Select(o => o.ToString()).ToArray();
        }

        [Fact]
        public void A_good_connection_reports_org_user_and_api_usage_without_leaking_secrets()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("Test-SfConnection -Connection $c -Verbose; $c; \"$c\"");
            Assert.Empty(result.Errors);
            var test = result.Output[0];
            Assert.Equal("True", test.Prop("Success"));
            Assert.Equal("Emulator Org", test.Prop("OrganizationName"));
            Assert.Equal(_emulator.Emulator.Prop("Username"), test.Prop("Username"));
            Assert.True(long.Parse(test.Prop("ApiRequestsRemaining")) > 0);
            Assert.NotNull(result.Output[1].Prop("InstanceUrl"));
            string everything = result.AllText() + string.Join("\n", result.Output.SelectMany(o => o.Properties.Select(p => p.Value?.ToString())));
            foreach (string secret in Secrets()) Assert.DoesNotContain(secret, everything);
        }

        [Fact]
        public void A_wrong_secret_fails_the_test_with_a_remedy()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("$bad = [System.Net.NetworkCredential]::new('', 'wrong-secret').SecurePassword; " +
                "$x = New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -ClientSecret $bad -RefreshToken $emu.RefreshToken; Test-SfConnection -Connection $x",
                new Hashtable { ["emu"] = _emulator.Emulator });
            var test = Assert.Single(result.Output);
            Assert.Equal("False", test.Prop("Success"));
            Assert.Equal("InvalidClientSecret", test.Prop("Failure"));
            Assert.Contains("Consumer Secret", test.Prop("Remedy"));
            Assert.DoesNotContain("wrong-secret", result.AllText() + test.Prop("Reason"));
        }

        [Fact]
        public void A_wrong_client_id_is_named_as_such()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("$x = New-SfProvisioningConnection -Domain $emu.Domain -ClientId 3MVG9unknown -ClientSecret $emu.ClientSecret -RefreshToken $emu.RefreshToken; Test-SfConnection -Connection $x",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal("InvalidClientId", result.Output.Single().Prop("Failure"));
        }

        [Fact]
        public void A_revoked_refresh_token_fails_tests_and_stops_provisioning_before_any_write()
        {
            using var ps = _emulator.NewSession();
            _emulator.Post("revoke-refresh-tokens", "{}");
            _emulator.Post("expire-access-tokens", "{}");
            var test = ps.Run("Test-SfConnection -Connection $c").Output.Single();
            Assert.Equal("RefreshTokenExpiredOrRevoked", test.Prop("Failure"));
            long before = _emulator.ApiCalls;
            var sync = ps.Run("[pscustomobject]@{ Username = 'x@example.com'; LastName = 'X'; Email = 'x@example.com' } | Sync-SfUser -Connection $c");
            var error = Assert.Single(sync.Errors);
            Assert.Equal("RefreshTokenExpiredOrRevoked,SalesforceProvisioning.Commands.SyncSfUserCommand", error.FullyQualifiedErrorId);
            Assert.Contains("refresh token", error.ErrorDetails.RecommendedAction);
            Assert.Empty(sync.Output);
            Assert.Equal(before, _emulator.ApiCalls);
        }

        [Fact]
        public void An_access_token_that_expires_mid_session_is_refreshed_and_the_request_replayed()
        {
            using var ps = _emulator.NewSession();
            Assert.Equal("True", ps.Run("(Test-SfConnection -Connection $c).Success").Output.Single().ToString());
            _emulator.Post("expire-access-tokens", "{}");
            var again = ps.Run("Test-SfConnection -Connection $c -Verbose");
            Assert.Equal("True", again.Output.Single().Prop("Success"));
            Assert.Contains(again.Verbose, v => v.Contains("refreshing"));
        }

        [Fact]
        public void A_rotated_refresh_token_is_kept_so_the_connection_keeps_working()
        {
            _emulator.Post("rotate-refresh-tokens", "{\"enabled\":true}");
            try
            {
                using var ps = _emulator.NewSession();
                _emulator.Post("expire-access-tokens", "{}");
                Assert.Equal("True", ps.Run("(Test-SfConnection -Connection $c).Success").Output.Single().ToString());
                Assert.NotNull(ps.Run("$c.RefreshTokenRotatedAt").Output.SingleOrDefault());
                _emulator.Post("expire-access-tokens", "{}");
                Assert.Equal("True", ps.Run("(Test-SfConnection -Connection $c).Success").Output.Single().ToString());
                // The original refresh token was used up by the rotation.
                var stale = ps.Run("$old = $emu | New-SfProvisioningConnection -NoDefault; (Test-SfConnection -Connection $old).Failure", new Hashtable { ["emu"] = _emulator.Emulator });
                Assert.Equal("RefreshTokenExpiredOrRevoked", stale.Output.Single().ToString());
            }
            finally
            {
                _emulator.Post("rotate-refresh-tokens", "{\"enabled\":false}");
                _emulator.Reset();
            }
        }

        [Fact]
        public void A_slow_org_times_out_with_a_timeout_failure()
        {
            _emulator.Post("latency", "{\"ms\":2500}");
            try
            {
                using var ps = _emulator.NewSession();
                var result = ps.Run("$x = $emu | New-SfProvisioningConnection -TimeoutSeconds 1 -MaxRetryCount 0 -NoDefault; Test-SfConnection -Connection $x", new Hashtable { ["emu"] = _emulator.Emulator });
                Assert.Equal("Timeout", result.Output.Single().Prop("Failure"));
            }
            finally
            {
                _emulator.Post("latency", "{\"ms\":0}");
            }
        }

        [Fact]
        public void Https_to_a_host_that_speaks_plain_http_is_a_tls_failure()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("$x = New-SfProvisioningConnection -Domain ($emu.Domain -replace '^http:', 'https:') -ClientId $emu.ClientId -ClientSecret $emu.ClientSecret -RefreshToken $emu.RefreshToken -MaxRetryCount 0 -NoDefault; Test-SfConnection -Connection $x",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal("TlsFailure", result.Output.Single().Prop("Failure"));
        }

        [Fact]
        public void An_instance_url_outside_salesforce_is_refused_and_gets_no_token()
        {
            _emulator.Post("instance-url", "{\"url\":\"https://attacker.example\"}");
            try
            {
                using var ps = _emulator.NewSession();
                var test = ps.Run("$x = New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -ClientSecret $emu.ClientSecret -RefreshToken $emu.RefreshToken -NoDefault; Test-SfConnection -Connection $x",
                    new Hashtable { ["emu"] = _emulator.Emulator }).Output.Single();
                Assert.Equal("UntrustedInstanceUrl", test.Prop("Failure"));
                Assert.Contains("attacker.example", test.Prop("Reason"));
            }
            finally
            {
                _emulator.Post("instance-url", "{\"url\":null}");
            }
        }

        [Fact]
        public void Client_credentials_flow_works_without_a_refresh_token()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("$x = New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -ClientSecret $emu.ClientSecret -NoDefault; $x.AuthenticationMethod; (Test-SfConnection -Connection $x).Success",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal("ClientCredentials", result.Output[0].ToString());
            Assert.Equal("True", result.Output[1].ToString());
        }
    }
}
