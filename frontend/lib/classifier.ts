"use client";
// Which classifier the dashboard is showing. It lives in the URL as `?c=<name>` (the site is
// a static export: no dynamic route segments), absent meaning the API's default classifier,
// so a link or a reload shows the same classifier.
import { useSearchParams } from "next/navigation";
import useSWR from "swr";

import { api, type Classifier } from "./api";

export const CLASSIFIER_PARAM = "c";

/** The API's name rule (a URL-safe slug), checked here so a person hears it while typing. */
export const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const NAME_MAX = 40;
export const NAME_RULE =
  "1–40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit.";

/** What is wrong with a classifier name, in words, or null when the API will accept its form. */
export function nameProblem(name: string): string | null {
  if (name === "") return "Give the classifier a name.";
  if (NAME_PATTERN.test(name)) return null;
  if (name.length > NAME_MAX) return `At most ${NAME_MAX} characters (this is ${name.length}).`;
  if (/[A-Z]/.test(name)) return "Use lowercase letters only.";
  if (/\s/.test(name)) return "No spaces: use hyphens between words.";
  if (/[^a-z0-9-]/.test(name)) return "Only lowercase letters, digits and hyphens.";
  return "Start and end with a letter or digit.";
}

/** A name the API accepts, made from what a person typed ("Cats & Dogs" → "cats-dogs"). */
export function suggestName(typed: string): string {
  return typed
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, NAME_MAX)
    .replace(/^-+|-+$/g, "");
}

/** `href` with `?c=classifier` set (or removed for null), its other query and hash kept. */
export function withClassifier(href: string, classifier: string | null): string {
  const url = new URL(href, "http://sightline.invalid");
  if (classifier) url.searchParams.set(CLASSIFIER_PARAM, classifier);
  else url.searchParams.delete(CLASSIFIER_PARAM);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The classifier a URL's `?c=` names, else the API's default (null until the list is known). */
export function chosenClassifier(param: string | null, defaultName: string | undefined): string | null {
  return param || defaultName || null;
}

export const useClassifiers = () =>
  useSWR("classifiers", api.classifiers, { refreshInterval: 5000, shouldRetryOnError: true });

export interface ClassifierScope {
  /** The classifier every call of the page is about; null until the default is known. */
  name: string | null;
  /** What the URL says (null: the default). Links carry this, so they keep the choice. */
  param: string | null;
  /** The classifier's entry in the list, once the list is loaded and names it. */
  info: Classifier | undefined;
  /** The list is loaded and has no classifier of this name. */
  unknown: boolean;
  /** The list could not be loaded. */
  error: unknown;
  /** An internal link that keeps the chosen classifier. */
  href: (path: string) => string;
}

export function useClassifier(): ClassifierScope {
  const param = useSearchParams()?.get(CLASSIFIER_PARAM) || null;
  const { data, error } = useClassifiers();
  const name = chosenClassifier(param, data?.default);
  const info = data?.items.find((item) => item.name === name);
  return {
    name,
    param,
    info,
    unknown: Boolean(data && name && !info),
    error,
    href: (path: string) => withClassifier(path, param),
  };
}
