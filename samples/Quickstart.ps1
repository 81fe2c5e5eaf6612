<#
.SYNOPSIS
    The module's main job, end to end, against the built-in Salesforce emulator: connect, test the
    connection, sync users from a source, sync them again (nothing to write), then disable one.
.DESCRIPTION
    Runs with pwsh (pwsh -File samples/Quickstart.ps1 after Import-Module) or, on a machine with only
    the .NET SDK, through the module's script host:
        dotnet run --project src/SalesforceProvisioning.ScriptHost -c Release -- samples/Quickstart.ps1
    It uses only language features, so it runs on the bare PowerShell engine too.
.NOTES
    Imports the SalesforceProvisioning module itself (samples/RunbookSupport.ps1): the repository's build
    output when run from this repository, else the installed module by name.
#>
$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'RunbookSupport.ps1'))

$emulator = Start-SfEmulator
try {
    # The emulator's object carries domain, client id and (as SecureStrings) the secrets.
    $connection = $emulator | New-SfProvisioningConnection -DisableAction Disable
    $test = Test-SfConnection -Connection $connection
    "Connected to '$($test.OrganizationName)' as $($test.Username); API requests remaining today: $($test.ApiRequestsRemaining)"

    # A source export, as Import-Csv or Get-ADUser would give it.
    $people = @(
        [pscustomobject]@{ UserPrincipalName = 'ada.lovelace@example.com'; givenName = 'Ada'; sn = 'Lovelace'; mail = 'ada.lovelace@example.com'; Title = 'Analyst'; Enabled = $true }
        [pscustomobject]@{ UserPrincipalName = "sean.o'brien@example.com"; givenName = 'Seán'; sn = "O'Brien"; mail = "sean.o'brien@example.com"; Title = 'Engineer'; Enabled = $true }
        [pscustomobject]@{ UserPrincipalName = 'zoe.angstrom@example.com'; givenName = 'Zoë'; sn = 'Ångström'; mail = 'zoe.angstrom@example.com'; Title = 'Designer'; Enabled = $true }
    )

    '--- First sync: the users are created'
    $people | Sync-SfUser -Connection $connection -Profile 'Standard User'

    '--- Second sync of the same source: nothing to write'
    $people | Sync-SfUser -Connection $connection

    '--- Ada leaves: she is disabled in the source'
    $people[0].Enabled = $false
    $people | Sync-SfUser -Connection $connection
}
finally {
    $emulator | Stop-SfEmulator
}
