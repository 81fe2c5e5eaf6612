# How an admin verifies a user-sync runbook offline against the emulator.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator -StartTimeoutSeconds 600
    $hrExport = @'
UserPrincipalName,givenName,sn,mail,Title,Department,Enabled
ada.lovelace@example.com,Ada,Lovelace,ada.lovelace@example.com,Analyst,Research,True
sean.o'brien@example.com,Seán,O'Brien,sean.o'brien@example.com,Engineer,R&D,True
zoe.angstrom@example.com,Zoë,Ångström,zoe.angstrom@example.com,Designer,Design,True
'@
}

AfterAll {
    $emulator | Stop-SfEmulator
}

Describe 'Sync-SfUser from a CSV export' {
    BeforeEach {
        Invoke-EmulatorControl $emulator reset | Out-Null
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10
        $people = $hrExport | ConvertFrom-Csv
    }

    It 'creates every user once, and a second run writes nothing' {
        $first = $people | Sync-SfUser -Profile 'Standard User'
        $first.Action | Should -Be @('Created', 'Created', 'Created')
        $first | ForEach-Object { $_.SalesforceId | Should -Match '^005' }

        $before = (Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten
        $second = $people | Sync-SfUser
        $second.Action | Should -Be @('Unchanged', 'Unchanged', 'Unchanged')
        (Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten | Should -Be $before
    }

    It 'makes no write under -WhatIf' {
        $plan = $people | Sync-SfUser -Profile 'Standard User' -WhatIf
        $plan.WhatIf | Should -Be @($true, $true, $true)
        (Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten | Should -Be 0
    }

    It 'disables a user who is disabled in the source, and says so in the table view' {
        $people | Sync-SfUser -Profile 'Standard User' | Out-Null
        $people[0].Enabled = 'False'
        $result = $people | Sync-SfUser
        $result[0].Action | Should -Be 'Disabled'
        ($result | Format-Table | Out-String) | Should -Match 'ada\.lovelace@example\.com\s+Disabled'
    }

    It 'reports a bad record as an error with a stable id and syncs the rest' {
        $bad = $people + [pscustomobject]@{ UserPrincipalName = 'not-an-email'; sn = 'Bad'; mail = 'bad@example.com' }
        $results = $bad | Sync-SfUser -Profile 'Standard User' -ErrorVariable failures -ErrorAction SilentlyContinue
        $results.Count | Should -Be 4
        $results[3].Action | Should -Be 'Failed'
        $failures[0].FullyQualifiedErrorId | Should -Be 'InvalidUsername,SalesforceProvisioning.Commands.SyncSfUserCommand'
        $failures[0].TargetObject.UserPrincipalName | Should -Be 'not-an-email'
    }

    It 'writes a summary to the information stream, never to the output' {
        $output = $people | Sync-SfUser -Profile 'Standard User' -InformationVariable info
        # The module's types live in its own load context: check them by name.
        $output | ForEach-Object { $_.GetType().FullName | Should -Be 'SalesforceProvisioning.SfUserSyncResult' }
        ($info | Out-String) | Should -Match 'Created 3'
    }
}

Describe 'The quickstart sample' {
    It 'runs end to end with pwsh' {
        $output = & (Join-Path $PSScriptRoot '../../samples/Quickstart.ps1') | Out-String
        $output | Should -Match 'Connected to'
        $output | Should -Match 'Disabled'
    }
}
