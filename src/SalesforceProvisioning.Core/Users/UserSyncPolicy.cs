namespace SalesforceProvisioning
{
    /// <summary>
    /// The toggles a user sync obeys. Normally the connection's preferences; explicit cmdlets
    /// (Disable-SfUser, Enable-SfUser) derive their own.
    /// </summary>
    public sealed class UserSyncPolicy
    {
        public bool CreateUsers { get; set; }
        public bool UpdateUsers { get; set; }
        public bool DisableUsers { get; set; }
        public bool DeprovisionUsers { get; set; }
        public bool ProvisionDisabledUsers { get; set; }
        public SfDisableAction DisableAction { get; set; }

        /// <summary>Permission sets from the source: Merge assigns the missing ones; Overwrite also removes the rest.</summary>
        public SfPermissionSetManagement PermissionSetManagement { get; set; }

        /// <summary>Public groups from a user's source list: Merge adds; Overwrite also removes the user from other public groups.</summary>
        public SfPermissionSetManagement GroupMembership { get; set; }

        /// <summary>The connection's own (integration) user, which is never deactivated or frozen unless <see cref="MaySignOutIntegrationUser"/>.</summary>
        public string IntegrationUserId { get; set; }

        /// <summary>-Force: deactivating or freezing the connection's own user is allowed (every later call then fails).</summary>
        public bool MaySignOutIntegrationUser { get; set; }

        /// <summary>A username that matches no Salesforce user is an error rather than a create or skip.</summary>
        public bool MissingUserIsError { get; set; }

        public static UserSyncPolicy From(SfProvisioningConnection c) => new UserSyncPolicy
        {
            CreateUsers = c.CreateUsers,
            UpdateUsers = c.UpdateUsers,
            DisableUsers = c.DisableUsers,
            DeprovisionUsers = c.DeprovisionUsers,
            ProvisionDisabledUsers = c.ProvisionDisabledUsers,
            DisableAction = c.DisableAction,
            PermissionSetManagement = c.PermissionSetManagement,
        };

        /// <summary>For Disable-SfUser: deactivate or freeze existing users only.</summary>
        public static UserSyncPolicy ExplicitDisable(SfDisableAction action) => new UserSyncPolicy
        {
            DisableUsers = true,
            DeprovisionUsers = true,
            DisableAction = action,
            MissingUserIsError = true,
        };

        /// <summary>For Enable-SfUser: reactivate and unfreeze existing users only.</summary>
        public static UserSyncPolicy ExplicitEnable(SfDisableAction action) => new UserSyncPolicy
        {
            UpdateUsers = true,
            DisableAction = action,
            MissingUserIsError = true,
        };
    }
}
