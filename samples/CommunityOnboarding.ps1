<#
.SYNOPSIS
    Community onboarding: customers from a CRM export become community users under their business
    account, linked to their existing contact (found by email) or a new one.
.DESCRIPTION
        pwsh -File samples/CommunityOnboarding.ps1 -CsvPath customers.csv -ConnectionName portal
    The saved connection has -Target Communities -AccountId <the business account>; a CSV column
    AccountId overrides it per customer. Exits 1 when any customer could not be onboarded.
.NOTES
    Imports the SalesforceProvisioning module itself (samples/RunbookSupport.ps1): the repository's build
    output when run from this repository, else the installed module by name. Each run writes a log file
    of JSON lines (its results and a summary, no secrets) to -LogDirectory (default: the user's local
    data folder, SalesforceProvisioning/logs, or $env:SFPROVISIONING_LOG_PATH); the newest -KeepLogs stay.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $CsvPath,
    [object[]] $Customer,
    [string] $ConnectionName,
    [string] $StatePath,
    [string] $Profile = 'Customer Community User',
    # Folder of this runbook's log files (one per run) and how many of them to keep.
    [string] $LogDirectory,
    [ValidateRange(1, 10000)] [int] $KeepLogs = 30
)
$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'RunbookSupport.ps1'))
$log = Start-RunbookLog -Runbook 'CommunityOnboarding' -Directory $LogDirectory -Keep $KeepLogs
if (-not $Customer) { $Customer = Import-Csv -Path $CsvPath }
$options = @{ Profile = $Profile; ErrorAction = 'Continue'; WhatIf = $WhatIfPreference }
if ($ConnectionName) {
    $open = @{ Name = $ConnectionName }
    if ($StatePath) { $open.StatePath = $StatePath }
    $options.Connection = Get-SfProvisioningConnection @open
}
$results = @($Customer | Sync-SfUser @options)
foreach ($result in $results) { "$($result.Username): $($result.Action)$(if ($result.ErrorCode) { " $($result.ErrorCode): $($result.Message)" })" }
Write-RunbookResultLog -Path $log -Result $results
$exitCode = if (@($results | Where-Object Action -eq 'Failed').Count -gt 0) { 1 } else { 0 }
Write-RunbookSummaryLog -Path $log -Result $results -ExitCode $exitCode
exit $exitCode
