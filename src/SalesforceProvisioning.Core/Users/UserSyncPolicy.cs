namespace SalesforceProvisioning
{
    /// <summary>
    /// The preferences a sync obeys (what <see cref="LifecyclePolicy"/> decides from). Normally the
    /// connection's; explicit cmdlets (Disable-SfUser, Enable-SfUser) derive their own.
    /// </summary>
    public sealed class UserSyncPolicy
    {
        public SfTarget Target { get; set; }
        public bool CreateUsers { get; set; }
        public bool UpdateUsers { get; set; }
        public bool DisableUsers { get; set; }
        public bool DeprovisionUsers { get; set; }
        public bool ProvisionDisabledUsers { get; set; }
        public SfDisableAction DisableAction { get; set; }

        /// <summary>What happens to people deleted in the source (Communities, Leads and Contacts); null: the Disable Action.</summary>
        public SfRemoveAction? RemoveAction { get; set; }

        /// <summary>Leads and Contacts: records may be deleted.</summary>
        public bool AllowDelete { get; set; }

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
            Target = c.Target,
            CreateUsers = c.CreateUsers,
            UpdateUsers = c.UpdateUsers,
            DisableUsers = c.DisableUsers,
            DeprovisionUsers = c.DeprovisionUsers,
            ProvisionDisabledUsers = c.ProvisionDisabledUsers,
            DisableAction = c.DisableAction,
            // Remove Action isn't available for the Salesforce target (seed): deleted users follow the Disable Action.
            RemoveAction = c.Target == SfTarget.Salesforce ? (SfRemoveAction?)null : c.RemoveAction,
            AllowDelete = c.AllowDelete,
            PermissionSetManagement = c.PermissionSetManagement,
        };

        /// <summary>For Disable-SfUser: deactivate or freeze existing users only.</summary>
        public static UserSyncPolicy ExplicitDisable(SfDisableAction action, SfTarget target = SfTarget.Salesforce) => new UserSyncPolicy
        {
            Target = target,
            DisableUsers = true,
            DeprovisionUsers = true,
            DisableAction = action,
            MissingUserIsError = true,
        };

        /// <summary>For Enable-SfUser: reactivate and unfreeze existing users only.</summary>
        public static UserSyncPolicy ExplicitEnable(SfDisableAction action, SfTarget target = SfTarget.Salesforce) => new UserSyncPolicy
        {
            Target = target,
            UpdateUsers = true,
            DisableAction = action,
            MissingUserIsError = true,
        };
    }
}
