<#
.SYNOPSIS
    Nightly HR sync for a scheduled task or automation runbook: the export is the whole scope.
.DESCRIPTION
    Loads the rule's saved connection (no secret in the script or its logs), syncs every person in
    the HR export with complete scope (people who left are deprovisioned, within the rule's guard),
    records the run in the state store, and exits non-zero when any person failed, so the scheduler
    shows the run as failed.

        pwsh -File samples/Nightly-HrSync.ps1 -Rule hr -CsvPath /data/hr-export.csv

    One-time setup (interactive):
        $c = New-SfProvisioningConnection -Domain acme.my.salesforce.com -ClientId $key -ClientSecret (Read-Host -AsSecureString) -RefreshToken (Read-Host -AsSecureString)
        Save-SfProvisioningConnection -Name prod -Connection $c
        New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -MaxDeprovisionPercent 5
.NOTES
    Imports the SalesforceProvisioning module itself (samples/RunbookSupport.ps1): the repository's build
    output when run from this repository, else the installed module by name. Each run writes a log file
    of JSON lines (its results and a summary, no secrets) to -LogDirectory (default: the user's local
    data folder, SalesforceProvisioning/logs, or $env:SFPROVISIONING_LOG_PATH); the newest -KeepLogs stay.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Rule,
    # The HR export (CSV); or -People with objects already read.
    [string] $CsvPath,
    [object[]] $People,
    [string] $StatePath,
    # Or a PostgreSQL state store that several workers share (hybrid worker groups, cloud jobs): a connection string
    # without a password, the password from -StateCredential (e.g. Get-AutomationPSCredential) or a password file.
    # $env:SFPROVISIONING_STATE_CONNECTION does the same without the parameter.
    [string] $StateConnectionString,
    [pscredential] $StateCredential,
    # Folder of this runbook's log files (one per run) and how many of them to keep.
    [string] $LogDirectory,
    [ValidateRange(1, 10000)] [int] $KeepLogs = 30
)
$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'RunbookSupport.ps1'))
$log = Start-RunbookLog -Runbook 'Nightly-HrSync' -Directory $LogDirectory -Keep $KeepLogs
if (-not $People) { $People = Import-Csv -Path $CsvPath }

# -WhatIf reaches Sync-SfUser: the plan is shown and returned, nothing is written or recorded.
$options = @{ Rule = $Rule; CompleteScope = $true; ErrorAction = 'Continue'; ErrorVariable = 'syncErrors'; WhatIf = $WhatIfPreference }
if ($StatePath) { $options.StatePath = $StatePath }
if ($StateConnectionString) { $options.StateConnectionString = $StateConnectionString }
if ($StateCredential) { $options.StateCredential = $StateCredential }
$results = @($People | Sync-SfUser @options)
Write-RunbookResultLog -Path $log -Result $results

$failed = @($results | Where-Object Action -eq 'Failed')
$summary = [ordered]@{}
foreach ($result in $results) { $summary[[string]$result.Action] = 1 + [int]$summary[[string]$result.Action] }
"Rule '$Rule': $($results.Count) result(s): " + (@(foreach ($entry in $summary.GetEnumerator()) { "$($entry.Key) $($entry.Value)" }) -join ', ')
foreach ($failure in $failed) { "FAILED $($failure.Username): $($failure.ErrorCode) $($failure.Message)" }
$exitCode = if ($failed.Count -gt 0 -or $syncErrors.Count -gt $failed.Count) { 1 } else { 0 }
Write-RunbookSummaryLog -Path $log -Result $results -ExitCode $exitCode
"Log: $log"
exit $exitCode
