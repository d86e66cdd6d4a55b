// @azure/identity's ClientSecretCredential, unchanged, signing in to lcw (AZURE_TENANT_ID,
// AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST; the CA through
// NODE_EXTRA_CA_CERTS), then listing workflows with the token. Prints the JSON answer.
import { ClientSecretCredential } from "@azure/identity";

const env = process.env;
const credential = new ClientSecretCredential(env.AZURE_TENANT_ID, env.AZURE_CLIENT_ID, env.AZURE_CLIENT_SECRET, {
  authorityHost: env.AZURE_AUTHORITY_HOST,
  // MSAL would otherwise ask login.microsoftonline.com about lcw's host.
  disableInstanceDiscovery: true,
});
const { token } = await credential.getToken("https://graph.microsoft.com/.default");
const response = await fetch(`${env.LCW_GRAPH_BASE_URL}/identityGovernance/lifecycleWorkflows/workflows`, {
  headers: { Authorization: `Bearer ${token}` },
});
console.log(JSON.stringify({ status: response.status, body: await response.json() }));
