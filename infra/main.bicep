// TAM Assistant on Azure: one user-assigned managed identity is the bot's identity (Azure Bot,
// msaAppType UserAssignedMSI), the app's identity to Cosmos DB (data-plane role) and the identity
// that resolves its Key Vault references. No password, key or connection secret is handed to the app.
//
// Deploy with: az deployment group create --resource-group <group> --template-file infra/main.bicep
//   --parameters infra/main.parameters.json --parameters adminUsers=... alertSweepSecret=... reportLinkSecret=...
// (README.md, "Deploy to Azure").

@minLength(4)
@maxLength(20)
@description('Used to name every resource (with a suffix unique to the resource group where a name must be globally unique).')
param resourceBaseName string

@description('Region of every resource but the Azure Bot, which is global.')
param location string = resourceGroup().location

@maxLength(42)
@description('Name of the bot as the Azure Bot shows it.')
param botDisplayName string = 'TAM Assistant'

@allowed([
  'F0'
  'S1'
])
@description('Azure Bot pricing tier. F0 is free; Microsoft Teams is a standard channel, whose messages are not limited on either tier.')
param botServiceSku string = 'F0'

// Only tiers with Always On: the alert sweeper runs inside the app and must not be put to sleep.
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'S3'
  'P0v3'
  'P1v3'
  'P2v3'
  'P3v3'
])
@description('App Service plan tier (Linux). Free and Shared tiers have no Always On and are not offered.')
param webAppSku string = 'B1'

@minValue(1)
@description('Number of web app instances. One sweeper runs at a time whatever the number (a lease in Cosmos DB).')
param instanceCount int = 1

@allowed([
  'serverless'
  'provisioned'
])
@description('Cosmos DB capacity mode: serverless (pay per request) or provisioned (the database gets the autoscale throughput of src/store/cosmos-database.json). Chosen when the account is created.')
param cosmosCapacity string = 'serverless'

@description('Turn off Cosmos DB account keys, so that only Entra ID identities with a data-plane role can read or write data.')
param cosmosDisableLocalAuth bool = true

@description('Name of the Cosmos DB database (the app reads it as COSMOS_DATABASE).')
param cosmosDatabaseName string = 'tam-assistant'

@description('Tenant id(s) of the provider organisation (TAMs, managers, admins), comma-separated. Default: the tenant of this deployment.')
param providerTenantIds string = tenant().tenantId

@description('People made admins at start-up, as tenantId:aadObjectId pairs, comma-separated.')
param adminUsers string

@description('Seed the demo world (demo accounts and people) into an empty database. Keep false for real use.')
param seedDemoData bool = false

@allowed([
  'debug'
  'info'
  'warn'
  'error'
])
@description('Log level of the app (one JSON line per event on stdout, kept by App Service logs).')
param logLevel string = 'info'

@secure()
@minLength(16)
@description('Bearer secret of POST /api/alerts/sweep (for an external timer). Stored in Key Vault; the app reads it through a Key Vault reference.')
param alertSweepSecret string

@secure()
@minLength(32)
@description('Secret that signs the service review PDF links (HMAC-SHA256). Stored in Key Vault; the app reads it through a Key Vault reference.')
param reportLinkSecret string

@minValue(30)
@maxValue(730)
@description('Days the Log Analytics workspace keeps logs and Application Insights telemetry.')
param logRetentionInDays int = 30

param webAppName string = '${resourceBaseName}-${uniqueString(resourceGroup().id)}'
param cosmosAccountName string = toLower('${resourceBaseName}-${uniqueString(resourceGroup().id)}')
param keyVaultName string = 'kv${uniqueString(resourceGroup().id, resourceBaseName)}'

// The one definition of the database, also read by the app (src/store/containers.ts): containers,
// partition keys, indexing policies, default TTL and throughput live there and nowhere else.
var databaseDefinition = loadJsonContent('../src/store/cosmos-database.json')

var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002' // Cosmos DB Built-in Data Contributor
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: resourceBaseName
  location: location
}

// --- Cosmos DB for NoSQL ---------------------------------------------------------------------

resource cosmosAccount 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: cosmosAccountName
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: cosmosCapacity == 'serverless' ? [
      {
        name: 'EnableServerless'
      }
    ] : []
    disableLocalAuth: cosmosDisableLocalAuth
    minimalTlsVersion: 'Tls12'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: cosmosAccount
  name: cosmosDatabaseName
  properties: {
    resource: {
      id: cosmosDatabaseName
    }
    // Shared autoscale throughput for the whole database; a serverless account takes none.
    options: cosmosCapacity == 'provisioned' ? {
      autoscaleSettings: {
        maxThroughput: databaseDefinition.throughput.autoscaleMaxThroughput
      }
    } : {}
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for container in databaseDefinition.containers: {
  parent: database
  name: container.id
  properties: {
    resource: union({
      id: container.id
      partitionKey: container.partitionKey
      indexingPolicy: container.indexingPolicy
    }, contains(container, 'defaultTtl') ? {
      defaultTtl: container.?defaultTtl
    } : {})
  }
}]

// The identity reads and writes items; this role cannot create databases or containers, which is
// why they are provisioned above and the app only checks them (COSMOS_PROVISIONING=check).
resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmosAccount
  name: guid(cosmosAccount.id, identity.id, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmosAccount.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: identity.properties.principalId
    scope: cosmosAccount.id
  }
}

// --- Key Vault: the app's secrets ------------------------------------------------------------

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
  }
}

resource alertSweepSecretEntry 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'alert-sweep-secret'
  properties: {
    value: alertSweepSecret
  }
}

resource reportLinkSecretEntry 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'report-link-secret'
  properties: {
    value: reportLinkSecret
  }
}

resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// --- Monitoring ------------------------------------------------------------------------------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${resourceBaseName}-logs'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

// --- App Service (Linux, Node 22) ------------------------------------------------------------

resource serverfarm 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      alwaysOn: true
      appCommandLine: 'node dist/src/index.js'
      healthCheckPath: '/readyz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      appSettings: [
        {
          // No env/ file is deployed; every setting comes from here.
          name: 'APP_ENV'
          value: 'azure'
        }
        {
          name: 'BOT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'BOT_TYPE'
          value: 'UserAssignedMSI'
        }
        {
          name: 'BOT_TENANT_ID'
          value: identity.properties.tenantId
        }
        {
          name: 'COSMOS_ENDPOINT'
          value: cosmosAccount.properties.documentEndpoint
        }
        {
          name: 'COSMOS_MANAGED_IDENTITY_CLIENT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'COSMOS_DATABASE'
          value: cosmosDatabaseName
        }
        {
          name: 'COSMOS_PROVISIONING'
          value: 'check'
        }
        {
          name: 'COSMOS_CAPACITY'
          value: cosmosCapacity
        }
        {
          name: 'PROVIDER_TENANT_IDS'
          value: providerTenantIds
        }
        {
          name: 'ADMIN_USERS'
          value: adminUsers
        }
        {
          name: 'SEED_DEMO_DATA'
          value: seedDemoData ? 'true' : 'false'
        }
        {
          name: 'LOG_LEVEL'
          value: logLevel
        }
        {
          name: 'ALERT_SWEEP_SECRET'
          value: '@Microsoft.KeyVault(SecretUri=${alertSweepSecretEntry.properties.secretUri})'
        }
        {
          name: 'REPORT_LINK_SECRET'
          value: '@Microsoft.KeyVault(SecretUri=${reportLinkSecretEntry.properties.secretUri})'
        }
        {
          // The web app's own address (its default host name, known before it exists): PDF links are built on it.
          name: 'PUBLIC_BASE_URL'
          value: 'https://${webAppName}.azurewebsites.net'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          // App Service installs the production dependencies itself from the deployed
          // package.json, package-lock.json and .npmrc; the package carries no node_modules.
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'true'
        }
        {
          // Replaces the default `npm install` + `npm run build`: dist/ is built before deployment.
          name: 'CUSTOM_BUILD_COMMAND'
          value: 'npm ci --omit=dev'
        }
      ]
    }
  }
  dependsOn: [
    keyVaultSecretsUser
    cosmosDataContributor
    containers
  ]
}

// --- Azure Bot with the Teams channel --------------------------------------------------------

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-${uniqueString(resourceGroup().id)}'
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: identity.properties.tenantId
    msaAppType: 'UserAssignedMSI'
  }
}

resource botServiceMsTeamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Named as the variables of env/.env.<name> that `npm run package` reads, where they are the same.
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_SERVICE_NAME string = botService.name
output WEB_APP_NAME string = webApp.name
output COSMOS_ENDPOINT string = cosmosAccount.properties.documentEndpoint
output COSMOS_ACCOUNT_NAME string = cosmosAccount.name
output COSMOS_DATABASE string = database.name
output KEY_VAULT_NAME string = keyVault.name
output APPLICATION_INSIGHTS_NAME string = appInsights.name
