// Who is signed in. The access token stays inside the API client; this context only holds
// the user, for the pages.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from './api/client';
import type { Session, User } from './api/types';
import { navigate } from './router';

export interface SessionValue {
  /** undefined while the session is being restored on load. */
  user: User | null | undefined;
  signIn(email: string, password: string): Promise<User>;
  signOut(): Promise<void>;
  setUser(u: User): void;
}

const Ctx = createContext<SessionValue | null>(null);

export function signInPath(next?: string, reason?: 'expired'): string {
  const q = new URLSearchParams();
  if (next && next !== '/sign-in') q.set('next', next);
  if (reason) q.set('reason', reason);
  const s = q.toString();
  return `/sign-in${s ? `?${s}` : ''}`;
}

/** Only same-site paths are followed after sign-in (no open redirects). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/dashboard';
  return next;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUserState] = useState<User | null | undefined>(undefined);

  useEffect(() => {
    api.onUser = (u) => setUserState(u);
    api.onSessionExpired = () => {
      const here = window.location.pathname + window.location.search;
      if (!window.location.pathname.startsWith('/sign-in')) navigate(signInPath(here, 'expired'));
    };
    let live = true;
    void api.refresh().then((ok) => {
      if (live && !ok) setUserState((u) => (u === undefined ? null : u));
    });
    return () => {
      live = false;
    };
  }, []);

  // The offline outbox sends, lists and discards the signed-in user's entries only (see
  // src/offline/outbox.ts): tell it who that is. Its chunk loads after the first render.
  const userId = user === undefined ? undefined : (user?.id ?? null);
  useEffect(() => {
    if (userId === undefined) return;
    void import('./offline/sync').then(({ sync }) => sync.setUser(userId));
  }, [userId]);

  const signIn = useCallback(async (email: string, password: string) => {
    const s = await api.post<Session>('/api/v1/auth/login', { email, password }, { auth: false });
    api.setSession(s);
    return s.user;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout', undefined, { auth: false });
    } finally {
      api.clearSession();
    }
  }, []);

  const value = useMemo<SessionValue>(
    () => ({ user, signIn, signOut, setUser: (u: User) => setUserState(u) }),
    [user, signIn, signOut],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
