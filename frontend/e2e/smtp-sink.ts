// A small SMTP server for the end-to-end tests (Node's `net` and `http`, no dependency): the
// real server delivers every mail to it over SMTP (BENCHSIDE_MAIL_TRANSPORT=smtp), it keeps the
// messages in memory, and the tests read them from its HTTP side (`GET /messages`, JSON), the way
// one reads a mail catcher's inbox. It speaks the part of RFC 5321 a relay client uses: EHLO or
// HELO, MAIL, RCPT, DATA (dot-stuffing undone), RSET, NOOP, QUIT; no TLS and no AUTH.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

export interface SinkMessage {
  /** The envelope sender (MAIL FROM). */
  from: string;
  /** The envelope recipients (RCPT TO), lower-cased. */
  to: string[];
  /** The message as received (headers and body, CRLF line ends), decoded as UTF-8. */
  data: string;
  receivedAt: string;
}

export interface SmtpSink {
  smtpPort: number;
  /** Base URL of the HTTP side: `GET {apiUrl}/messages[?to=address]`. */
  apiUrl: string;
  messages: SinkMessage[];
  close(): Promise<void>;
}

const END_OF_DATA = Buffer.from('\r\n.\r\n', 'latin1');
/** Larger messages are refused (552), as a relay would; the app's mails are a few kB. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

function angle(arg: string): string {
  const m = arg.match(/<([^>]*)>/);
  return (m ? m[1]! : arg.trim().split(/\s+/)[0] ?? '').trim();
}

function session(socket: Socket, store: SinkMessage[]): void {
  let buffer = Buffer.alloc(0);
  let inData = false;
  let from: string | null = null;
  let to: string[] = [];
  const reply = (line: string) => socket.write(`${line}\r\n`);
  const reset = () => {
    from = null;
    to = [];
  };

  const command = (line: string) => {
    const verb = line.slice(0, 4).toUpperCase();
    const arg = line.slice(4);
    switch (verb) {
      case 'EHLO':
        reset();
        reply('250-benchside-e2e-sink');
        reply('250-8BITMIME');
        reply('250-SMTPUTF8');
        reply(`250 SIZE ${MAX_MESSAGE_BYTES}`);
        return;
      case 'HELO':
        reset();
        reply('250 benchside-e2e-sink');
        return;
      case 'MAIL':
        if (!/^ FROM:/i.test(arg)) return reply('501 Syntax: MAIL FROM:<address>');
        reset();
        from = angle(arg.slice(6));
        return reply('250 OK');
      case 'RCPT':
        if (from === null) return reply('503 MAIL first');
        if (!/^ TO:/i.test(arg)) return reply('501 Syntax: RCPT TO:<address>');
        to.push(angle(arg.slice(4)).toLowerCase());
        return reply('250 OK');
      case 'DATA':
        if (from === null || to.length === 0) return reply('503 MAIL and RCPT first');
        inData = true;
        return reply('354 End data with <CR><LF>.<CR><LF>');
      case 'RSET':
        reset();
        return reply('250 OK');
      case 'NOOP':
        return reply('250 OK');
      case 'QUIT':
        reply('221 Bye');
        socket.end();
        return;
      default:
        return reply('502 Command not implemented');
    }
  };

  const pump = () => {
    for (;;) {
      if (inData) {
        // The data ends at a line holding only "."; it may be the very first line.
        const framed = Buffer.concat([Buffer.from('\r\n', 'latin1'), buffer]);
        const end = framed.indexOf(END_OF_DATA);
        if (end < 0) {
          if (buffer.length > MAX_MESSAGE_BYTES) {
            reply('552 Message too large');
            socket.end();
          }
          return;
        }
        const raw = framed.subarray(2, end).toString('latin1');
        buffer = framed.subarray(end + END_OF_DATA.length);
        // Undo dot-stuffing: a line starting with "." lost its first dot's twin.
        const body = `\r\n${raw}`.replace(/\r\n\./g, '\r\n').slice(2);
        store.push({ from: from ?? '', to, data: Buffer.from(body, 'latin1').toString('utf8'), receivedAt: new Date().toISOString() });
        inData = false;
        reset();
        reply('250 OK: queued');
        continue;
      }
      const eol = buffer.indexOf('\r\n');
      if (eol < 0) return;
      const line = buffer.subarray(0, eol).toString('utf8');
      buffer = buffer.subarray(eol + 2);
      command(line);
    }
  };

  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    pump();
  });
  socket.on('error', () => socket.destroy());
  reply('220 benchside-e2e-sink ESMTP');
}

function listen(server: Server | HttpServer): Promise<number> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      res(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
}

/** Starts the sink on two free ports of 127.0.0.1 (SMTP and its HTTP side). */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const sockets = new Set<Socket>();
  const smtp = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    session(socket, messages);
  });
  const api = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    if (req.method !== 'GET' || url.pathname !== '/messages') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /messages[?to=address]');
      return;
    }
    const to = url.searchParams.get('to')?.toLowerCase();
    const found = to ? messages.filter((m) => m.to.includes(to)) : messages;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found));
  });
  const smtpPort = await listen(smtp);
  const apiPort = await listen(api);
  return {
    smtpPort,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    messages,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => smtp.close(r)), new Promise((r) => api.close(r))]);
    },
  };
}
