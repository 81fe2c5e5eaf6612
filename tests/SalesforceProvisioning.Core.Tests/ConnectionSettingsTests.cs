using System;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    public class ConnectionSettingsTests
    {
        private static SfConnectionSettings Valid() => new SfConnectionSettings
        {
            Domain = "acme.my.salesforce.com",
            ClientId = "3MVG9abc",
            ClientSecret = SecretText.ToSecureString("secret"),
            RefreshToken = SecretText.ToSecureString("refresh"),
        };

        [Fact]
        public void Defaults_follow_the_seeds()
        {
            var c = SfProvisioningConnection.Create(Valid());
            Assert.True(c.CreateUsers);
            Assert.True(c.UpdateUsers);
            Assert.True(c.DisableUsers);
            Assert.Equal(SfDisableAction.Disable, c.DisableAction);
            Assert.False(c.ProvisionDisabledUsers);
            Assert.Equal(SfPermissionSetManagement.Merge, c.PermissionSetManagement);
            Assert.False(c.DeprovisionOnRuleDeletion);
            Assert.Equal(SfAuthenticationMethod.RefreshToken, c.AuthenticationMethod);
            Assert.Equal("62.0", c.ApiVersion);
        }

        [Fact]
        public void Client_secret_without_refresh_token_means_client_credentials()
        {
            var s = Valid();
            s.RefreshToken = null;
            Assert.Equal(SfAuthenticationMethod.ClientCredentials, SfProvisioningConnection.Create(s).AuthenticationMethod);
        }

        [Theory]
        [InlineData("RemoveAction")]
        [InlineData("AccountId")]
        [InlineData("RecordType")]
        [InlineData("AllowDelete")]
        [InlineData("DefaultCompany")]
        [InlineData("LeadClosedStatus")]
        [InlineData("LeadReopenStatus")]
        public void Options_of_other_targets_are_refused_for_the_Salesforce_target(string parameter)
        {
            var s = Valid();
            switch (parameter)
            {
                case "RemoveAction": s.RemoveAction = SfRemoveAction.Delete; break;
                case "AccountId": s.AccountId = "001000000000001AAA"; break;
                case "RecordType": s.RecordType = SfRecordType.Lead; break;
                case "AllowDelete": s.AllowDelete = true; break;
                case "DefaultCompany": s.DefaultCompany = "Acme"; break;
                case "LeadClosedStatus": s.LeadClosedStatus = "Closed - Not Converted"; break;
                case "LeadReopenStatus": s.LeadReopenStatus = "Working - Contacted"; break;
            }
            var ex = Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(s));
            Assert.Equal(parameter, ex.Parameter);
        }

        [Fact]
        public void Leads_and_contacts_cannot_be_frozen_or_given_permission_sets()
        {
            var s = Valid();
            s.Target = SfTarget.LeadsAndContacts;
            s.DisableAction = SfDisableAction.Freeze;
            Assert.Equal("DisableAction", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(s)).Parameter);
            s.DisableAction = SfDisableAction.Disable;
            s.PermissionSetManagement = SfPermissionSetManagement.Overwrite;
            Assert.Equal("PermissionSetManagement", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(s)).Parameter);
        }

        [Fact]
        public void Delete_as_remove_action_needs_allow_delete()
        {
            var s = Valid();
            s.Target = SfTarget.LeadsAndContacts;
            s.RemoveAction = SfRemoveAction.Delete;
            Assert.Equal("RemoveAction", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(s)).Parameter);
            s.AllowDelete = true;
            Assert.Equal(SfRemoveAction.Delete, SfProvisioningConnection.Create(s).RemoveAction);
        }

        [Fact]
        public void Communities_takes_a_business_account_id_of_the_right_shape()
        {
            var s = Valid();
            s.Target = SfTarget.Communities;
            s.AccountId = "003000000000001AAA";
            Assert.Equal("AccountId", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(s)).Parameter);
            s.AccountId = "001000000000001AAA";
            Assert.Equal("001000000000001AAA", SfProvisioningConnection.Create(s).AccountId);
        }

        [Fact]
        public void A_connection_needs_some_way_to_authenticate()
        {
            var s = new SfConnectionSettings { Domain = "acme.my.salesforce.com", ClientId = "x" };
            Assert.Equal("ClientSecret", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(s)).Parameter);
            s = new SfConnectionSettings { Domain = "acme.my.salesforce.com", RefreshToken = SecretText.ToSecureString("r") };
            Assert.Equal("ClientSecret", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(s)).Parameter);
        }

        [Theory]
        [InlineData("39.0")]
        [InlineData("latest")]
        public void Old_or_malformed_api_versions_are_refused(string version)
        {
            var s = Valid();
            s.ApiVersion = version;
            Assert.Equal("ApiVersion", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(s)).Parameter);
        }

        [Fact]
        public void Secrets_never_show_in_ToString_or_error_messages()
        {
            var s = Valid();
            s.ClientSecret = SecretText.ToSecureString("TOPSECRET-123");
            var c = SfProvisioningConnection.Create(s);
            Assert.DoesNotContain("TOPSECRET", c.ToString());
            foreach (var p in typeof(SfProvisioningConnection).GetProperties())
                Assert.DoesNotContain("TOPSECRET", Convert.ToString(p.GetValue(c)) ?? "");
            s.Domain = "http://evil.example";
            var ex = Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(s));
            Assert.DoesNotContain("TOPSECRET", ex.Message);
        }
    }
}
