// A request's way to the server, made per endpoint: an HTTP/1.1 connection, or a stream slot on a shared HTTP/2 connection.
import { H2Channel, H2Group } from "./h2_channel.ts";
import type { StreamLimit } from "./h2_session.ts";
import { Connection, type Endpoint } from "./http1.ts";

/** What the load models, the watchdog and `settle` work with: `h2` tells the two apart. */
export type Channel = Connection | H2Channel;

/**
 * Makes the channels of one load thread. Over HTTP/2, each run of `streams` consecutive channels
 * of an endpoint shares one connection: closed-model workers j·N … j·N + N − 1 are connection j's
 * streams, and the open model's pool fills connections N slots at a time.
 */
export class Channels {
  private readonly filling: Array<{ group: H2Group; used: number } | undefined> = [];
  /** The server's limit on concurrent streams, as its connections announced it (HTTP/2). */
  readonly seen: StreamLimit = { limit: undefined };

  constructor(
    private readonly endpoints: ReadonlyArray<Endpoint>,
    private readonly followRedirects: boolean,
    readonly streams: number,
  ) {}

  make(endpoint: number): Channel {
    const e = this.endpoints[endpoint]!;
    if (!e.http2) return new Connection(e, this.followRedirects);
    let f = this.filling[endpoint];
    if (f === undefined || f.used === this.streams) {
      f = { group: new H2Group(e, this.seen), used: 0 };
      this.filling[endpoint] = f;
    }
    f.used++;
    return new H2Channel(f.group);
  }
}
