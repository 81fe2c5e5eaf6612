using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>A rule's delta covers the rule (issue 11 #14): the map and every preference are in the fingerprint.</summary>
    public class RuleConfigurationTests
    {
        private static SfProvisioningConnection Connection(System.Action<SfConnectionSettings> change = null)
        {
            var settings = new SfConnectionSettings
            {
                Domain = "acme.my.salesforce.com", ClientId = "3MVG9abc",
                ClientSecret = SecretText.ToSecureString("secret"), RefreshToken = SecretText.ToSecureString("refresh"),
            };
            change?.Invoke(settings);
            return SfProvisioningConnection.Create(settings);
        }

        [Fact]
        public void The_same_map_and_preferences_give_the_same_configuration()
            => Assert.Equal(RuleConfiguration.Of(Connection(), SfAttributeMap.CreateDefault()), RuleConfiguration.Of(Connection(), SfAttributeMap.CreateDefault()));

        [Fact]
        public void Every_preference_and_the_map_change_the_configuration()
        {
            string basis = RuleConfiguration.Of(Connection(), SfAttributeMap.CreateDefault());
            Assert.NotEqual(basis, RuleConfiguration.Of(Connection(s => s.UpdateUsers = false), SfAttributeMap.CreateDefault()));
            Assert.NotEqual(basis, RuleConfiguration.Of(Connection(s => s.DisableAction = SfDisableAction.Freeze), SfAttributeMap.CreateDefault()));
            Assert.NotEqual(basis, RuleConfiguration.Of(Connection(s => s.PermissionSetManagement = SfPermissionSetManagement.Overwrite), SfAttributeMap.CreateDefault()));
            Assert.NotEqual(basis, RuleConfiguration.Of(Connection(s => s.ProvisionDisabledUsers = true), SfAttributeMap.CreateDefault()));
            Assert.NotEqual(basis, RuleConfiguration.Of(Connection(), SfAttributeMap.CreateDefault(updateAll: false)));
            Assert.NotEqual(basis, RuleConfiguration.Of(Connection(), SfAttributeMap.CreateDefault().WithDefaultProfile("Chatter Free User")));
            Assert.NotEqual(basis, RuleConfiguration.Of(Connection(), SfAttributeMap.CreateDefault(), "groups=Overwrite"));
        }
    }
}
