# Results people can read and keep (issue 15): the table and list views at common console widths,
# Export-Csv with readable ChangedFields, ConvertTo-Json with the Action's name. Needs a real pwsh:
# Format-*, Out-String and the CSV and JSON cmdlets are not on the bare engine.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator -StartTimeoutSeconds 600
    function Get-Words([string] $Text) { ($Text -replace '\s+', ' ').Trim() }
}

AfterAll {
    $emulator | Stop-SfEmulator
}

Describe 'Sync results' {
    BeforeAll {
        Invoke-EmulatorControl $emulator reset | Out-Null
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10
        $results = @(
            [pscustomobject]@{ Username = 'new.person@format.example.com'; LastName = 'Person'; Email = 'new.person@format.example.com'; Title = 'Analyst' }
            [pscustomobject]@{ Username = 'left.already@format.example.com'; LastName = 'Left'; Email = 'left.already@format.example.com'; Enabled = $false }
            [pscustomobject]@{ Username = 'no-at-sign'; LastName = 'Bad'; Email = 'bad@format.example.com' }
        ) | Sync-SfUser -Profile 'Standard User' -ErrorAction SilentlyContinue
    }

    It 'the default table shows the whole reason a user was skipped or failed at <_> columns' -ForEach 80, 120 {
        $width = $_
        $table = $results | Out-String -Width $width
        $table | Should -Not -Match '…|\.\.\.'
        foreach ($line in $table -split "`n") { $line.TrimEnd().Length | Should -BeLessOrEqual $width }
        # The Detail column, read back across its wrapped lines, holds each reason in full.
        $lines = $table -split "\r?\n"
        $header = $lines | Where-Object { $_ -match '^Username\s' } | Select-Object -First 1
        $column = $header.IndexOf('Detail')
        $detail = -join ($lines | Where-Object { $_.Length -gt $column -and $_ -notmatch '^-{3}' } | ForEach-Object { $_.Substring($column) }) -replace '\s', ''
        foreach ($result in $results | Where-Object { $_.Action -in 'Skipped', 'Failed' }) {
            $reason = ("$($result.ErrorCode): $($result.Message)" -replace '^: ', '') -replace '\s', ''
            $detail | Should -BeLike ('*' + [WildcardPattern]::Escape($reason) + '*')
        }
        $detail | Should -BeLike '*Changed:*Title*'
    }

    It 'Format-List shows every field, the remedy and the Salesforce Id included' {
        $list = $results | Format-List | Out-String -Width 200
        foreach ($label in 'Username', 'Action', 'ObjectType', 'SalesforceId', 'ChangedFields', 'ErrorCode', 'Message', 'Remedy', 'InputIndex') {
            $list | Should -Match "(?m)^$label\s+:"
        }
        $list | Should -BeLike "*$($results[0].SalesforceId)*"
        Get-Words $list | Should -BeLike "*$(Get-Words $results[2].Remedy)*"
    }

    It 'Export-Csv writes ChangedFields as readable text' {
        $path = Join-Path $TestDrive 'results.csv'
        $results | Export-Csv -Path $path -NoTypeInformation
        $rows = Import-Csv $path
        $rows[0].ChangedFields | Should -Not -BeLike '*System.*'
        $rows[0].ChangedFields | Should -BeLike '*Title*'
        $rows[0].ChangedFields | Should -BeLike '*, *'
        $rows.Action | Should -Be @('Created', 'Skipped', 'Failed')
    }

    It 'ConvertTo-Json writes Action as its name and ChangedFields as a list' {
        $json = $results | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $json.Action | Should -Be @('Created', 'Skipped', 'Failed')
        @($json[0].ChangedFields) | Should -Contain 'Title'
        @($json[0].ChangedFields).Count | Should -BeGreaterThan 1
    }

    It 'keeps comparisons working: by name, by enum, and on the field list' {
        $results[2].Action -eq 'Failed' | Should -BeTrue
        $results[2].Outcome.GetType().IsEnum | Should -BeTrue   # the typed value, for code
        $results[2].Outcome -eq 'Failed' | Should -BeTrue
        $results[0].ChangedFields -contains 'Title' | Should -BeTrue
        @($results | Where-Object Action -eq 'Created').Count | Should -Be 1
    }
}
