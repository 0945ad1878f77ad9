// The review queue's calls (issue #32), through the generated client: every shape comes from
// docs/openapi.json via ../api/schema.d.ts. Per classifier: /api/classifiers/{classifier}/...
import { apiUrl, bearer, client, unwrap, type ResponseOf } from "@/lib/api";
import type { paths } from "@/lib/api/schema";

export type ReviewPage = ResponseOf<"/api/classifiers/{classifier}/review", "get">;
export type ReviewItem = ReviewPage["items"][number];
export type ReviewCounts = ReviewPage["counts"];
export type ReviewStrategy = ReviewPage["strategy"];
export type ReviewDecision = ResponseOf<"/api/classifiers/{classifier}/review/{item_id}", "post">;
export type ReviewUndo = ResponseOf<"/api/classifiers/{classifier}/review/undo", "post">;
export type ReviewExplain = ResponseOf<"/api/classifiers/{classifier}/review/{item_id}/explain", "get">;
export type LiveAccuracy = ResponseOf<"/api/classifiers/{classifier}/live-accuracy", "get">;
export type Estimate = LiveAccuracy["audit"];
export type ClassifierInfo = ResponseOf<"/api/classifiers/{classifier}", "get">;
export type ReviewPolicy = NonNullable<ClassifierInfo["review"]>;
type PatchBody = NonNullable<
  paths["/api/classifiers/{classifier}"]["patch"]["requestBody"]
>["content"]["application/json"];
export type ReviewPolicyPatch = NonNullable<PatchBody["review"]>;

type DecisionBody = NonNullable<
  paths["/api/classifiers/{classifier}/review/{item_id}"]["post"]["requestBody"]
>["content"]["application/json"];

/** What a person decided about an item: a class, none of the classes, or later. */
export type Decision = { label: string } | { label: null } | { skip: true };

/** An item URL the API answers (relative, "/api/classifiers/…") made absolute. */
export const absolute = (url: string) => (/^https?:/.test(url) ? url : `${apiUrl()}${url}`);

export const reviewApi = {
  next: (token: string, classifier: string, limit: number, strategy: ReviewStrategy) =>
    unwrap(
      client().GET("/api/classifiers/{classifier}/review", {
        params: { path: { classifier }, query: { limit, strategy } },
        headers: bearer(token),
      }),
    ),
  decide: (token: string, classifier: string, itemId: string, decision: Decision) =>
    unwrap(
      client().POST("/api/classifiers/{classifier}/review/{item_id}", {
        params: { path: { classifier, item_id: itemId } },
        // openapi-typescript marks a field with a default as required (skip: false); the API
        // refuses {"label": …, "skip": false}, so the body is sent as the person decided it.
        body: decision as DecisionBody,
        headers: bearer(token),
      }),
    ),
  undo: (token: string, classifier: string) =>
    unwrap(
      client().POST("/api/classifiers/{classifier}/review/undo", {
        params: { path: { classifier } },
        headers: bearer(token),
      }),
    ),
  explain: (token: string, classifier: string, itemId: string) =>
    unwrap(
      client().GET("/api/classifiers/{classifier}/review/{item_id}/explain", {
        params: { path: { classifier, item_id: itemId } },
        headers: bearer(token),
      }),
    ),
  liveAccuracy: (classifier: string, days: number) =>
    unwrap(
      client().GET("/api/classifiers/{classifier}/live-accuracy", {
        params: { path: { classifier }, query: { days } },
      }),
    ),
  changePolicy: (token: string, classifier: string, review: ReviewPolicyPatch) =>
    unwrap(
      client().PATCH("/api/classifiers/{classifier}", {
        params: { path: { classifier } },
        body: { review },
        headers: bearer(token),
      }),
    ),
};
