# How an admin verifies the scheduled runbook offline: a saved connection and a rule on the emulator,
# the runbook run the way the scheduler runs it (pwsh -File), and its exit code checked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator -StartTimeoutSeconds 600
    $runbook = Join-Path $PSScriptRoot '../../samples/Nightly-HrSync.ps1'
    $pwsh = (Get-Process -Id $PID).Path
}

AfterAll {
    $emulator | Stop-SfEmulator
}

Describe 'samples/Nightly-HrSync.ps1' {
    BeforeEach {
        Invoke-EmulatorControl $emulator reset | Out-Null
        $state = Join-Path $TestDrive ([guid]::NewGuid()) 'state.db'
        $env:SFPROVISIONING_KEY_PATH = Join-Path $TestDrive 'key'
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10
        Save-SfProvisioningConnection -Name nightly -Connection $connection -StatePath $state
        New-SfProvisioningRule -Name hr -ConnectionName nightly -Profile 'Standard User' -StatePath $state | Out-Null
        $csv = Join-Path $TestDrive 'hr.csv'
        @'
UserPrincipalName,givenName,sn,mail,Title
ines.garcia@example.com,Inés,García,ines.garcia@example.com,Nurse
liam.osullivan@example.com,Liam,O'Sullivan,liam.osullivan@example.com,Porter
'@ | Set-Content -Path $csv -Encoding utf8
    }

    It 'syncs the export and exits 0, with no secret in its log' {
        $log = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:SFPROVISIONING_MODULE'; & '$runbook' -Rule hr -CsvPath '$csv' -StatePath '$state'; exit `$LASTEXITCODE" 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        $log | Should -Match 'Created 2'
        $secret = [System.Net.NetworkCredential]::new('', $emulator.ClientSecret).Password
        $log | Should -Not -Match ([regex]::Escape($secret))
        (Get-SfSyncStatus -Rule hr -StatePath $state -Last 1).Success | Should -Be 2
    }

    It 'exits non-zero when a person fails' {
        Add-Content -Path $csv -Value 'not-an-email,Bad,Person,bad@example.com,Clerk'
        $log = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:SFPROVISIONING_MODULE'; & '$runbook' -Rule hr -CsvPath '$csv' -StatePath '$state'; exit `$LASTEXITCODE" 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 1
        $log | Should -Match 'FAILED not-an-email: InvalidUsername'
    }

    It '-WhatIf shows the plan and writes nothing to Salesforce or the state store' {
        $before = (Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten
        $log = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:SFPROVISIONING_MODULE'; & '$runbook' -Rule hr -CsvPath '$csv' -StatePath '$state' -LogDirectory '$TestDrive/whatif-logs' -WhatIf; exit `$LASTEXITCODE" 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        $log | Should -Match 'What if'
        (Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten | Should -Be $before
        @(Get-SfSyncStatus -Rule hr -StatePath $state).Count | Should -Be 0
        # Nothing recorded, so the real run still writes what -WhatIf only showed.
        $real = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:SFPROVISIONING_MODULE'; & '$runbook' -Rule hr -CsvPath '$csv' -StatePath '$state' -LogDirectory '$TestDrive/whatif-logs'; exit `$LASTEXITCODE" 2>&1 | Out-String
        $real | Should -Match 'Created 2'
    }

    It 'writes one JSON-lines log per run, without secrets, and keeps only the newest -KeepLogs' {
        $logs = Join-Path $TestDrive 'logs'
        foreach ($night in 1..3) {
            & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:SFPROVISIONING_MODULE'; & '$runbook' -Rule hr -CsvPath '$csv' -StatePath '$state' -LogDirectory '$logs' -KeepLogs 2; exit `$LASTEXITCODE" *> $null
            $LASTEXITCODE | Should -Be 0
        }
        $files = @(Get-ChildItem $logs -Filter 'Nightly-HrSync-*.jsonl' | Sort-Object Name)
        $files.Count | Should -Be 2
        $lines = @(Get-Content $files[-1].FullName | ForEach-Object { $_ | ConvertFrom-Json })
        @($lines | Where-Object kind -eq 'result').Count | Should -Be 2
        $lines[-1].kind | Should -Be 'summary'
        $lines[-1].exitCode | Should -Be 0
        ($lines | Where-Object kind -eq 'result')[0].action | Should -BeIn @('Created', 'Unchanged', 'Updated')
        $text = Get-Content $files.FullName -Raw
        foreach ($secret in $emulator.ClientSecret, $emulator.RefreshToken) {
            $text | Should -Not -Match ([regex]::Escape([System.Net.NetworkCredential]::new('', $secret).Password))
        }
    }
}
