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
