// The API key lives for the browser tab only (sessionStorage): closing the tab signs out, and no other site reads it.
const KEY = 'temporal-http.apiKey';

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function signIn(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/** The Authorization header every request carries while a key is set. */
export function authorizationHeader(): Record<string, string> {
  const key = apiKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}
