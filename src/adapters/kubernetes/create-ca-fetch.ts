import { request } from "node:https";

/**
 * A minimal GET-only `fetch` that trusts the given PEM CA bundle, for API servers with a private CA
 * (the in-cluster service-account `ca.crt`). Node's global fetch takes no per-request CA without the
 * `undici` package, and NODE_EXTRA_CA_CERTS would widen trust for the whole process.
 */
export function createCaFetch(ca: string): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      if (typeof input !== "string" && !(input instanceof URL)) {
        reject(new TypeError("createCaFetch takes a URL string or URL"));
        return;
      }
      const method = init?.method ?? "GET";
      if (method !== "GET") {
        reject(new TypeError(`createCaFetch only sends GET (got ${method})`));
        return;
      }
      const url = new URL(input);
      if (url.protocol !== "https:") {
        reject(new TypeError(`a CA certificate only applies to https URLs (got ${url.protocol})`));
        return;
      }
      const headers = new Headers(init?.headers);
      const req = request(url, {
        method,
        ca,
        headers: Object.fromEntries(headers.entries()),
        ...(init?.signal ? { signal: init.signal } : {}),
      });
      req.on("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
        res.on("end", () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined) continue;
            for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
          }
          const status = res.statusCode ?? 502;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, headers: responseHeaders }));
        });
      });
      req.end();
    });
}
