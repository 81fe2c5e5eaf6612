using System.Linq;
using System.Management.Automation;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>New-SfProvisioningConnection without any network: validation, defaults, secrets.</summary>
    public class ConnectionCmdletTests
    {
        private const string Secret = "$s = [System.Net.NetworkCredential]::new('', 'TOPSECRET-9f8e').SecurePassword; ";

        [Theory]
        [InlineData("http://acme.my.salesforce.com", "InvalidDomain")]
        [InlineData("https://example.com", "InvalidDomain")]
        [InlineData("acme..my.salesforce.com", "InvalidDomain")]
        [InlineData("https://acme.my.salesforce.com/path", "InvalidDomain")]
        public void Bad_domains_stop_with_a_stable_error_id(string domain, string errorId)
        {
            using var host = new PowerShellHost();
            var result = host.Run(Secret + $"New-SfProvisioningConnection -Domain '{domain}' -ClientId 3MVG9x -ClientSecret $s");
            var error = Assert.Single(result.Errors);
            Assert.Equal(errorId + ",SalesforceProvisioning.Commands.NewSfProvisioningConnectionCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
            Assert.DoesNotContain("TOPSECRET", result.AllText());
        }

        [Theory]
        [InlineData("-RemoveAction Delete", "InvalidRemoveAction")]
        [InlineData("-AccountId 001000000000001AAA", "InvalidAccountId")]
        [InlineData("-RecordType Lead", "InvalidRecordType")]
        [InlineData("-AllowDelete", "InvalidAllowDelete")]
        [InlineData("-Target LeadsAndContacts -DisableAction Freeze", "InvalidDisableAction")]
        [InlineData("-Target LeadsAndContacts -PermissionSetManagement Overwrite", "InvalidPermissionSetManagement")]
        [InlineData("-Target Communities -AccountId 0030000000001AB", "InvalidAccountId")]
        [InlineData("-ApiVersion 30.0", "InvalidApiVersion")]
        public void Invalid_combinations_are_refused_naming_the_parameter(string arguments, string errorId)
        {
            using var host = new PowerShellHost();
            var result = host.Run(Secret + $"New-SfProvisioningConnection -Domain acme.my.salesforce.com -ClientId 3MVG9x -ClientSecret $s {arguments}");
            var error = Assert.Single(result.Errors);
            Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
            string parameter = errorId.Substring("Invalid".Length);
            Assert.Contains("-" + parameter, error.Exception.Message);
        }

        [Fact]
        public void A_connection_is_created_offline_with_the_seed_defaults_and_masks_secrets()
        {
            using var host = new PowerShellHost();
            var result = host.Run(Secret + "$r = [System.Net.NetworkCredential]::new('', 'TOPSECRET-refresh').SecurePassword; " +
                "$c = New-SfProvisioningConnection -Domain acme.my.salesforce.com -ClientId 3MVG9x -ClientSecret $s -RefreshToken $r -Verbose; " +
                "$c; \"$c\"; $c.psobject.Properties | ForEach-Object { \"$($_.Name)=$($_.Value)\" }");
            Assert.Empty(result.Errors);
            var connection = result.Output[0];
            Assert.Equal("RefreshToken", connection.Prop("AuthenticationMethod"));
            Assert.Equal("True", connection.Prop("CreateUsers"));
            Assert.Equal("True", connection.Prop("UpdateUsers"));
            Assert.Equal("True", connection.Prop("DisableUsers"));
            Assert.Null(connection.Prop("InstanceUrl")); // no network call was made
            Assert.DoesNotContain("TOPSECRET", result.AllText());
        }

        [Fact]
        public void A_PSCredential_can_carry_client_id_and_secret()
        {
            using var host = new PowerShellHost();
            var result = host.Run(Secret + "$cred = [pscredential]::new('3MVG9cred', $s); New-SfProvisioningConnection -Domain acme.my.salesforce.com -ClientCredential $cred");
            Assert.Empty(result.Errors);
            var connection = result.Output.Single();
            Assert.Equal("3MVG9cred", connection.Prop("ClientId"));
            Assert.Equal("ClientCredentials", connection.Prop("AuthenticationMethod"));
        }

        [Fact]
        public void The_default_connection_belongs_to_its_runspace()
        {
            using var first = new PowerShellHost();
            using var second = new PowerShellHost();
            first.Run(Secret + "New-SfProvisioningConnection -Domain first.my.salesforce.com -ClientId 3MVG9a -ClientSecret $s | Out-Null");
            second.Run(Secret + "New-SfProvisioningConnection -Domain second.my.salesforce.com -ClientId 3MVG9b -ClientSecret $s | Out-Null");
            Assert.Equal("first.my.salesforce.com", first.Run("$SfProvisioningDefaultConnection.Domain.Host").Output.Single().ToString());
            Assert.Equal("second.my.salesforce.com", second.Run("$SfProvisioningDefaultConnection.Domain.Host").Output.Single().ToString());
        }

        [Fact]
        public void Without_any_connection_a_cmdlet_says_what_to_do()
        {
            using var host = new PowerShellHost();
            var error = Assert.Single(host.Run("Test-SfConnection").Errors);
            Assert.Equal("NoConnection,SalesforceProvisioning.Commands.TestSfConnectionCommand", error.FullyQualifiedErrorId);
            Assert.Contains("New-SfProvisioningConnection", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void An_unreachable_host_fails_the_test_with_a_reason_and_never_throws()
        {
            using var host = new PowerShellHost();
            var result = host.Run(Secret + "$c = New-SfProvisioningConnection -Domain http://127.0.0.1:9 -ClientId 3MVG9x -ClientSecret $s -MaxRetryCount 0; " +
                "Test-SfConnection -Connection $c; Test-SfConnection -Connection $c -Quiet");
            Assert.Empty(result.Errors);
            var test = result.Output[0];
            Assert.Equal("False", test.Prop("Success"));
            Assert.Equal("HostUnreachable", test.Prop("Failure"));
            Assert.False(string.IsNullOrEmpty(test.Prop("Remedy")));
            Assert.False((bool)result.Output[1].BaseObject);
        }
    }
}
