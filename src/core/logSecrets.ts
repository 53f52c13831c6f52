/** Secrets learned while running (a registered webhook's secret, an access token), per logger made by createLogger. */
const learned = new WeakMap<object, string[]>();

/** createLogger's list of values to scrub: `addLogSecret` appends to it. */
export function registerLogSecrets(logger: object, list: string[]): void {
  learned.set(logger, list);
}

/**
 * Scrub `value` from everything `logger` writes from now on: for secrets that are not in the config but
 * learned at run time (the ClickUp webhook secret at registration, Trading Grid access tokens). Values
 * shorter than 6 characters are ignored; a logger not made by createLogger ignores the call.
 */
export function addLogSecret(logger: object | undefined, value: string | null | undefined): void {
  if (!logger || !value || value.length < 6) return;
  const list = learned.get(logger);
  if (list && !list.includes(value)) list.push(value);
}
