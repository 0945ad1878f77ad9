import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { ApiBanner } from "@/components/ApiBanner";
import { Nav } from "@/components/Nav";

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
        <main>{children}</main>
        <footer>Sightline · open-source image classification, from training to a live service</footer>
      </body>
    </html>
  );
}
