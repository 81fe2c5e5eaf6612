<#
.SYNOPSIS
    Runs the nightly HR runbook against the built-in emulator: set-up, a first night, and a night on
    which one person has left.
.DESCRIPTION
    dotnet run --project src/SalesforceProvisioning.ScriptHost -c Release -- samples/Try-NightlyHrSync.ps1
    (or pwsh -File samples/Try-NightlyHrSync.ps1 with the module imported). Uses a throw-away state store.
.NOTES
    Imports the SalesforceProvisioning module itself (samples/RunbookSupport.ps1): the repository's build
    output when run from this repository, else the installed module by name.
#>
$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'RunbookSupport.ps1'))
$state = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "sfprov-demo-" + [guid]::NewGuid().ToString('N'), 'state.db')
$runbook = [System.IO.Path]::Combine($PSScriptRoot, 'Nightly-HrSync.ps1')
$emulator = Start-SfEmulator
try {
    $connection = $emulator | New-SfProvisioningConnection -DisableAction Freeze
    Save-SfProvisioningConnection -Name demo -Connection $connection -StatePath $state
    $null = New-SfProvisioningRule -Name hr -ConnectionName demo -Profile 'Standard User' -MaxDeprovisionPercent 50 -StatePath $state

    $export = @(
        [pscustomobject]@{ UserPrincipalName = 'ines.garcia@example.com'; givenName = 'Inés'; sn = 'García'; mail = 'ines.garcia@example.com'; Title = 'Nurse'; PermissionSets = 'Service_Agent' }
        [pscustomobject]@{ UserPrincipalName = "liam.o'sullivan@example.com"; givenName = 'Liam'; sn = "O'Sullivan"; mail = "liam.o'sullivan@example.com"; Title = 'Porter' }
        [pscustomobject]@{ UserPrincipalName = 'mei.chen@example.com'; givenName = 'Mei'; sn = 'Chen'; mail = 'mei.chen@example.com'; Title = 'Surgeon' }
    )
    '--- Night 1'
    & $runbook -Rule hr -People $export -StatePath $state
    "exit code: $LASTEXITCODE"
    '--- Night 2: Mei has left; the others are unchanged (answered from the state store)'
    & $runbook -Rule hr -People $export[0..1] -StatePath $state
    "exit code: $LASTEXITCODE"
    '--- Sync status'
    Get-SfSyncStatus -Rule hr -StatePath $state
}
finally {
    $emulator | Stop-SfEmulator
}
