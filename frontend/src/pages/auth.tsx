// Sign up, email verification, sign in, forgot and reset password.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { ApiError } from '../api/errors';
import type { AcceptInvitationRequest, Session, User } from '../api/types';
import { EMAIL, HINTS, NAME, NEW_PASSWORD } from '../api/rules';
import { Link, navigate, useLocation, usePageTitle } from '../router';
import { safeNext, useSession } from '../session';
import { Alert, Field, Loading, useSubmit } from '../ui';

/** Field errors by code, so the message sits next to the field it is about. */
function fieldOf(e: ApiError | null): 'email' | 'name' | 'password' | null {
  if (!e) return null;
  if (e.is('invalid_email', 'email_taken')) return 'email';
  if (e.is('invalid_name')) return 'name';
  if (e.is('password_too_short', 'password_too_long', 'password_too_common', 'password_required', 'wrong_password')) return 'password';
  return null;
}

export function SignUp() {
  usePageTitle('Create your account');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const field = fieldOf(error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.post<User>('/api/v1/auth/register', { email: email.trim(), name: name.trim(), password }, { auth: false });
      setDone(email.trim());
    });
  };

  if (done) {
    return (
      <section className="narrow">
        <h1>Check your inbox</h1>
        <Alert kind="success">
          <p>
            We sent a confirmation link to <strong>{done}</strong>. Open it to activate your account; it is valid for 48
            hours.
          </p>
        </Alert>
        <ResendVerification email={done} />
        <p>
          Already confirmed? <Link href="/sign-in">Sign in</Link>.
        </p>
      </section>
    );
  }

  return (
    <section className="narrow">
      <h1>Create your account</h1>
      <p>Sign up to enrol in courses and keep track of your progress.</p>
      <form onSubmit={submit} noValidate>
        {error && !field && <Alert>{error.message}</Alert>}
        <Field label="Full name" name="name" autoComplete="name" required maxLength={NAME.maxLength} value={name} onChange={(e) => setName(e.target.value)} error={field === 'name' ? error!.message : null} hint="As it should appear on your certificate." />
        <Field label="Email address" name="email" type="email" autoComplete="email" required maxLength={EMAIL.maxLength} value={email} onChange={(e) => setEmail(e.target.value)} error={field === 'email' ? error!.message : null} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" required minLength={NEW_PASSWORD.minLength} value={password} onChange={(e) => setPassword(e.target.value)} error={field === 'password' ? error!.message : null} hint={HINTS.newPassword} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link href="/sign-in">Sign in</Link>.
      </p>
    </section>
  );
}

function ResendVerification({ email: initial }: { email?: string }) {
  const [email, setEmail] = useState(initial ?? '');
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useSubmit();
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await api.post('/api/v1/auth/verify-email/resend', { email: email.trim() }, { auth: false });
          setSent(true);
        });
      }}
      noValidate
    >
      <h2 className="h3">Need a new confirmation link?</h2>
      {sent && <Alert kind="success">If an unconfirmed account uses this address, a new link is on its way.</Alert>}
      {error && <Alert>{error.message}</Alert>}
      {!initial && <Field label="Email address" type="email" autoComplete="email" maxLength={EMAIL.maxLength} value={email} onChange={(e) => setEmail(e.target.value)} />}
      <button type="submit" className="button secondary" disabled={busy || !email.trim()}>
        {busy ? 'Sending…' : 'Send a new link'}
      </button>
    </form>
  );
}

export function VerifyEmail() {
  usePageTitle('Confirm your email address');
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const { user, setUser } = useSession();
  const [state, setState] = useState<'working' | 'done' | 'failed'>(token ? 'working' : 'failed');
  const [error, setError] = useState<ApiError | null>(token ? null : new ApiError(400, 'invalid_token', 'This link is incomplete: it has no token. Open the link from the email again, or ask for a new one.'));
  const started = useRef(false);

  useEffect(() => {
    if (!token || started.current) return;
    started.current = true;
    api
      .post<User>('/api/v1/auth/verify-email', { token }, { auth: false })
      .then((u) => {
        setState('done');
        if (user) setUser(u);
      })
      .catch((e: unknown) => {
        setState('failed');
        setError(e instanceof ApiError ? e : new ApiError(0, 'internal_error', null));
      });
  }, [token, user, setUser]);

  return (
    <section className="narrow">
      <h1>Confirm your email address</h1>
      {state === 'working' && <Loading label="Confirming your address…" />}
      {state === 'done' && (
        <>
          <Alert kind="success" title="Address confirmed">
            <p>Thank you. Your email address is confirmed.</p>
          </Alert>
          <p>
            {user ? <Link href="/account" className="button">Back to your account</Link> : <Link href="/sign-in" className="button">Sign in</Link>}
          </p>
        </>
      )}
      {state === 'failed' && error && (
        <>
          <Alert title="This link did not work">
            <p>{error.is('invalid_token') ? error.serverMessage ?? 'This link is not valid. Ask for a new one below.' : error.message}</p>
          </Alert>
          {error.is('token_used') ? (
            <p>
              If you already confirmed your address, <Link href="/sign-in">sign in</Link>.
            </p>
          ) : (
            <ResendVerification />
          )}
        </>
      )}
    </section>
  );
}


/** The link from the notice mailed to the current address when someone asks to change it. */
export function CancelEmailChange() {
  usePageTitle('Cancel the email change');
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const [state, setState] = useState<'working' | 'done' | 'failed'>(token ? 'working' : 'failed');
  const [error, setError] = useState<ApiError | null>(token ? null : new ApiError(400, 'invalid_token', 'This link is incomplete: it has no token. Open the link from the email again.'));
  const started = useRef(false);

  useEffect(() => {
    if (!token || started.current) return;
    started.current = true;
    api
      .post<void>('/api/v1/auth/email-change/cancel', { token }, { auth: false })
      .then(() => setState('done'))
      .catch((e: unknown) => {
        setState('failed');
        setError(e instanceof ApiError ? e : new ApiError(0, 'internal_error', null));
      });
  }, [token]);

  return (
    <section className="narrow">
      <h1>Cancel the email change</h1>
      {state === 'working' && <Loading label="Cancelling the change…" />}
      {state === 'done' && (
        <Alert kind="success" title="Change cancelled">
          <p>Your account keeps its current email address. If you did not ask for the change, reset your password now: that ends every session.</p>
        </Alert>
      )}
      {state === 'failed' && error && (
        <Alert title="This link did not work">
          <p>{error.serverMessage ?? error.message}</p>
        </Alert>
      )}
      <p>
        <Link href="/forgot-password" className="button">Reset my password</Link>
      </p>
    </section>
  );
}

export function SignIn() {
  usePageTitle('Sign in');
  const { search } = useLocation();
  const next = safeNext(search.get('next'));
  const expired = search.get('reason') === 'expired';
  const { user, signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();

  useEffect(() => {
    if (user) navigate(next, { replace: true });
  }, [user, next]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await signIn(email.trim(), password);
      navigate(next, { replace: true });
    });
  };

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {expired && !error && <Alert kind="info">Your session has ended. Please sign in again to continue where you were.</Alert>}
      <form onSubmit={submit} noValidate>
        {error && <Alert>{error.message}</Alert>}
        <Field label="Email address" name="email" type="email" autoComplete="username" required maxLength={EMAIL.maxLength} value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {error?.is('email_not_verified') && <ResendVerification email={email.trim()} />}
      <p>
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New to Benchside? <Link href="/sign-up">Create an account</Link>.
      </p>
    </section>
  );
}

export function ForgotPassword() {
  usePageTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useSubmit();
  return (
    <section className="narrow">
      <h1>Reset your password</h1>
      {sent ? (
        <Alert kind="success" title="Check your inbox">
          <p>
            If an account uses <strong>{email}</strong>, we sent it a link to choose a new password. The link works once,
            for one hour.
          </p>
        </Alert>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await api.post('/api/v1/auth/password-reset/request', { email: email.trim() }, { auth: false });
              setSent(true);
            });
          }}
          noValidate
        >
          <p>Enter the email address of your account and we will send you a link to choose a new password.</p>
          {error && <Alert>{error.message}</Alert>}
          <Field label="Email address" type="email" autoComplete="email" required maxLength={EMAIL.maxLength} value={email} onChange={(e) => setEmail(e.target.value)} />
          <button type="submit" className="button" disabled={busy || !email.trim()}>
            {busy ? 'Sending…' : 'Send the link'}
          </button>
        </form>
      )}
      <p>
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </section>
  );
}

export function ResetPassword() {
  usePageTitle('Choose a new password');
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const { busy, error, run } = useSubmit();
  const field = fieldOf(error);

  if (!token) {
    return (
      <section className="narrow">
        <h1>Choose a new password</h1>
        <Alert>This link is incomplete. Open the link from the email again, or ask for a new one.</Alert>
        <p>
          <Link href="/forgot-password">Ask for a new link</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="narrow">
      <h1>Choose a new password</h1>
      {done ? (
        <>
          <Alert kind="success" title="Password changed">
            <p>Your password is changed and every other session has been signed out.</p>
          </Alert>
          <p>
            <Link href="/sign-in" className="button">
              Sign in
            </Link>
          </p>
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (password !== confirm) {
              setMismatch(true);
              return;
            }
            setMismatch(false);
            void run(async () => {
              await api.post('/api/v1/auth/password-reset/confirm', { token, new_password: password }, { auth: false });
              setDone(true);
            });
          }}
          noValidate
        >
          {error && !field && (
            <Alert>
              <p>{error.message}</p>
              {error.is('token_expired', 'token_used', 'invalid_token') && (
                <p>
                  <Link href="/forgot-password">Ask for a new link</Link>
                </p>
              )}
            </Alert>
          )}
          <Field label="New password" type="password" autoComplete="new-password" required minLength={NEW_PASSWORD.minLength} value={password} onChange={(e) => setPassword(e.target.value)} hint={HINTS.newPassword} error={field === 'password' ? error!.message : null} />
          <Field label="Type it again" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} error={mismatch ? 'The two passwords are not the same.' : null} />
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Saving…' : 'Set the new password'}
          </button>
        </form>
      )}
    </section>
  );
}

/**
 * The link of an invitation mail (bulk enrolment): the invited learner chooses a password, is
 * signed in (the server answers like sign-in) and lands on their learning. A used link says so
 * and offers sign-in; an expired or broken one says to ask the program for a new invitation.
 */
export function AcceptInvitation() {
  usePageTitle('Set your password');
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const { busy, error, run } = useSubmit();
  const field = fieldOf(error);

  if (!token) {
    return (
      <section className="narrow">
        <h1>Set your password</h1>
        <Alert>This link is incomplete. Open the link from the invitation email again.</Alert>
      </section>
    );
  }
  if (error?.is('token_used')) {
    return (
      <section className="narrow">
        <h1>Set your password</h1>
        <Alert title="This invitation has been used">
          <p>Your account already has a password: sign in with it. If you forgot it, reset it.</p>
        </Alert>
        <p>
          <Link href="/sign-in" className="button">
            Sign in
          </Link>{' '}
          <Link href="/forgot-password">Forgot your password?</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="narrow">
      <h1>Set your password</h1>
      <p>You have been enrolled in a course on Benchside. Choose a password for your account to start.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (password !== confirm) {
            setMismatch(true);
            return;
          }
          setMismatch(false);
          void run(async () => {
            const body: AcceptInvitationRequest = { token, password };
            const s = await api.post<Session>('/api/v1/auth/invitation/accept', body, { auth: false });
            api.setSession(s);
            navigate('/dashboard', { replace: true });
          });
        }}
        noValidate
      >
        {error && !field && (
          <Alert>
            <p>{error.is('token_expired', 'invalid_token') ? 'This invitation link has expired or is not valid. Ask the program that invited you for a new one.' : error.message}</p>
          </Alert>
        )}
        <Field label="Password" type="password" autoComplete="new-password" required minLength={NEW_PASSWORD.minLength} value={password} onChange={(e) => setPassword(e.target.value)} hint={HINTS.newPassword} error={field === 'password' ? error!.message : null} />
        <Field label="Type it again" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} error={mismatch ? 'The two passwords are not the same.' : null} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Saving…' : 'Set my password and start'}
        </button>
      </form>
    </section>
  );
}
