<#
.SYNOPSIS
    Offboarding runbook: freezes (or disables) the Salesforce users of people who left, and removes
    them from the public groups and permission sets the source gave them.
.DESCRIPTION
    Feed it the leavers (from HR or a ticket), by username:
        pwsh -File samples/Offboarding.ps1 -Username jane@acme.com, raj@acme.com -Action Freeze
    Freezing keeps a user's data visible to colleagues while they cannot sign in; Disable deactivates.
    -WhatIf shows exactly what would change. Exits 1 when any leaver could not be offboarded.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string[]] $Username,
    [ValidateSet('Disable', 'Freeze')] [string] $Action = 'Freeze',
    # A saved connection's name (Save-SfProvisioningConnection); the runspace's default connection otherwise.
    [string] $ConnectionName,
    [string] $StatePath
)
$ErrorActionPreference = 'Stop'
$connectionArguments = @{}
if ($ConnectionName) {
    $open = @{ Name = $ConnectionName }
    if ($StatePath) { $open.StatePath = $StatePath }
    $connectionArguments.Connection = Get-SfProvisioningConnection @open
}

# Leave managed public groups and permission sets first (Overwrite with empty lists), then freeze or disable.
$access = $Username | ForEach-Object { [pscustomobject]@{ Username = $_; PermissionSets = @(); Groups = @() } }
$accessResults = @($access | Sync-SfUser @connectionArguments -GroupMembership Overwrite -ErrorAction Continue -WhatIf:$WhatIfPreference)
$results = @($Username | Disable-SfUser @connectionArguments -Action $Action -Confirm:$false -ErrorAction Continue -WhatIf:$WhatIfPreference)

foreach ($result in $results) { "$($result.Username): $($result.Action) $($result.Message)" }
$failed = @($accessResults + $results | Where-Object Action -eq 'Failed')
if ($failed.Count -gt 0) { exit 1 }
exit 0
