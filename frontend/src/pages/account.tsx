// Account settings: name, email change (confirmed from the new inbox), password change.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Session, User } from '../api/types';
import { EMAIL, HINTS, NAME, NEW_PASSWORD } from '../api/rules';
import { usePageTitle } from '../router';
import { useSession } from '../session';
import { Alert, ErrorState, Field, Loading, useLoad, useSubmit } from '../ui';

export function Account() {
  usePageTitle('Account');
  const me = useLoad((signal) => api.get<User>('/api/v1/me', { signal }), 'me');
  const { setUser } = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [nameSaved, setNameSaved] = useState(false);
  const [emailSent, setEmailSent] = useState<string | null>(null);
  const [pwSaved, setPwSaved] = useState(false);
  const nameForm = useSubmit();
  const emailForm = useSubmit();
  const pwForm = useSubmit();

  useEffect(() => {
    if (me.data) setName(me.data.name);
  }, [me.data]);

  if (me.loading && !me.data) return <Loading label="Loading your account…" />;
  if (me.error) return <ErrorState error={me.error} onRetry={me.reload} />;
  const u = me.data!;
  const update = (patch: { name?: string; email?: string }) => api.patch<User>('/api/v1/me', patch);

  return (
    <section className="narrow">
      <h1>Account</h1>
      <p className="muted">Signed in as {u.email}.</p>

      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          setNameSaved(false);
          void nameForm.run(async () => {
            const v = await update({ name: name.trim() });
            me.setData(v);
            setUser(v);
            setNameSaved(true);
          });
        }}
        noValidate
      >
        <h2>Your name</h2>
        {nameSaved && <Alert kind="success">Your name is saved.</Alert>}
        <Field label="Full name" autoComplete="name" maxLength={NAME.maxLength} value={name} onChange={(e) => setName(e.target.value)} error={nameForm.error?.message ?? null} hint="As it should appear on your certificate." />
        <button type="submit" className="button" disabled={nameForm.busy || name.trim() === u.name}>
          {nameForm.busy ? 'Saving…' : 'Save name'}
        </button>
      </form>

      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          setEmailSent(null);
          void emailForm.run(async () => {
            const v = await update({ email: email.trim() });
            me.setData(v);
            setEmailSent(email.trim());
            setEmail('');
          });
        }}
        noValidate
      >
        <h2>Email address</h2>
        <p>
          Your address is <strong>{u.email}</strong>.
        </p>
        {u.pending_email && !emailSent && (
          <Alert kind="info">
            A change to <strong>{u.pending_email}</strong> is waiting for confirmation: open the link we sent there.
          </Alert>
        )}
        {emailSent && (
          <Alert kind="success">
            We sent a confirmation link to <strong>{emailSent}</strong>. Your address changes once you open it.
          </Alert>
        )}
        <Field label="New email address" type="email" autoComplete="email" maxLength={EMAIL.maxLength} value={email} onChange={(e) => setEmail(e.target.value)} error={emailForm.error?.message ?? null} />
        <button type="submit" className="button" disabled={emailForm.busy || !email.trim()}>
          {emailForm.busy ? 'Sending…' : 'Change email address'}
        </button>
      </form>

      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          setPwSaved(false);
          void pwForm.run(async () => {
            const s = await api.post<Session>('/api/v1/me/password', { current_password: current, new_password: next });
            api.setSession(s);
            setCurrent('');
            setNext('');
            setPwSaved(true);
          });
        }}
        noValidate
      >
        <h2>Password</h2>
        {pwSaved && <Alert kind="success">Your password is changed. Other devices have been signed out.</Alert>}
        {pwForm.error && <Alert>{pwForm.error.message}</Alert>}
        <Field label="Current password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        <Field label="New password" type="password" autoComplete="new-password" minLength={NEW_PASSWORD.minLength} value={next} onChange={(e) => setNext(e.target.value)} hint={HINTS.newPassword} />
        <button type="submit" className="button" disabled={pwForm.busy || !current || !next}>
          {pwForm.busy ? 'Saving…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
