# Shared by the Pester tests: import the built module and talk to the emulator's control endpoints.
$script:ModuleManifest = if ($env:SFPROVISIONING_MODULE) { $env:SFPROVISIONING_MODULE } else { Join-Path $PSScriptRoot '../../out/SalesforceProvisioning/SalesforceProvisioning.psd1' }
Import-Module $script:ModuleManifest -Force

function Invoke-EmulatorControl {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Path, [string] $Method = 'Post', $Body = @{})
    $arguments = @{ Method = $Method; Uri = "$($Emulator.ControlUrl)/$Path" }
    if ($Method -ne 'Get') { $arguments.Body = ($Body | ConvertTo-Json -Depth 5); $arguments.ContentType = 'application/json' }
    Invoke-RestMethod @arguments
}
