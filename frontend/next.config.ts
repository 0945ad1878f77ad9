import type { NextConfig } from "next";

// A static export: `server.mjs` serves it and tells the browser where the API is at
// run time (/runtime-config.js), so one build works against any backend.
const config: NextConfig = {
  output: "export",
  trailingSlash: true,
  images: { unoptimized: true },
  reactStrictMode: true,
};

export default config;
