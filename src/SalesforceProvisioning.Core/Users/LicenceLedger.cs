using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>One licence of the org (a user licence or a permission set licence) and its seats.</summary>
    public sealed class SfLicence
    {
        internal SfLicence(string id, string name, long total, long used, bool isPermissionSetLicence)
        {
            Id = id;
            Name = name;
            Total = total;
            UsedAtStart = used;
            IsPermissionSetLicence = isPermissionSetLicence;
        }

        public string Id { get; }
        public string Name { get; }
        public long Total { get; }

        /// <summary>UsedLicenses as read before the run.</summary>
        public long UsedAtStart { get; }
        public bool IsPermissionSetLicence { get; }

        /// <summary>Seats this run's plans take (released again when their write fails).</summary>
        public long Taken { get; internal set; }

        public long Free => Math.Max(0, Total - UsedAtStart - Taken);

        /// <summary>Users this run skipped because no seat of this licence was free.</summary>
        public int Skipped { get; internal set; }

        /// <summary>The licence's line in the run's summary: the seat plan (the same under -WhatIf).</summary>
        public override string ToString()
            => $"{Kind} '{Name}': {Taken} seat(s) taken of {Math.Max(0, Total - UsedAtStart)} free ({Total} in all)" + (Skipped > 0 ? $", {Skipped} user(s) skipped for lack of a seat" : "");

        internal string Kind => IsPermissionSetLicence ? "permission set licence" : "licence";
    }

    /// <summary>
    /// The org's free seats per licence, read once per run (UserLicense and PermissionSetLicense
    /// TotalLicenses and UsedLicenses), and the seats the run's plans take, in input order. A user who
    /// needs a seat that is no longer free is skipped with LicenseLimit (the decision is the lifecycle
    /// policy's) rather than failing at Salesforce with LICENSE_LIMIT_EXCEEDED. Seats freed by
    /// deactivations are counted but not handed out again in the same run: the writes of one window
    /// go out together, so a create could reach Salesforce before the deactivation that frees its seat.
    /// </summary>
    public sealed class LicenceLedger
    {
        /// <summary>Free seats at or below which results mention seats (taken, kept by freezing, freed by deactivating).</summary>
        public const int ScarceSeats = 10;

        private readonly Dictionary<string, SfLicence> _licences = new Dictionary<string, SfLicence>(StringComparer.Ordinal);

        public IEnumerable<SfLicence> Licences => _licences.Values;

        /// <summary>Seats freed by deactivations and removed permission set licences this run.</summary>
        public long SeatsFreed { get; private set; }

        /// <summary>The licences this run took seats of or ran out of, for the summary.</summary>
        public IEnumerable<SfLicence> Planned => _licences.Values.Where(l => l.Taken > 0 || l.Skipped > 0);

        public void AddUserLicences(IEnumerable<JObject> rows) => Add(rows, "Name", permissionSetLicences: false);

        /// <summary>The user licences of profiles read with UserLicense.Name, TotalLicenses and UsedLicenses.</summary>
        public void AddUserLicencesOf(IEnumerable<JObject> profiles)
        {
            var licences = profiles.Where(p => p["UserLicense"] is JObject && p.Value<string>("UserLicenseId") != null)
                .GroupBy(p => UserOrgContext.Id15(p.Value<string>("UserLicenseId")))
                .Select(g => { var licence = (JObject)g.First()["UserLicense"].DeepClone(); licence["Id"] = g.First().Value<string>("UserLicenseId"); return licence; });
            AddUserLicences(licences);
        }

        public void AddPermissionSetLicences(IEnumerable<JObject> rows) => Add(rows, "MasterLabel", permissionSetLicences: true);

        private void Add(IEnumerable<JObject> rows, string nameField, bool permissionSetLicences)
        {
            foreach (JObject row in rows)
            {
                string id = row.Value<string>("Id");
                _licences[UserOrgContext.Id15(id)] = new SfLicence(id, row.Value<string>(nameField) ?? row.Value<string>("DeveloperName"),
                    row.Value<long?>("TotalLicenses") ?? 0, row.Value<long?>("UsedLicenses") ?? 0, permissionSetLicences);
            }
        }

        public SfLicence Find(string id) => id != null && _licences.TryGetValue(UserOrgContext.Id15(id), out SfLicence licence) ? licence : null;

        /// <summary>
        /// Takes the seats a plan needs (a new or reactivated active user's licence, a profile change to
        /// another licence, added permission set licences), or skips the plan when one is not free; notes
        /// on the plan what its change does to seats.
        /// </summary>
        internal void Plan(UserPlan plan, UserOrgContext org)
        {
            if (plan.Action == SfSyncAction.Failed || plan.Action == SfSyncAction.Skipped) return;
            var needed = SeatsNeeded(plan, org).Where(l => l != null).Distinct().ToList();
            foreach (SfLicence licence in needed)
            {
                LifecycleDecision decision = LifecyclePolicy.ForLicenceSeat(licence.Name, licence.Kind, licence.Total, licence.UsedAtStart, licence.Taken);
                if (decision.IsSkip)
                {
                    licence.Skipped++;
                    plan.Skip(decision.Reason, decision.Remedy);
                    plan.ErrorCode = decision.ErrorCode;
                    return;
                }
            }
            var notes = new List<string>();
            foreach (SfLicence licence in needed)
            {
                // Where seats are scarce, the user's result says which seat it takes.
                if (licence.Free <= ScarceSeats) notes.Add($"Takes a seat of {licence.Kind} '{licence.Name}' ({licence.Free} of {licence.Total} free before it).");
                licence.Taken++;
                plan.SeatsTaken.Add(licence);
            }
            SfLicence held = LicenceOf(plan.Existing?.Value<string>("ProfileId"), org);
            if (held != null && held.Free <= ScarceSeats)
            {
                if (plan.Update?.Value<bool?>("IsActive") == false) notes.Add($"Deactivating frees its seat of licence '{held.Name}'.");
                if (plan.Freeze == true) notes.Add($"Freezing keeps its seat of licence '{held.Name}' (only deactivating frees a licence: -DisableAction Disable).");
            }
            if (notes.Count > 0) plan.Message = string.IsNullOrEmpty(plan.Message) ? string.Join(" ", notes) : plan.Message + " " + string.Join(" ", notes);
        }

        /// <summary>After the writes: seats of plans that were not written go back; freed seats are counted.</summary>
        internal void Settle(UserPlan plan)
        {
            bool written = plan.Action != SfSyncAction.Failed && plan.Action != SfSyncAction.Skipped && plan.Written;
            if (!written)
            {
                foreach (SfLicence licence in plan.SeatsTaken) licence.Taken--;
                plan.SeatsTaken.Clear();
                return;
            }
            if (plan.Deactivates) SeatsFreed++;
            SeatsFreed += plan.Access.Count(a => a.Kind == AccessKind.PermissionSetLicense && !a.Add);
        }

        private IEnumerable<SfLicence> SeatsNeeded(UserPlan plan, UserOrgContext org)
        {
            if (plan.Create != null && plan.Create.Value<bool?>("IsActive") != false)
                yield return LicenceOf(plan.Create.Value<string>("ProfileId"), org);
            if (plan.Update != null && plan.Existing != null)
            {
                bool activeBefore = plan.Existing.Value<bool?>("IsActive") ?? true;
                bool activeAfter = plan.Update.Value<bool?>("IsActive") ?? activeBefore;
                SfLicence before = LicenceOf(plan.Existing.Value<string>("ProfileId"), org);
                SfLicence after = LicenceOf(plan.Update.Value<string>("ProfileId") ?? plan.Existing.Value<string>("ProfileId"), org);
                if (activeAfter && (!activeBefore || after != before)) yield return after;
            }
            foreach (AccessChange change in plan.Access.Where(a => a.Kind == AccessKind.PermissionSetLicense && a.Add && a.RecordId == null))
                yield return Find(change.TargetId);
        }

        private SfLicence LicenceOf(string profileId, UserOrgContext org) => Find(org.ProfileById(profileId)?.UserLicenseId);
    }
}
