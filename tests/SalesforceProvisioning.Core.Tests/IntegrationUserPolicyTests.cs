using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>The connection's own user is never signed out unless asked (-Force): every later call would fail with InactiveUser.</summary>
    public class IntegrationUserPolicyTests
    {
        private static UserSyncPolicy Policy(SfDisableAction action, bool force) => new UserSyncPolicy
        {
            DisableUsers = true, DeprovisionUsers = true, UpdateUsers = true, DisableAction = action, MaySignOutIntegrationUser = force,
        };

        [Theory]
        [InlineData(SfDisableAction.Disable, SourceState.Disabled)]
        [InlineData(SfDisableAction.Freeze, SourceState.Disabled)]
        [InlineData(SfDisableAction.Disable, SourceState.Deleted)]
        public void Signing_out_the_integration_user_fails_with_its_remedy(SfDisableAction action, SourceState source)
        {
            var decision = LifecyclePolicy.ForUser(Policy(action, force: false), source, new UserState(true, integrationUser: true));
            Assert.Equal(LifecycleOutcome.Fail, decision.Outcome);
            Assert.Equal(LifecyclePolicy.IntegrationUserProtectedCode, decision.ErrorCode);
            Assert.Contains("-Force", decision.Remedy);
        }

        [Theory]
        [InlineData(SfDisableAction.Disable, LifecycleOutcome.Disable)]
        [InlineData(SfDisableAction.Freeze, LifecycleOutcome.Freeze)]
        public void Force_allows_it_and_other_users_are_never_affected(SfDisableAction action, LifecycleOutcome expected)
        {
            Assert.Equal(expected, LifecyclePolicy.ForUser(Policy(action, force: true), SourceState.Disabled, new UserState(true, integrationUser: true)).Outcome);
            Assert.Equal(expected, LifecyclePolicy.ForUser(Policy(action, force: false), SourceState.Disabled, new UserState(true)).Outcome);
            // Enabled in the source, the integration user is updated as anyone else.
            Assert.Equal(LifecycleOutcome.Update, LifecyclePolicy.ForUser(Policy(action, force: false), SourceState.Enabled, new UserState(true, integrationUser: true)).Outcome);
        }
    }
}
