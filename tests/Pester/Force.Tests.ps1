# -Force means no prompt (issue 11 #7): this suite runs under pwsh -NonInteractive, where any
# confirmation prompt fails the command instead of waiting for an answer.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ("sfprov-pester-force-" + [guid]::NewGuid().ToString('N'))
    $env:SFPROVISIONING_KEY_PATH = Join-Path $folder 'key'
    $state = Join-Path $folder 'state.db'
}

AfterAll {
    $emulator | Stop-SfEmulator
    Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item Env:SFPROVISIONING_KEY_PATH -ErrorAction SilentlyContinue
}

Describe '-Force under pwsh -NonInteractive' {
    BeforeEach {
        Invoke-EmulatorControl $emulator reset | Out-Null
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10 -DeprovisionOnRuleDeletion
        Save-SfProvisioningConnection -Name prod -Connection $connection -StatePath $state -Force
        $people = 1..2 | ForEach-Object { [pscustomobject]@{ Username = "p$_@pester-force.example.com"; LastName = "P$_"; Email = "p$_@pester-force.example.com" } }
    }

    It 'Remove-SfProvisioningRule -Force removes the rule and deprovisions its users without a prompt' {
        $null = New-SfProvisioningRule -Name leavers -ConnectionName prod -Profile 'Standard User' -StatePath $state
        $null = $people | Sync-SfUser -Rule leavers -StatePath $state
        $removed = Remove-SfProvisioningRule leavers -StatePath $state -Force -ErrorAction Stop
        $removed.Action | Should -Be @('Disabled', 'Disabled')
        Get-SfProvisioningRule -StatePath $state | Where-Object Name -eq 'leavers' | Should -BeNullOrEmpty
    }

    It 'Disable-SfUser -Force disables without a prompt, and -WhatIf still only previews' {
        $null = $people | Sync-SfUser -Profile 'Standard User'
        $preview = Disable-SfUser 'p1@pester-force.example.com' -Force -WhatIf
        $preview.WhatIf | Should -BeTrue
        (Get-SfUser 'p1@pester-force.example.com').IsActive | Should -BeTrue
        (Disable-SfUser 'p1@pester-force.example.com' -Force -ErrorAction Stop).Action | Should -Be 'Disabled'
    }
}
