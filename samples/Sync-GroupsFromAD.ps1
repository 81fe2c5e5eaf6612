<#
.SYNOPSIS
    Group sync from Active Directory: every AD group under an OU becomes a Salesforce public group with
    the same members; renames follow the group's ObjectGUID; groups removed from the OU are deleted when
    the connection allows it.
.DESCRIPTION
    On a domain-joined machine with the ActiveDirectory module:
        pwsh -File samples/Sync-GroupsFromAD.ps1 -SearchBase 'OU=Salesforce,DC=acme,DC=com' -ConnectionName prod
    Elsewhere (or in tests) pass the groups yourself with -Group: objects with Name, ObjectGUID,
    Description and Members (user principal names or nested group names).
.NOTES
    Imports the SalesforceProvisioning module itself (samples/RunbookSupport.ps1): the repository's build
    output when run from this repository, else the installed module by name. Each run writes a log file
    of JSON lines (its results and a summary, no secrets) to -LogDirectory (default: the user's local
    data folder, SalesforceProvisioning/logs, or $env:SFPROVISIONING_LOG_PATH); the newest -KeepLogs stay.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $SearchBase,
    [object[]] $Group,
    [string] $ConnectionName,
    [string] $StatePath,
    # Delete groups that left the OU without asking (the connection must have -DeleteGroups).
    [switch] $Force,
    # Folder of this runbook's log files (one per run) and how many of them to keep.
    [string] $LogDirectory,
    [ValidateRange(1, 10000)] [int] $KeepLogs = 30
)
$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'RunbookSupport.ps1'))
$log = Start-RunbookLog -Runbook 'Sync-GroupsFromAD' -Directory $LogDirectory -Keep $KeepLogs
if (-not $Group) {
    Import-Module ActiveDirectory
    $Group = Get-ADGroup -SearchBase $SearchBase -Filter * -Properties Description | ForEach-Object {
        [pscustomobject]@{
            Name        = $_.Name
            ObjectGUID  = $_.ObjectGUID.ToString()
            Description = $_.Description
            Members     = @(Get-ADGroupMember $_ | ForEach-Object {
                    if ($_.objectClass -eq 'user') { (Get-ADUser $_).UserPrincipalName } else { $_.Name } })
        }
    }
}
$options = @{ CompleteScope = $true; Force = $Force; ErrorAction = 'Continue'; WhatIf = $WhatIfPreference }
if ($StatePath) { $options.StatePath = $StatePath }
if ($ConnectionName) {
    $open = @{ Name = $ConnectionName }
    if ($StatePath) { $open.StatePath = $StatePath }
    $options.Connection = Get-SfProvisioningConnection @open
}
$results = @($Group | Sync-SfGroup @options)
foreach ($result in $results) { "$($result.Name): $($result.Action) (+$($result.MembersAdded) -$($result.MembersRemoved))$(if ($result.MemberFailures.Count) { ' member errors: ' + ($result.MemberFailures -join '; ') })" }
Write-RunbookResultLog -Path $log -Result $results
$exitCode = if (@($results | Where-Object { $_.Action -eq 'Failed' -or $_.MemberFailures.Count -gt 0 }).Count -gt 0) { 1 } else { 0 }
Write-RunbookSummaryLog -Path $log -Result $results -ExitCode $exitCode
exit $exitCode
