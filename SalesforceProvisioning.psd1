@{
    # The loader comes first: on PowerShell 7 it gives the module's dependencies their own load context
    # before the cmdlet assembly is read (see src/SalesforceProvisioning.Loader).
    # Paths from the repository: Test-ModuleManifest and Import-Module work on this file once built. The build
    # writes the module folder's copy (out/SalesforceProvisioning/) with these paths relative to that folder.
    NestedModules          = @('out/SalesforceProvisioning/SalesforceProvisioning.Loader.dll', 'out/SalesforceProvisioning/SalesforceProvisioning.dll')
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Desktop', 'Core')
    GUID                   = '4b0c6a51-7d1e-4c55-9a49-2f7f2f3c8e11'
    Author                 = 'SalesforceProvisioning contributors'
    CompanyName            = 'SalesforceProvisioning'
    Copyright              = '(c) SalesforceProvisioning contributors. MIT licence.'
    Description            = 'Provisions users, groups, permission sets, community users, Leads and Contacts into Salesforce from any source, safely (-WhatIf, clear errors, no leaked secrets) and within API limits. Ships a local Salesforce emulator for offline runbook tests.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('SalesforceProvisioning.Format.ps1xml')
    CmdletsToExport        = @(
        'New-SfProvisioningConnection'
        'Test-SfConnection'
        'Start-SfEmulator'
        'Stop-SfEmulator'
        'New-SfAttributeMap'
        'Sync-SfUser'
        'Disable-SfUser'
        'Enable-SfUser'
        'Get-SfUser'
        'Get-SfGroup'
        'Get-SfPermissionSet'
        'Get-SfProfile'
        'Get-SfRole'
        'Get-SfContact'
        'Get-SfLead'
        'Sync-SfGroup'
        'Set-SfGroupMembership'
        'Save-SfProvisioningConnection'
        'Get-SfProvisioningConnection'
        'Remove-SfProvisioningConnection'
        'New-SfProvisioningRule'
        'Get-SfProvisioningRule'
        'Set-SfProvisioningRule'
        'Remove-SfProvisioningRule'
        'Get-SfSyncStatus'
        'Restore-SfStateStore'
        'Export-SfSyncReport'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Salesforce', 'Provisioning', 'Identity', 'IAM', 'Users', 'Groups', 'PermissionSets', 'SCIM', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://example.invalid/SalesforceProvisioning'
            ReleaseNotes = 'Connections and the built-in emulator; user, group, membership and permission-set sync; Communities and Leads & Contacts; saved connections, rules and the state store; help, completion, load-context isolation.'
        }
    }
}
