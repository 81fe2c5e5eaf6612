using System;
using System.Collections;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Objects shaped exactly as Microsoft Graph (Get-MgUser, Get-MgGroup, Get-MgGroupMember) and the AD module
    /// (Get-ADUser, Get-ADGroup) return them, piped in without reshaping, through the real engine.
    /// </summary>
    public class DirectoryInputTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        // Graph: a group is microsoft.graph.group (Id a GUID string, DisplayName, Members null unless expanded);
        // a member from Get-MgGroupMember is a directoryObject whose AdditionalProperties carry the rest.
        private const string Shapes = @"
function GraphMember([string] $type, [string] $id, [hashtable] $properties) {
    $additional = [System.Collections.Generic.Dictionary[string, object]]::new()
    $additional['@odata.type'] = ""#microsoft.graph.$type""
    foreach ($key in $properties.Keys) { $additional[$key] = $properties[$key] }
    [pscustomobject]@{ Id = $id; DeletedDateTime = $null; AdditionalProperties = $additional }
}
function GraphGroup([string] $id, [string] $name, $members) {
    [pscustomobject]@{ Id = $id; DisplayName = $name; Description = $null; Mail = $null; MailEnabled = $false; MailNickname = ($name -replace ' ', '')
        SecurityEnabled = $true; GroupTypes = [string[]]@(); Members = $members; AdditionalProperties = [System.Collections.Generic.Dictionary[string, object]]::new() }
}
function AdGroup([string] $name, [guid] $guid, [string[]] $members) {
    [pscustomobject]@{ DistinguishedName = ""CN=$name,OU=Groups,DC=acme,DC=com""; GroupCategory = 'Security'; GroupScope = 'Global'; Name = $name
        ObjectClass = 'group'; ObjectGUID = $guid; SamAccountName = $name; SID = 'S-1-5-21-1-2-3-' + [math]::Abs($name.GetHashCode()); Description = ""$name (AD)""; Members = $members }
}
function AdUser([string] $given, [string] $surname, [string] $upn, [bool] $enabled = $true) {
    [pscustomobject]@{ DistinguishedName = ""CN=$given $surname,OU=Users,DC=acme,DC=com""; Enabled = $enabled; GivenName = $given; Name = ""$given $surname""
        ObjectClass = 'user'; ObjectGUID = [guid]::NewGuid(); SamAccountName = $given.ToLowerInvariant(); SID = 'S-1-5-21-1-2-3-' + [math]::Abs($upn.GetHashCode()); Surname = $surname; UserPrincipalName = $upn }
}
$null = @(
    @{ Username = 'ann@dir.example.com'; LastName = 'Ann'; Email = 'ann@dir.example.com' }
    @{ Username = 'bob@dir.example.com'; LastName = 'Bob'; Email = 'bob@dir.example.com' }
) | Sync-SfUser -Profile 'Standard User'
";
        private readonly EmulatorFixture _emulator;
        private readonly string _state = Path.Combine(Path.GetTempPath(), "sfprov-dir-" + Guid.NewGuid().ToString("N"), "state.db");

        public DirectoryInputTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose() { if (Directory.Exists(Path.GetDirectoryName(_state))) Directory.Delete(Path.GetDirectoryName(_state), true); }

        private PowerShellHost Session()
        {
            var ps = _emulator.NewSession();
            var setup = ps.Run(Shapes + $"$statePath = '{_state}'");
            Assert.Empty(setup.Errors);
            return ps;
        }

        private long Groups(string like) => _emulator.QueryTotal($"SELECT COUNT() FROM Group WHERE Name LIKE '{like}'");

        private string[] MemberUsernames(string group)
        {
            string id = _emulator.Query($"SELECT Id FROM Group WHERE Name = '{group}'").Single()["Id"].ToString();
            return _emulator.Query($"SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '{id}'").Select(m => m["UserOrGroupId"].ToString()).ToArray();
        }

        [Fact]
        public void Graph_groups_and_members_bind_as_they_come_and_a_rename_in_Entra_renames_instead_of_duplicating()
        {
            using var ps = Session();
            const string groups = @"
$emea = GraphGroup '5b1a7c1e-0d4e-4c8e-9a51-3f1f6a0e2b11' $emeaName @(GraphMember user 'u-2' @{ mail = 'bob@dir.example.com'; displayName = 'Bob' })
$sales = GraphGroup '0f8fad5b-d9cb-469f-a165-70867728950e' $salesName @(
    GraphMember user 'u-1' @{ userPrincipalName = 'ann@dir.example.com'; mail = 'ann.other@dir.example.com'; displayName = 'Ann' }
    GraphMember group '5b1a7c1e-0d4e-4c8e-9a51-3f1f6a0e2b11' @{ displayName = 'an old display name' }
    GraphMember device 'd-1' @{ displayName = 'Kiosk PC' })
$sales, $emea | Sync-SfGroup -StatePath $statePath";
            var first = ps.Run("$salesName = 'SF Sales'; $emeaName = 'SF Sales EMEA'; " + groups);
            Assert.Equal(new[] { "Created", "Created" }, first.Output.Select(o => o.Prop("Action")));
            Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", first.Output[0].Prop("SourceId"));
            Assert.Equal("2", first.Output[0].Prop("MembersAdded")); // Ann by userPrincipalName, the nested group by its Graph Id
            Assert.Equal("1", first.Output[1].Prop("MembersAdded")); // Bob by mail
            var device = Assert.Single(first.Errors);
            Assert.Equal("UnresolvedMember,SalesforceProvisioning.Commands.SyncSfGroupCommand", device.FullyQualifiedErrorId);
            Assert.Contains("Kiosk PC", device.ToString());
            Assert.Equal(2, MemberUsernames("SF Sales").Length);

            // Renamed in Entra: same Id, new display name; the nested group is renamed in the same run.
            var second = ps.Run("$salesName = 'SF Sales Global'; $emeaName = 'SF Sales Europe'; " + groups);
            Assert.Equal(new[] { "Renamed", "Renamed" }, second.Output.Select(o => o.Prop("Action")));
            Assert.Equal("SF Sales", second.Output[0].Prop("PreviousName"));
            Assert.Equal("0", second.Output[0].Prop("MembersAdded"));
            Assert.Equal("0", second.Output[0].Prop("MembersRemoved"));
            Assert.Equal(2, Groups("SF Sales%"));
            Assert.Equal(2, MemberUsernames("SF Sales Global").Length);
        }

        [Fact]
        public void Ad_groups_with_distinguished_name_members_resolve_users_through_DirectoryUser_and_nested_groups_through_the_input()
        {
            using var ps = Session();
            const string groups = @"
$users = @(AdUser 'Ann' 'Ng' 'ann@dir.example.com'; AdUser 'Bob' 'Oz' 'bob@dir.example.com')
$platform = AdGroup $platformName ([guid]'6f9619ff-8b86-d011-b42d-00c04fc964ff') @($users[1].DistinguishedName)
$engineering = AdGroup 'SF-Engineering' ([guid]'7a2b3c4d-1111-2222-3333-444455556666') @(
    $users[0].DistinguishedName, $platform.DistinguishedName, 'CN=Nobody Known,OU=Users,DC=acme,DC=com')
$engineering, $platform | Sync-SfGroup -DirectoryUser $users -StatePath $statePath";
            long callsBefore = _emulator.ApiCalls;
            var first = ps.Run("$platformName = 'SF-Platform'; " + groups);
            Assert.Equal(new[] { "Created", "Created" }, first.Output.Select(o => o.Prop("Action")));
            Assert.Equal("7a2b3c4d-1111-2222-3333-444455556666", first.Output[0].Prop("SourceId"));
            Assert.Equal("SF-Engineering (AD)", _emulator.Query("SELECT Description FROM Group WHERE Name = 'SF-Engineering'").Single()["Description"].ToString());
            Assert.Equal("2", first.Output[0].Prop("MembersAdded"));
            var unknown = Assert.Single(first.Errors);
            Assert.Equal("UnresolvedMember,SalesforceProvisioning.Commands.SyncSfGroupCommand", unknown.FullyQualifiedErrorId);
            Assert.Contains("CN=Nobody Known", unknown.ToString());
            Assert.Contains("-DirectoryUser", unknown.ErrorDetails.RecommendedAction);

            // A rename in AD changes the nested group's DN on both sides of the input: followed, not duplicated.
            var second = ps.Run("$platformName = 'SF-Platform Team'; " + groups);
            Assert.Equal(new[] { "Unchanged", "Renamed" }, second.Output.Select(o => o.Prop("Action")));
            Assert.Equal(1, Groups("SF-Platform%"));
            Assert.Equal(2, MemberUsernames("SF-Engineering").Length);
        }

        [Fact]
        public void Set_SfGroupMembership_takes_Graph_member_objects_and_AD_distinguished_names()
        {
            using var ps = Session();
            Assert.Empty(ps.Run("[pscustomobject]@{ Name = 'Dir Team'; SourceId = 'dir-team' }, [pscustomobject]@{ Name = 'Dir Nested'; SourceId = 'dir-nested' } | Sync-SfGroup -StatePath $statePath").Errors);
            // A mail-enabled Entra group object (Get-MgGroup) is a nested group, not a user named by its mail.
            var result = ps.Run(@"
$bob = [pscustomobject]@{ Id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301'; UserPrincipalName = 'bob@dir.example.com'; Mail = 'bob@dir.example.com'
    OnPremisesDistinguishedName = 'CN=Bob Oz,OU=Users,DC=acme,DC=com'; AccountEnabled = $true }  # Get-MgUser of a user synced from AD
$nested = GraphGroup 'a3d1e5f0-1234-4a5b-8c9d-0e1f2a3b4c5d' 'Dir Nested' $null
$nested.Mail = 'dir.nested@dir.example.com'
@(GraphMember user 'u-1' @{ userPrincipalName = 'ann@dir.example.com' }), 'CN=Bob Oz, OU=Users, DC=acme, DC=com', $nested | Set-SfGroupMembership -Group 'Dir Team' -DirectoryUser $bob");
            Assert.Empty(result.Errors);
            Assert.Equal(new[] { "Added", "Added", "Added" }, result.Output.Select(o => o.Prop("Action")));
            Assert.Equal(new[] { "Dir Nested", "ann@dir.example.com", "bob@dir.example.com" }, result.Output.Select(o => o.Prop("Member")).OrderBy(m => m, StringComparer.Ordinal));
            Assert.Equal("Group", result.Output.Single(o => o.Prop("Member") == "Dir Nested").Prop("MemberType"));
        }

        [Fact]
        public void SourceIdProperty_names_any_property_and_a_misspelled_one_fails_the_group_naming_the_closest()
        {
            using var ps = Session();
            var created = ps.Run("[pscustomobject]@{ TeamName = 'Ops Crew'; Name = 'Ops Crew'; TeamNumber = 'T-17' } | Sync-SfGroup -SourceIdProperty TeamNumber -StatePath $statePath");
            Assert.Equal("Created", created.Output.Single().Prop("Action"));
            Assert.Equal("T-17", created.Output.Single().Prop("SourceId"));
            var renamed = ps.Run("[pscustomobject]@{ Name = 'Ops Squad'; TeamNumber = 'T-17' } | Sync-SfGroup -SourceIdProperty TeamNumber -StatePath $statePath");
            Assert.Equal("Renamed", renamed.Output.Single().Prop("Action"));

            long written = _emulator.RecordsWritten;
            var misspelled = ps.Run("[pscustomobject]@{ Name = 'Ops Squad'; TeamNumber = 'T-17' } | Sync-SfGroup -SourceIdProperty TeamNumbr -StatePath $statePath");
            Assert.Equal("Failed", misspelled.Output.Single().Prop("Action"));
            var error = Assert.Single(misspelled.Errors);
            Assert.Equal("MissingSourceId,SalesforceProvisioning.Commands.SyncSfGroupCommand", error.FullyQualifiedErrorId);
            Assert.Contains("'TeamNumber'", error.ToString());
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        [Fact]
        public void Graph_and_ad_users_sync_without_reshaping()
        {
            using var ps = Session();
            var result = ps.Run(@"
$graph = [pscustomobject]@{ Id = '9c5b94b1-35ad-49bb-b118-8e8fc24abf80'; DisplayName = 'Cleo Park'; GivenName = 'Cleo'; Surname = 'Park'
    UserPrincipalName = 'cleo@dir.example.com'; Mail = 'cleo.park@dir.example.com'; AccountEnabled = $true; JobTitle = 'Analyst'; Department = 'Finance'
    BusinessPhones = [string[]]@('+1 555 0100'); MobilePhone = $null; OfficeLocation = 'HQ'; AdditionalProperties = [System.Collections.Generic.Dictionary[string, object]]::new() }
$ad = AdUser 'Dan' 'Ro' 'dan@dir.example.com' $false
$graph, $ad | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(result.Errors);
            Assert.Equal("Created", result.Output[0].Prop("Action"));
            Assert.Equal("Skipped", result.Output[1].Prop("Action")); // AD Enabled = $false: not provisioned by default
            var cleo = _emulator.Query("SELECT FirstName, LastName, Email, Title, Department, IsActive FROM User WHERE Username = 'cleo@dir.example.com'").Single();
            Assert.Equal("Cleo", cleo["FirstName"].ToString());
            Assert.Equal("Park", cleo["LastName"].ToString());
            Assert.Equal("cleo.park@dir.example.com", cleo["Email"].ToString());
            Assert.Equal("Analyst", cleo["Title"].ToString());

            var disabled = ps.Run(@"$graph.AccountEnabled = $false; $graph | Sync-SfUser");
            Assert.Equal("Disabled", disabled.Output.Single().Prop("Action"));
        }

        /// <summary>Graph's businessPhones: a string collection holding one number (Graph's user resource); Phone takes the first.</summary>
        [Fact]
        public void A_graph_users_BusinessPhones_set_Phone_to_the_first_number_and_a_rerun_writes_nothing()
        {
            using var ps = Session();
            string graph = @"$graph = [pscustomobject]@{ Id = '2f1c0a4e-6b7d-4c1e-9f2a-5d3b8e7c6a10'; DisplayName = 'Pia Lund'; GivenName = 'Pia'; Surname = 'Lund'
    UserPrincipalName = 'pia@dir.example.com'; Mail = 'pia@dir.example.com'; AccountEnabled = $true; BusinessPhones = [string[]]@('+46 8 555 0100', '+46 8 555 0199')
    MobilePhone = '+46 70 555 0100'; AdditionalProperties = [System.Collections.Generic.Dictionary[string, object]]::new() }; ";
            var created = ps.Run(graph + "$graph | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(created.Errors);
            Assert.Equal("Created", created.Output.Single().Prop("Action"));
            var pia = _emulator.Query("SELECT Phone, MobilePhone FROM User WHERE Username = 'pia@dir.example.com'").Single();
            Assert.Equal("+46 8 555 0100", pia["Phone"].ToString());
            Assert.Equal("+46 70 555 0100", pia["MobilePhone"].ToString());

            long written = _emulator.RecordsWritten;
            Assert.Equal("Unchanged", ps.Run(graph + "$graph | Sync-SfUser").Output.Single().Prop("Action"));
            Assert.Equal(written, _emulator.RecordsWritten);

            var changed = ps.Run(graph + "$graph.BusinessPhones = [string[]]@('+46 8 555 0123'); $graph | Sync-SfUser");
            Assert.Equal("Updated", changed.Output.Single().Prop("Action"));
            Assert.Equal("+46 8 555 0123", _emulator.Query("SELECT Phone FROM User WHERE Username = 'pia@dir.example.com'").Single()["Phone"].ToString());
        }

        [Fact]
        public void A_misspelled_source_property_in_a_custom_map_is_warned_about_once_per_run_with_the_closest_names()
        {
            using var ps = Session();
            var result = ps.Run(@"
$map = New-SfAttributeMap -Mapping @{ Username = 'UserPrincipalName'; Email = 'Emial'; LastName = 'Surname'; Title = 'JobTitel' } -Optional Email
1..3 | ForEach-Object { [pscustomobject]@{ UserPrincipalName = ""w$_@dir.example.com""; Email = ""w$_@dir.example.com""; Surname = ""W$_""; JobTitle = 'Clerk' } } |
    Sync-SfUser -AttributeMap $map -Profile 'Standard User' -BatchSize 1 -WhatIf");
            Assert.Equal(2, result.Warnings.Count);
            Assert.Contains(result.Warnings, w => w.Contains("'Emial'") && w.Contains("Closest existing: 'Email'"));
            Assert.Contains(result.Warnings, w => w.Contains("'JobTitel'") && w.Contains("'JobTitle'"));

            var clean = ps.Run(@"
$map = New-SfAttributeMap -Mapping @{ Username = 'UserPrincipalName'; Email = 'Email'; LastName = 'Surname' }
[pscustomobject]@{ UserPrincipalName = 'w9@dir.example.com'; Email = 'w9@dir.example.com'; Surname = 'W9' } | Sync-SfUser -AttributeMap $map -Profile 'Standard User' -WhatIf");
            Assert.Empty(clean.Warnings);
        }
    }
}
