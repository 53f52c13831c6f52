/** The smallest valid config (secrets by env name), shared by the config tests. */
export const MINIMAL_CONFIG_YAML = `
clickup:
  token: { env: CLICKUP_TOKEN }
  team_id: "1"
  list_id: "10"
tradinggrid:
  driver: community
  base_url: https://tg.example.com/api
  tenant_id: t1
  client_id: c1
  client_secret: { env: TG_SECRET }
  webhook_secret: { env: TG_WEBHOOK }
`;
