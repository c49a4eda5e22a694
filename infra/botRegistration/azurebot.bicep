// Registers the bot with the Azure Bot Service and connects it to Microsoft Teams. Teams then sends
// every activity, signed by the Bot Framework, to https://<botAppDomain>/api/messages; the bot checks
// the signature against BOT_ID / BOT_TENANT_ID before any handler runs.

@maxLength(42)
param botDisplayName string

param botServiceName string

@allowed([
  'F0'
  'S1'
])
@description('F0 is free; Teams traffic is not metered by the Bot Service.')
param botServiceSku string = 'F0'

param botAadAppClientId string
param botTenantId string

@allowed([
  'SingleTenant'
  'MultiTenant'
])
param botType string = 'SingleTenant'

param botAppDomain string

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  kind: 'azurebot'
  location: 'global'
  name: botServiceName
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${botAppDomain}/api/messages'
    msaAppId: botAadAppClientId
    msaAppType: botType
    // A single-tenant bot's tokens come from its own tenant; a multi-tenant one has none.
    msaAppTenantId: botType == 'SingleTenant' ? botTenantId : ''
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  location: 'global'
  name: 'MsTeamsChannel'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}
