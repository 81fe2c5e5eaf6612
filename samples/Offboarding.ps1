<#
.SYNOPSIS
    Offboarding runbook: freezes (or disables) the Salesforce users of people who left, and removes
    them from the public groups and permission sets the source gave them.
.DESCRIPTION
    Feed it the leavers (from HR or a ticket), by username:
        pwsh -File samples/Offboarding.ps1 -Username jane@acme.com, raj@acme.com -Action Freeze
    Freezing keeps a user's data visible to colleagues while they cannot sign in; Disable deactivates.
    -WhatIf shows exactly what would change. Exits 1 when any leaver could not be offboarded.
.NOTES
    Imports the SalesforceProvisioning module itself (samples/RunbookSupport.ps1): the repository's build
    output when run from this repository, else the installed module by name. Each run writes a log file
    of JSON lines (its results and a summary, no secrets) to -LogDirectory (default: the user's local
    data folder, SalesforceProvisioning/logs, or $env:SFPROVISIONING_LOG_PATH); the newest -KeepLogs stay.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string[]] $Username,
    [ValidateSet('Disable', 'Freeze')] [string] $Action = 'Freeze',
    # A saved connection's name (Save-SfProvisioningConnection); the runspace's default connection otherwise.
    [string] $ConnectionName,
    [string] $StatePath,
    # Folder of this runbook's log files (one per run) and how many of them to keep.
    [string] $LogDirectory,
    [ValidateRange(1, 10000)] [int] $KeepLogs = 30
)
$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'RunbookSupport.ps1'))
$log = Start-RunbookLog -Runbook 'Offboarding' -Directory $LogDirectory -Keep $KeepLogs
$connectionArguments = @{}
if ($ConnectionName) {
    $open = @{ Name = $ConnectionName }
    if ($StatePath) { $open.StatePath = $StatePath }
    $connectionArguments.Connection = Get-SfProvisioningConnection @open
}

# Leave public groups and permission sets first (Overwrite with empty lists, whatever the connection's
# own -PermissionSetManagement), then freeze or disable.
$access = $Username | ForEach-Object { [pscustomobject]@{ Username = $_; PermissionSets = @(); Groups = @() } }
$accessResults = @($access | Sync-SfUser @connectionArguments -GroupMembership Overwrite -PermissionSetManagement Overwrite -ErrorAction Continue -WhatIf:$WhatIfPreference)
$results = @($Username | Disable-SfUser @connectionArguments -Action $Action -Confirm:$false -ErrorAction Continue -WhatIf:$WhatIfPreference)

foreach ($result in $results) { "$($result.Username): $($result.Action) $($result.Message)" }
$failed = @($accessResults + $results | Where-Object Action -eq 'Failed')
Write-RunbookResultLog -Path $log -Result ($accessResults + $results)
$exitCode = if ($failed.Count -gt 0) { 1 } else { 0 }
Write-RunbookSummaryLog -Path $log -Result $results -ExitCode $exitCode
exit $exitCode
