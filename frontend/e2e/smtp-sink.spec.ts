// The e2e SMTP sink itself (smtp-sink.ts), spoken to over a socket the way a relay client does:
// two messages on one connection, dot-stuffing undone, a reset envelope dropped, UTF-8 kept, and
// the HTTP side filtering by envelope recipient. No browser and no server of ours.
import { expect, test } from '@playwright/test';
import { connect, type Socket } from 'node:net';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

/** Sends `lines` one by one, each after the previous reply; returns every reply's code. */
async function converse(port: number, lines: string[]): Promise<string[]> {
  const socket: Socket = connect(port, '127.0.0.1');
  const codes: string[] = [];
  let pending = '';
  const replies: string[] = [];
  let wake: (() => void) | null = null;
  socket.on('data', (b: Buffer) => {
    pending += b.toString('utf8');
    let i: number;
    while ((i = pending.indexOf('\r\n')) >= 0) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 2);
      // A multi-line reply ends at the line with a space after the code.
      if (/^\d{3} /.test(line)) replies.push(line.slice(0, 3));
    }
    wake?.();
  });
  const next = async () => {
    while (replies.length === 0) await new Promise<void>((r) => (wake = r));
    return replies.shift()!;
  };
  codes.push(await next());
  for (const line of lines) {
    socket.write(`${line}\r\n`);
    codes.push(await next());
  }
  socket.end();
  return codes;
}

let sink: SmtpSink;
test.beforeAll(async () => {
  sink = await startSmtpSink();
});
test.afterAll(async () => {
  await sink.close();
});

test('the SMTP sink keeps what a relay client sends and serves it by recipient', async () => {
  const codes = await converse(sink.smtpPort, [
    'EHLO client',
    'MAIL FROM:<abandoned@example.org>',
    'RCPT TO:<nobody@example.org>',
    'RSET',
    'MAIL FROM:<no-reply@example.org> BODY=8BITMIME',
    'RCPT TO:<Ana@Example.org>',
    'DATA',
    'Subject: one\r\n\r\nHello Zoë\r\n..a line that began with a dot\r\n.',
    'MAIL FROM:<no-reply@example.org>',
    'RCPT TO:<bo@example.org>',
    'DATA',
    'Subject: two\r\n\r\nsecond\r\n.',
    'QUIT',
  ]);
  expect(codes).toEqual(['220', '250', '250', '250', '250', '250', '250', '354', '250', '250', '250', '354', '250', '221']);

  const all = (await (await fetch(`${sink.apiUrl}/messages`)).json()) as { from: string; to: string[]; data: string }[];
  expect(all.map((m) => [m.from, m.to])).toEqual([
    ['no-reply@example.org', ['ana@example.org']],
    ['no-reply@example.org', ['bo@example.org']],
  ]);
  expect(all[0]!.data).toBe('Subject: one\r\n\r\nHello Zoë\r\n.a line that began with a dot');
  const ana = (await (await fetch(`${sink.apiUrl}/messages?to=ANA@example.org`)).json()) as unknown[];
  expect(ana).toHaveLength(1);
  // Out of order, refused.
  expect(await converse(sink.smtpPort, ['RCPT TO:<x@example.org>', 'DATA', 'QUIT'])).toEqual(['220', '503', '503', '221']);
});
