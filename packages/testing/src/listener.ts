import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The issuer's HTTP server on 127.0.0.1, which can stop listening (connections refused) and listen again on
 * the same port, so the issuer's URLs stay the same across an outage.
 */
export class Listener {
  readonly #handler: Handler;
  #server: Server | undefined;
  #port: number;

  constructor(handler: Handler, port: number) {
    this.#handler = handler;
    this.#port = port;
  }

  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = createServer((req, res) => {
      this.#handler(req, res).catch(() => {
        // A handler bug or a client that went away: never crash the test run over it.
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and drops every open connection: new requests are refused until `start()`. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
