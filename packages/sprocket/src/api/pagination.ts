import type { FastifyRequest } from "fastify";
import { AppError } from "../errors/index.ts";
import { decodeCursor, encodeCursor, type CursorKey } from "../lib/cursor.ts";
import type { PredictionSnapshot } from "../events/event-bus.ts";
import type { PredictionService } from "../predictions/prediction-service.ts";
import { toSnapshot } from "../predictions/wire.ts";
import type { Page } from "../protocol/api-types.ts";
import type { ListPage, PredictionRecord } from "../store/store.ts";

/** Reads `?cursor=`; a cursor we did not make is a 400, not an empty page. */
export function cursorOf(request: FastifyRequest): CursorKey | undefined {
  const cursor = (request.query as Record<string, string | undefined>).cursor;
  if (cursor === undefined || cursor === "") return undefined;
  const key = decodeCursor(cursor);
  if (!key) throw new AppError("bad_request", "The cursor is not valid; use the `next` URL of a previous page.");
  return key;
}

/** A page whose `next` is an absolute URL to the same path with the cursor of the last row. */
export function pageOf<R, T>(
  request: FastifyRequest,
  origin: string,
  rows: R[],
  more: boolean,
  keyOf: (row: R) => CursorKey,
  present: (row: R) => T,
): Page<T> {
  let next: string | null = null;
  if (more && rows.length > 0) {
    const url = new URL(request.url, origin);
    url.searchParams.set("cursor", encodeCursor(keyOf(rows[rows.length - 1])));
    next = `${origin}${url.pathname}${url.search}`;
  }
  return { previous: null, next, results: rows.map(present) };
}

/** A page of predictions or trainings from the store, live ones as fresh as in memory, presented by `present`. */
export function predictionPage<T>(
  request: FastifyRequest,
  page: ListPage<PredictionRecord>,
  live: Pick<PredictionService, "liveSnapshot">,
  present: (snapshot: PredictionSnapshot) => T,
): Page<T> {
  // Live predictions are fresher in memory than in their row.
  const snapshots = page.rows.map((row) => live.liveSnapshot(row.id) ?? toSnapshot(row));
  return pageOf(request, request.origin, snapshots, page.more, (p) => ({ createdAt: p.created_at, id: p.id }), present);
}
