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

# A scheduled job that signs in with a certificate (OAuth 2.0 JWT bearer flow): the certificate is made for
# this run only, its public half "uploaded" to the emulator's connected app.
Describe 'New-SfProvisioningConnection with a certificate (JWT bearer)' {
    BeforeAll {
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) ("sfprov-pester-jwt-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $folder | Out-Null
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=sfprov-pester-jwt', $rsa,
            [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $certificate = $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-1), [datetimeoffset]::UtcNow.AddYears(1))
        $pfxPassword = ConvertTo-SecureString ([guid]::NewGuid().ToString('N')) -AsPlainText -Force
        $pfxPath = Join-Path $folder 'integration.pfx'
        [System.IO.File]::WriteAllBytes($pfxPath, $certificate.Export('Pfx', [System.Net.NetworkCredential]::new('', $pfxPassword).Password))
        $crtPath = Join-Path $folder 'connected-app.crt'
        Set-Content -Path $crtPath -Value $certificate.ExportCertificatePem()
        $jwtEmulator = Start-SfEmulator -JwtCertificatePath $crtPath
    }

    AfterAll {
        $jwtEmulator | Stop-SfEmulator
        Remove-Item -Recurse -Force $folder
    }

    BeforeEach { Invoke-EmulatorControl $jwtEmulator reset | Out-Null }

    It 'signs in with a PFX and its password, and signs again after the access token expires' {
        $connection = New-SfProvisioningConnection -Domain $jwtEmulator.Domain -ClientId $jwtEmulator.ClientId -Username $jwtEmulator.Username `
            -CertificatePath $pfxPath -CertificatePassword $pfxPassword -NoDefault
        $connection.AuthenticationMethod | Should -Be 'JwtBearer'
        $connection.CertificateThumbprint | Should -Be $certificate.Thumbprint
        (Test-SfConnection -Connection $connection).Success | Should -BeTrue
        Invoke-EmulatorControl $jwtEmulator 'expire-access-tokens' | Out-Null
        (Test-SfConnection -Connection $connection).Success | Should -BeTrue
    }

    It 'explains a sandbox that wants the test.salesforce.com audience' {
        Invoke-EmulatorControl $jwtEmulator sandbox -Body @{ enabled = $true } | Out-Null
        $connection = New-SfProvisioningConnection -Domain $jwtEmulator.Domain -ClientId $jwtEmulator.ClientId -Username $jwtEmulator.Username `
            -CertificatePath $pfxPath -CertificatePassword $pfxPassword -NoDefault
        $test = Test-SfConnection -Connection $connection
        $test.Failure | Should -Be 'JwtAudienceInvalid'
        $test.Remedy | Should -Match 'test\.salesforce\.com'
        $sandbox = New-SfProvisioningConnection -Domain $jwtEmulator.Domain -ClientId $jwtEmulator.ClientId -Username $jwtEmulator.Username `
            -CertificatePath $pfxPath -CertificatePassword $pfxPassword -Audience https://test.salesforce.com -NoDefault
        Test-SfConnection -Connection $sandbox -Quiet | Should -BeTrue
    }

    It 'names a user who is not pre-authorized for the connected app' {
        Invoke-EmulatorControl $jwtEmulator jwt-approval -Body @{ username = $jwtEmulator.Username; approved = $false } | Out-Null
        $connection = New-SfProvisioningConnection -Domain $jwtEmulator.Domain -ClientId $jwtEmulator.ClientId -Username $jwtEmulator.Username `
            -CertificatePath $pfxPath -CertificatePassword $pfxPassword -NoDefault
        (Test-SfConnection -Connection $connection).Failure | Should -Be 'JwtUserNotApproved'
    }
}
