<#
.SYNOPSIS
    Shared by the runbooks in samples/ (dot-sourced first thing): imports the module they belong to,
    and writes each run's log file.
.DESCRIPTION
    Import: a runbook started from this repository (samples/ beside out/SalesforceProvisioning) imports
    the repository's build output, so `pwsh -File samples/X.ps1` runs what `dotnet build` just made;
    anywhere else it imports SalesforceProvisioning by name from $env:PSModulePath. A session that
    already has the module keeps it.

    Log: a scheduled task has no console, so every run also writes one file of JSON lines (one per
    result, then one summary line) to -LogDirectory, named <runbook>-<UTC time>-<process id>.jsonl;
    only the newest -KeepLogs files of that runbook are kept. A line holds result fields only (who,
    what happened, which fields, why): never a connection, a token or a secret.
#>

if (-not (Get-Module -Name SalesforceProvisioning)) {
    $repositoryBuild = [System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'SalesforceProvisioning', 'SalesforceProvisioning.psd1')
    if ([System.IO.File]::Exists($repositoryBuild)) { Import-Module $repositoryBuild -ErrorAction Stop }
    else { Import-Module SalesforceProvisioning -ErrorAction Stop }
}

function Get-RunbookLogDirectory {
    # Beside the state store by default: the user's local data folder, SalesforceProvisioning/logs.
    if ($env:SFPROVISIONING_LOG_PATH) { return $env:SFPROVISIONING_LOG_PATH }
    [System.IO.Path]::Combine([Environment]::GetFolderPath('LocalApplicationData'), 'SalesforceProvisioning', 'logs')
}

function Start-RunbookLog {
    param([Parameter(Mandatory)] [string] $Runbook, [string] $Directory, [ValidateRange(1, 10000)] [int] $Keep = 30)
    if (-not $Directory) { $Directory = Get-RunbookLogDirectory }
    # .NET calls rather than the file cmdlets, so the runbooks also run on the bare PowerShell engine.
    $null = [System.IO.Directory]::CreateDirectory($Directory)
    $stamp = [DateTimeOffset]::UtcNow.ToString('yyyyMMdd-HHmmss-fff', [System.Globalization.CultureInfo]::InvariantCulture)
    $path = [System.IO.Path]::Combine($Directory, "$Runbook-$stamp-$PID.jsonl")
    [System.IO.File]::WriteAllText($path, '')
    # The names sort by time; the newest $Keep (this run's included) stay.
    $files = [System.IO.Directory]::GetFiles($Directory, "$Runbook-*.jsonl")
    [Array]::Sort($files, [StringComparer]::Ordinal)
    for ($i = 0; $i -lt $files.Length - $Keep; $i++) { [System.IO.File]::Delete($files[$i]) }
    $path
}

function ConvertTo-RunbookJson {
    # A small JSON writer (strings, numbers, booleans, lists, dictionaries): ConvertTo-Json is not on the bare engine.
    param($Value)
    if ($null -eq $Value) { return 'null' }
    if ($Value -is [bool]) { return $(if ($Value) { 'true' } else { 'false' }) }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [double]) { return ([IFormattable]$Value).ToString($null, [System.Globalization.CultureInfo]::InvariantCulture) }
    if ($Value -is [System.Collections.IDictionary]) {
        $members = foreach ($key in $Value.Keys) { (ConvertTo-RunbookJson ([string]$key)) + ':' + (ConvertTo-RunbookJson $Value[$key]) }
        return '{' + ($members -join ',') + '}'
    }
    if ($Value -is [System.Collections.IEnumerable] -and $Value -isnot [string]) {
        $items = foreach ($item in $Value) { ConvertTo-RunbookJson $item }
        return '[' + ($items -join ',') + ']'
    }
    $builder = [System.Text.StringBuilder]::new('"')
    foreach ($c in ([string]$Value).ToCharArray()) {
        switch ($c) {
            '"' { $null = $builder.Append('\"') }
            '\' { $null = $builder.Append('\\') }
            default { if ([int]$c -lt 0x20) { $null = $builder.Append('\u' + ([int]$c).ToString('x4')) } else { $null = $builder.Append($c) } }
        }
    }
    $builder.Append('"').ToString()
}

function Write-RunbookLog {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Kind, [System.Collections.IDictionary] $Data = @{})
    $line = [ordered]@{ time = [DateTimeOffset]::UtcNow.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture); kind = $Kind }
    foreach ($key in $Data.Keys) { $line[$key] = $Data[$key] }
    [System.IO.File]::AppendAllText($Path, (ConvertTo-RunbookJson $line) + "`n", [System.Text.UTF8Encoding]::new($false))
}

function Write-RunbookResultLog {
    # One line per result, with the fields a reader needs and nothing else.
    param([Parameter(Mandatory)] [string] $Path, [object[]] $Result)
    foreach ($r in $Result) {
        if ($null -eq $r) { continue }
        Write-RunbookLog -Path $Path -Kind result -Data ([ordered]@{
                name = if ($r.Username) { [string]$r.Username } else { [string]$r.Name }; action = [string]$r.Action
                salesforceId = [string]$r.SalesforceId; changedFields = @($r.ChangedFields | ForEach-Object { [string]$_ })
                errorCode = [string]$r.ErrorCode; message = [string]$r.Message; remedy = [string]$r.Remedy
                whatIf = [bool]$r.WhatIf; inputIndex = $r.InputIndex
            })
    }
}

function Write-RunbookSummaryLog {
    param([Parameter(Mandatory)] [string] $Path, [object[]] $Result, [int] $ExitCode)
    $counts = [ordered]@{}
    foreach ($r in $Result) { if ($null -ne $r) { $counts[[string]$r.Action] = 1 + [int]$counts[[string]$r.Action] } }
    Write-RunbookLog -Path $Path -Kind summary -Data ([ordered]@{ results = @($Result).Count; actions = $counts; exitCode = $ExitCode })
}
