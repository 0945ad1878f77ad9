// Serves the static build (out/) and /runtime-config.js, which tells the browser
// where the API is. API_URL and WEB_PORT are read at start, so one build serves any
// backend. No dependencies: node's http server is enough for a static SPA.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "out");
const port = Number(process.env.WEB_PORT || 3000);
const apiUrl = process.env.API_URL || "http://localhost:8000";
const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
  ".png": "image/png", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

// The page may talk to the API and nothing else; Next's static export inlines its boot
// scripts and styles, hence 'unsafe-inline'. No framing, no sniffing, no referrer.
const securityHeaders = {
  "content-security-policy": [
    "default-src 'self'",
    `connect-src 'self' ${new URL(apiUrl).origin}`,
    "img-src 'self' data: blob:",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

function resolveFile(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null; // a malformed escape (%E0%A4%A) names no file
  }
  const clean = normalize(decoded).replace(/^(\.\.[/\\])+/, "");
  const candidate = join(root, clean);
  if (!candidate.startsWith(root)) return null;
  for (const path of [candidate, join(candidate, "index.html"), `${candidate}.html`]) {
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return join(root, "404.html");
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/runtime-config.js") {
    res.writeHead(200, { ...securityHeaders, "content-type": types[".js"], "cache-control": "no-store" });
    res.end(`window.__SIGHTLINE__ = ${JSON.stringify({ apiUrl })};\n`);
    return;
  }
  const file = resolveFile(url.pathname);
  if (!file || !existsSync(file)) {
    res.writeHead(404, { ...securityHeaders, "content-type": types[".txt"] });
    res.end("Not found");
    return;
  }
  const immutable = url.pathname.startsWith("/_next/static/");
  res.writeHead(file.endsWith("404.html") ? 404 : 200, {
    ...securityHeaders,
    "content-type": types[extname(file)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  createReadStream(file).pipe(res);
});

server.listen(port, () => console.log(`Sightline dashboard on http://localhost:${port} (API ${apiUrl})`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
