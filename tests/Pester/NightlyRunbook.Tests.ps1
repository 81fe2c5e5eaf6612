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
}
