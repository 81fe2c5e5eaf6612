# The runbook samples, run against the emulator the way an admin checks them before scheduling them.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator -StartTimeoutSeconds 600
    $samples = Join-Path $PSScriptRoot '../../samples'
}

AfterAll {
    $emulator | Stop-SfEmulator
}

Describe 'Runbook samples' {
    BeforeEach {
        Invoke-EmulatorControl $emulator reset | Out-Null
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10
    }

    It 'Offboarding.ps1 freezes a leaver, and -WhatIf changes nothing' {
        [pscustomobject]@{ Username = 'leaver@pester.example.com'; LastName = 'Leaver'; Email = 'leaver@pester.example.com' } | Sync-SfUser -Profile 'Standard User' | Out-Null
        $before = (Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten
        & (Join-Path $samples 'Offboarding.ps1') -Username 'leaver@pester.example.com' -WhatIf | Out-Null
        (Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten | Should -Be $before
        $output = & (Join-Path $samples 'Offboarding.ps1') -Username 'leaver@pester.example.com' -Action Freeze
        $LASTEXITCODE | Should -Be 0
        $output | Should -Contain 'leaver@pester.example.com: Frozen '
    }

    It 'Sync-GroupsFromAD.ps1 creates the group with its members' {
        [pscustomobject]@{ Username = 'member@pester.example.com'; LastName = 'Member'; Email = 'member@pester.example.com' } | Sync-SfUser -Profile 'Standard User' | Out-Null
        $group = [pscustomobject]@{ Name = 'SF-Pester'; ObjectGUID = '42'; Description = 'Pester'; Members = @('member@pester.example.com') }
        $output = & (Join-Path $samples 'Sync-GroupsFromAD.ps1') -Group $group -StatePath (Join-Path $TestDrive 'state.db')
        $LASTEXITCODE | Should -Be 0
        $output | Should -Contain 'SF-Pester: Created (+1 -0)'
    }

    It 'CommunityOnboarding.ps1 onboards a customer from a CSV export' {
        $csv = Join-Path $TestDrive 'customers.csv'
        "Username,FirstName,LastName,Email`ncust@portal.pester.example.com,Úna,O'Hara,una@pester.example.com" | Set-Content $csv -Encoding utf8
        $account = Invoke-RestMethod -Headers @{ Authorization = 'Bearer ' + [System.Net.NetworkCredential]::new('', $emulator.AccessToken).Password } `
            -Uri "$($emulator.InstanceUrl)/services/data/v62.0/query?q=$([uri]::EscapeDataString("SELECT Id FROM Account WHERE Name = 'Acme Corporation'"))"
        $env:SFPROVISIONING_KEY_PATH = Join-Path $TestDrive 'key'
        $portal = $emulator | New-SfProvisioningConnection -Target Communities -AccountId $account.records[0].Id -NoDefault
        Save-SfProvisioningConnection -Name portal -Connection $portal -StatePath (Join-Path $TestDrive 'state.db')
        $output = & (Join-Path $samples 'CommunityOnboarding.ps1') -CsvPath $csv -ConnectionName portal -StatePath (Join-Path $TestDrive 'state.db')
        $LASTEXITCODE | Should -Be 0
        $output | Should -Contain 'cust@portal.pester.example.com: Created'
    }
}
