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
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Rule,
    # The HR export (CSV); or -People with objects already read.
    [string] $CsvPath,
    [object[]] $People,
    [string] $StatePath
)
$ErrorActionPreference = 'Stop'
if (-not $People) { $People = Import-Csv -Path $CsvPath }

$options = @{ Rule = $Rule; CompleteScope = $true; ErrorAction = 'Continue'; ErrorVariable = 'syncErrors' }
if ($StatePath) { $options.StatePath = $StatePath }
$results = @($People | Sync-SfUser @options)

$failed = @($results | Where-Object Action -eq 'Failed')
$summary = [ordered]@{}
foreach ($result in $results) { $summary[[string]$result.Action] = 1 + [int]$summary[[string]$result.Action] }
"Rule '$Rule': $($results.Count) result(s): " + (@(foreach ($entry in $summary.GetEnumerator()) { "$($entry.Key) $($entry.Value)" }) -join ', ')
foreach ($failure in $failed) { "FAILED $($failure.Username): $($failure.ErrorCode) $($failure.Message)" }
if ($failed.Count -gt 0 -or $syncErrors.Count -gt $failed.Count) { exit 1 }
exit 0
