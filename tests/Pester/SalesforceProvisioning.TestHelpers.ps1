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
# -Interrupt Ignored starts it as a non-interactive shell starts a background job (nohup, `cmd &` in a script):
# with SIGINT ignored, which exec keeps; -Interrupt Default gives it SIGINT's default disposition whatever this
# process inherited (GNU env 8.31+; a shell cannot reset a signal that was ignored when it started).
function Start-RunbookProcess {
    param([Parameter(Mandatory)] [string] $Script, [Parameter(Mandatory)] [string] $Folder, [ValidateSet('Inherited', 'Default', 'Ignored')] [string] $Interrupt = 'Inherited')
    $file = Join-Path $Folder "runbook-$([guid]::NewGuid()).ps1"
    Set-Content -Path $file -Value $Script
    $pwsh = (Get-Process -Id $PID).Path
    $arguments = '-NoProfile', '-NonInteractive', '-File', $file
    if ($Interrupt -ne 'Inherited') {
        $arguments = @(if ($Interrupt -eq 'Ignored') { '--ignore-signal=INT' } else { '--default-signal=INT' }) + $pwsh + $arguments
        $pwsh = 'env'
    }
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
    foreach ($a in $arguments) { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    [System.Diagnostics.Process]::Start($start)
}
