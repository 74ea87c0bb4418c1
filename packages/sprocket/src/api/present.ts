import type { PredictionSnapshot } from "../events/event-bus.ts";
import type { ApiFile, Model, Prediction, Version } from "../protocol/api-types.ts";
import { resolveFileRefs } from "../protocol/file-refs.ts";
import type { FileRecord, ModelRecord, VersionRecord } from "../store/store.ts";
import type { UrlSigner } from "./urls.ts";

export function presentPrediction(snapshot: PredictionSnapshot, origin: string, signer: UrlSigner): Prediction {
  const { account: _account, token_id: _tokenId, kind: _kind, ...prediction } = snapshot;
  // File outputs are stored as references; the URL depends on the origin the client used.
  prediction.output = resolveFileRefs(prediction.output, (keyAndName) => `${origin}/o/${keyAndName}`);
  return { ...prediction, urls: signer.predictionUrls(origin, snapshot.id) };
}

/** A training: a prediction of the trainer, at /v1/trainings URLs (replicate-api.md §11). */
export function presentTraining(snapshot: PredictionSnapshot, origin: string, signer: UrlSigner): Prediction {
  const training = presentPrediction(snapshot, origin, signer);
  return { ...training, urls: { ...training.urls, get: `${origin}/v1/trainings/${snapshot.id}`, cancel: `${origin}/v1/trainings/${snapshot.id}/cancel` } };
}

export function presentVersion(version: VersionRecord): Version {
  return {
    id: version.id,
    created_at: version.createdAt,
    cog_version: version.cogVersion,
    openapi_schema: version.openapiSchema,
  };
}

export function presentModel(model: ModelRecord, latest: VersionRecord | null, origin: string): Model {
  return {
    url: `${origin}/${model.owner}/${model.name}`,
    owner: model.owner,
    name: model.name,
    description: model.description,
    visibility: model.visibility,
    github_url: model.githubUrl,
    paper_url: model.paperUrl,
    license_url: model.licenseUrl,
    run_count: model.runCount,
    cover_image_url: model.coverImageUrl,
    default_example: null,
    latest_version: latest ? presentVersion(latest) : null,
    created_at: model.createdAt,
    is_official: false,
  };
}

export function presentFile(file: FileRecord, origin: string, signer: UrlSigner): ApiFile {
  return {
    id: file.id,
    name: file.name,
    content_type: file.contentType,
    size: file.size,
    etag: file.md5,
    checksums: { sha256: file.sha256, md5: file.md5 },
    metadata: file.metadata,
    created_at: file.createdAt,
    expires_at: file.expiresAt,
    urls: {
      get: `${origin}/v1/files/${file.id}`,
      download: signer.fileDownloadUrl(origin, file.account, file.id, file.expiresAt),
    },
  };
}
