# build.ps1 -Package: a versioned module folder and a .nupkg that module galleries and Install-PSResource take.
BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    & (Join-Path $root 'build.ps1') -SkipTests -Package -InformationAction SilentlyContinue *> $null
    $manifest = Import-PowerShellDataFile (Join-Path $root 'SalesforceProvisioning.psd1')
    $publish = Join-Path $root 'out/publish'
}

Describe 'build.ps1 -Package' {
    It 'writes a versioned module folder that imports with every exported cmdlet' {
        $folder = Join-Path $publish "SalesforceProvisioning/$($manifest.ModuleVersion)"
        Test-Path (Join-Path $folder 'SalesforceProvisioning.psd1') | Should -BeTrue
        $commands = & (Get-Process -Id $PID).Path -NoProfile -Command "Import-Module '$folder/SalesforceProvisioning.psd1'; (Get-Command -Module SalesforceProvisioning).Count"
        [int]$commands | Should -Be $manifest.CmdletsToExport.Count
    }

    It 'writes a nupkg with the module at its root and the gallery tags' {
        $package = Join-Path $publish "SalesforceProvisioning.$($manifest.ModuleVersion).nupkg"
        Test-Path $package | Should -BeTrue
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($package)
        try {
            $names = $zip.Entries.FullName
            $names | Should -Contain 'SalesforceProvisioning.psd1'
            $names | Should -Contain 'SalesforceProvisioning.dll-Help.xml'
            $names | Should -Not -Contain 'System.Management.Automation.dll'
            # The PostgreSQL state store's client and what it needs beside it.
            $names | Should -Contain 'Npgsql.dll'
            $names | Should -Contain 'Microsoft.Extensions.Logging.Abstractions.dll'
            $reader = [System.IO.StreamReader]::new(($zip.Entries | Where-Object FullName -eq 'SalesforceProvisioning.nuspec').Open())
            [xml]$nuspec = $reader.ReadToEnd()
            $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $nuspec.package.metadata.version | Should -Be $manifest.ModuleVersion
        $tags = $nuspec.package.metadata.tags -split ' '
        $tags | Should -Contain 'PSModule'
        $tags | Should -Contain 'PSCmdlet_Sync-SfUser'
    }
}

Describe 'The repository manifest' {
    # Test-ModuleManifest resolves every file a manifest names from the manifest's folder: the repository's manifest
    # names the built assemblies by their path under out/, so it passes once the module is built.
    It 'passes Test-ModuleManifest on the repository manifest' {
        $problems = @()
        $info = Test-ModuleManifest (Join-Path $root 'SalesforceProvisioning.psd1') -ErrorAction SilentlyContinue -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
        $info.Name | Should -Be 'SalesforceProvisioning'
    }

    It 'imports from the repository manifest with every cmdlet of the built module' {
        $manifest = Join-Path $root 'SalesforceProvisioning.psd1'
        $names = & (Get-Process -Id $PID).Path -NoProfile -NonInteractive -Command "Import-Module '$manifest' -ErrorAction Stop; (Get-Command -Module SalesforceProvisioning).Count"
        $LASTEXITCODE | Should -Be 0
        [int]($names | Select-Object -Last 1) | Should -Be (Import-PowerShellDataFile $manifest).CmdletsToExport.Count
    }

    It 'passes Test-ModuleManifest in the built module folder' {
        $problems = @()
        $info = Test-ModuleManifest (Join-Path $root 'out/SalesforceProvisioning/SalesforceProvisioning.psd1') -ErrorAction SilentlyContinue -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
        $info.ExportedFormatFiles | Split-Path -Leaf | Should -Be 'SalesforceProvisioning.Format.ps1xml'
    }
}
