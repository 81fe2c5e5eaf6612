<#
.SYNOPSIS
    Community onboarding: customers from a CRM export become community users under their business
    account, linked to their existing contact (found by email) or a new one.
.DESCRIPTION
        pwsh -File samples/CommunityOnboarding.ps1 -CsvPath customers.csv -ConnectionName portal
    The saved connection has -Target Communities -AccountId <the business account>; a CSV column
    AccountId overrides it per customer. Exits 1 when any customer could not be onboarded.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $CsvPath,
    [object[]] $Customer,
    [string] $ConnectionName,
    [string] $StatePath,
    [string] $Profile = 'Customer Community User'
)
$ErrorActionPreference = 'Stop'
if (-not $Customer) { $Customer = Import-Csv -Path $CsvPath }
$options = @{ Profile = $Profile; ErrorAction = 'Continue'; WhatIf = $WhatIfPreference }
if ($ConnectionName) {
    $open = @{ Name = $ConnectionName }
    if ($StatePath) { $open.StatePath = $StatePath }
    $options.Connection = Get-SfProvisioningConnection @open
}
$results = @($Customer | Sync-SfUser @options)
foreach ($result in $results) { "$($result.Username): $($result.Action)$(if ($result.ErrorCode) { " $($result.ErrorCode): $($result.Message)" })" }
if (@($results | Where-Object Action -eq 'Failed').Count -gt 0) { exit 1 }
exit 0
