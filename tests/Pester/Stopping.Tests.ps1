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

    # -UseBulkApi Never: these runs stop while composite writes go out call by call (Auto would hold a load
    # under its threshold until the end of the input, so there would be nothing in flight to stop); one
    # request in flight, so the calls go out one by one (ten in flight, the default, would send them together).
    function Start-RuleRun([string] $State, [int] $Count, [switch] $Leads, [string] $Batching = '-BatchSize 100 -MaxConcurrentRequests 1') {
        $people = if ($Leads) { "[pscustomobject]@{ mail = ""lead`$_@stop.example.com""; sn = ""Lead`$_""; Company = 'Stop Co'; RecordType = 'Lead' }" }
                  else { "[pscustomobject]@{ Username = ""stop`$_@stop.example.com""; LastName = ""Stop`$_""; Email = ""stop`$_@stop.example.com"" }" }
        $script = "Import-Module '$env:SFPROVISIONING_MODULE'; `$env:SFPROVISIONING_KEY_PATH = '$env:SFPROVISIONING_KEY_PATH'; " +
            "1..$Count | ForEach-Object { $people } | Sync-SfUser -Rule hr -StatePath '$State' $Batching -UseBulkApi Never | Out-Null"
        Start-RunbookProcess -Script $script -Folder $TestDrive
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
    }

    # Users in batches of 100 (the stop lands in a batch's read or write); leads in one batch of three composite
    # requests sent one at a time (the stop lands while the second is in flight and the third waits).
    It 'stops between requests on <Signal>, exits non-zero, and records every <What> it wrote' -TestCases @(
        @{ Signal = 'TERM'; ExitCode = 143; What = 'user'; Leads = $false; Count = 2000; Batching = '-BatchSize 100 -MaxConcurrentRequests 1'; Wait = 150 }
        @{ Signal = 'INT'; ExitCode = 130; What = 'user'; Leads = $false; Count = 2000; Batching = '-BatchSize 100 -MaxConcurrentRequests 1'; Wait = 150 }
        @{ Signal = 'TERM'; ExitCode = 143; What = 'lead'; Leads = $true; Count = 3000; Batching = '-BatchSize 3000 -MaxConcurrentRequests 1'; Wait = 1000 }
    ) {
        if ($Leads) { New-SfProvisioningRule -Name hr -ConnectionName marketing -StatePath $state | Out-Null }
        else { New-SfProvisioningRule -Name hr -ConnectionName nightly -Profile 'Standard User' -StatePath $state | Out-Null }
        $run = Start-RuleRun -State $state -Count $Count -Leads:$Leads -Batching $Batching
        Wait-Written $Wait
        & /bin/kill "-$Signal" $run.Id
        $run.WaitForExit(120000) | Should -BeTrue
        $run.ExitCode | Should -Be $ExitCode
        Invoke-EmulatorControl $emulator latency -Body @{ ms = 0 } | Out-Null

        $written = Get-OrgCount
        $written | Should -BeLessThan $Count
        $status = Get-SfSyncStatus -Rule hr -StatePath $state -Last 1
        $status.Status | Should -Be 'Stopped'
        # Every user the org received is in the store as Created by the stopped run: nothing written unrecorded.
        $recorded = @(Get-SfSyncStatus -Rule hr -ByUser -StatePath $state | Where-Object LastAction -eq 'Created')
        $recorded.Count | Should -Be $written
        $status.Success | Should -Be $written

        $next = New-People $Count -Leads:$Leads | Sync-SfUser -Rule hr -StatePath $state -BatchSize 500
        @($next | Where-Object Action -eq 'Created').Count | Should -Be ($Count - $written)
        @($next | Where-Object Action -eq 'Failed').Count | Should -Be 0
        Get-OrgCount | Should -Be $Count
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
