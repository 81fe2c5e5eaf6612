namespace SalesforceProvisioning
{
    /// <summary>What the lifecycle policy decides for one person.</summary>
    public enum LifecycleOutcome
    {
        Create, CreateInactive, Update, Disable, Freeze, Unfreeze, Reactivate, Delete, CloseLead, ReopenLead, Promote, Demote, Skip, Unchanged, Fail,
    }

    /// <summary>The person's state in the source. A person gone from a complete scope counts as Deleted.</summary>
    public enum SourceState { Enabled, Disabled, Deleted }

    /// <summary>What Salesforce holds for a person of the Leads and Contacts target.</summary>
    public enum PersonRecordState
    {
        Missing,
        LeadOpen,
        LeadClosed,

        /// <summary>The lead holds a closed status other than the closing one (sales' "Closed - Lost"): left as sales set it.</summary>
        LeadClosedInSalesforce,
        Contact,

        /// <summary>The person's lead was converted in Salesforce and its contact exists: the contact is the match.</summary>
        ConvertedLead,
    }

    /// <summary>A Salesforce user as the policy sees it.</summary>
    public readonly struct UserState
    {
        public UserState(bool exists, bool active = true, bool frozen = false, bool guest = false, bool unlinkedCommunityUser = false, bool integrationUser = false)
        {
            IntegrationUser = integrationUser;
            Exists = exists;
            Active = active;
            Frozen = frozen;
            Guest = guest;
            UnlinkedCommunityUser = unlinkedCommunityUser;
        }

        public static UserState Missing => new UserState(false);
        public bool Exists { get; }
        public bool Active { get; }
        public bool Frozen { get; }
        public bool Guest { get; }

        /// <summary>A customer or partner user no longer linked to its contact.</summary>
        public bool UnlinkedCommunityUser { get; }

        /// <summary>The user the connection signs in as.</summary>
        public bool IntegrationUser { get; }
    }

    /// <summary>One decision: the outcome, the login changes it implies, and for skips and failures the reason and remedy.</summary>
    public sealed class LifecycleDecision
    {
        private LifecycleDecision(LifecycleOutcome outcome, string reason = null, string remedy = null, string errorCode = null)
        {
            Outcome = outcome;
            Reason = reason;
            Remedy = remedy;
            ErrorCode = errorCode;
        }

        public LifecycleOutcome Outcome { get; private set; }

        /// <summary>User.IsActive to write (null: leave it).</summary>
        public bool? SetActive { get; private set; }

        /// <summary>UserLogin.IsFrozen to write (null: leave it).</summary>
        public bool? SetFrozen { get; private set; }

        /// <summary>Demotion: the contact is deleted once the lead's create is confirmed.</summary>
        public bool DeleteReplacedContact { get; private set; }

        /// <summary>Community user without its contact: any write it needs fails instead (it would duplicate the person).</summary>
        public bool WritesNeedLinkedContact { get; private set; }

        public string Reason { get; private set; }
        public string Remedy { get; private set; }
        public string ErrorCode { get; private set; }

        public bool IsSkip => Outcome == LifecycleOutcome.Skip;
        public bool IsFailure => Outcome == LifecycleOutcome.Fail;

        internal static LifecycleDecision Of(LifecycleOutcome outcome, string reason = null) => new LifecycleDecision(outcome, reason);
        internal static LifecycleDecision Skip(string reason, string remedy) => new LifecycleDecision(LifecycleOutcome.Skip, reason, remedy);
        internal static LifecycleDecision Fail(string code, string reason, string remedy) => new LifecycleDecision(LifecycleOutcome.Fail, reason, remedy, code);

        /// <summary>A skip with a stable code (for example LicenseLimit), still a skip: nothing is written, nothing failed.</summary>
        internal static LifecycleDecision SkipWithCode(string code, string reason, string remedy) => new LifecycleDecision(LifecycleOutcome.Skip, reason, remedy, code);

        internal LifecycleDecision Active(bool value) { SetActive = value; return this; }
        internal LifecycleDecision Frozen(bool value) { SetFrozen = value; return this; }

        internal LifecycleDecision DeletingContact(bool value) { DeleteReplacedContact = value; return this; }

        internal LifecycleDecision NeedingLinkedContact() { WritesNeedLinkedContact = true; return this; }

        public override string ToString() => Outcome.ToString();
    }

    /// <summary>
    /// The one place that decides a person's lifecycle from the connection's preferences, the source's state
    /// and what Salesforce holds: create, update, disable, freeze, reactivate, unfreeze, delete, close or
    /// reopen a lead, promote, demote, skip (with reason and remedy). Every engine and cmdlet asks it; it
    /// does no I/O, so the whole table is unit-tested (LifecyclePolicyTests) and stated in the README.
    /// </summary>
    public static class LifecyclePolicy
    {
        public const string CommunityUserUnlinkedCode = "CommunityUserUnlinked";
        public const string IntegrationUserProtectedCode = "IntegrationUserProtected";

        public static SourceState StateOf(SourceUser source)
            => source.Deleted ? SourceState.Deleted : source.Enabled == false ? SourceState.Disabled : SourceState.Enabled;

        // ---- Users (Salesforce and Communities targets) ----------------------------------------------

        public static LifecycleDecision ForUser(UserSyncPolicy preferences, SourceState source, UserState user)
        {
            if (!user.Exists) return ForMissingUser(preferences, source);
            if (source != SourceState.Enabled) return ForUserToSignOut(preferences, source, user);

            bool reactivate = !user.Active;
            bool unfreeze = user.Frozen; // whatever the disable action: enabled in the source means able to sign in
            if (user.UnlinkedCommunityUser)
            {
                if (reactivate || unfreeze)
                    return LifecycleDecision.Fail(CommunityUserUnlinkedCode, "The community user is no longer linked to a contact; re-enabling it would give the person a second identity beside their contact.", UnlinkedRemedy);
                return LifecycleDecision.Of(LifecycleOutcome.Update).NeedingLinkedContact();
            }
            if (!reactivate && !unfreeze) return LifecycleDecision.Of(LifecycleOutcome.Update);
            if (!preferences.UpdateUsers)
                return LifecycleDecision.Skip("The user is enabled in the source but inactive or frozen in Salesforce, and updating users is off for this connection.", "Create the connection with -UpdateUsers $true to reactivate users.");
            var decision = LifecycleDecision.Of(reactivate ? LifecycleOutcome.Reactivate : LifecycleOutcome.Unfreeze);
            if (reactivate) decision.Active(true);
            if (unfreeze) decision.Frozen(false);
            return decision;
        }

        private const string UnlinkedRemedy = "In Salesforce, link the person's contact to a customer user again (Contact > Enable Customer User) or deactivate the stray user, then run again.";

        private static LifecycleDecision ForMissingUser(UserSyncPolicy preferences, SourceState source)
        {
            if (preferences.MissingUserIsError)
                return LifecycleDecision.Fail("UserNotFound", "No Salesforce user has this Username.", "Check the username (Get-SfUser shows the org's users).");
            if (source == SourceState.Deleted)
                return LifecycleDecision.Skip("The user is deleted in the source and does not exist in Salesforce: nothing to do.", null);
            if (source == SourceState.Disabled && !preferences.ProvisionDisabledUsers)
                return LifecycleDecision.Skip("The user is disabled in the source, and provisioning disabled users is off.", "Create the connection with -ProvisionDisabledUsers to create disabled users as inactive.");
            if (!preferences.CreateUsers)
                return LifecycleDecision.Skip("The user does not exist in Salesforce, and user creation is off for this connection.", "Create the connection with -CreateUsers $true to create users.");
            return source == SourceState.Disabled
                ? LifecycleDecision.Of(LifecycleOutcome.CreateInactive, "Created inactive (the user is disabled in the source; provisioning disabled users is on).")
                : LifecycleDecision.Of(LifecycleOutcome.Create);
        }

        /// <summary>
        /// Disabled or deleted in the source. A deleted person follows the Remove Action when the connection
        /// has one (Communities: Disable deactivates, even on a Freeze connection); otherwise the Disable Action.
        /// </summary>
        private static LifecycleDecision ForUserToSignOut(UserSyncPolicy preferences, SourceState source, UserState user)
        {
            bool deleted = source == SourceState.Deleted;
            SfDisableAction action = deleted && preferences.RemoveAction == SfRemoveAction.Disable ? SfDisableAction.Disable : preferences.DisableAction;
            bool alreadyOut = !user.Active || (action == SfDisableAction.Freeze && user.Frozen);
            if (alreadyOut)
            {
                return user.UnlinkedCommunityUser
                    ? LifecycleDecision.Of(LifecycleOutcome.Unchanged, $"The community user is not linked to a contact and already cannot sign in; the person is {(deleted ? "deleted" : "disabled")} in the source: nothing to do.")
                    : LifecycleDecision.Of(LifecycleOutcome.Unchanged);
            }
            string why = deleted ? "deleted" : "disabled";
            if (!(deleted ? preferences.DeprovisionUsers : preferences.DisableUsers))
                return LifecycleDecision.Skip($"The user is {why} in the source, but {(deleted ? "deprovisioning" : "disabling")} users is off for this connection.",
                    $"Create the connection with {(deleted ? "-DeprovisionUsers" : "-DisableUsers")} $true to {(action == SfDisableAction.Freeze ? "freeze" : "disable")} such users.");
            if (user.IntegrationUser && !preferences.MaySignOutIntegrationUser)
                return LifecycleDecision.Fail(IntegrationUserProtectedCode,
                    $"This is the user the connection signs in as; {(action == SfDisableAction.Freeze ? "freezing" : "deactivating")} it would make every later call fail (InactiveUser).",
                    "Leave the integration user out of the source's leavers, or run again with -Force if this connection is being retired.");
            if (action == SfDisableAction.Freeze && user.Guest)
                return LifecycleDecision.Skip("Guest users cannot be frozen in Salesforce.", "Use -DisableAction Disable for guest users, or deactivate the site's guest user in Setup.");
            return action == SfDisableAction.Freeze
                ? LifecycleDecision.Of(LifecycleOutcome.Freeze).Frozen(true)
                : LifecycleDecision.Of(LifecycleOutcome.Disable).Active(false);
        }

        public const string LicenseLimitCode = "LicenseLimit";

        /// <summary>
        /// A user who needs a seat (created active, reactivated, moved to a profile of another licence, or
        /// given a permission set licence) is written only while the licence has a free seat; users beyond
        /// the free seats are skipped with the numbers instead of failing one by one with LICENSE_LIMIT_EXCEEDED.
        /// </summary>
        public static LifecycleDecision ForLicenceSeat(string licence, string kind, long total, long usedBefore, long takenThisRun)
        {
            if (usedBefore + takenThisRun < total) return LifecycleDecision.Of(LifecycleOutcome.Create);
            string taken = takenThisRun > 0 ? $", and {takenThisRun} more taken by earlier users of this run" : "";
            return LifecycleDecision.SkipWithCode(LicenseLimitCode,
                $"No free seat of {kind} '{licence}': {usedBefore} of {total} used before this run{taken}.",
                $"Free seats (deactivating a user frees its seat; freezing does not) or buy more '{licence}' licences, then run again; or give the user a profile with another licence.");
        }

        /// <summary>Whether an existing user's (or person's) field is updated: its map entry's Update flag, the profile included.</summary>
        public static bool UpdatesField(SfFieldMapping mapping) => mapping?.Update == true;

        /// <summary>Changed fields of an existing record are written only when updating is on.</summary>
        public static LifecycleDecision ForFieldChanges(UserSyncPolicy preferences, System.Collections.Generic.IEnumerable<string> fields)
        {
            if (preferences.UpdateUsers) return LifecycleDecision.Of(LifecycleOutcome.Update);
            return LifecycleDecision.Skip($"Fields differ ({string.Join(", ", fields)}), but updating is off for this connection.", "Create the connection with -UpdateUsers $true to update existing records.");
        }

        /// <summary>
        /// Permission sets and public groups of an existing user are part of updating the user: with
        /// -UpdateUsers $false none change. A new user gets them with its create.
        /// </summary>
        public static LifecycleDecision ForAccess(UserSyncPolicy preferences, bool newUser)
        {
            if (newUser || preferences.UpdateUsers) return LifecycleDecision.Of(LifecycleOutcome.Update);
            return LifecycleDecision.Skip("The user's permission sets or public groups differ, but updating users is off for this connection.", "Create the connection with -UpdateUsers $true to update users and their access.");
        }

        /// <summary>
        /// Access the source does not list (permission sets, permission set groups and licences, public groups) is
        /// removed only under Overwrite; Merge never removes (seed: "Permission Set Management"). Profile-owned sets and
        /// grants through permission set groups are never candidates: the callers leave them out.
        /// </summary>
        public static bool RemovesUnlistedAccess(SfPermissionSetManagement management) => management == SfPermissionSetManagement.Overwrite;

        /// <summary>Group memberships are not synced for Communities (seed: "Syncing memberships is not supported for Salesforce Community").</summary>
        public static LifecycleDecision ForMembership(SfTarget target)
        {
            if (target == SfTarget.Communities)
                return LifecycleDecision.Skip("Group membership sync is not supported for the Communities target (as in the PingOne connector); only groups themselves are synced.", "Use a connection with -Target Salesforce for membership changes, or leave Members/Groups out of the input.");
            return LifecycleDecision.Of(LifecycleOutcome.Update);
        }

        /// <summary>A group deleted in the source, or gone from its complete scope, is deleted only with -DeleteGroups (seed: deletions are permanent).</summary>
        public static LifecycleDecision ForGroupRemoval(bool deleteGroups, string why)
        {
            if (deleteGroups) return LifecycleDecision.Of(LifecycleOutcome.Delete);
            return LifecycleDecision.Skip($"The group {why}, but group deletion is off for this connection.", "Create the connection with -DeleteGroups to delete such groups (deletions are permanent).");
        }

        // ---- A rule's scope --------------------------------------------------------------------------

        /// <summary>
        /// People a rule provisioned and now absent from a complete scope are deprovisioned as deleted, unless
        /// their share is above the rule's limit (an empty or truncated export) and the admin did not force it.
        /// </summary>
        public static LifecycleDecision ForAbsentPeople(string ruleName, int absent, int provisioned, int maxPercent, bool force)
        {
            int share = provisioned == 0 ? 100 : (int)System.Math.Ceiling(100.0 * absent / provisioned);
            if (share <= maxPercent || force) return LifecycleDecision.Of(LifecycleOutcome.Disable);
            return LifecycleDecision.Skip($"The input lacks {absent} of the {provisioned} users rule '{ruleName}' provisioned ({share}%, above its limit of {maxPercent}%); nobody was deprovisioned.",
                "Check the source export is complete; if the removals are meant, run again with -Force or raise the rule's -MaxDeprovisionPercent.");
        }

        /// <summary>Removing a rule deprovisions its people only when the connection says so (Deprovision on rule deletion).</summary>
        public static bool DeprovisionsOnRuleDeletion(SfProvisioningConnection connection, int provisioned) => connection.DeprovisionOnRuleDeletion && provisioned > 0;

        // ---- How user writes travel -------------------------------------------------------------------

        /// <summary>The default of -BulkApiThreshold: pending creates and updates from which Auto switches to Bulk API 2.0.</summary>
        public const int DefaultBulkApiThreshold = 20000;

        /// <summary>
        /// Fewer records than this go as composite collections even after a run switched to bulk (retries of a
        /// few locked rows, a manager level): Salesforce's large-data-volume guide names 2,000 records as where
        /// Bulk API 2.0 starts to pay and "bulkified" REST calls (Composite) as the tool below it
        /// (https://developer.salesforce.com/docs/platform/salesforce-large-data-volumes-bp/guide/ldv-deployments-best-practices-api-loading-data.html).
        /// </summary>
        public const int MinimumBulkJobRecords = 2000;

        /// <summary>
        /// How the matcher's scan of every user is read: -UseBulkApi Never keeps composite reads (five 2,000-record
        /// pages per counted call); Always reads through one Bulk API 2.0 query job unless composite reads cost fewer
        /// counted calls (an org of up to 20,000 users: a job never costs fewer than three, create, poll and a page,
        /// against one composite call per 10,000 users), which, for an initial load into a small org, also let the
        /// scan wait for the reads by key to cost as much (four calls more than Auto for 100,000 creates); Auto uses
        /// a query job when the run is large (the larger of the input expected and the org's users reaches the
        /// threshold) and the job costs fewer counted calls than the composite reads (a job costs create, poll and a
        /// call per 50,000 records).
        /// </summary>
        public static ReadPathDecision ForUserScan(SfBulkApiMode mode, int threshold, long expectedSize, long compositeCalls, long bulkCalls)
        {
            switch (mode)
            {
                case SfBulkApiMode.Never:
                    return new ReadPathDecision(false, "-UseBulkApi Never.");
                case SfBulkApiMode.Always:
                    return bulkCalls > compositeCalls
                        ? new ReadPathDecision(false, $"-UseBulkApi Always, but a query job would cost {bulkCalls} counted calls against {compositeCalls}.")
                        : new ReadPathDecision(true, "-UseBulkApi Always.");
            }
            if (expectedSize < threshold)
                return new ReadPathDecision(false, $"{expectedSize} users expected, below the Bulk API threshold of {threshold} (-UseBulkApi Auto, -BulkApiThreshold).");
            string why = $"{expectedSize} users expected reached the Bulk API threshold of {threshold} (-UseBulkApi Auto)";
            if (bulkCalls >= compositeCalls)
                return new ReadPathDecision(false, $"{why}, but a query job would cost {bulkCalls} counted calls against {compositeCalls}.");
            return new ReadPathDecision(true, why + ".");
        }

        /// <summary>
        /// How a run writes its user creates and updates: -UseBulkApi Never keeps composite collections (1,000
        /// records per counted call); Always sends every batch as a Bulk API 2.0 ingest job; Auto switches to
        /// bulk for the rest of the run once its pending creates and updates reach the threshold, and then
        /// writes as jobs the batches of at least the threshold or <see cref="MinimumBulkJobRecords"/>, whichever
        /// is lower (a job costs about five counted calls whatever its size; a retry of a few locked rows costs one
        /// composite call).
        /// </summary>
        public static WritePathDecision ForUserWrites(SfBulkApiMode mode, int threshold, long pendingWrites, bool switchedToBulk, int batchRecords)
        {
            switch (mode)
            {
                case SfBulkApiMode.Never:
                    return new WritePathDecision(WritePath.Composite, "-UseBulkApi Never.");
                case SfBulkApiMode.Always:
                    return new WritePathDecision(WritePath.Bulk, "-UseBulkApi Always.");
            }
            if (!switchedToBulk && pendingWrites < threshold)
                return new WritePathDecision(WritePath.Composite, $"{pendingWrites} pending create(s) and update(s), below the Bulk API threshold of {threshold} (-UseBulkApi Auto, -BulkApiThreshold).");
            string why = $"{pendingWrites} pending create(s) and update(s) reached the Bulk API threshold of {threshold} (-UseBulkApi Auto).";
            int minimum = System.Math.Min(threshold, MinimumBulkJobRecords);
            if (batchRecords > 0 && batchRecords < minimum)
                return new WritePathDecision(WritePath.Composite, $"{why} This batch of {batchRecords} record(s) (a retry of a few rows, or a level of managers) is below {minimum}, so it goes as composite collections.");
            return new WritePathDecision(WritePath.Bulk, why);
        }

        // ---- Leads and Contacts ----------------------------------------------------------------------

        /// <summary>
        /// One person of the Leads and Contacts target. <paramref name="wanted"/> is the source's record type
        /// (stated, or the connection's); <paramref name="lastKnown"/> what the rule's state recorded last time
        /// (null without a rule or history). A person is moved between Lead and Contact only when the source's
        /// record type changed since the rule last saw it, or, without history, when the source states it
        /// and Salesforce did not convert the lead itself.
        /// </summary>
        /// <param name="contactBesideLead">The person's record is an open lead and a (not converted) contact with the same key exists too.</param>
        public static LifecycleDecision ForPerson(UserSyncPolicy preferences, SourceState source, SfRecordType wanted, bool typeStated, SfRecordType? lastKnown, PersonRecordState record, bool contactBesideLead = false)
        {
            if (record == PersonRecordState.Missing)
            {
                if (source != SourceState.Enabled)
                    return LifecycleDecision.Skip($"The person is {(source == SourceState.Deleted ? "deleted" : "disabled")} in the source and has no Lead or Contact: nothing to do.", null);
                if (!preferences.CreateUsers)
                    return LifecycleDecision.Skip($"The person has no {wanted}, and creation is off for this connection.", "Create the connection with -CreateUsers $true.");
                return LifecycleDecision.Of(LifecycleOutcome.Create);
            }
            if (source != SourceState.Enabled) return ForPersonRemoval(preferences, source, record);

            bool isLead = record == PersonRecordState.LeadOpen || record == PersonRecordState.LeadClosed || record == PersonRecordState.LeadClosedInSalesforce;
            SfRecordType held = isLead ? SfRecordType.Lead : SfRecordType.Contact;
            if (held != wanted)
            {
                bool move = lastKnown.HasValue ? lastKnown.Value != wanted : typeStated && record != PersonRecordState.ConvertedLead;
                if (move) return Move(preferences, wanted);
            }
            // A demotion an earlier run left half done (a stop after the lead's create, before the contact's delete): the
            // rule still records the person as a Contact (a failed demotion records no new type), so it is finished now:
            // the lead it created is updated as any lead, and the contact it replaces is deleted. Only on that record:
            // without it, a contact beside an open lead may be anyone's (a converted lead's contact, say), never ours to delete.
            if (contactBesideLead && record == PersonRecordState.LeadOpen && wanted == SfRecordType.Lead && DeletesRecords(preferences)
                && lastKnown == SfRecordType.Contact)
                return LifecycleDecision.Of(LifecycleOutcome.Update, "The lead stands beside the contact it replaces (an earlier demotion stopped before deleting it): the contact is deleted now.").DeletingContact(true);
            if (record == PersonRecordState.LeadClosed)
            {
                if (!preferences.UpdateUsers)
                    return LifecycleDecision.Skip("The person is enabled in the source but their lead is closed, and updating is off for this connection.", "Create the connection with -UpdateUsers $true to reopen such leads.");
                return LifecycleDecision.Of(LifecycleOutcome.ReopenLead);
            }
            if (record == PersonRecordState.LeadClosedInSalesforce && held == wanted)
                return LifecycleDecision.Of(LifecycleOutcome.Update, "The lead was closed in Salesforce (not by deprovisioning), so it is not reopened.");
            if (held != wanted)
            {
                string why = record == PersonRecordState.ConvertedLead
                    ? "The lead was converted in Salesforce; its contact is the person's record"
                    : $"The person is a {held} in Salesforce";
                string change = lastKnown.HasValue ? "the source's record type has not changed since the rule's last run" : "the source does not state a RecordType";
                return LifecycleDecision.Of(LifecycleOutcome.Update, $"{why}, kept as a {held}: {change}.");
            }
            return LifecycleDecision.Of(LifecycleOutcome.Update);
        }

        private static LifecycleDecision Move(UserSyncPolicy preferences, SfRecordType wanted)
        {
            if (wanted == SfRecordType.Contact)
            {
                if (!preferences.UpdateUsers)
                    return LifecycleDecision.Skip("The person is a Lead and the source makes them a Contact, but updating is off for this connection.", "Create the connection with -UpdateUsers $true to convert leads.");
                return LifecycleDecision.Of(LifecycleOutcome.Promote);
            }
            if (!preferences.CreateUsers)
                return LifecycleDecision.Skip("The person is a Contact and the source makes them a Lead, but creation is off for this connection.", "Create the connection with -CreateUsers $true.");
            return LifecycleDecision.Of(LifecycleOutcome.Demote).DeletingContact(DeletesRecords(preferences));
        }

        /// <summary>Deletion only for people deleted in the source (seed: "delete a user ... when the user is deleted in the source").</summary>
        private static LifecycleDecision ForPersonRemoval(UserSyncPolicy preferences, SourceState source, PersonRecordState record)
        {
            bool deleted = source == SourceState.Deleted;
            bool delete = deleted && DeletesRecords(preferences);
            if ((record == PersonRecordState.LeadClosed || record == PersonRecordState.LeadClosedInSalesforce) && !delete) return LifecycleDecision.Of(LifecycleOutcome.Unchanged);
            if (!(deleted ? preferences.DeprovisionUsers : preferences.DisableUsers))
                return LifecycleDecision.Skip($"The person is {(deleted ? "deleted" : "disabled")} in the source, but {(deleted ? "deprovisioning" : "disabling")} is off for this connection.", $"Create the connection with {(deleted ? "-DeprovisionUsers" : "-DisableUsers")} $true.");
            if (delete) return LifecycleDecision.Of(LifecycleOutcome.Delete);
            if (record == PersonRecordState.LeadOpen) return LifecycleDecision.Of(LifecycleOutcome.CloseLead);
            return deleted
                ? LifecycleDecision.Skip("Contacts have no disabled state, and deleting records is off for this connection.", "Create the connection with -AllowDelete -RemoveAction Delete to delete contacts of people deleted in the source.")
                : LifecycleDecision.Skip("Contacts have no disabled state, and only people deleted in the source are deleted: the contact is kept.", "Nothing to do; delete the person in the source (with -AllowDelete -RemoveAction Delete) to delete their contact.");
        }

        private static bool DeletesRecords(UserSyncPolicy preferences) => preferences.AllowDelete && preferences.RemoveAction == SfRemoveAction.Delete;
    }
}
