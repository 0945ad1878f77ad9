import type { Metadata, Viewport } from "next";
import { Suspense, type ReactNode } from "react";

import { ApiBanner } from "@/components/ApiBanner";
import { ClassifierScope } from "@/components/ClassifierScope";
import { Nav } from "@/components/Nav";
import { Loading } from "@/components/States";

import "./globals.css";

export const metadata: Metadata = {
  title: "Sightline",
  description: "Image classification from training to a live, monitored, retrainable service.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        {/* Where the API is, decided when the dashboard is started, not when it is built. */}
        {/* eslint-disable-next-line @next/next/no-sync-scripts */}
        <script src="/runtime-config.js" />
      </head>
      <body>
        <Nav />
        <ApiBanner />
        <main>
          {/* Pages read the classifier from ?c= (useSearchParams): known only in the browser. */}
          <Suspense fallback={<Loading />}>
            <ClassifierScope>{children}</ClassifierScope>
          </Suspense>
        </main>
        <footer>Sightline · open-source image classification, from training to a live service</footer>
      </body>
    </html>
  );
}
