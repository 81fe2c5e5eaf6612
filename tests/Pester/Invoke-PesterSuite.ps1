# Runs every tests/Pester/*.Tests.ps1 against the built module and prints one machine-readable line:
#   PESTER-RESULT passed=N failed=N
# Used by build.ps1 and CI; admins can run Invoke-Pester on the folder directly as well.
param([string] $ModulePath = (Join-Path $PSScriptRoot '../../out/SalesforceProvisioning/SalesforceProvisioning.psd1'))

$ErrorActionPreference = 'Stop'
Import-Module Pester -MinimumVersion 5.0
$env:SFPROVISIONING_MODULE = (Resolve-Path $ModulePath).Path
# The suite never touches the user's own state store, connection key or runbook logs.
$testState = Join-Path ([IO.Path]::GetTempPath()) ("sfprov-pester-" + [guid]::NewGuid().ToString('N'))
$null = New-Item -ItemType Directory -Path $testState
if (-not $env:SFPROVISIONING_STATE_PATH) { $env:SFPROVISIONING_STATE_PATH = Join-Path $testState 'state.db' }
if (-not $env:SFPROVISIONING_KEY_PATH) { $env:SFPROVISIONING_KEY_PATH = Join-Path $testState 'connection-key' }
if (-not $env:SFPROVISIONING_LOG_PATH) { $env:SFPROVISIONING_LOG_PATH = Join-Path $testState 'logs' }
$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $configuration
"PESTER-RESULT passed=$($result.PassedCount) failed=$($result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount)"
if ($result.Result -ne 'Passed') { exit 1 }
