"""The review queue (issue #32): kept production answers for a person to label, the
feedback that queues one, and the live accuracy the labels give.

Reading the queue and its images, and deciding, take the reviewer token (or the admin
token); feedback is open to any client (rate limited); live accuracy is a figure like
the monitoring ones, open to read. Every image URL is per classifier and immutable,
so the review page can prefetch the next ones and the browser keeps them."""

from __future__ import annotations

import asyncio
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from PIL import Image

from sightline.api.auth import require_reviewer
from sightline.api.deps import (
    CatalogDep,
    ClassifierDep,
    JobQueueDep,
    ModelPoolDep,
    PredictionServiceDep,
    SettingsDep,
)
from sightline.api.schemas import (
    FeedbackIn,
    FeedbackOut,
    LiveAccuracyOut,
    ReviewCountsOut,
    ReviewDecisionIn,
    ReviewDecisionOut,
    ReviewExplainOut,
    ReviewItemOut,
    ReviewPageOut,
    ReviewStrategy,
    ReviewUndoOut,
    error_responses,
)
from sightline.api.security import TokenBucket
from sightline.errors import InvalidField, TooManyRequests
from sightline.ml.review_queue import ReviewQueue
from sightline.serving.review_keeper import send_feedback

router = APIRouter(tags=["review"])

ReviewerDep = Annotated[str, Depends(require_reviewer)]
IMAGE_CACHE = "private, max-age=31536000, immutable"  # an item's image never changes


def review_queue(request: Request, classifier: ClassifierDep, jobs: JobQueueDep) -> ReviewQueue:
    services = request.app.state.services
    return ReviewQueue(services.settings, services.store, classifier, jobs=jobs)


ReviewQueueDep = Annotated[ReviewQueue, Depends(review_queue)]


def feedback_allowed(request: Request, settings: SettingsDep) -> None:
    """429 past ``feedback_rate_limit_per_minute`` from one client (per process)."""
    bucket: TokenBucket | None = getattr(request.app.state, "feedback_bucket", None)
    if bucket is None:
        bucket = request.app.state.feedback_bucket = TokenBucket(
            settings.feedback_rate_limit_per_minute
        )
    wait = bucket.take(request.client.host if request.client else "unknown")
    if wait > 0:
        error = TooManyRequests(
            f"Too much feedback from this client; try again in {max(1, round(wait))} s."
        )
        error.retry_after_seconds = max(1, round(wait))
        raise error


@router.get("/review", response_model=ReviewPageOut, responses=error_responses(401, 403, 404, 422))
async def next_items(
    _who: ReviewerDep,
    classifier: ClassifierDep,
    review: ReviewQueueDep,
    catalog: CatalogDep,
    limit: int = Query(20, ge=1, le=200, description="How many items"),
    strategy: ReviewStrategy = Query("least_confident", description="Which first"),
) -> ReviewPageOut:
    """The next items to label (pending ones, then skipped ones), with counts per
    predicted class, per reason and per state."""
    page = await asyncio.to_thread(review.next, limit, strategy)
    summary = await asyncio.to_thread(catalog.summary, classifier)
    return ReviewPageOut(
        items=[ReviewItemOut.of(item) for item in page.items],
        counts=ReviewCountsOut.model_validate(page.counts),
        strategy=strategy,
        classes=summary.classes,
    )


@router.get(
    "/review/{item_id}/image",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}}, **error_responses(401, 403, 404)},
)
async def item_image(
    _who: ReviewerDep,
    item_id: str,
    review: ReviewQueueDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The item's image as it was sent, with cache headers (it never changes)."""
    item = await asyncio.to_thread(review.item, item_id)
    etag = f'"{item.image_sha256}"'
    headers = {"Cache-Control": IMAGE_CACHE, "ETag": etag}
    if if_none_match == etag:
        return Response(status_code=304, headers=headers)
    data, _ = await asyncio.to_thread(review.image, item_id)
    return Response(data, media_type=media_type(data), headers=headers)


def media_type(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return Image.MIME.get(image.format or "", "application/octet-stream")
    except Exception:
        return "application/octet-stream"


@router.get(
    "/review/{item_id}/explain",
    response_model=ReviewExplainOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def item_explanation(
    _who: ReviewerDep,
    item_id: str,
    review: ReviewQueueDep,
    predictions: PredictionServiceDep,
    class_name: str | None = Query(
        None, alias="class", description="The class to explain (default: the model's answer)"
    ),
) -> ReviewExplainOut:
    """The Grad-CAM heat map of the item's image for a class, by the model serving now."""
    item = await asyncio.to_thread(review.item, item_id)
    predictor = predictions.holder.predictor
    wanted = class_name or item.predicted
    if wanted not in predictor.class_names:
        raise InvalidField(
            f"{wanted!r} is not a class of the model serving now. "
            f"Classes: {', '.join(predictor.class_names)}.",
            code="unknown_class",
        )
    data, _ = await asyncio.to_thread(review.image, item_id)
    index = list(predictor.class_names).index(wanted)
    heatmap = await asyncio.to_thread(predictions._heatmap, data, predictor, index)
    return ReviewExplainOut.model_validate(
        {"item_id": item_id, "class": wanted, "heatmap_png": heatmap}
    )


@router.post("/review/undo", response_model=ReviewUndoOut, responses=error_responses(401, 403, 404))
async def undo(who: ReviewerDep, review: ReviewQueueDep) -> ReviewUndoOut:
    """Undo this token's most recent decision (again: the one before, and so on): the
    item is pending again and the training image it added is removed."""
    undone = await asyncio.to_thread(review.undo, who)
    return ReviewUndoOut(
        item=ReviewItemOut.of(undone.item),
        training_images_removed=undone.training_images_removed,
        kept_trained_on=undone.kept_trained_on,
    )


@router.post(
    "/review/{item_id}",
    response_model=ReviewDecisionOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def decide(
    who: ReviewerDep,
    classifier: ClassifierDep,
    item_id: str,
    body: ReviewDecisionIn,
    review: ReviewQueueDep,
    catalog: CatalogDep,
) -> ReviewDecisionOut:
    """Label an item (``{"label": "<class>"}``: a training image), call it none of the
    classes (``{"label": null}``: the out-of-class set) or skip it (``{"skip": true}``).
    The same decision twice changes nothing (200, ``repeated``)."""
    sent = body.model_fields_set
    if body.skip == ("label" in sent) or ("skip" in sent and not body.skip):
        raise InvalidField(
            'Send {"label": "<class>"}, {"label": null} (none of these) or {"skip": true}.',
            code="invalid_decision",
        )
    summary = await asyncio.to_thread(catalog.summary, classifier)
    decision = await asyncio.to_thread(
        review.decide,
        item_id,
        label=body.label,
        skip=body.skip,
        by=who,
        classes=summary.classes,
    )
    return ReviewDecisionOut(
        item=ReviewItemOut.of(decision.item),
        repeated=decision.repeated,
        training_image=decision.training_image,  # type: ignore[arg-type]
        retrain_job=decision.retrain_job,
    )


@router.post(
    "/predictions/{prediction_id}/feedback",
    status_code=202,
    response_model=FeedbackOut,
    responses=error_responses(404, 409, 422, 429),
    dependencies=[Depends(feedback_allowed)],
)
async def feedback(
    prediction_id: str,
    body: FeedbackIn,
    review: ReviewQueueDep,
    pool: ModelPoolDep,
) -> FeedbackOut:
    """Report an answer as wrong (optionally with what the image shows): it joins the
    review queue. Works while its image is kept: answers the review policy kept, and
    any answer for a few minutes after it, on the server that gave it (409 otherwise)."""
    item, new = await asyncio.to_thread(
        send_feedback, pool.keeper, review, prediction_id, body.label
    )
    return FeedbackOut(item_id=item.id, status="queued" if new else "already_queued")


@router.get("/live-accuracy", response_model=LiveAccuracyOut, responses=error_responses(404, 422))
async def live_accuracy(
    classifier: ClassifierDep,
    review: ReviewQueueDep,
    catalog: CatalogDep,
    days: int = Query(30, ge=1, le=3650, description="The window, in days back from today"),
) -> LiveAccuracyOut:
    """Production accuracy from the audit sample's labels (95% Wilson interval), per
    day and over the window; the accuracy of the answers the model doubted; and the
    production version's test-split accuracy beside them."""
    figures = await asyncio.to_thread(review.live_accuracy, days)
    summary = await asyncio.to_thread(catalog.summary, classifier)
    return LiveAccuracyOut.of(figures, summary.production_version, summary.accuracy)
