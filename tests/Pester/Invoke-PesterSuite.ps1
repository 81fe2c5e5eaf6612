# Runs every tests/Pester/*.Tests.ps1 against the built module and prints one machine-readable line:
#   PESTER-RESULT passed=N failed=N
# Used by build.ps1 and CI; admins can run Invoke-Pester on the folder directly as well.
param([string] $ModulePath = (Join-Path $PSScriptRoot '../../out/SalesforceProvisioning/SalesforceProvisioning.psd1'))

$ErrorActionPreference = 'Stop'
Import-Module Pester -MinimumVersion 5.0
$env:SFPROVISIONING_MODULE = (Resolve-Path $ModulePath).Path
# Runbooks run by the tests log to a throw-away folder, never the user's own data folder.
if (-not $env:SFPROVISIONING_LOG_PATH) { $env:SFPROVISIONING_LOG_PATH = Join-Path ([System.IO.Path]::GetTempPath()) 'sfprov-test-logs' }
$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $configuration
"PESTER-RESULT passed=$($result.PassedCount) failed=$($result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount)"
if ($result.Result -ne 'Passed') { exit 1 }
