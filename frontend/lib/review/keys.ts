// The review page's keys: 1..9 and 0 pick the first ten classes, Enter accepts the model's
// answer, X is none of these classes, S skips, U undoes the last decision.

export type ReviewAction =
  | { kind: "label"; label: string }
  | { kind: "accept" }
  | { kind: "none" }
  | { kind: "skip" }
  | { kind: "undo" };

/** The key that picks class `index` (0-based): 1..9 then 0; null past the tenth. */
export function classKey(index: number): string | null {
  if (index < 0 || index > 9) return null;
  return index === 9 ? "0" : String(index + 1);
}

export interface KeyLike {
  key: string;
  repeat?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  target?: EventTarget | null;
}

/** Typing in a field (the token, the strategy select) is not a decision. */
function typing(target: EventTarget | null | undefined): boolean {
  if (!target || typeof (target as Element).tagName !== "string") return false;
  const element = target as HTMLElement;
  const tag = element.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable === true;
}

/** What a key press asks for, or null (another key, a held key repeating, a shortcut, typing). */
export function keyAction(event: KeyLike, classes: string[]): ReviewAction | null {
  if (event.repeat || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return null;
  const key = event.key;
  if (/^[0-9]$/.test(key)) {
    const index = key === "0" ? 9 : Number(key) - 1;
    const label = classes[index];
    return label === undefined ? null : { kind: "label", label };
  }
  switch (key.toLowerCase()) {
    case "enter":
      // Enter on a focused button is that button's click, not "accept".
      return (event.target as HTMLElement | null)?.tagName === "BUTTON" ? null : { kind: "accept" };
    case "x":
      return { kind: "none" };
    case "s":
      return { kind: "skip" };
    case "u":
      return { kind: "undo" };
    default:
      return null;
  }
}
