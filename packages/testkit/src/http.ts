import { connect } from "node:net";

/**
 * POSTs `size` bytes to `url` over a raw socket in 64 KB writes (declared length, or chunked), as a client that
 * sends its whole body before reading: a reset meanwhile discards the unread answer, as it does for many clients.
 * Returns the status and body, or the socket error (a reset) if it came first. For the servers' body limits.
 */
export function rawPost(
  url: string,
  size: number,
  { chunked, contentType, fill }: { chunked: boolean; contentType: string; fill: string },
): Promise<{ status?: number; body: string; error?: string }> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    let got = "";
    let error: string | undefined;
    socket.pause();
    socket.on("data", (d) => {
      got += d.toString("latin1");
    });
    socket.on("error", (e) => {
      error = (e as NodeJS.ErrnoException).code ?? e.message;
    });
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1]) || undefined;
      resolve({ status, body: got.slice(got.indexOf("\r\n\r\n") + 4), error: status ? undefined : error });
    });
    socket.on("connect", async () => {
      const head = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${size}`;
      socket.write(
        `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: ${contentType}\r\n${head}\r\n\r\n`,
      );
      const piece = Buffer.alloc(65_536, fill);
      for (let sent = 0; sent < size && !socket.destroyed; sent += piece.length) {
        const part = piece.subarray(0, Math.min(piece.length, size - sent));
        const frame = chunked
          ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")])
          : part;
        if (!socket.write(frame)) await new Promise((r) => socket.once("drain", r));
      }
      if (chunked && !socket.destroyed) socket.write("0\r\n\r\n");
      socket.resume();
    });
  });
}
