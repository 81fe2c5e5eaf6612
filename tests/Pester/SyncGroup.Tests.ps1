# How an admin verifies a group-sync runbook offline against the emulator.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator -StartTimeoutSeconds 600
}

AfterAll {
    $emulator | Stop-SfEmulator
}

Describe 'Sync-SfGroup and Set-SfGroupMembership' {
    BeforeEach {
        Invoke-EmulatorControl $emulator reset | Out-Null
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10
        $statePath = Join-Path $TestDrive 'state.db'
        'ada@example.com', 'grace@example.com' | ForEach-Object {
            [pscustomobject]@{ Username = $_; LastName = $_.Split('@')[0]; Email = $_ } } | Sync-SfUser -Profile 'Standard User' | Out-Null
    }

    It 'creates a group with its members, renames it when the source renames it, and writes nothing on a rerun' {
        $group = [pscustomobject]@{ Name = 'Analysts'; ObjectGUID = '7f1c'; Members = 'ada@example.com', 'grace@example.com' }
        $created = $group | Sync-SfGroup -StatePath $statePath
        $created.Action | Should -Be 'Created'
        $created.MembersAdded | Should -Be 2

        ($group | Sync-SfGroup -StatePath $statePath).Action | Should -Be 'Unchanged'

        $group.Name = 'Data Analysts'
        $renamed = $group | Sync-SfGroup -StatePath $statePath
        $renamed.Action | Should -Be 'Renamed'
        $renamed.PreviousName | Should -Be 'Analysts'
        Test-Path $statePath | Should -BeTrue
    }

    It 'overwrites members and reports an unknown member as an error while the rest goes through' {
        [pscustomobject]@{ Name = 'Team'; ObjectGUID = 't'; Members = 'ada@example.com' } | Sync-SfGroup -StatePath $statePath | Out-Null
        $results = 'grace@example.com', 'nobody@example.com' | Set-SfGroupMembership -Group Team -ErrorVariable failures -ErrorAction SilentlyContinue
        ($results | Where-Object Member -eq 'grace@example.com').Action | Should -Be 'Added'
        ($results | Where-Object Member -eq 'ada@example.com').Action | Should -Be 'Removed'
        $failures[0].FullyQualifiedErrorId | Should -Be 'UnknownMember,SalesforceProvisioning.Commands.SetSfGroupMembershipCommand'
    }
}

# Entra and AD objects piped as Get-MgGroup / Get-MgGroupMember and Get-ADGroup / Get-ADUser return them.
Describe 'Sync-SfGroup with Entra and AD objects as they come' {
    BeforeEach {
        Invoke-EmulatorControl $emulator reset | Out-Null
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10
        $statePath = Join-Path $TestDrive 'state.db'
        'ada@example.com', 'grace@example.com' | ForEach-Object {
            [pscustomobject]@{ Username = $_; LastName = $_.Split('@')[0]; Email = $_ } } | Sync-SfUser -Profile 'Standard User' | Out-Null
    }

    It 'takes a Graph group''s Id as its stable id and its member objects by userPrincipalName' {
        $additional = [System.Collections.Generic.Dictionary[string, object]]::new()
        $additional['@odata.type'] = '#microsoft.graph.user'
        $additional['userPrincipalName'] = 'ada@example.com'
        $member = [pscustomobject]@{ Id = '11111111-2222-3333-4444-555555555555'; DeletedDateTime = $null; AdditionalProperties = $additional }
        $group = [pscustomobject]@{ Id = '0f8fad5b-d9cb-469f-a165-70867728950e'; DisplayName = 'Entra Analysts'; Description = $null
            SecurityEnabled = $true; GroupTypes = [string[]]@(); Members = @($member); AdditionalProperties = [System.Collections.Generic.Dictionary[string, object]]::new() }
        $created = $group | Sync-SfGroup -StatePath $statePath
        $created.Action | Should -Be 'Created'
        $created.MembersAdded | Should -Be 1
        $group.DisplayName = 'Entra Data Analysts'
        ($group | Sync-SfGroup -StatePath $statePath).Action | Should -Be 'Renamed'
    }

    It 'resolves AD member distinguished names through -DirectoryUser and reports one it cannot resolve' {
        $grace = [pscustomobject]@{ DistinguishedName = 'CN=Grace Hopper,OU=Users,DC=acme,DC=com'; ObjectClass = 'user'; ObjectGUID = [guid]::NewGuid()
            UserPrincipalName = 'grace@example.com'; Enabled = $true; SamAccountName = 'grace' }
        $group = [pscustomobject]@{ DistinguishedName = 'CN=SF-Ops,OU=Groups,DC=acme,DC=com'; Name = 'SF-Ops'; ObjectClass = 'group'; ObjectGUID = [guid]::NewGuid()
            Members = [string[]]@($grace.DistinguishedName, 'CN=Someone Else,OU=Users,DC=acme,DC=com') }
        $result = $group | Sync-SfGroup -DirectoryUser $grace -StatePath $statePath -ErrorVariable failures -ErrorAction SilentlyContinue
        $result.Action | Should -Be 'Created'
        $result.MembersAdded | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'UnresolvedMember,SalesforceProvisioning.Commands.SyncSfGroupCommand'
    }
}
