<#
.SYNOPSIS
    Builds the module into out/SalesforceProvisioning, runs the xunit tests, and runs the Pester suite when Pester 5 is installed.
.EXAMPLE
    ./build.ps1              # build and test
.EXAMPLE
    ./build.ps1 -SkipTests   # build only
.EXAMPLE
    ./build.ps1 -SkipTests -Package   # also a versioned module folder and a .nupkg in out/publish
#>
[CmdletBinding()]
param(
    [ValidateSet('Release', 'Debug')] [string] $Configuration = 'Release',
    [switch] $SkipTests,
    # Also write out/publish/SalesforceProvisioning/<version>/ and out/publish/SalesforceProvisioning.<version>.nupkg.
    [switch] $Package
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

dotnet build ProvisionModule.sln -c $Configuration
if ($LASTEXITCODE -ne 0) { throw "dotnet build failed ($LASTEXITCODE)." }
$module = Join-Path $PSScriptRoot 'out/SalesforceProvisioning'
Write-Information "Module assembled at $module" -InformationAction Continue

if ($Package) {
    $manifest = Import-PowerShellDataFile (Join-Path $module 'SalesforceProvisioning.psd1')
    $version = $manifest.ModuleVersion
    $publish = Join-Path $PSScriptRoot 'out/publish'
    $versioned = Join-Path $publish "SalesforceProvisioning/$version"
    Remove-Item $versioned -Recurse -Force -ErrorAction SilentlyContinue
    New-Item $versioned -ItemType Directory -Force | Out-Null
    Copy-Item (Join-Path $module '*') $versioned -Recurse

    # PowerShell galleries find modules and commands by these tags.
    $tags = @('PSModule', 'PSIncludes_Cmdlet') + @($manifest.PrivateData.PSData.Tags) + @($manifest.CmdletsToExport | ForEach-Object { "PSCmdlet_$_" })
    $escape = { param($text) [System.Security.SecurityElement]::Escape([string]$text) }
    $nuspec = @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>SalesforceProvisioning</id>
    <version>$version</version>
    <authors>$(& $escape $manifest.Author)</authors>
    <owners>$(& $escape $manifest.CompanyName)</owners>
    <description>$(& $escape $manifest.Description)</description>
    <copyright>$(& $escape $manifest.Copyright)</copyright>
    <projectUrl>$(& $escape $manifest.PrivateData.PSData.ProjectUri)</projectUrl>
    <licenseUrl>$(& $escape $manifest.PrivateData.PSData.LicenseUri)</licenseUrl>
    <releaseNotes>$(& $escape $manifest.PrivateData.PSData.ReleaseNotes)</releaseNotes>
    <tags>$(($tags | ForEach-Object { & $escape $_ }) -join ' ')</tags>
  </metadata>
  <files>
    <file src="$(& $escape $versioned)/**" target="" />
  </files>
</package>
"@
    $nuspecPath = Join-Path $publish 'SalesforceProvisioning.nuspec'
    Set-Content -Path $nuspecPath -Value $nuspec -Encoding utf8
    dotnet pack (Join-Path $PSScriptRoot 'build/SalesforceProvisioning.Package.csproj') -c $Configuration -o $publish -p:NuspecFile=$nuspecPath -p:PackageVersion=$version
    if ($LASTEXITCODE -ne 0) { throw "dotnet pack failed ($LASTEXITCODE)." }
    Write-Information "Package: $(Join-Path $publish "SalesforceProvisioning.$version.nupkg"); versioned folder: $versioned" -InformationAction Continue
}
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
