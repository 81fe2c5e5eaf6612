# How an admin verifies a connection runbook offline: start the emulator, connect, test.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator -StartTimeoutSeconds 600
}

AfterAll {
    $emulator | Stop-SfEmulator
}

Describe 'New-SfProvisioningConnection and Test-SfConnection' {
    BeforeEach { Invoke-EmulatorControl $emulator reset | Out-Null }

    It 'connects to the emulator and reports the org, the user and the API allowance' {
        $connection = $emulator | New-SfProvisioningConnection
        $test = Test-SfConnection -Connection $connection
        $test.Success | Should -BeTrue
        $test.OrganizationName | Should -Be 'Emulator Org'
        $test.Username | Should -Be $emulator.Username
        $test.ApiRequestsRemaining | Should -BeGreaterThan 0
        Test-SfConnection -Connection $connection -Quiet | Should -BeTrue
    }

    It 'never shows a secret in the table view or in verbose output' {
        $connection = $emulator | New-SfProvisioningConnection
        $secret = [System.Net.NetworkCredential]::new('', $emulator.ClientSecret).Password
        $shown = ($connection | Format-Table | Out-String) + ($connection | Format-List * | Out-String) + (Test-SfConnection -Connection $connection -Verbose 4>&1 | Out-String)
        $shown | Should -Not -Match ([regex]::Escape($secret))
        ($connection | Format-Table | Out-String) | Should -Match '\*\*\*\*\*\*\*\*'
    }

    It 'refuses plain http to a non-loopback host with error id InvalidDomain' {
        { New-SfProvisioningConnection -Domain 'http://acme.my.salesforce.com' -ClientId x -ClientSecret $emulator.ClientSecret -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidDomain,SalesforceProvisioning.Commands.NewSfProvisioningConnectionCommand'
    }

    It 'explains a wrong secret instead of throwing' {
        $wrong = ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force
        $connection = New-SfProvisioningConnection -Domain $emulator.Domain -ClientId $emulator.ClientId -ClientSecret $wrong -RefreshToken $emulator.RefreshToken -NoDefault
        $test = Test-SfConnection -Connection $connection
        $test.Success | Should -BeFalse
        $test.Failure | Should -Be 'InvalidClientSecret'
        $test.Remedy | Should -Not -BeNullOrEmpty
    }

    It 'refreshes an access token that expired mid-session' {
        $connection = $emulator | New-SfProvisioningConnection
        (Test-SfConnection -Connection $connection).Success | Should -BeTrue
        Invoke-EmulatorControl $emulator 'expire-access-tokens' | Out-Null
        (Test-SfConnection -Connection $connection).Success | Should -BeTrue
    }
}
