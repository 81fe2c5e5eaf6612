# The README's runbook commands (not the ones with a <placeholder>), run exactly as written: from the repository root, with a fresh pwsh
# that has no module imported and none on PSModulePath, and a home folder of its own (the default state
# store, key file and logs live under it), so nothing here depends on the machine's own set-up.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $readme = Get-Content (Join-Path $root 'README.md') -Raw
    $commands = @([regex]::Matches($readme, 'pwsh -File samples/[^`\r\n]+') | ForEach-Object { $_.Value.Trim() } | Where-Object { $_ -notmatch '<' } | Select-Object -Unique)

    # `pwsh` on PATH is this pwsh; HOME is a throw-away folder; the module is found only by the runbook itself.
    $bin = Join-Path $TestDrive 'bin'
    New-Item -ItemType Directory $bin | Out-Null
    New-Item -ItemType SymbolicLink -Path (Join-Path $bin 'pwsh') -Target (Get-Process -Id $PID).Path | Out-Null
    $home_ = Join-Path $TestDrive 'home'
    New-Item -ItemType Directory $home_ | Out-Null
    $saved = @{}
    foreach ($name in 'HOME', 'PATH', 'PSModulePath', 'SFPROVISIONING_STATE_PATH', 'SFPROVISIONING_KEY_PATH', 'SFPROVISIONING_LOG_PATH', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME') {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    function Invoke-AsNewAdmin([string] $Command) {
        try {
            $env:HOME = $home_; $env:PATH = "$bin$([IO.Path]::PathSeparator)$($saved.PATH)"; Remove-Item env:PSModulePath -ErrorAction SilentlyContinue
            foreach ($name in 'SFPROVISIONING_STATE_PATH', 'SFPROVISIONING_KEY_PATH', 'SFPROVISIONING_LOG_PATH', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME') { Remove-Item "env:$name" -ErrorAction SilentlyContinue }
            Push-Location $root
            $output = & (Join-Path $bin 'pwsh') -NoProfile -NonInteractive -Command $Command 2>&1 | Out-String
            [pscustomobject]@{ Output = $output; ExitCode = $LASTEXITCODE }
        }
        finally {
            Pop-Location
            foreach ($name in $saved.Keys) {
                if ($null -eq $saved[$name]) { Remove-Item "env:$name" -ErrorAction SilentlyContinue } else { Set-Item "env:$name" $saved[$name] }
            }
        }
    }
    $emulator = Start-SfEmulator -StartTimeoutSeconds 600
}

AfterAll {
    $emulator | Stop-SfEmulator
}

Describe "README runbook commands" {
    It 'finds the runbook commands in the README' {
        $commands | Should -Contain 'pwsh -File samples/Quickstart.ps1'
        $commands | Should -Contain 'pwsh -File samples/Nightly-HrSync.ps1 -Rule hr -CsvPath ~/hr-export.csv'
    }

    It 'runs <_> as written' -ForEach @([regex]::Matches((Get-Content (Join-Path $PSScriptRoot '../../README.md') -Raw), 'pwsh -File samples/[^`\r\n]+') | ForEach-Object { $_.Value.Trim() } | Where-Object { $_ -notmatch '<' } | Select-Object -Unique) {
        $command = $_
        if ($command -match 'Nightly-HrSync') {
            # The README's one-time set-up, against the emulator, in the same home folder.
            Invoke-EmulatorControl $emulator reset | Out-Null
            @'
UserPrincipalName,givenName,sn,mail
ines.garcia@example.com,Inés,García,ines.garcia@example.com
'@ | Set-Content -Path (Join-Path $home_ 'hr-export.csv') -Encoding utf8
            $secret = [System.Net.NetworkCredential]::new('', $emulator.ClientSecret).Password
            $refresh = [System.Net.NetworkCredential]::new('', $emulator.RefreshToken).Password
            $setup = Invoke-AsNewAdmin ("Import-Module '$env:SFPROVISIONING_MODULE'; " +
                "`$c = New-SfProvisioningConnection -Domain '$($emulator.Domain)' -ClientId '$($emulator.ClientId)' -ClientSecret (ConvertTo-SecureString '$secret' -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString '$refresh' -AsPlainText -Force) -DisableAction Freeze; " +
                "Save-SfProvisioningConnection -Name prod -Connection `$c; " +
                "`$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -MaxDeprovisionPercent 5 -AttributeMap (New-SfAttributeMap -Mapping @{ Username = 'UserPrincipalName'; Email = 'mail'; LastName = 'sn'; FirstName = 'givenName' } -Update *)")
            $setup.ExitCode | Should -Be 0 -Because $setup.Output
        }
        $run = Invoke-AsNewAdmin $command
        $run.Output | Should -Not -Match 'is not recognized'
        $run.ExitCode | Should -Be 0 -Because $run.Output
        if ($command -match 'Nightly-HrSync') {
            $run.Output | Should -Match 'Created 1'
            @(Get-ChildItem (Join-Path $home_ '.local/share/SalesforceProvisioning/logs') -Filter 'Nightly-HrSync-*.jsonl').Count | Should -Be 1
        }
    }
}
