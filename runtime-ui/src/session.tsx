/**
 * Who is logged in: the user from `/api/auth/me` for the token of this tab, or nobody. Roles drive
 * the navigation (R35); the server enforces them regardless.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, type LoginResult, onUnauthorized, storedToken, storeToken, type User } from './api.ts';

interface Session {
  /** undefined while the stored token is being checked. */
  user: User | null | undefined;
  login(username: string, password: string): Promise<User>;
  logout(): Promise<void>;
}

const SessionContext = createContext<Session>({
  user: null,
  login: async () => {
    throw new Error('no session provider');
  },
  logout: async () => undefined,
});

/**
 * A sign-in through the company's identity provider comes back with the token in the URL fragment,
 * which browsers never send to a server, so no proxy or log sees it. It is taken and removed from
 * the address bar at once.
 */
function takeTokenFromFragment(): void {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return;
  storeToken(token);
  history.replaceState(null, '', location.pathname + location.search);
}
takeTokenFromFragment();

// Asked as soon as the code has loaded rather than after the first render: every screen waits for it.
let pendingMe: Promise<User> | null = storedToken() ? api.get<User>('/api/auth/me') : null;

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(() => (storedToken() ? undefined : null));

  useEffect(() => {
    onUnauthorized(() => {
      storeToken(null);
      setUser(null);
    });
    if (!storedToken()) return;
    const me = pendingMe ?? api.get<User>('/api/auth/me');
    pendingMe = null;
    me.then(setUser)
      .catch(() => {
        storeToken(null);
        setUser(null);
      });
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const result = await api.post<LoginResult>('/api/auth/login', { username, password });
    storeToken(result.token);
    setUser(result.user);
    return result.user;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } catch {
      // the token is dropped either way
    }
    storeToken(null);
    setUser(null);
  }, []);

  const value = useMemo(() => ({ user, login, logout }), [user, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export const useSession = (): Session => useContext(SessionContext);

export function hasRole(user: User | null | undefined, ...roles: string[]): boolean {
  return Boolean(user?.roles.some((r) => roles.includes(r)));
}

/** Supervisors and admins see every task, the audit trail and drafts. */
export const isSupervisor = (user: User | null | undefined) => hasRole(user, 'supervisor', 'admin');
