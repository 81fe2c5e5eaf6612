using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The attributes a user sync resolves rather than copies (a role by name, a manager by key, the match
    /// by precedence of keys) and the licence seats it plans. User licences come with the preflight's
    /// profiles; roles, permission set groups and permission set licences are read once per run, with the
    /// first window's match reads that needs them; managers and match keys in each window's match reads:
    /// none of them costs a call per user, and a manager created in the same run costs no second write.
    /// </summary>
    public sealed partial class UserSyncEngine
    {
        private readonly LicenceLedger _licences = new LicenceLedger();
        private IReadOnlyList<string> _matchBy = SfAttributeMap.DefaultMatchBy;
        private IReadOnlyList<string> _alsoUnique = Array.Empty<string>();
        private List<string> _lookupFields = new List<string> { "Username" };

        /// <summary>The org's licences and the seats this run takes and frees.</summary>
        public LicenceLedger Licences => _licences;

        private bool _rolesRead, _setGroupsRead, _setLicencesRead;

        /// <summary>
        /// Roles, permission set groups and permission set licences, each read once per run with the first
        /// window that needs them, in the same composite calls as its match queries when they have room
        /// (a composite takes five queries, and the preflight's are taken). User licences come with the
        /// preflight's profiles.
        /// </summary>
        private List<string> ResolvingStatements(IReadOnlyList<SourceUser> sources)
        {
            var statements = new List<string>();
            if (!_rolesRead && sources.Any(s => s.KeyValue("UserRoleId") != null))
            {
                _rolesRead = true;
                statements.Add("SELECT Id, Name, DeveloperName FROM UserRole");
            }
            if (!_setGroupsRead && sources.Any(s => s.PermissionSetGroups != null))
            {
                _setGroupsRead = true;
                statements.Add("SELECT Id, DeveloperName, MasterLabel FROM PermissionSetGroup");
            }
            if (!_setLicencesRead && sources.Any(s => s.PermissionSetLicenses != null))
            {
                _setLicencesRead = true;
                statements.Add("SELECT Id, DeveloperName, MasterLabel, PermissionSetLicenseKey, TotalLicenses, UsedLicenses FROM PermissionSetLicense");
            }
            return statements;
        }

        /// <summary>Takes the resolving objects out of a read's records (by their type) and returns the rest.</summary>
        private List<JObject> TakeResolvingAnswers(List<JObject> rows)
        {
            var byType = rows.ToLookup(r => r["attributes"]?.Value<string>("type") ?? "User");
            if (byType.Contains("UserRole"))
                Org.Roles = new RoleDirectory(byType["UserRole"].Select(r => new SfRole { Id = r.Value<string>("Id"), Name = r.Value<string>("Name"), DeveloperName = r.Value<string>("DeveloperName") }));
            _access.AddPermissionSetGroups(byType["PermissionSetGroup"]);
            _access.AddPermissionSetLicences(byType["PermissionSetLicense"]);
            _licences.AddPermissionSetLicences(byType["PermissionSetLicense"]);
            return byType["User"].ToList();
        }

        /// <summary>
        /// Checks -MatchBy and -ManagerKey against the User describe and returns the fields the reads need.
        /// A FederationIdentifier the map writes is always checked for use by another user.
        /// </summary>
        private IEnumerable<string> ValidateMatching()
        {
            var matchBy = new List<string>();
            foreach (string asked in _map.MatchBy.Count > 0 ? _map.MatchBy : SfAttributeMap.DefaultMatchBy)
            {
                FieldInfo field = Org.UserDescribe.Field(asked);
                if (field == null || field.Type == "boolean" || field.Type == "multipicklist" || field.Type == "textarea")
                    throw new SalesforceConfigurationException("MatchBy", $"-MatchBy names '{asked}', which is not a User field users can be matched by" + (field == null ? $" (did you mean '{Org.UserDescribe.Suggest(asked)}'?)." : "."),
                        "Match by Username, FederationIdentifier, EmployeeNumber or an external-id field, for example -MatchBy FederationIdentifier, Username.");
                // A key the map never fills would match nobody, silently leaving the match to the other keys.
                if (_map[field.Name] == null && !field.Name.Equals("Username", StringComparison.OrdinalIgnoreCase))
                    throw new SalesforceConfigurationException("MatchBy", $"-MatchBy names '{field.Name}', which the attribute map does not fill from the source, so no user could be matched by it.",
                        $"Map it (New-SfAttributeMap -Mapping @{{ {field.Name} = '<source property>'; ... }}), or leave it out of -MatchBy.");
                if (!matchBy.Contains(field.Name, StringComparer.OrdinalIgnoreCase)) matchBy.Add(field.Name);
            }
            string managerKey = _map.ManagerKey ?? "Username";
            FieldInfo keyField = Org.UserDescribe.Field(managerKey);
            if (keyField == null || keyField.Type == "boolean")
                throw new SalesforceConfigurationException("ManagerKey", $"-ManagerKey names '{managerKey}', which is not a User field managers can be found by.",
                    $"Use one of {string.Join(", ", SfAttributeMap.ManagerKeyFields)} (the User field the source's Manager values hold).");
            Org.Managers = new ManagerDirectory(keyField.Name);

            var alsoUnique = new List<string>();
            if (!matchBy.Contains("Username", StringComparer.OrdinalIgnoreCase)) alsoUnique.Add("Username");
            if (_map["FederationIdentifier"] != null && Org.UserDescribe.Field("FederationIdentifier") != null && !matchBy.Contains("FederationIdentifier", StringComparer.OrdinalIgnoreCase))
                alsoUnique.Add("FederationIdentifier");
            _matchBy = matchBy;
            _alsoUnique = alsoUnique;
            _lookupFields = matchBy.Concat(alsoUnique).ToList();
            return _lookupFields.Append(keyField.Name);
        }

        private static bool HasLicensedAccess(UserPlan plan) => plan.Source.PermissionSetGroups != null || plan.Source.PermissionSetLicenses != null;

        /// <summary>Permission set groups and permission set licences from the source's lists, under the connection's Merge / Overwrite rule.</summary>
        private bool PlanLicensedAccess(UserPlan plan, IReadOnlyList<JObject> assignments, IReadOnlyList<JObject> licenceAssignments, Expiry expiry, List<AccessChange> changes)
        {
            string problem = plan.Source.PermissionSetGroups == null ? null
                : _access.PlanPermissionSetGroups(plan.Source.PermissionSetGroups, assignments, _policy.PermissionSetManagement, changes, expiry);
            if (problem != null)
            {
                plan.Fail("UnknownPermissionSetGroup", problem, "Use the permission set group's API name (DeveloperName) or label as Setup > Permission Set Groups shows it.");
                return false;
            }
            problem = plan.Source.PermissionSetLicenses == null ? null
                : _access.PlanPermissionSetLicences(plan.Source.PermissionSetLicenses, licenceAssignments, _policy.PermissionSetManagement, changes);
            if (problem != null)
            {
                plan.Fail("UnknownPermissionSetLicense", problem, "Use the permission set licence's DeveloperName or label as Setup > Company Information lists it.");
                return false;
            }
            return true;
        }

        /// <summary>
        /// The second pass, without a second write: users whose manager is created in this run (in this batch,
        /// or in an earlier one already confirmed) wait until the manager's create is confirmed (its Id known from Salesforce's answer), then go out with
        /// ManagerId set, level by level down a hierarchy created at once. A manager whose create failed
        /// leaves its reports without ManagerId, and their results say so. Reports written earlier without
        /// their manager (it came later in the input) get ManagerId in the round after the manager's create.
        /// </summary>
        private async Task<SalesforceException> WriteUsersInManagerOrderAsync(List<UserPlan> plans, Dictionary<string, List<WrittenReport>> reports, SentBatch sent, CancellationToken ct)
        {
            var waiting = plans.Where(p => p.PendingManagerKey != null).ToList();
            var written = plans.Where(p => p.PendingManagerKey == null).ToList();
            SalesforceException stop = await WriteUsersAsync(written, sent, ct).ConfigureAwait(false);
            ConfirmCreated(written);
            var links = LinksToReportsWrittenBefore(written, reports);
            while (stop == null && (waiting.Count > 0 || links.Count > 0))
            {
                var ready = waiting.Where(p => p.Action != SfSyncAction.Failed && Org.Managers.Find(p.PendingManagerKey, out _) == ManagerLookup.Found).ToList();
                if (ready.Count == 0 && links.Count == 0) break;
                foreach (UserPlan plan in ready)
                {
                    Org.Managers.Find(plan.PendingManagerKey, out string managerId);
                    SetManager(plan, managerId);
                }
                waiting.RemoveAll(ready.Contains);
                stop = await WriteUsersAsync(ready.Concat(links.Select(l => l.Report)).ToList(), sent, ct).ConfigureAwait(false);
                if (stop == null) TellManagersOfLinks(links);
                ConfirmCreated(ready);
                links = LinksToReportsWrittenBefore(ready, reports);
            }
            if (stop != null || waiting.Count == 0) return stop;
            foreach (UserPlan plan in waiting.Where(p => p.Action != SfSyncAction.Failed))
            {
                plan.Message = $"{plan.Message} The manager '{plan.PendingManagerKey}' was not created in this run; ManagerId not set.".Trim();
                plan.ManagerNotSet = true;
                plan.PendingManagerKey = null;
                if (plan.Action == SfSyncAction.Updated && !plan.IsWrite) plan.Action = SfSyncAction.Unchanged;
            }
            return await WriteUsersAsync(waiting.Where(p => p.IsWrite && p.Action != SfSyncAction.Failed).ToList(), sent, ct).ConfigureAwait(false);
        }

        /// <summary>Carried reports whose manager's key found no one when they were planned, by that key.</summary>
        private readonly Dictionary<string, List<UserPlan>> _carriedReportsOfUnfoundManagers = new Dictionary<string, List<UserPlan>>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Reports given their result without ManagerId (their manager's key found no one then), by that key.</summary>
        private readonly Dictionary<string, List<WrittenReport>> _writtenReportsOfUnfoundManagers = new Dictionary<string, List<WrittenReport>>(StringComparer.OrdinalIgnoreCase);

        /// <summary>What a report already written needs for its ManagerId update (not its whole plan: they can be many).</summary>
        private sealed class WrittenReport
        {
            public string Username;
            public int Index;
            public string UserId;
        }

        /// <summary>A report written earlier, its ManagerId update now, and the manager whose result tells how it went.</summary>
        private sealed class ManagerLink
        {
            public UserPlan Manager;
            public UserPlan Report;
        }

        /// <summary>A write plan carried to a later window: remembered if its manager's key found no one.</summary>
        private void Carry(UserPlan plan)
        {
            if (PacksCarriedWrites) plan.Pack();
            _carried.Add(plan);
            if (plan.UnfoundManagerKey == null) return;
            if (!_carriedReportsOfUnfoundManagers.TryGetValue(plan.UnfoundManagerKey, out List<UserPlan> reports))
                _carriedReportsOfUnfoundManagers[plan.UnfoundManagerKey] = reports = new List<UserPlan>();
            reports.Add(plan);
        }

        /// <summary>
        /// Reports planned before their manager came in the input (its key found no one then) whose writes are
        /// still carried: now that the manager is to be created in this run, they wait for it like any other report.
        /// </summary>
        private void WaitForManagersNowExpected(IEnumerable<string> createdKeys)
        {
            foreach (string key in createdKeys)
            {
                if (!_carriedReportsOfUnfoundManagers.TryGetValue(key, out List<UserPlan> reports)) continue;
                foreach (UserPlan plan in reports.Where(p => p.Action != SfSyncAction.Failed && p.UnfoundManagerKey != null))
                {
                    string asWritten = plan.UnfoundManagerKey;
                    plan.UnfoundManagerKey = null;
                    plan.PendingManagerKey = asWritten;
                    plan.ManagerNotSet = false;
                    plan.Message = plan.Message?.Replace(Org.Managers.NotFoundNote(asWritten), ManagerDirectory.SecondPassNote(asWritten));
                }
                _carriedReportsOfUnfoundManagers.Remove(key);
            }
        }

        /// <summary>
        /// A plan given its result: if its manager's key found no one, it is remembered (by Id, not its plan) so
        /// that a manager created later in this run is still set on it.
        /// </summary>
        private void ResultGiven(UserPlan plan)
        {
            string key = plan.UnfoundManagerKey;
            if (key == null) return;
            ForgetCarriedReport(plan);
            plan.UnfoundManagerKey = null;
            if (plan.Action == SfSyncAction.Failed || plan.Action == SfSyncAction.Skipped || plan.UserId == null) return;
            if (!_writtenReportsOfUnfoundManagers.TryGetValue(key, out List<WrittenReport> reports))
                _writtenReportsOfUnfoundManagers[key] = reports = new List<WrittenReport>();
            reports.Add(new WrittenReport { Username = plan.Username, Index = plan.Source.Index, UserId = plan.UserId });
        }

        /// <summary>
        /// Takes the reports given their result without ManagerId whose manager's key is one of this batch's
        /// users (a batch in flight links them without touching what planning and results share).
        /// </summary>
        private Dictionary<string, List<WrittenReport>> TakeWrittenReports(IEnumerable<UserPlan> batch)
        {
            var taken = new Dictionary<string, List<WrittenReport>>(StringComparer.OrdinalIgnoreCase);
            if (_writtenReportsOfUnfoundManagers.Count == 0) return taken;
            foreach (UserPlan plan in batch)
            {
                string key = plan.Source.KeyValue(Org.Managers.KeyField);
                if (key != null && _writtenReportsOfUnfoundManagers.TryGetValue(key, out List<WrittenReport> reports))
                {
                    taken[key] = reports;
                    _writtenReportsOfUnfoundManagers.Remove(key);
                }
            }
            return taken;
        }

        /// <summary>A plan about to be sent is no longer a carried report: a manager planned later leaves it as written.</summary>
        private void ForgetCarriedReport(UserPlan plan)
        {
            string key = plan.UnfoundManagerKey;
            if (key != null && _carriedReportsOfUnfoundManagers.TryGetValue(key, out List<UserPlan> carried) && carried.Remove(plan) && carried.Count == 0)
                _carriedReportsOfUnfoundManagers.Remove(key);
        }

        /// <summary>ManagerId updates for the reports written before these managers' creates were confirmed.</summary>
        private List<ManagerLink> LinksToReportsWrittenBefore(IEnumerable<UserPlan> managers, Dictionary<string, List<WrittenReport>> written)
        {
            var links = new List<ManagerLink>();
            if (written.Count == 0) return links;
            foreach (UserPlan manager in managers.Where(p => p.Action != SfSyncAction.Failed && p.UserId != null))
            {
                string key = manager.Source.KeyValue(Org.Managers.KeyField);
                if (key == null || !written.TryGetValue(key, out List<WrittenReport> reports)) continue;
                if (Org.Managers.Find(key, out string managerId) != ManagerLookup.Found) continue;
                written.Remove(key);
                foreach (WrittenReport report in reports)
                {
                    var update = new UserPlan(SourceUser.ForUsername(null, report.Index, report.Username, enabled: true))
                    {
                        UserId = report.UserId,
                        Action = SfSyncAction.Updated,
                        Update = new JObject { ["ManagerId"] = managerId },
                    };
                    links.Add(new ManagerLink { Manager = manager, Report = update });
                }
            }
            return links;
        }

        /// <summary>The reports' results are out already: their managers' results say how setting ManagerId went.</summary>
        private static void TellManagersOfLinks(IEnumerable<ManagerLink> links)
        {
            foreach (var byManager in links.GroupBy(l => l.Manager))
            {
                UserPlan manager = byManager.Key;
                var set = byManager.Where(l => l.Report.Action != SfSyncAction.Failed).Select(l => l.Report.Username).ToList();
                if (set.Count > 0)
                    manager.Message = Join(manager.Message, $"Set as the manager (ManagerId) of {string.Join(", ", set)}, written before it in this run (earlier in the input).");
                foreach (ManagerLink failed in byManager.Where(l => l.Report.Action == SfSyncAction.Failed))
                    manager.Message = Join(manager.Message, $"Setting it as the manager (ManagerId) of {failed.Report.Username} failed ({failed.Report.ErrorCode}: {failed.Report.Message}); run again to set it (a rule's next run looks its manager up again).");
            }
        }

        /// <summary>
        /// Users these creates made, or found made by someone else meanwhile (read back as theirs), are known
        /// managers from now on, for this batch and every later one.
        /// </summary>
        private void ConfirmCreated(IEnumerable<UserPlan> plans)
        {
            foreach (UserPlan plan in plans.Where(p => p.Action != SfSyncAction.Failed && p.UserId != null))
                Org.Managers.Confirm(plan.Source.KeyValue(Org.Managers.KeyField), plan.UserId);
        }

        /// <summary>
        /// Takes out of a batch about to be written the reports whose manager's create is still carried past it
        /// (and, level by level, their own reports): they stay carried and go out with or after their manager.
        /// </summary>
        private List<UserPlan> HoldBackReportsOfCarriedManagers(List<UserPlan> batch, IEnumerable<UserPlan> stillCarried)
        {
            var heldKeys = new HashSet<string>(stillCarried.Where(p => p.CreatesUser).Select(p => p.Source.KeyValue(Org.Managers.KeyField)).Where(k => k != null), StringComparer.OrdinalIgnoreCase);
            var held = new List<UserPlan>();
            bool moved = heldKeys.Count > 0;
            while (moved)
            {
                moved = false;
                foreach (UserPlan plan in batch.Where(p => p.PendingManagerKey != null && heldKeys.Contains(p.PendingManagerKey)).ToList())
                {
                    batch.Remove(plan);
                    held.Add(plan);
                    string key = plan.Source.KeyValue(Org.Managers.KeyField);
                    if (key != null) moved |= heldKeys.Add(key);
                }
            }
            return held.OrderBy(p => p.Source.Index).ToList();
        }

        private static void SetManager(UserPlan plan, string managerId)
        {
            plan.PendingManagerKey = null;
            if (plan.Create != null) plan.Create["ManagerId"] = managerId;
            else if (plan.Update != null) plan.Update["ManagerId"] = managerId;
            else plan.Update = new JObject { ["ManagerId"] = managerId };
            plan.ChangedFields.Add("ManagerId");
        }
    }
}
