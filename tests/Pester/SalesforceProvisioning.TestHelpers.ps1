# Shared by the Pester tests: import the built module and talk to the emulator's control endpoints.
$script:ModuleManifest = if ($env:SFPROVISIONING_MODULE) { $env:SFPROVISIONING_MODULE } else { Join-Path $PSScriptRoot '../../out/SalesforceProvisioning/SalesforceProvisioning.psd1' }
Import-Module $script:ModuleManifest -Force

function Invoke-EmulatorControl {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Path, [string] $Method = 'Post', $Body = @{})
    $arguments = @{ Method = $Method; Uri = "$($Emulator.ControlUrl)/$Path" }
    if ($Method -ne 'Get') { $arguments.Body = ($Body | ConvertTo-Json -Depth 5); $arguments.ContentType = 'application/json' }
    Invoke-RestMethod @arguments
}

# A script run as its own pwsh process, with -File as a scheduler runs a runbook (pwsh -Command would exit 1
# after any stop anyway); its output and errors are redirected. Returns the running process.
function Start-RunbookProcess {
    param([Parameter(Mandatory)] [string] $Script, [Parameter(Mandatory)] [string] $Folder)
    $file = Join-Path $Folder "runbook-$([guid]::NewGuid()).ps1"
    Set-Content -Path $file -Value $Script
    $start = [System.Diagnostics.ProcessStartInfo]::new((Get-Process -Id $PID).Path)
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', $file) { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    [System.Diagnostics.Process]::Start($start)
}
