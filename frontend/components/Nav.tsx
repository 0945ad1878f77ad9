"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { Suspense } from "react";

import { ClassifierSwitcher } from "@/components/ClassifierSwitcher";
import { useClassifier } from "@/lib/classifier";

const LINKS = [
  ["/", "Dashboard"],
  ["/predict/", "Predict"],
  ["/retrain/", "Retrain"],
  ["/monitoring/", "Monitoring"],
  ["/models/", "Models"],
  ["/review/", "Review"],
  ["/classifiers/", "Classifiers"],
] as const;

function isActive(pathname: string, path: string): boolean {
  return path === "/" ? pathname === "/" : pathname.startsWith(path.replace(/\/$/, ""));
}

const unchanged = (path: string) => path;

function Links({ href }: { href: (path: string) => string }) {
  const pathname = usePathname() ?? "/";
  return (
    <>
      <Link href={href("/")} className="brand">
        <span className="logo" aria-hidden>◎</span> Sightline
      </Link>
      <nav aria-label="Pages">
        {LINKS.map(([path, label]) => {
          const active = isActive(pathname, path);
          return (
            <Link key={path} href={href(path)} className={active ? "active" : undefined}
              aria-current={active ? "page" : undefined}>
              {label}
            </Link>
          );
        })}
      </nav>
    </>
  );
}

/** Links that keep the chosen classifier (`?c=`), the switcher, and its production version. */
function ScopedHeader() {
  const { href, info } = useClassifier();
  return (
    <>
      <Links href={href} />
      <div className="nav-end">
        <ClassifierSwitcher />
        {info?.production_version && <span className="nav-version">model {info.production_version}</span>}
      </div>
    </>
  );
}

export function Nav() {
  return (
    <header className="nav">
      {/* ?c= is read with useSearchParams, which a static export only knows in the browser. */}
      <Suspense fallback={<Links href={unchanged} />}>
        <ScopedHeader />
      </Suspense>
    </header>
  );
}
