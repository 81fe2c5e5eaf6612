using System;
using System.Collections.Generic;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    public enum SfGroupAction { Created, Renamed, Updated, Unchanged, Deleted, Skipped, Failed }
    public enum SfMembershipAction { Added, Removed, Unchanged, Failed }
    public enum SfMemberType { User, Group }

    /// <summary>How a member list is applied: the source overwrites Salesforce, or only adds, or only removes.</summary>
    public enum SfMembershipMode { Overwrite, Add, Remove }

    /// <summary>A member named by the source: a user by Username, or a nested public group by name.</summary>
    public sealed class MemberRef
    {
        public MemberRef(SfMemberType type, string key, object input = null)
        {
            Type = type;
            Key = key;
            Input = input;
        }

        public SfMemberType Type { get; }
        public string Key { get; }
        public object Input { get; }

        /// <summary>An AD distinguished name this member was given as, until resolved against the input (groups) or the directory users.</summary>
        internal string DistinguishedName { get; private set; }

        /// <summary>A directory object id (Graph's Id of a nested group), until resolved against the input's groups.</summary>
        internal string DirectoryId { get; private set; }

        /// <summary>A nested group of the same input: resolved through its own plan, so a rename in the same run is followed.</summary>
        internal SourceGroup SourceGroup { get; private set; }

        /// <summary>Why this member cannot be resolved (an UnresolvedMember failure of that member), else null.</summary>
        public string Problem { get; private set; }
        public string Remedy { get; private set; }

        /// <summary>Text with an @ is a username; anything else names a group.</summary>
        public static MemberRef FromText(string text, object input = null)
            => new MemberRef(text.Contains("@") ? SfMemberType.User : SfMemberType.Group, text.Trim(), input);

        internal static MemberRef ByDistinguishedName(SfMemberType type, string key, string distinguishedName, object input)
            => new MemberRef(type, key, input) { DistinguishedName = distinguishedName };

        internal static MemberRef ByDirectoryId(string directoryId, string name, object input)
            => new MemberRef(SfMemberType.Group, name ?? directoryId, input) { DirectoryId = directoryId };

        internal static MemberRef Unresolved(string key, object input, string problem, string remedy)
            => new MemberRef(SfMemberType.User, key, input) { Problem = problem, Remedy = remedy };

        internal MemberRef ToGroupOf(SourceGroup group) => new MemberRef(SfMemberType.Group, group.Name, Input) { SourceGroup = group };

        public override string ToString() => Key;
    }

    /// <summary>A group from the source: its name, a stable id that survives renames, and optionally its members.</summary>
    public sealed class SourceGroup
    {
        public object Input { get; set; }
        public int Index { get; set; }
        public string Name { get; set; }
        public string SourceId { get; set; }
        public string Description { get; set; }
        public bool Deleted { get; set; }

        /// <summary>AD's DistinguishedName, so member DNs of other groups in the input find this one.</summary>
        public string DistinguishedName { get; set; }

        /// <summary>Directory object ids (Graph Id, ObjectGUID, ObjectId), so Graph member objects of other groups find this one.</summary>
        public IReadOnlyList<string> DirectoryIds { get; set; } = Array.Empty<string>();

        /// <summary>Why the input cannot be synced as given (the group fails with it), else null.</summary>
        public SourceProblem Problem { get; set; }

        /// <summary>Null when the source says nothing about members (memberships are then left alone).</summary>
        public IReadOnlyList<MemberRef> Members { get; set; }
    }

    /// <summary>One result per source group (and per remembered group deleted because it left the scope).</summary>
    public sealed class SfGroupSyncResult
    {
        public string Name { get; internal set; }
        public string SourceId { get; internal set; }
        public string SalesforceId { get; internal set; }
        public SfGroupAction Action { get; internal set; }
        public string PreviousName { get; internal set; }
        public int MembersAdded { get; internal set; }
        public int MembersRemoved { get; internal set; }
        public IReadOnlyList<string> MemberFailures { get; internal set; } = Array.Empty<string>();
        public string ErrorCode { get; internal set; }
        public string Message { get; internal set; }
        public string Remedy { get; internal set; }
        public bool WhatIf { get; internal set; }
        public int InputIndex { get; internal set; }
        public object InputObject { get; internal set; }
        public override string ToString() => $"{Name}: {Action}";
    }

    /// <summary>One result per member given (and per member removed) by Set-SfGroupMembership.</summary>
    public sealed class SfMembershipResult
    {
        public string Group { get; internal set; }
        public string Member { get; internal set; }
        public SfMemberType MemberType { get; internal set; }
        public string MemberId { get; internal set; }
        public SfMembershipAction Action { get; internal set; }
        public string ErrorCode { get; internal set; }
        public string Message { get; internal set; }
        public string Remedy { get; internal set; }
        public bool WhatIf { get; internal set; }
        public object InputObject { get; internal set; }
        public override string ToString() => $"{Group} <- {Member}: {Action}";
    }

    /// <summary>A member change planned for a group.</summary>
    internal sealed class MemberChange
    {
        public MemberRef Member { get; set; }
        public string MemberId { get; set; }
        public string GroupMemberId { get; set; }
        public SfMembershipAction Action { get; set; }
        public string ErrorCode { get; set; }
        public string Message { get; set; }
        public string Remedy { get; set; }
        public bool Written { get; set; }
    }
}
