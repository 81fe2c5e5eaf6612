<#
.SYNOPSIS
    Builds the module into out/SalesforceProvisioning, runs the xunit tests, and runs the Pester suite when Pester 5 is installed.
.EXAMPLE
    ./build.ps1              # build and test
.EXAMPLE
    ./build.ps1 -SkipTests   # build only
#>
[CmdletBinding()]
param(
    [ValidateSet('Release', 'Debug')] [string] $Configuration = 'Release',
    [switch] $SkipTests
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

dotnet build ProvisionModule.sln -c $Configuration
if ($LASTEXITCODE -ne 0) { throw "dotnet build failed ($LASTEXITCODE)." }
Write-Information "Module assembled at $(Join-Path $PSScriptRoot 'out/SalesforceProvisioning')" -InformationAction Continue
if ($SkipTests) { return }

dotnet test ProvisionModule.sln -c $Configuration --no-build
if ($LASTEXITCODE -ne 0) { throw "dotnet test failed ($LASTEXITCODE)." }

if (Get-Module -ListAvailable -Name Pester | Where-Object Version -ge '5.0') {
    & (Join-Path $PSScriptRoot 'tests/Pester/Invoke-PesterSuite.ps1')
    if ($LASTEXITCODE -ne 0) { throw 'Pester tests failed.' }
}
else {
    Write-Warning 'Pester 5 is not installed: skipping tests/Pester (Install-Module Pester -MinimumVersion 5.0).'
}
