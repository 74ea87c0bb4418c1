// The API token the user signed in with. sessionStorage by default (gone when the tab closes);
// localStorage when they ask to stay signed in on this device. Sign-out clears both.
const KEY = "sprocket.token";

export function loadToken(): string | null {
  try {
    return window.sessionStorage.getItem(KEY) ?? window.localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string, remember: boolean): void {
  clearToken();
  (remember ? window.localStorage : window.sessionStorage).setItem(KEY, token);
}

export function clearToken(): void {
  window.sessionStorage.removeItem(KEY);
  window.localStorage.removeItem(KEY);
}
