// Azure resources for Teams Migration Bot, deployed by the `arm/deploy` step of teamsapp.yml:
//   - a Linux App Service (Node 22 LTS) that runs the bot and holds its configuration as app settings;
//   - an Azure Bot (single tenant) with the Microsoft Teams channel, pointing at /api/messages;
//   - a Storage account for the audit ledger (tables), shared conversation state and exports admins
//     attach in Teams (blob containers).
// Values come from infra/azure.parameters.json, which the toolkit fills from env/.env.<env> and
// env/.env.<env>.user. Outputs are written back to env/.env.<env> under the same names, so they must
// never contain secrets.

@maxLength(20)
@minLength(4)
@description('Lowercase letters and digits used to name every resource in this file.')
param resourceBaseName string

param location string = resourceGroup().location

@description('App Service plan SKU. B1 or larger: the bot must stay always on for reminders and bulk jobs.')
param webAppSku string = 'B1'

@description('Storage redundancy for the ledger. Standard_ZRS where the region offers it is sturdier.')
param storageSku string = 'Standard_LRS'

@maxLength(42)
param botDisplayName string

@description('Client id of the bot\'s Entra app (BOT_ID).')
param botAadAppClientId string

@secure()
@description('Client secret of the bot\'s Entra app (BOT_PASSWORD).')
param botAadAppClientSecret string

@description('Tenant of the bot\'s Entra app (BOT_TENANT_ID).')
param botTenantId string

@allowed([
  'SingleTenant'
  'MultiTenant'
])
param botType string = 'SingleTenant'

@description('Tenant in which the migration app acts (GRAPH_TENANT_ID).')
param graphTenantId string

@description('Client id of the migration app (GRAPH_CLIENT_ID).')
param graphClientId string

@secure()
@description('Client secret of the migration app; empty when a certificate is used instead.')
param graphClientSecret string = ''

@description('Path on the App Service file system of a PEM with the migration app\'s key and certificate; empty when a secret is used.')
param graphCertificatePath string = ''

param graphCloud string = 'global'
param graphAuthorityHost string = ''
param graphEndpoint string = ''
param graphApiVersion string = 'v1.0'
param graphTimeoutSeconds string = ''
param adminRoleIds string = ''
param adminGroupIds string = ''
param allowedTenantIds string = ''
param adminCacheSeconds string = ''
param logLevel string = 'info'

@allowed([
  'table'
  'sqlite'
])
@description('table keeps the ledger in the Storage account below and is safe with several instances.')
param storageBackend string = 'table'

param dataDir string = '/home/data'

@description('Blob container for conversation state shared by all instances; empty keeps state in memory.')
param stateBlobContainer string = 'botstate'

param reminderAfterDays string = ''
param reminderCheckMinutes string = ''
param bulkTeamRps string = ''
param bulkTenantRps string = ''
param bulkConfirmThreshold string = ''
param bulkIntentSettleSeconds string = ''
param pendingTtlMinutes string = ''
param pendingRetentionDays string = ''
param importThreadRps string = ''
param importMaxEntries string = ''
param importMaxExportGb string = ''
param importMaxFileMb string = ''
param importMaxCompressionRatio string = ''
param importDownloadHosts string = ''
param importMaxUploadMb string = ''
param importConfirmThreshold string = ''
param importExportRetentionDays string = ''
param restartCooldownMinutes string = ''
param maxTurnsInFlight string = ''
param userCommandsPerMinute string = ''
param userCommandsBurst string = ''

@description('Ledger tables, named as src/store/table-store.ts names them (default prefix "migrationbot"). The bot also creates missing tables itself.')
param ledgerTables array = [
  'migrationbotAudit'
  'migrationbotPending'
  'migrationbotBulkJobs'
  'migrationbotBulkItems'
  'migrationbotConversationRefs'
  'migrationbotReminders'
  'migrationbotImportJobs'
  'migrationbotImportMessages'
]

// Globally unique names (web app host name, bot handle, storage account) derived from the resource
// group, so two environments never collide.
var uniqueSuffix = uniqueString(resourceGroup().id, resourceBaseName)
var webAppName = '${resourceBaseName}-${uniqueSuffix}'
var storageAccountName = toLower('st${uniqueSuffix}')
// Free and shared plans cannot keep the bot always on.
var plansWithoutAlwaysOn = [
  'F1'
  'D1'
  'FREE'
  'SHARED'
]
var alwaysOn = !contains(plansWithoutAlwaysOn, toUpper(webAppSku))

resource storage 'Microsoft.Storage/storageAccounts@2022-09-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // The bot authenticates with the account's connection string (AZURE_STORAGE_CONNECTION_STRING).
    allowSharedKeyAccess: true
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2022-09-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2022-09-01' = [for table in ledgerTables: {
  parent: tableService
  name: table
}]

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2022-09-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource stateContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2022-09-01' = if (!empty(stateBlobContainer)) {
  parent: blobService
  name: empty(stateBlobContainer) ? 'unused' : stateBlobContainer
  properties: {
    publicAccess: 'None'
  }
}

@description('Exports attached in Teams, named as src/store/export-files-blob.ts names the container. The bot also creates it itself.')
resource exportsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2022-09-01' = {
  parent: blobService
  name: 'migrationbot-exports'
  properties: {
    publicAccess: 'None'
  }
}

// Used only inside the app settings below; never an output (outputs land in env/.env.<env>).
var storageConnectionString = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'

// Settings the bot always gets. Optional ones are added below only when set, so the bot's own
// defaults apply otherwise (it treats an unset variable as "use the default").
var requiredSettings = [
  {
    // App Service (Oryx) installs node_modules for Linux during zip deploy; native modules included.
    name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
    value: 'true'
  }
  {
    name: 'BOT_ID'
    value: botAadAppClientId
  }
  {
    name: 'BOT_PASSWORD'
    value: botAadAppClientSecret
  }
  {
    name: 'BOT_TENANT_ID'
    value: botTenantId
  }
  {
    name: 'BOT_TYPE'
    value: botType
  }
  {
    // Channel authentication is never switched off in Azure.
    name: 'LOCAL_MODE'
    value: 'false'
  }
  {
    // Only has a meaning with LOCAL_MODE=true.
    name: 'LOCAL_MODE_ALLOW_REMOTE_GRAPH'
    value: 'false'
  }
  {
    name: 'DATA_DIR'
    value: dataDir
  }
  {
    name: 'GRAPH_TENANT_ID'
    value: graphTenantId
  }
  {
    name: 'GRAPH_CLIENT_ID'
    value: graphClientId
  }
  {
    name: 'GRAPH_CLOUD'
    value: graphCloud
  }
  {
    name: 'GRAPH_API_VERSION'
    value: graphApiVersion
  }
  {
    name: 'LOG_LEVEL'
    value: logLevel
  }
  {
    name: 'STORAGE_BACKEND'
    value: storageBackend
  }
  {
    name: 'AZURE_STORAGE_CONNECTION_STRING'
    value: storageConnectionString
  }
]

// One variable per optional setting (Bicep 0.9 has no lambdas to filter a list, and its function
// calls must fit on one line).
var graphClientSecretSetting = empty(graphClientSecret) ? [] : [
  {
    name: 'GRAPH_CLIENT_SECRET'
    value: graphClientSecret
  }
]
var graphCertificatePathSetting = empty(graphCertificatePath) ? [] : [
  {
    name: 'GRAPH_CERTIFICATE_PATH'
    value: graphCertificatePath
  }
]
var graphAuthorityHostSetting = empty(graphAuthorityHost) ? [] : [
  {
    name: 'GRAPH_AUTHORITY_HOST'
    value: graphAuthorityHost
  }
]
var graphEndpointSetting = empty(graphEndpoint) ? [] : [
  {
    name: 'GRAPH_ENDPOINT'
    value: graphEndpoint
  }
]
var graphTimeoutSecondsSetting = empty(graphTimeoutSeconds) ? [] : [
  {
    name: 'GRAPH_TIMEOUT_SECONDS'
    value: graphTimeoutSeconds
  }
]
var adminRoleIdsSetting = empty(adminRoleIds) ? [] : [
  {
    name: 'ADMIN_ROLE_IDS'
    value: adminRoleIds
  }
]
var adminGroupIdsSetting = empty(adminGroupIds) ? [] : [
  {
    name: 'ADMIN_GROUP_IDS'
    value: adminGroupIds
  }
]
var allowedTenantIdsSetting = empty(allowedTenantIds) ? [] : [
  {
    name: 'ALLOWED_TENANT_IDS'
    value: allowedTenantIds
  }
]
var adminCacheSecondsSetting = empty(adminCacheSeconds) ? [] : [
  {
    name: 'ADMIN_CACHE_SECONDS'
    value: adminCacheSeconds
  }
]
var stateBlobContainerSetting = empty(stateBlobContainer) ? [] : [
  {
    name: 'STATE_BLOB_CONTAINER'
    value: stateBlobContainer
  }
]
var reminderAfterDaysSetting = empty(reminderAfterDays) ? [] : [
  {
    name: 'REMINDER_AFTER_DAYS'
    value: reminderAfterDays
  }
]
var reminderCheckMinutesSetting = empty(reminderCheckMinutes) ? [] : [
  {
    name: 'REMINDER_CHECK_MINUTES'
    value: reminderCheckMinutes
  }
]
var bulkTeamRpsSetting = empty(bulkTeamRps) ? [] : [
  {
    name: 'BULK_TEAM_RPS'
    value: bulkTeamRps
  }
]
var bulkTenantRpsSetting = empty(bulkTenantRps) ? [] : [
  {
    name: 'BULK_TENANT_RPS'
    value: bulkTenantRps
  }
]
var bulkConfirmThresholdSetting = empty(bulkConfirmThreshold) ? [] : [
  {
    name: 'BULK_CONFIRM_THRESHOLD'
    value: bulkConfirmThreshold
  }
]
var bulkIntentSettleSecondsSetting = empty(bulkIntentSettleSeconds) ? [] : [
  {
    name: 'BULK_INTENT_SETTLE_SECONDS'
    value: bulkIntentSettleSeconds
  }
]
var pendingTtlMinutesSetting = empty(pendingTtlMinutes) ? [] : [
  {
    name: 'PENDING_TTL_MINUTES'
    value: pendingTtlMinutes
  }
]
var pendingRetentionDaysSetting = empty(pendingRetentionDays) ? [] : [
  {
    name: 'PENDING_RETENTION_DAYS'
    value: pendingRetentionDays
  }
]
var restartCooldownMinutesSetting = empty(restartCooldownMinutes) ? [] : [
  {
    name: 'RESTART_COOLDOWN_MINUTES'
    value: restartCooldownMinutes
  }
]

var maxTurnsInFlightSetting = empty(maxTurnsInFlight) ? [] : [
  {
    name: 'MAX_TURNS_IN_FLIGHT'
    value: maxTurnsInFlight
  }
]
var userCommandsPerMinuteSetting = empty(userCommandsPerMinute) ? [] : [
  {
    name: 'USER_COMMANDS_PER_MINUTE'
    value: userCommandsPerMinute
  }
]
var userCommandsBurstSetting = empty(userCommandsBurst) ? [] : [
  {
    name: 'USER_COMMANDS_BURST'
    value: userCommandsBurst
  }
]

var importThreadRpsSetting = empty(importThreadRps) ? [] : [
  {
    name: 'IMPORT_THREAD_RPS'
    value: importThreadRps
  }
]
var importMaxEntriesSetting = empty(importMaxEntries) ? [] : [
  {
    name: 'IMPORT_MAX_ENTRIES'
    value: importMaxEntries
  }
]
var importMaxExportGbSetting = empty(importMaxExportGb) ? [] : [
  {
    name: 'IMPORT_MAX_EXPORT_GB'
    value: importMaxExportGb
  }
]
var importMaxFileMbSetting = empty(importMaxFileMb) ? [] : [
  {
    name: 'IMPORT_MAX_FILE_MB'
    value: importMaxFileMb
  }
]
var importMaxCompressionRatioSetting = empty(importMaxCompressionRatio) ? [] : [
  {
    name: 'IMPORT_MAX_COMPRESSION_RATIO'
    value: importMaxCompressionRatio
  }
]
var importDownloadHostsSetting = empty(importDownloadHosts) ? [] : [
  {
    name: 'IMPORT_DOWNLOAD_HOSTS'
    value: importDownloadHosts
  }
]
var importMaxUploadMbSetting = empty(importMaxUploadMb) ? [] : [
  {
    name: 'IMPORT_MAX_UPLOAD_MB'
    value: importMaxUploadMb
  }
]
var importConfirmThresholdSetting = empty(importConfirmThreshold) ? [] : [
  {
    name: 'IMPORT_CONFIRM_THRESHOLD'
    value: importConfirmThreshold
  }
]
var importExportRetentionDaysSetting = empty(importExportRetentionDays) ? [] : [
  {
    name: 'IMPORT_EXPORT_RETENTION_DAYS'
    value: importExportRetentionDays
  }
]
var optionalSettings = concat(graphClientSecretSetting, graphCertificatePathSetting, graphAuthorityHostSetting, graphEndpointSetting, graphTimeoutSecondsSetting, adminRoleIdsSetting, adminGroupIdsSetting, allowedTenantIdsSetting, adminCacheSecondsSetting, stateBlobContainerSetting, reminderAfterDaysSetting, reminderCheckMinutesSetting, bulkTeamRpsSetting, bulkTenantRpsSetting, bulkConfirmThresholdSetting, pendingTtlMinutesSetting, pendingRetentionDaysSetting, restartCooldownMinutesSetting, maxTurnsInFlightSetting, userCommandsPerMinuteSetting, userCommandsBurstSetting, bulkIntentSettleSecondsSetting, importThreadRpsSetting, importMaxEntriesSetting, importMaxExportGbSetting, importMaxFileMbSetting, importMaxCompressionRatioSetting, importDownloadHostsSetting, importMaxUploadMbSetting, importConfirmThresholdSetting, importExportRetentionDaysSetting)

resource serverfarm 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    // Linux plan.
    reserved: true
  }
}

// PORT is not set: App Service tells the bot which port to listen on through its own PORT variable.
resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      appCommandLine: 'npm start'
      alwaysOn: alwaysOn
      healthCheckPath: '/healthz'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat(requiredSettings, optionalSettings)
    }
  }
}

module azureBot './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    botServiceName: webAppName
    botDisplayName: botDisplayName
    botAadAppClientId: botAadAppClientId
    botTenantId: botTenantId
    botType: botType
    botAppDomain: webApp.properties.defaultHostName
  }
}

// Written to env/.env.<env> by the toolkit (names are the variable names). No secrets here.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output STORAGE_ACCOUNT_NAME string = storage.name
