import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * Where `npm ci` builds the dashboard (packages/dashboard/dist): four levels up from this file,
 * whether it runs from src/api/routes or from the compiled dist/api/routes.
 */
const DASHBOARD_DIST = fileURLToPath(new URL("../../../../dashboard/dist/", import.meta.url));

/** Paths that belong to the API: an unknown one is the API's 404 problem, never the dashboard's page. */
const API_PATH = /^\/(v1|o|health|metrics)(\/|\?|$)/;

/** The page may talk only to this origin (the API) and show media from anywhere (model outputs). */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src * data: blob:; media-src * data: blob:; connect-src *; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-cache",
};

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Sprocket</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5">
<h1>Sprocket</h1>
<p>The API is running at <code>/v1</code>, but the dashboard is not built.</p>
<p>Build it with <code>npm run build -w packages/dashboard</code> (or <code>npm ci</code>, which builds it), then restart <code>sprocket serve</code>.</p>
</body></html>
`;

/**
 * The dashboard (packages/dashboard, a single-page app): its built files at `/` and `/assets/*`, and
 * index.html for any other GET a browser navigates to (`/models/…`, `/p/<id>`, the page a
 * prediction's `urls.web` names), so its client-side routes survive a reload. API paths are never
 * answered with the page. These routes need no token (auth.ts, DASHBOARD_ROUTES): the page asks the
 * user for one and sends it to /v1 itself. Without a build, `/` says how to make one.
 */
export function registerDashboardRoutes(app: FastifyInstance, dir = DASHBOARD_DIST): void {
  const built = existsSync(path.join(dir, "index.html"));
  void app.register(async (scope) => {
    if (built) {
      // Vite names assets by content hash, so they never change under a name.
      await scope.register(fastifyStatic, { root: path.join(dir, "assets"), prefix: "/assets/", index: false, immutable: true, maxAge: "365d" });
    }
    const page = (reply: FastifyReply) => {
      reply.headers(PAGE_HEADERS);
      if (!built) return reply.type("text/html; charset=utf-8").send(NOT_BUILT);
      return reply.sendFile("index.html", dir, { cacheControl: false });
    };
    scope.get("/", async (_request, reply) => page(reply));
    scope.get("/*", async (request: FastifyRequest, reply) => {
      const wantsPage = String(request.headers.accept ?? "").includes("text/html");
      if (API_PATH.test(request.url) || !wantsPage) return reply.callNotFound();
      return page(reply);
    });
  });
}
