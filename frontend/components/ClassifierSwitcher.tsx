"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";

import type { Classifier } from "@/lib/api";
import { useClassifier, useClassifiers, withClassifier } from "@/lib/classifier";

const STAGE_NOTE: Record<Classifier["stage"], string> = { live: "", training: " · training", untrained: " · not trained" };

function optionLabel(item: Classifier): string {
  return `${item.name}${item.is_default ? " (default)" : ""}${STAGE_NOTE[item.stage]}`;
}

/** The header's classifier picker: same page, other classifier. The default one drops `?c=`. */
export function ClassifierSwitcher() {
  const router = useRouter();
  const pathname = usePathname() ?? "/";
  const query = useSearchParams()?.toString() ?? "";
  const { name } = useClassifier();
  const { data } = useClassifiers();
  if (!data || !name) return null;

  const active = data.items.filter((item) => item.status === "active");
  const archived = data.items.filter((item) => item.status === "archived");
  const known = data.items.some((item) => item.name === name);

  function choose(next: string) {
    // The page and the rest of its query stay; only ?c= changes.
    router.push(withClassifier(query ? `${pathname}?${query}` : pathname, next === data?.default ? null : next));
  }

  return (
    <div className="switcher">
      <label htmlFor="classifier-switcher">Classifier</label>
      <select id="classifier-switcher" data-testid="classifier-switcher" value={name}
        onChange={(event) => choose(event.target.value)}>
        {!known && <option value={name}>{name} (unknown)</option>}
        {active.map((item) => <option key={item.name} value={item.name}>{optionLabel(item)}</option>)}
        {archived.length > 0 && (
          <optgroup label="Archived">
            {archived.map((item) => <option key={item.name} value={item.name}>{item.name}</option>)}
          </optgroup>
        )}
      </select>
    </div>
  );
}
