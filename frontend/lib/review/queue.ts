"use client";
// The review queue as the page holds it: the items still to decide (the first one is on
// screen), decided optimistically (the next image shows at once; the decision is sent behind
// it, in order, and a refusal is shown and the item put back where it can be fixed), refilled
// from the API before it runs out, with the next images prefetched.
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";

import { ApiError } from "@/lib/api";

import { absolute, reviewApi, type Decision, type ReviewCounts, type ReviewItem, type ReviewStrategy } from "./api";
import { ImageCache } from "./images";

export const PAGE_SIZE = 30;
export const REFILL_BELOW = 10;
export const PREFETCH_AHEAD = 6;
/** A press this soon after the last decision (whose next image it would hit) is a bounce. */
export const BOUNCE_MS = 80;

export type QueueStatus = "loading" | "ready" | "empty" | "only-skipped" | "error";

export interface Notice {
  tone: "error" | "info";
  text: string;
}

export interface Decided {
  item: ReviewItem;
  decision: Decision;
}

const EMPTY_COUNTS: ReviewCounts = { by_class: {}, by_reason: {}, by_state: {} };

export function describeDecision(decision: Decision, item: ReviewItem): string {
  if ("skip" in decision) return "skipped";
  if (decision.label === null) return "none of these classes";
  return decision.label === item.predicted ? `${decision.label} (the model's answer)` : decision.label;
}

/** What a refused decision means to the person, and whether the item goes back in the queue. */
export function refusal(error: unknown, item: ReviewItem): { text: string; putBack: boolean } {
  if (error instanceof ApiError) {
    if (error.status === 409) return { text: `Already labelled: ${error.message}`, putBack: false };
    if (error.status === 404) return { text: `Gone: ${error.message}`, putBack: false };
    if (error.status === 422) return { text: `Not saved: ${error.message}`, putBack: true };
    if (error.status === 401 || error.status === 403) return { text: `Not allowed: ${error.message}`, putBack: true };
    return { text: `Not saved (${item.predicted}): ${error.message}`, putBack: true };
  }
  return { text: `Not saved: ${error instanceof Error ? error.message : String(error)}`, putBack: true };
}

const performanceNow = () => performance.now();

export interface ReviewQueueApi {
  next: typeof reviewApi.next;
  decide: typeof reviewApi.decide;
  undo: typeof reviewApi.undo;
}

export function useReviewQueue(
  classifier: string | null,
  token: string,
  strategy: ReviewStrategy,
  calls: ReviewQueueApi = reviewApi,
  now: () => number = performanceNow,
) {
  const [queue, setQueue] = useState<ReviewItem[]>([]);
  const [classes, setClasses] = useState<string[]>([]);
  const [counts, setCounts] = useState<ReviewCounts>(EMPTY_COUNTS);
  const [status, setStatus] = useState<QueueStatus>("loading");
  const [notice, setNotice] = useState<Notice | null>(null);
  const [last, setLast] = useState<Decided | null>(null);
  const [labelled, setLabelled] = useState(0);

  const queueRef = useRef<ReviewItem[]>([]);
  const decided = useRef(new Set<string>()); // decided in this session (skips included)
  const skipped = useRef(new Set<string>());
  const fetching = useRef(false);
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const shownAt = useRef(-Infinity); // when the last decision put the next image on screen
  const generation = useRef(0); // a new classifier, token or strategy starts over

  const cache = useMemo(() => (token ? new ImageCache(token) : null), [token]);
  useEffect(() => () => cache?.close(), [cache]);
  const version = useSyncExternalStore(
    useCallback((listener: () => void) => cache?.subscribe(listener) ?? (() => undefined), [cache]),
    () => cache?.version ?? 0,
    () => 0,
  );

  const replace = useCallback((next: ReviewItem[]) => {
    queueRef.current = next;
    setQueue(next);
  }, []);

  const refill = useCallback(async () => {
    if (!classifier || !token || fetching.current) return;
    fetching.current = true;
    const mine = generation.current;
    try {
      const page = await calls.next(token, classifier, PAGE_SIZE, strategy);
      if (mine !== generation.current) return;
      setClasses(page.classes);
      setCounts(page.counts);
      const have = new Set(queueRef.current.map((item) => item.id));
      const fresh = page.items.filter((item) => !have.has(item.id) && !decided.current.has(item.id));
      const next = [...queueRef.current, ...fresh];
      replace(next);
      if (next.length) setStatus("ready");
      else if (page.items.some((item) => skipped.current.has(item.id))) setStatus("only-skipped");
      else setStatus("empty");
    } catch (error) {
      if (mine !== generation.current) return;
      if (!queueRef.current.length) setStatus("error");
      setNotice({ tone: "error", text: error instanceof Error ? error.message : String(error) });
    } finally {
      if (mine === generation.current) fetching.current = false;
    }
  }, [calls, classifier, token, strategy, replace]);

  // The first page; the component holding this is keyed by classifier, token and strategy,
  // so a change of any starts a new queue.
  useEffect(() => {
    const generationAtStart = generation;
    void Promise.resolve().then(refill); // after this render: the effect itself sets no state
    return () => {
      generationAtStart.current += 1; // answers still on their way are dropped
    };
  }, [refill]);

  const current = queue[0] ?? null;

  // The next images, in the order they will be shown.
  useEffect(() => {
    if (!cache) return;
    cache.prefetch(queue.slice(0, PREFETCH_AHEAD).map((item) => absolute(item.image_url)));
  }, [cache, queue]);

  /** Runs API calls one after another, in the order they were asked for. */
  const inOrder = useCallback(<T,>(call: () => Promise<T>): Promise<T> => {
    const result = chain.current.then(call, call);
    chain.current = result.catch(() => undefined);
    return result;
  }, []);

  const adjustCounts = useCallback((item: ReviewItem, by: number) => {
    setCounts((was) => {
      const bump = (map: Record<string, number>, key: string) => ({ ...map, [key]: Math.max(0, (map[key] ?? 0) + by) });
      return { ...was, by_class: bump(was.by_class, item.predicted), by_reason: bump(was.by_reason, item.reason) };
    });
  }, []);

  const decide = useCallback(
    (decision: Decision, item: ReviewItem | null = queueRef.current[0] ?? null): boolean => {
      if (!item || !classifier || decided.current.has(item.id)) return false;
      decided.current.add(item.id);
      shownAt.current = now(); // the next image goes on screen in this very render
      const isSkip = "skip" in decision;
      if (isSkip) skipped.current.add(item.id);
      else adjustCounts(item, -1);
      const rest = queueRef.current.filter((other) => other.id !== item.id);
      replace(rest);
      setLast({ item, decision });
      setNotice(null);
      if (!rest.length) setStatus("loading");
      if (rest.length < REFILL_BELOW) void refill();
      const mine = generation.current;
      inOrder(() => calls.decide(token, classifier, item.id, decision)).then(
        () => {
          if (!isSkip && mine === generation.current) setLabelled((n) => n + 1);
          if (mine === generation.current && !queueRef.current.length) void refill();
        },
        (error: unknown) => {
          if (mine !== generation.current) return;
          const { text, putBack } = refusal(error, item);
          setNotice({ tone: "error", text });
          if (putBack) {
            decided.current.delete(item.id);
            skipped.current.delete(item.id);
            if (!isSkip) adjustCounts(item, +1);
            replace([item, ...queueRef.current.filter((other) => other.id !== item.id)]);
            setStatus("ready");
          }
        },
      );
      return true;
    },
    [adjustCounts, calls, classifier, inOrder, now, refill, replace, token],
  );

  const undo = useCallback(() => {
    if (!classifier || !token) return;
    const mine = generation.current;
    inOrder(() => calls.undo(token, classifier)).then(
      (undone) => {
        if (mine !== generation.current) return;
        const item = undone.item;
        const wasLabel = decided.current.has(item.id) && !skipped.current.has(item.id);
        decided.current.delete(item.id);
        skipped.current.delete(item.id);
        if (wasLabel) {
          adjustCounts(item, +1);
          setLabelled((n) => Math.max(0, n - 1));
        }
        replace([item, ...queueRef.current.filter((other) => other.id !== item.id)]);
        setStatus("ready");
        setLast(null);
        setNotice({ tone: "info", text: `Undone: the image the model called ${item.predicted} is back.` });
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        setNotice({ tone: "error", text: error instanceof Error ? error.message : String(error) });
      },
    );
  }, [adjustCounts, calls, classifier, inOrder, replace, token]);

  /** Shows the items skipped in this session again. */
  const reviewSkipped = useCallback(() => {
    for (const id of skipped.current) decided.current.delete(id);
    skipped.current = new Set();
    setStatus("loading");
    void refill();
  }, [refill]);

  /** Whether a press now would be a bounce of the one that showed this image. */
  const bouncing = useCallback(() => now() - shownAt.current < BOUNCE_MS, [now]);

  const currentImage = current && cache ? cache.peek(absolute(current.image_url)) : undefined;
  const currentFailure = current && cache ? cache.failure(absolute(current.image_url)) : undefined;
  useEffect(() => {
    if (current && cache && !currentImage) cache.load(absolute(current.image_url)).catch(() => undefined);
  }, [cache, current, currentImage, version]);

  return {
    queue,
    current,
    currentImage,
    currentFailure,
    classes,
    counts,
    status,
    notice,
    last,
    labelled,
    decide,
    undo,
    reviewSkipped,
    bouncing,
    dismiss: () => setNotice(null),
  };
}
