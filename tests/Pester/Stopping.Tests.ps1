# A nightly rule run stopped the way real life stops it: SIGTERM from the scheduler or a container stop,
# Ctrl+C (SIGINT), kill -9. A real pwsh process, the emulator as the org, and the state store checked after.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator

    # Users, or (with -Leads) Leads of a Leads & Contacts connection: the same stop, through another engine.
    function New-People([int] $Count, [switch] $Leads) {
        if ($Leads) { 1..$Count | ForEach-Object { [pscustomobject]@{ mail = "lead$_@stop.example.com"; sn = "Lead$_"; Company = 'Stop Co'; RecordType = 'Lead' } } }
        else { 1..$Count | ForEach-Object { [pscustomobject]@{ Username = "stop$_@stop.example.com"; LastName = "Stop$_"; Email = "stop$_@stop.example.com" } } }
    }

    # The runbook's source: a pipeline expression for person number $_ (a user, or with -Leads a lead).
    function Get-PersonExpression([string] $Prefix, [switch] $Leads) {
        if ($Leads) { "[pscustomobject]@{ mail = ""$Prefix`$_@stop.example.com""; sn = ""Lead`$_""; Company = 'Stop Co'; RecordType = 'Lead' }" }
        else { "[pscustomobject]@{ Username = ""$Prefix`$_@stop.example.com""; LastName = ""Stop`$_""; Email = ""$Prefix`$_@stop.example.com"" }" }
    }

    # -UseBulkApi Never: these runs stop while composite writes go out call by call (Auto would hold a load
    # under its threshold until the end of the input, so there would be nothing in flight to stop); one
    # request in flight, so the calls go out one by one (ten in flight, the default, would send them together).
    # After the run the script writes the file $WentOn, and with -LateSync (before that, as a runbook's cleanup
    # code would) a finally block syncs five "late" people: once a signal stopped the run, neither may happen
    # (after Ctrl+C, PowerShell runs finally blocks as written, module commands included).
    function Start-RuleRun([string] $State, [int] $Count, [switch] $Leads, [string] $Batching = '-BatchSize 100 -MaxConcurrentRequests 1', [string] $Interrupt = 'Default', [string] $WentOn = (Join-Path $TestDrive 'went-on'), [switch] $LateSync) {
        $sync = "Sync-SfUser -Rule hr -StatePath '$State' $Batching -UseBulkApi Never | Out-Null"
        $late = if ($LateSync) { "1..5 | ForEach-Object { $(Get-PersonExpression late -Leads:$Leads) } | $sync" }
        $script = "Import-Module '$env:SFPROVISIONING_MODULE'; `$env:SFPROVISIONING_KEY_PATH = '$env:SFPROVISIONING_KEY_PATH'; " +
            "try { 1..$Count | ForEach-Object { $(Get-PersonExpression ($Leads ? 'lead' : 'stop') -Leads:$Leads) } | $sync } " +
            "finally { $late }; Set-Content -Path '$WentOn' -Value 'went on'"
        Start-RunbookProcess -Script $script -Folder $TestDrive -Interrupt $Interrupt
    }

    # SIGINT's disposition in a running process, from the SigIgn mask of /proc/<pid>/status (bit 1 is signal 2).
    function Test-InterruptIgnored([int] $ProcessId) {
        $mask = (Get-Content "/proc/$ProcessId/status" | Where-Object { $_ -like 'SigIgn:*' }).Split(':')[1].Trim()
        ([Convert]::ToUInt64($mask, 16) -band 2) -ne 0
    }

    function Wait-Written([int] $AtLeast) {
        $deadline = [DateTime]::UtcNow.AddMinutes(2)
        while ((Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten -lt $AtLeast) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "the run wrote fewer than $AtLeast records" }
            Start-Sleep -Milliseconds 20
        }
    }

    function Get-OrgCount { (Invoke-EmulatorControl $emulator counts -Method Get).recordsWritten }
}

AfterAll {
    $emulator | Stop-SfEmulator
}

Describe 'Stopping a rule run' {
    BeforeEach {
        $run = $null
        Invoke-EmulatorControl $emulator reset | Out-Null
        $state = Join-Path $TestDrive ([guid]::NewGuid()) 'state.db'
        $env:SFPROVISIONING_KEY_PATH = Join-Path $TestDrive 'key'
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10
        Save-SfProvisioningConnection -Name nightly -Connection $connection -StatePath $state
        $people = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10 -Target LeadsAndContacts -DefaultCompany 'Unknown Co'
        Save-SfProvisioningConnection -Name marketing -Connection $people -StatePath $state
        # Slow answers, so the signal lands while a batch's write is in flight.
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 250 } | Out-Null
    }

    AfterEach {
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 0 } | Out-Null
        if ($run -and -not $run.HasExited) { $run.Kill(); $run.WaitForExit() } # a run the signal failed to end
    }

    # Users in windows of 100, their writes carried into whole 1,000-record calls sent one at a time: 3,000 users
    # take three, and the stop lands once the first is written, so the third is never sent (with 2,000, the
    # second call may already be in flight, and waiting for it writes them all); leads in one batch of three
    # composite requests sent one at a time (the stop lands while the second is in flight and the third waits). Interrupt
    # Ignored: started as `nohup pwsh -File run.ps1 &` or a shell script's `cmd &` start it, SIGINT ignored and
    # so never delivered to pwsh; SIGTERM must stop the run all the same (Ctrl+C cannot, as the shell meant).
    It 'stops between requests on <Signal> (SIGINT <Interrupt>), exits non-zero, and records every <What> it wrote' -TestCases @(
        @{ Signal = 'TERM'; Interrupt = 'Default'; ExitCode = 143; What = 'user'; Leads = $false; Count = 3000; Batching = '-BatchSize 100 -MaxConcurrentRequests 1'; Wait = 150 }
        @{ Signal = 'INT'; Interrupt = 'Default'; ExitCode = 130; What = 'user'; Leads = $false; Count = 3000; Batching = '-BatchSize 100 -MaxConcurrentRequests 1'; Wait = 150 }
        @{ Signal = 'TERM'; Interrupt = 'Default'; ExitCode = 143; What = 'lead'; Leads = $true; Count = 3000; Batching = '-BatchSize 3000 -MaxConcurrentRequests 1'; Wait = 1000 }
        @{ Signal = 'TERM'; Interrupt = 'Ignored'; ExitCode = 143; What = 'user'; Leads = $false; Count = 3000; Batching = '-BatchSize 100 -MaxConcurrentRequests 1'; Wait = 150 }
        @{ Signal = 'TERM'; Interrupt = 'Ignored'; ExitCode = 143; What = 'lead'; Leads = $true; Count = 3000; Batching = '-BatchSize 3000 -MaxConcurrentRequests 1'; Wait = 1000 }
    ) {
        if ($Leads) { New-SfProvisioningRule -Name hr -ConnectionName marketing -StatePath $state | Out-Null }
        else { New-SfProvisioningRule -Name hr -ConnectionName nightly -Profile 'Standard User' -StatePath $state | Out-Null }
        $wentOn = Join-Path $TestDrive "went-on-$([guid]::NewGuid())"
        $run = Start-RuleRun -State $state -Count $Count -Leads:$Leads -Batching $Batching -Interrupt $Interrupt -WentOn $wentOn -LateSync:($Signal -eq 'TERM')
        Wait-Written $Wait
        Test-InterruptIgnored $run.Id | Should -Be ($Interrupt -eq 'Ignored')
        & /bin/kill "-$Signal" $run.Id
        $run.WaitForExit(120000) | Should -BeTrue
        $run.ExitCode | Should -Be $ExitCode
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 0 } | Out-Null

        $written = Get-OrgCount
        $written | Should -BeLessThan $Count
        $status = Get-SfSyncStatus -Rule hr -StatePath $state -Last 1
        $status.Status | Should -Be 'Stopped'
        # Every user the org received is in the store as Created by the stopped run: nothing written unrecorded,
        # and nothing of the cleanup's sync after the stop.
        $recorded = @(Get-SfSyncStatus -Rule hr -ByUser -StatePath $state | Where-Object LastAction -eq 'Created')
        $recorded.Count | Should -Be $written
        @($recorded | Where-Object SourceKey -like 'late*').Count | Should -Be 0
        $status.Success | Should -Be $written
        Test-Path $wentOn | Should -BeFalse

        $next = New-People $Count -Leads:$Leads | Sync-SfUser -Rule hr -StatePath $state -BatchSize 500
        @($next | Where-Object Action -eq 'Created').Count | Should -Be ($Count - $written)
        @($next | Where-Object Action -eq 'Failed').Count | Should -Be 0
        Get-OrgCount | Should -Be $Count
    }

    # SIGTERM while the script does something else (here Start-Sleep; an Import-Csv or a script's own work alike)
    # after a run finished: with SIGINT deliverable it stops the script as Ctrl+C; with SIGINT ignored nothing
    # could, and no command of the module is mid-write, so SIGTERM's default action ends the process. Either way
    # the script does not go on (before the fix, Interrupt Ignored slept on and then ran the second sync).
    It 'ends a script that waits between runs on TERM (SIGINT <Interrupt>) with 143, and the next run never starts' -TestCases @(
        @{ Interrupt = 'Default' }
        @{ Interrupt = 'Ignored' }
    ) {
        New-SfProvisioningRule -Name hr -ConnectionName nightly -Profile 'Standard User' -StatePath $state | Out-Null
        $between = Join-Path $TestDrive "between-$([guid]::NewGuid())"
        $wentOn = Join-Path $TestDrive "went-on-$([guid]::NewGuid())"
        $sync = "Sync-SfUser -Rule hr -StatePath '$state' -UseBulkApi Never | Out-Null"
        $script = "Import-Module '$env:SFPROVISIONING_MODULE'; `$env:SFPROVISIONING_KEY_PATH = '$env:SFPROVISIONING_KEY_PATH'; " +
            "1..10 | ForEach-Object { $(Get-PersonExpression stop) } | $sync; Set-Content -Path '$between' -Value 'first done'; Start-Sleep -Seconds 300; " +
            "1..5 | ForEach-Object { $(Get-PersonExpression late) } | $sync; Set-Content -Path '$wentOn' -Value 'went on'"
        $run = Start-RunbookProcess -Script $script -Folder $TestDrive -Interrupt $Interrupt
        $deadline = [DateTime]::UtcNow.AddMinutes(2)
        while (-not (Test-Path $between)) {
            if ($run.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "the first run did not finish: $($run.StandardError.ReadToEnd())" }
            Start-Sleep -Milliseconds 50
        }
        Test-InterruptIgnored $run.Id | Should -Be ($Interrupt -eq 'Ignored')
        & /bin/kill -TERM $run.Id
        $run.WaitForExit(60000) | Should -BeTrue
        $run.ExitCode | Should -Be 143
        Get-OrgCount | Should -Be 10
        Test-Path $wentOn | Should -BeFalse
        (Get-SfSyncStatus -Rule hr -StatePath $state -Last 1).Status | Should -Be 'Succeeded'
    }

    It 'marks a run killed with kill -9 as Interrupted, with what it wrote, at the next run' {
        New-SfProvisioningRule -Name hr -ConnectionName nightly -Profile 'Standard User' -StatePath $state | Out-Null
        # Writes are carried into whole 1,000-record calls: 3,000 users take three, and the kill lands after the
        # second was written (2,000 records), so the first is recorded and the third is not sent yet.
        $run = Start-RuleRun -State $state -Count 3000
        Wait-Written 2000
        & /bin/kill -KILL $run.Id
        $run.WaitForExit(60000) | Should -BeTrue
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 0 } | Out-Null
        $written = Get-OrgCount
        (Get-SfSyncStatus -Rule hr -StatePath $state -Last 1).Status | Should -Be 'Running'

        $next = New-People 3000 | Sync-SfUser -Rule hr -StatePath $state -BatchSize 500 -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings -join "`n") | Should -Match 'Took over the run lock'
        ($warnings -join "`n") | Should -Match 'Interrupted'
        $killed = Get-SfSyncStatus -Rule hr -StatePath $state -Last 2 | Select-Object -Last 1
        $killed.Status | Should -Be 'Interrupted'
        $killed.Impacted | Should -BeGreaterThan 0
        $killed.Impacted | Should -BeLessOrEqual $written
        @($next | Where-Object Action -eq 'Failed').Count | Should -Be 0
        Get-OrgCount | Should -Be 3000
    }
}
