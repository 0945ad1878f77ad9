"use client";
// One image at a time, large, with the model's top three and (on request) its Grad-CAM; a
// key or a tap decides it and the next (prefetched) image is on screen at once.
import Link from "next/link";
import { useEffect, useState } from "react";
import useSWR from "swr";

import { Badge, ErrorBox, Loading } from "@/components/States";
import { percent } from "@/lib/shape";
import { reviewApi, type Decision, type ReviewCounts, type ReviewItem, type ReviewStrategy } from "@/lib/review/api";
import { classKey, keyAction, type ReviewAction } from "@/lib/review/keys";
import { describeDecision, useReviewQueue, type ReviewQueueApi } from "@/lib/review/queue";

const STRATEGIES: { value: ReviewStrategy; label: string }[] = [
  { value: "least_confident", label: "Least confident first" },
  { value: "audit_first", label: "Audit items first" },
];
const REASONS: Record<string, string> = { uncertain: "uncertain", audit: "audit sample", feedback: "reported wrong" };

function decisionOf(action: ReviewAction, item: ReviewItem): Decision | null {
  switch (action.kind) {
    case "label":
      return { label: action.label };
    case "accept":
      return { label: item.predicted };
    case "none":
      return { label: null };
    case "skip":
      return { skip: true };
    default:
      return null;
  }
}

function Counts({ counts, classes, labelled }: { counts: ReviewCounts; classes: string[]; labelled: number }) {
  const waiting = Object.values(counts.by_reason).reduce((a, b) => a + b, 0);
  const byClass = classes.filter((name) => counts.by_class[name]).map((name) => [name, counts.by_class[name]] as const);
  return (
    <div className="review-counts" data-testid="review-counts">
      <span><strong>{waiting}</strong> waiting</span>
      <span className="muted" data-testid="labelled-count">{labelled} labelled here</span>
      {Object.entries(counts.by_reason).map(([reason, n]) => (
        <span key={reason} className="chip" data-reason={reason}>{REASONS[reason] ?? reason} {n}</span>
      ))}
      {byClass.length > 0 && <span className="muted">· model said:</span>}
      {byClass.map(([name, n]) => <span key={name} className="chip" title={`predicted ${name}`}>{name} {n}</span>)}
    </div>
  );
}

function GradCam({ token, classifier, item }: { token: string; classifier: string; item: ReviewItem }) {
  const { data, error } = useSWR(["review-explain", classifier, item.id], () => reviewApi.explain(token, classifier, item.id),
    { revalidateOnFocus: false, revalidateIfStale: false, shouldRetryOnError: false });
  if (error) return <p className="muted" role="status">Grad-CAM unavailable: {error instanceof Error ? error.message : String(error)}</p>;
  if (!data) return <span className="review-cam-loading" role="status">Grad-CAM…</span>;
  // eslint-disable-next-line @next/next/no-img-element
  return <img className="heatmap-overlay" src={`data:image/png;base64,${data.heatmap_png}`} alt={`Grad-CAM heat map for ${data.class}`} />;
}

interface DeskProps {
  classifier: string;
  token: string;
  settingsHref: string;
  calls?: ReviewQueueApi;
}

export function ReviewDesk(props: DeskProps) {
  const [strategy, setStrategy] = useState<ReviewStrategy>("least_confident");
  const [showCam, setShowCam] = useState(false);
  return (
    <div className="review">
      <div className="form-row review-toolbar">
        <label htmlFor="review-strategy">Order</label>
        <select id="review-strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as ReviewStrategy)}>
          {STRATEGIES.map(({ value, label }) => <option key={value} value={value}>{label}</option>)}
        </select>
        <label className="check">
          <input type="checkbox" checked={showCam} onChange={(e) => setShowCam(e.target.checked)} /> Grad-CAM
        </label>
      </div>
      {/* A new order is a new queue. */}
      <ReviewSession key={strategy} {...props} strategy={strategy} showCam={showCam} />
    </div>
  );
}

function ReviewSession({ classifier, token, settingsHref, calls, strategy, showCam }: DeskProps & {
  strategy: ReviewStrategy;
  showCam: boolean;
}) {
  const review = useReviewQueue(classifier, token, strategy, calls);
  const { current, classes, decide, undo, bouncing } = review;
  // The listener is renewed with the item on screen: a key decides what the person sees.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = keyAction(event, classes);
      if (!action) return;
      event.preventDefault();
      if (action.kind === "undo") {
        undo();
        return;
      }
      if (!current || bouncing()) return;
      const decision = decisionOf(action, current);
      if (decision) decide(decision, current);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [bouncing, classes, current, decide, undo]);

  /** A tap decides the item on screen (and leaves focus free for the keys). */
  const tap = (action: ReviewAction) => (event: React.MouseEvent<HTMLButtonElement>) => {
    event.currentTarget.blur();
    if (action.kind === "undo") undo();
    else if (current) {
      const decision = decisionOf(action, current);
      if (decision) decide(decision, current);
    }
  };

  const total = Object.values(review.counts.by_state).reduce((a, b) => a + b, 0);
  return (
    <>
      <Counts counts={review.counts} classes={classes} labelled={review.labelled} />
      {review.notice && (
        <div className={review.notice.tone === "error" ? "state error" : "state info"} role={review.notice.tone === "error" ? "alert" : "status"}
          data-testid="review-notice">
          {review.notice.text} <button className="link" onClick={review.dismiss}>Dismiss</button>
        </div>
      )}
      <p className="sr-only" aria-live="polite">
        {review.last ? `Saved ${describeDecision(review.last.decision, review.last.item)}.` : ""}
      </p>
      {review.status === "loading" && !current && <Loading what="Loading the queue" />}
      {review.status === "error" && !current && <ErrorBox error={review.notice?.text ?? "The queue could not be loaded."} />}
      {review.status === "empty" && !current && (
        <div className="state empty-review" data-testid="review-empty">
          {total === 0 ? (
            <p>Nothing to review: turn on keeping uncertain answers in the classifier&apos;s{" "}
              <Link href={settingsHref}>review settings</Link>.</p>
          ) : (
            <p>Nothing left to review: every kept answer is decided. New ones arrive as the model answers
              (<Link href={settingsHref}>review settings</Link>).</p>
          )}
        </div>
      )}
      {review.status === "only-skipped" && !current && (
        <div className="state empty-review" data-testid="review-only-skipped">
          <p>Only the images you skipped are left.</p>
          <button onClick={review.reviewSkipped}>Review the skipped ones</button>
        </div>
      )}
      {current && (
        <div className="review-desk">
          <figure className="review-figure">
            <div className="review-image overlay-wrap">
              {review.currentImage ? (
                // eslint-disable-next-line @next/next/no-img-element
                <img key={current.id} src={review.currentImage} data-item-id={current.id} data-testid="review-image"
                  alt={`Image to label; the model says ${current.predicted} (${percent(current.confidence)})`} />
              ) : review.currentFailure ? (
                <div className="review-image-missing" role="alert">{String(review.currentFailure)}</div>
              ) : (
                <div className="review-image-missing" role="status">Loading the image…</div>
              )}
              {showCam && review.currentImage && <GradCam token={token} classifier={classifier} item={current} />}
            </div>
            <figcaption>
              <Badge tone={current.reason === "audit" ? "info" : current.reason === "feedback" ? "bad" : "warn"}>
                {REASONS[current.reason] ?? current.reason}
              </Badge>{" "}
              {current.suggested_label && <span className="muted">client said: {current.suggested_label}</span>}
            </figcaption>
          </figure>
          <div className="review-side">
            <h2>The model&apos;s answer</h2>
            <ol className="top3" data-testid="top3">
              {current.top3.map((entry) => (
                <li key={entry.class}>
                  <span className="top3-name">{entry.class}</span>
                  <span className="top3-bar" aria-hidden><span style={{ width: `${Math.round(entry.p * 100)}%` }} /></span>
                  <span className="top3-p">{percent(entry.p)}</span>
                </li>
              ))}
            </ol>
            <div className="review-actions">
              <button className="accept" onClick={tap({ kind: "accept" })} aria-keyshortcuts="Enter" data-testid="accept">
                Accept <strong>{current.predicted}</strong> <kbd>Enter</kbd>
              </button>
              <button className="secondary" onClick={tap({ kind: "none" })} aria-keyshortcuts="X">None of these <kbd>X</kbd></button>
              <button className="secondary" onClick={tap({ kind: "skip" })} aria-keyshortcuts="S">Skip <kbd>S</kbd></button>
              <button className="secondary" onClick={tap({ kind: "undo" })} aria-keyshortcuts="U">Undo <kbd>U</kbd></button>
            </div>
          </div>
        </div>
      )}
      {(current || review.last) && classes.length > 0 && (
        <div className="class-grid" role="group" aria-label="Label as">
          {classes.map((name, index) => {
            const key = classKey(index);
            return (
              <button key={name} className={current && name === current.predicted ? "class-pick predicted" : "class-pick"}
                disabled={!current} onClick={tap({ kind: "label", label: name })} aria-keyshortcuts={key ?? undefined}
                title={name}>
                {key && <kbd>{key}</kbd>} <span className="class-pick-name">{name}</span>
              </button>
            );
          })}
        </div>
      )}
      {!current && review.last && (
        <div className="review-actions">
          <button className="secondary" onClick={tap({ kind: "undo" })} aria-keyshortcuts="U">Undo the last one <kbd>U</kbd></button>
        </div>
      )}
      <p className="muted review-keys">Keys: 1–9 and 0 pick a class · Enter accepts the model&apos;s answer · X none of these · S skip · U undo</p>
    </>
  );
}
