# Export-SfSyncReport, checked the way an admin would look at it: the report is opened in a real headless
# browser (Chromium from the Debian packages) and what the browser parsed is checked, as is a screenshot.
BeforeAll {
    . (Join-Path $PSScriptRoot 'SalesforceProvisioning.TestHelpers.ps1')
    $emulator = Start-SfEmulator -StartTimeoutSeconds 600
    $chromium = @('chromium', 'chromium-browser', 'google-chrome') | ForEach-Object { Get-Command $_ -ErrorAction SilentlyContinue } | Select-Object -First 1
    if (-not $chromium) { throw 'Chromium is needed for this test: apt-get install -y chromium' }
    function Invoke-Browser([string] $Path, [string[]] $Mode) {
        $profileDir = Join-Path $TestDrive ([guid]::NewGuid())
        $arguments = @('--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', "--user-data-dir=$profileDir") + $Mode + @([System.UriBuilder]::new('file', '', -1, (Resolve-Path -LiteralPath $Path).ProviderPath).Uri.AbsoluteUri)
        # Chromium's diagnostics (no D-Bus in a container) go to stderr: only its stdout is the answer.
        & $chromium.Source @arguments 2>&1 | Where-Object { $_ -is [string] }
    }
    # The DOM Chromium built, as it serializes it (HTML); the report's only void element is <meta>, so without it the DOM reads as XML.
    function Get-Dom([string] $Path) { [xml](((Invoke-Browser $Path '--dump-dom') -join "`n") -replace '<!DOCTYPE html>', '' -replace '<meta[^>]*>', '') }
    function Get-Cells($Row) { @($Row.SelectNodes('td') | ForEach-Object InnerText) }
}

AfterAll {
    $emulator | Stop-SfEmulator
}

Describe 'Export-SfSyncReport' {
    BeforeAll {
        Invoke-EmulatorControl $emulator reset | Out-Null
        $connection = $emulator | New-SfProvisioningConnection -RetryDelayMilliseconds 10
        $people = @(
            [pscustomobject]@{ Username = 'ines.report@example.com'; LastName = 'García'; FirstName = 'Inés'; Email = 'ines.report@example.com'; Title = 'Nurse' }
            [pscustomobject]@{ Username = 'gone.report@example.com'; LastName = 'Gone'; Email = 'gone.report@example.com'; Enabled = $false }
            [pscustomobject]@{ Username = '<b>not-an-email</b>'; LastName = 'Bad'; Email = 'bad@example.com' }
        )
        $results = $people | Sync-SfUser -Profile 'Standard User' -InformationVariable run -ErrorAction SilentlyContinue
        $html = Join-Path $TestDrive 'report.html'
        $csv = Join-Path $TestDrive 'report.csv'
        $results | Export-SfSyncReport -Path $html -CsvPath $csv -Summary $run
        $dom = Get-Dom $html
    }

    It 'shows the counts by action' {
        $rows = @($dom.SelectNodes("//*[@id='counts']//tr") | Select-Object -Skip 1 | ForEach-Object { (Get-Cells $_) -join '=' })
        $rows | Should -Be @('Created=1', 'Skipped=1', 'Failed=1')
        $dom.SelectSingleNode("//*[@id='people']").InnerText | Should -Be '3'
    }

    It 'draws a bar per action in an inline SVG chart' {
        $bars = @($dom.SelectNodes("//*[local-name()='svg' and @id='chart']/*[local-name()='g']"))
        $bars.Count | Should -Be 3
        ($bars | ForEach-Object { "$($_.GetAttribute('data-action'))=$($_.GetAttribute('data-count'))" }) | Should -Be @('Created=1', 'Skipped=1', 'Failed=1')
        ($bars | Where-Object { $_.GetAttribute('data-action') -eq 'Failed' }).SelectSingleNode("*[local-name()='rect']").GetAttribute('fill') | Should -Be '#c62828'
    }

    It 'lists the failures with their remedies, source text shown as text' {
        $failure = Get-Cells $dom.SelectSingleNode("//*[@id='failures']//tr[2]")
        $failure[0] | Should -Be '<b>not-an-email</b>'
        $failure[1] | Should -Be 'InvalidUsername'
        $failure[3] | Should -Be ($results | Where-Object Action -eq 'Failed').Remedy
        $dom.SelectNodes('//b').Count | Should -Be 0    # the username's markup was not obeyed
    }

    It 'shows the API calls spent and the changed fields per user' {
        [int]$dom.SelectSingleNode("//*[@id='api-calls']").InnerText | Should -BeGreaterThan 0
        $dom.SelectSingleNode("//*[@id='api-calls']").InnerText | Should -Be ([string]$run[-1].MessageData.ApiCallsUsed)
        $change = Get-Cells $dom.SelectSingleNode("//*[@id='changes']//tr[2]")
        $change[0] | Should -Be 'ines.report@example.com'
        $change[2] | Should -BeLike '*Title*'
    }

    It 'renders to a screenshot' {
        Push-Location $TestDrive
        try { Invoke-Browser $html @('--screenshot', '--window-size=1000,900') | Out-Null } finally { Pop-Location }
        $png = Join-Path $TestDrive 'screenshot.png'
        Test-Path $png | Should -BeTrue
        [System.IO.File]::ReadAllBytes($png)[1..3] | ForEach-Object { [char]$_ } | Join-String | Should -Be 'PNG'
        (Get-Item $png).Length | Should -BeGreaterThan 10000
    }

    It 'writes the same rows as CSV' {
        $rows = Import-Csv $csv
        $rows.Count | Should -Be 3
        $rows[0].ChangedFields | Should -BeLike '*Title*'
        $rows[2].Remedy | Should -Not -BeNullOrEmpty
    }

    It "reports a rule's run from the state store" {
        $state = Join-Path $TestDrive 'state' 'state.db'
        $env:SFPROVISIONING_KEY_PATH = Join-Path $TestDrive 'key'
        Save-SfProvisioningConnection -Name report -Connection $connection -StatePath $state
        New-SfProvisioningRule -Name hr -ConnectionName report -Profile 'Standard User' -StatePath $state | Out-Null
        $people[0..1] | Sync-SfUser -Rule hr -StatePath $state -ErrorAction SilentlyContinue | Out-Null
        $ruleHtml = Join-Path $TestDrive 'rule.html'
        Export-SfSyncReport -Rule hr -StatePath $state -Path $ruleHtml
        $ruleDom = Get-Dom $ruleHtml
        $ruleDom.SelectSingleNode('//h1').InnerText | Should -BeLike "Provisioning rule 'hr', run *"
        $ruleDom.SelectSingleNode("//*[@id='facts']").InnerText | Should -BeLike '*Impacted*'
        @($ruleDom.SelectNodes("//*[local-name()='svg' and @id='chart']/*[local-name()='g']")).Count | Should -BeGreaterThan 0
        $ruleDom.SelectSingleNode("//*[@id='changed-note']").InnerText | Should -BeLike '*state store*'
    }
}
