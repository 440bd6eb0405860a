import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite ships WebAssembly and resolves its files at run time: bundling it breaks
  // the server (webpack) or copies ~15 MB into public assets (Turbopack).
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  poweredByHeader: false,
  // Lets two builds or dev servers of one checkout run side by side (tests, helpers).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  reactStrictMode: true,
};

export default nextConfig;
