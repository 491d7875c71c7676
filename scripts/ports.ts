import { connect } from "node:net";

/** A TCP port on 127.0.0.1 that a part of `npm start` is about to listen on, and the variable that chooses it. */
export interface PortClaim {
  port: number;
  part: string;
  variable: string;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

/** The claims whose port something else already answers on. */
export async function portsInUse(claims: PortClaim[]): Promise<PortClaim[]> {
  const answers = await Promise.all(claims.map((claim) => listening(claim.port)));
  return claims.filter((_, i) => answers[i]);
}

/**
 * What to tell the user when ports are taken: a part started on a taken port would fail (or, worse, its health
 * check would be answered by whatever holds the port, e.g. a second `npm start` driving the first one's anvil).
 */
export function portsInUseMessage(busy: PortClaim[]): string {
  const lines = busy.map(
    (claim) => `  port ${claim.port} (${claim.part}, set by ${claim.variable}) already answers on 127.0.0.1`,
  );
  return [
    `cannot start: ${busy.length === 1 ? "a port it needs is" : "ports it needs are"} in use`,
    ...lines,
    "Another `npm start` may be running (Ctrl-C it first), or another program holds the port: stop it, or choose a",
    `free port with ${busy.map((claim) => claim.variable).join(", ")}.`,
  ].join("\n");
}
