"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

import { useHealth } from "@/lib/hooks";

const LINKS = [
  ["/", "Dashboard"],
  ["/predict/", "Predict"],
  ["/retrain/", "Retrain"],
  ["/monitoring/", "Monitoring"],
  ["/models/", "Models"],
] as const;

export function Nav() {
  const pathname = usePathname() ?? "/";
  const { data } = useHealth();
  return (
    <header className="nav">
      <Link href="/" className="brand">
        <span className="logo" aria-hidden>◎</span> Sightline
      </Link>
      <nav>
        {LINKS.map(([href, label]) => {
          const active = href === "/" ? pathname === "/" : pathname.startsWith(href.replace(/\/$/, ""));
          return (
            <Link key={href} href={href} className={active ? "active" : undefined}>
              {label}
            </Link>
          );
        })}
      </nav>
      <span className="nav-version">{data?.model_version ? `model ${data.model_version}` : ""}</span>
    </header>
  );
}
