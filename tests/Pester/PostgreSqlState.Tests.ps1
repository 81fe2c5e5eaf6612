# Several workers, one state: real pwsh worker processes sharing a PostgreSQL state store (a real server:
# $env:SFPROV_TEST_POSTGRES, which CI sets, else a throwaway one from the Debian binaries), the emulator as
# the org. Two workers running one rule at once, and a worker killed with kill -9 whose lock the server releases.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator
    $pwsh = (Get-Process -Id $PID).Path

    $admin = $env:SFPROV_TEST_POSTGRES
    $ownServer = $null
    if (-not $admin) {
        $ownServer = Join-Path ([IO.Path]::GetTempPath()) ("sfprov-pg-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
        $started = & bash (Join-Path $PSScriptRoot '../postgres/start-server.sh') $ownServer 2>&1
        if ($LASTEXITCODE -ne 0) { throw "These tests need a PostgreSQL server: set SFPROV_TEST_POSTGRES, or install the Debian package postgresql. $started" }
        $admin = @($started)[-1]
    }
    $server = @{}
    foreach ($pair in $admin.Split(';')) { if ($pair -match '^\s*([^=]+?)\s*=\s*(.*)$') { $server[$Matches[1].ToLowerInvariant()] = $Matches[2] } }

    function Invoke-Psql([string] $Database, [string] $Sql) {
        $port = if ($server.port) { $server.port } else { '5432' }
        $user = if ($server.username) { $server.username } else { 'postgres' }
        & psql -h $server.host -p $port -U $user -d $Database -tAXq -c $Sql
        if ($LASTEXITCODE -ne 0) { throw "psql failed: $Sql" }
    }

    function New-StateDatabase {
        $name = 'sfprov_' + [guid]::NewGuid().ToString('N').Substring(0, 16)
        Invoke-Psql postgres "CREATE DATABASE $name" | Out-Null
        @{ Name = $name; ConnectionString = (($admin.Split(';') | Where-Object { $_ -notmatch '^\s*Database\s*=' }) + "Database=$name") -join ';' }
    }

    # A worker: its own pwsh process and its own connection to the state store, as a runbook on another machine.
    # -PauseAt: the source stops yielding at that row until the file -Go exists (a slow export), with the run lock held.
    # -UseBulkApi Never: the workers write call by call as composite calls fill (Auto would hold a load under
    # its threshold until the end of the input), so a kill lands between written calls; one request in flight,
    # so calls go out one by one (ten in flight, the default, would send them together at the end).
    function Start-Worker([string] $Store, [int] $Count, [int] $PauseAt = 0, [string] $Go = '') {
        $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$env:SFPROVISIONING_MODULE'; `$env:SFPROVISIONING_KEY_PATH = '$env:SFPROVISIONING_KEY_PATH'; " +
            "1..$Count | ForEach-Object { if (`$_ -eq $PauseAt) { while (-not (Test-Path '$Go')) { Start-Sleep -Milliseconds 50 } }; " +
            "[pscustomobject]@{ Username = ""pg`$_@workers.example.com""; LastName = ""Pg`$_""; Email = ""pg`$_@workers.example.com"" } } | " +
            "Sync-SfUser -Rule hr -StateConnectionString '$Store' -BatchSize 100 -UseBulkApi Never -MaxConcurrentRequests 1 | Out-Null"
        Start-RunbookProcess -Script $script -Folder $TestDrive
    }

    function Get-OrgCount { (Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten }

    function Wait-Written([int] $AtLeast) {
        $deadline = [DateTime]::UtcNow.AddMinutes(2)
        while ((Get-OrgCount) -lt $AtLeast) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "the worker wrote fewer than $AtLeast records" }
            Start-Sleep -Milliseconds 20
        }
    }
}

AfterAll {
    $emulator | Stop-SfEmulator
    if ($ownServer) { & bash (Join-Path $PSScriptRoot '../postgres/start-server.sh') $ownServer --stop }
}

Describe 'A PostgreSQL state store shared by workers' {
    BeforeEach {
        Invoke-EmulatorControl $emulator reset | Out-Null
        $database = New-StateDatabase
        $store = $database.ConnectionString
        $env:SFPROVISIONING_KEY_PATH = Join-Path $TestDrive 'key'
        # Saved connections stay on the worker (this machine's data folder); the rule and the state are on the server.
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10
        Save-SfProvisioningConnection -Name nightly -Connection $connection -Force
        New-SfProvisioningRule -Name hr -ConnectionName nightly -Profile 'Standard User' -StateConnectionString $store | Out-Null
        # Slow answers, so a run lasts long enough for the other worker to meet it.
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 250 } | Out-Null
    }

    AfterEach {
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 0 } | Out-Null
    }

    It 'runs a rule on one of two workers at once: the other gets StateStoreBusy and nothing is doubled' {
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 0 } | Out-Null
        # The first worker takes the run lock and pauses halfway through its source, still holding it.
        $go = Join-Path $TestDrive "go-$([guid]::NewGuid())"
        $first = Start-Worker -Store $store -Count 1000 -PauseAt 500 -Go $go
        $deadline = [DateTime]::UtcNow.AddMinutes(2)
        while ((Invoke-Psql $database.Name 'SELECT COUNT(*) FROM run_locks') -ne 1) {
            if ($first.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "the first worker never took the run lock: $($first.StandardError.ReadToEnd())" }
            Start-Sleep -Milliseconds 50
        }
        $second = Start-Worker -Store $store -Count 1000
        $second.WaitForExit(120000) | Should -BeTrue
        $first.HasExited | Should -BeFalse -Because 'the second worker must have met the first one running'
        Set-Content -Path $go -Value go
        $secondErrors = $second.StandardError.ReadToEnd() + $second.StandardOutput.ReadToEnd()
        $first.WaitForExit(300000) | Should -BeTrue
        $second.ExitCode | Should -Not -Be 0
        $secondErrors | Should -Match "Another run for 'nightly' holds the lock in the state store"
        $secondErrors | Should -Match 'postgresql://'
        $secondErrors | Should -Match "process $($first.Id) on"
        $first.ExitCode | Should -Be 0 -Because $first.StandardError.ReadToEnd()

        Get-OrgCount | Should -Be 1000
        $runs = @(Get-SfSyncStatus -Rule hr -StateConnectionString $store)
        $runs.Count | Should -Be 1
        $runs[0].Status | Should -Be 'Succeeded'
        $runs[0].Success | Should -Be 1000
        Invoke-Psql $database.Name 'SELECT COUNT(*) FROM run_locks' | Should -Be 0
    }

    It 'runs the nightly runbook on the shared store, and its run is seen from any worker' {
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 0 } | Out-Null
        $csv = Join-Path $TestDrive 'hr.csv'
        1..3 | ForEach-Object { [pscustomobject]@{ Username = "night$_@workers.example.com"; LastName = "Night$_"; Email = "night$_@workers.example.com" } } | Export-Csv $csv -NoTypeInformation
        $runbook = Join-Path $PSScriptRoot '../../samples/Nightly-HrSync.ps1'
        $output = & $pwsh -NoProfile -NonInteractive -File $runbook -Rule hr -CsvPath $csv -StateConnectionString $store -LogDirectory (Join-Path $TestDrive 'logs') 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $run = Get-SfSyncStatus -Rule hr -StateConnectionString $store -Last 1
        $run.Status | Should -Be 'Succeeded'
        $run.Success | Should -Be 3
    }

    It 'releases the lock of a worker killed with kill -9 at once, and the next run marks its run Interrupted' {
        # Writes are carried into whole 1,000-record calls: the kill lands after the second of three was written.
        $run = Start-Worker -Store $store -Count 3000
        Wait-Written 2000
        & /bin/kill -KILL $run.Id
        $run.WaitForExit(60000) | Should -BeTrue
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 0 } | Out-Null
        $written = Get-OrgCount
        (Get-SfSyncStatus -Rule hr -StateConnectionString $store -Last 1).Status | Should -Be 'Running'
        # The server ended the dead worker's session, and its advisory lock with it: no lease to wait for.
        Invoke-Psql $database.Name "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'" | Should -Be 0

        $people = 1..3000 | ForEach-Object { [pscustomobject]@{ Username = "pg$_@workers.example.com"; LastName = "Pg$_"; Email = "pg$_@workers.example.com" } }
        $next = $people | Sync-SfUser -Rule hr -StateConnectionString $store -BatchSize 500 -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings -join "`n") | Should -Match 'Took over the run lock'
        ($warnings -join "`n") | Should -Match 'the server released the lock'
        ($warnings -join "`n") | Should -Match 'Interrupted'
        $killed = Get-SfSyncStatus -Rule hr -StateConnectionString $store -Last 2 | Select-Object -Last 1
        $killed.Status | Should -Be 'Interrupted'
        $killed.Impacted | Should -BeGreaterThan 0
        $killed.Impacted | Should -BeLessOrEqual $written
        @($next | Where-Object Action -eq 'Failed').Count | Should -Be 0
        Get-OrgCount | Should -Be 3000
    }
}
